/**
 * One schema object → one `Shape`, the mapping rules in one place:
 * `$ref` (also wrapped in `allOf` with siblings, as v3 writes it), int-or-string (the extension,
 * `format: int-or-string`, or its v3 `oneOf`), preserve-unknown-fields (open objects that keep their
 * known properties), embedded resources, `nullable`, enums, maps and arrays.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import type { SchemaObject } from "../load/openapi-v3.js";
import type { Docs, Property, Shape, TypeRef } from "../model/ir.js";

/** What schema conversion asks of its front end: resolving `$ref`s, and naming nested objects. */
export interface SchemaContext {
  /** Resolves a `$ref`; throws naming `pointer` when it dangles. */
  resolveRef(ref: string, pointer: string): TypeRef;
  /**
   * When set, object schemas with properties become named types (CRDs, which have no `$ref`s):
   * returns the reference to the type registered for `path`.
   */
  nameObject?(path: string[], shape: Shape, docs: Docs, pointer: string): TypeRef;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Description, default and deprecation of a schema, for JSDoc. */
export function docsOf(schema: SchemaObject): Docs {
  const docs: Docs = {};
  if (schema.description) {
    docs.description = schema.description;
    const deprecated = schema.description.match(/^\s*Deprecated[:.]?\s*(.*)$/ims);
    if (deprecated) docs.deprecated = (deprecated[1] ?? "").split("\n")[0]!.trim() || "deprecated";
  }
  if (schema.default !== undefined) docs.default = JSON.stringify(schema.default);
  return docs;
}

function isIntOrString(schema: SchemaObject): boolean {
  if (schema["x-kubernetes-int-or-string"] || schema.format === "int-or-string") return true;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length === 2) {
    const types = alternatives.map((a) => a.type).sort();
    return types[0] === "integer" && types[1] === "string";
  }
  return false;
}

/** `nullable: true`, or `null` among the enum values (as CRDs may write a nullable enum). */
function withNullable(schema: SchemaObject, shape: Shape): Shape {
  const nullable = schema.nullable === true || (schema.enum?.includes(null) ?? false);
  return nullable ? { kind: "nullable", inner: shape } : shape;
}

/** Converts a schema; `path` names nested types (CRDs) and `pointer` locates errors. */
export function schemaToShape(
  schema: SchemaObject,
  ctx: SchemaContext,
  path: string[],
  pointer: string,
): Shape {
  return withNullable(schema, bareShape(schema, ctx, path, pointer));
}

function bareShape(schema: SchemaObject, ctx: SchemaContext, path: string[], pointer: string): Shape {
  if (schema.$ref) return { kind: "ref", ref: ctx.resolveRef(schema.$ref, `${pointer}/$ref`) };
  if (schema.allOf?.length === 1 && schema.allOf[0]?.$ref) {
    return { kind: "ref", ref: ctx.resolveRef(schema.allOf[0].$ref, `${pointer}/allOf/0/$ref`) };
  }
  if (isIntOrString(schema)) return { kind: "intOrString" };
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length && !schema.type && !schema.properties) {
    const key = schema.oneOf ? "oneOf" : "anyOf";
    return {
      kind: "union",
      options: alternatives.map((alt, i) =>
        schemaToShape(alt, ctx, [...path, `option${i}`], `${pointer}/${key}/${i}`),
      ),
    };
  }
  const values = schema.enum?.filter((v) => v !== null);
  if (values?.length && values.every((v) => ["string", "number", "boolean"].includes(typeof v))) {
    return { kind: "literals", values: [...new Set(values as (string | number | boolean)[])] };
  }
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  const open = schema["x-kubernetes-preserve-unknown-fields"] === true;
  switch (schema.type) {
    case "string":
      return { kind: "string" };
    case "integer":
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "array":
      return {
        kind: "array",
        items: schema.items
          ? schemaToShape(schema.items, ctx, [...path, "item"], `${pointer}/items`)
          : { kind: "unknown" },
      };
  }
  if (
    schema.type === "object" ||
    schema.properties ||
    schema.additionalProperties !== undefined ||
    embedded
  ) {
    const properties = propertiesOf(schema, ctx, path, pointer);
    if (embedded) return { kind: "embeddedResource", properties, open };
    if (properties.length === 0) {
      const additional = schema.additionalProperties;
      if (additional && typeof additional === "object") {
        return {
          kind: "map",
          values: schemaToShape(additional, ctx, [...path, "value"], `${pointer}/additionalProperties`),
        };
      }
      return { kind: "map", values: { kind: "unknown" } };
    }
    const shape: Shape = { kind: "object", properties, open };
    if (ctx.nameObject) return { kind: "ref", ref: ctx.nameObject(path, shape, docsOf(schema), pointer) };
    return shape;
  }
  return { kind: "unknown" };
}

function propertiesOf(schema: SchemaObject, ctx: SchemaContext, path: string[], pointer: string): Property[] {
  const required = new Set(schema.required ?? []);
  return Object.keys(schema.properties ?? {})
    .sort()
    .map((name) => {
      const prop = schema.properties![name]!;
      return {
        name,
        required: required.has(name),
        ...docsOf(prop),
        shape: schemaToShape(prop, ctx, [...path, name], `${pointer}/properties/${escapePointer(name)}`),
      };
    });
}
