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

/**
 * Description, default and deprecation of a schema, for JSDoc. `name` is the property's name (or
 * the type's), so a description that merely starts with a field called `deprecated` is not read
 * as a deprecation.
 */
export function docsOf(schema: SchemaObject, name?: string): Docs {
  const docs: Docs = {};
  if (typeof schema.description === "string" && schema.description) {
    docs.description = schema.description;
    const deprecated = deprecationOf(schema.description, name);
    if (deprecated) docs.deprecated = deprecated;
  }
  if (schema.default !== undefined && !isZeroValue(schema.default))
    docs.default = JSON.stringify(schema.default);
  return docs;
}

/** `0`, `""`, `false`, `[]`, `{}`: what an absent field reads as anyway, so no `@default` says it. */
function isZeroValue(value: unknown): boolean {
  if (value === 0 || value === "" || value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

const sentenceEnd = /(?<=[.!?])\s+(?=[A-Z(`'"])/;

/**
 * The `@deprecated` sentence of a description, or undefined when it does not say that the field
 * or kind it describes is deprecated. Kubernetes and CRD authors write it three ways:
 * - a marker opening a sentence: `Deprecated: use X.`, `DEPRECATED.`, `Deprecated, use X`,
 *   `Deprecated in favor of X`; or a `Deprecated:` marker anywhere;
 * - the field's own name as the subject: `status is deprecated: this field is never set.`;
 * - `This field` / `This API` / `The field` ... `deprecated`.
 * The sentence is returned whole (a marker followed by text gives that text), capitalized and
 * ending in a period. Other mentions ("Recycle (deprecated)", "the annotation is deprecated",
 * "`deprecated` indicates this version is deprecated") are not the field's own deprecation.
 */
export function deprecationOf(description: string, name?: string): string | undefined {
  const escaped = name?.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ownName = escaped
    ? new RegExp(
        `^${escaped}\\s+(?:is\\s+(?:now\\s+)?(?:an?\\s+|the\\s+)?|was\\s+|has\\s+been\\s+)?deprecated\\b`,
        "i",
      )
    : undefined;
  for (const paragraph of description.split(/\n\s*\n/)) {
    const sentences = paragraph.replace(/\s+/g, " ").trim().split(sentenceEnd);
    // The deprecation and what the paragraph goes on to say of it (what to use instead).
    const from = (i: number, first: string) =>
      asSentence([first, ...sentences.slice(i + 1)].join(" ").trim() || "Deprecated.");
    for (const [i, raw] of sentences.entries()) {
      const sentence = raw.trim();
      const marker = sentence.match(/^(?:deprecated\s*[:.,;-]|deprecated$)\s*(.*)$/i);
      if (marker) return from(i, marker[1] ?? "");
      if (/^deprecated\s+in\s+favou?r\b/i.test(sentence)) return from(i, sentence);
      const inner = sentence.match(/\b(?:Deprecated|DEPRECATED):\s*(.+)$/);
      if (inner) return from(i, inner[1]!);
      if (ownName?.test(sentence)) return from(i, sentence);
      if (/^(?:this|the)\s+(?:field|api|type|resource|kind|version)\b[^.]*\bdeprecated\b/i.test(sentence))
        return from(i, sentence);
    }
  }
  return undefined;
}

function asSentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** `metav1.Time` and `MicroTime` marshal their zero value as `null`, required or not. */
const zeroTimes = [
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
];

function refShape(ref: string, ctx: SchemaContext, pointer: string): Shape {
  const shape: Shape = { kind: "ref", ref: ctx.resolveRef(ref, pointer) };
  return zeroTimes.some((id) => ref.endsWith(`/${id}`)) ? { kind: "nullable", inner: shape } : shape;
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
  if (path.length > maxDepth) throw new Error(`${pointer}: schema nested deeper than ${maxDepth} levels`);
  checkSchema(schema, pointer);
  return withNullable(schema, bareShape(schema, ctx, path, pointer));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** At most 40 characters of a value, as JSON: enough to recognise it in an error, never a dump. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * The fields this stage reads must have the types OpenAPI gives them; anything else is named by
 * its pointer here rather than failing later as "number 5 is not iterable".
 */
export function checkSchema(schema: unknown, pointer: string): asserts schema is SchemaObject {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new Error(`${pointer}${field}: expected ${expected}, found ${show(value)}`);
  };
  if (!isPlainObject(schema)) fail("", "a schema object", schema);
  const s = schema as Record<string, unknown>;
  for (const key of ["type", "$ref", "description", "format"]) {
    if (s[key] !== undefined && typeof s[key] !== "string") fail(`/${key}`, "a string", s[key]);
  }
  if (s.nullable !== undefined && typeof s.nullable !== "boolean")
    fail("/nullable", "true or false", s.nullable);
  if (s.properties !== undefined) {
    if (!isPlainObject(s.properties)) fail("/properties", "an object of schemas", s.properties);
    for (const [name, value] of Object.entries(s.properties as object)) {
      if (!isPlainObject(value)) fail(`/properties/${escapePointer(name)}`, "a schema object", value);
    }
  }
  if (
    s.required !== undefined &&
    (!Array.isArray(s.required) || !s.required.every((r) => typeof r === "string"))
  )
    fail("/required", "a list of property names", s.required);
  if (s.items !== undefined && !isPlainObject(s.items)) fail("/items", "a schema object", s.items);
  if (
    s.additionalProperties !== undefined &&
    typeof s.additionalProperties !== "boolean" &&
    !isPlainObject(s.additionalProperties)
  )
    fail("/additionalProperties", "true, false or a schema object", s.additionalProperties);
  if (s.enum !== undefined && !Array.isArray(s.enum)) fail("/enum", "a list", s.enum);
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    const list = s[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`/${key}`, "a list of schemas", list);
    (list as unknown[]).forEach((v, i) => {
      if (!isPlainObject(v)) fail(`/${key}/${i}`, "a schema object", v);
    });
  }
}

/** Far beyond any real schema (the built-in API nests 12 levels), well inside the stack. */
export const maxDepth = 200;

function bareShape(schema: SchemaObject, ctx: SchemaContext, path: string[], pointer: string): Shape {
  if (schema.$ref) return refShape(schema.$ref, ctx, `${pointer}/$ref`);
  if (schema.allOf?.length === 1 && schema.allOf[0]?.$ref) {
    return refShape(schema.allOf[0].$ref, ctx, `${pointer}/allOf/0/$ref`);
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
    case "array": {
      const items: Shape = schema.items
        ? schemaToShape(schema.items, ctx, [...path, "item"], `${pointer}/items`)
        : { kind: "unknown" };
      const keys = listMapKeysOf(schema, pointer);
      if (keys) return { kind: "array", items, listMapKeys: keys };
      return schema["x-kubernetes-list-type"] === "set"
        ? { kind: "array", items, listType: "set" }
        : { kind: "array", items };
    }
  }
  if (
    schema.type === "object" ||
    schema.properties ||
    schema.additionalProperties !== undefined ||
    embedded
  ) {
    const properties = propertiesOf(schema, ctx, path, pointer);
    if (embedded) return { kind: "embeddedResource", properties, open };
    // Server-side apply owns an atomic map or struct whole, not field by field.
    const atomic =
      schema["x-kubernetes-map-type"] === "atomic" || schema["x-kubernetes-structure-type"] === "atomic"
        ? { mapType: "atomic" as const }
        : {};
    if (properties.length === 0) {
      const additional = schema.additionalProperties;
      if (additional && typeof additional === "object") {
        return {
          kind: "map",
          values: schemaToShape(additional, ctx, [...path, "value"], `${pointer}/additionalProperties`),
          ...atomic,
        };
      }
      return { kind: "map", values: { kind: "unknown" }, ...atomic };
    }
    const shape: Shape = { kind: "object", properties, open, ...atomic };
    if (ctx.nameObject)
      return { kind: "ref", ref: ctx.nameObject(path, shape, docsOf(schema, path.at(-1)), pointer) };
    return shape;
  }
  return { kind: "unknown" };
}

/**
 * The keys of an `x-kubernetes-list-type: map` list. Which of them an apply configuration must
 * give is decided once the item type is known (`narrowListMapKeys`): keys with defaults may be left
 * out.
 */
function listMapKeysOf(schema: SchemaObject, pointer: string): string[] | undefined {
  if (schema["x-kubernetes-list-type"] !== "map") return undefined;
  const keys = schema["x-kubernetes-list-map-keys"];
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) {
    throw new Error(
      `${pointer}: x-kubernetes-list-type map needs x-kubernetes-list-map-keys, a non-empty list of property names`,
    );
  }
  const itemProperties = schema.items?.properties;
  const missing = itemProperties ? keys.filter((k) => !Object.hasOwn(itemProperties, k)) : [];
  if (missing.length) {
    throw new Error(
      `${pointer}/x-kubernetes-list-map-keys: ${JSON.stringify(missing[0])} is not a property of the items`,
    );
  }
  return [...keys] as string[];
}

function propertiesOf(schema: SchemaObject, ctx: SchemaContext, path: string[], pointer: string): Property[] {
  const required = new Set(schema.required ?? []);
  return Object.keys(schema.properties ?? {})
    .sort()
    .map((name) => {
      const prop = schema.properties![name]!;
      const at = `${pointer}/properties/${escapePointer(name)}`;
      return {
        name,
        required: required.has(name),
        ...docsOf(prop, name),
        shape: schemaToShape(prop, ctx, [...path, name], at),
        ...patchMetadataOf(prop, at),
      };
    });
}

/**
 * `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` of a property: what the
 * apiserver's strategic merge patch reads (the fake apiserver gets them from the generated
 * `patch-meta.ts`). Kept as the schema writes them; a value that is not a non-empty string is
 * named by its pointer.
 */
function patchMetadataOf(
  schema: SchemaObject,
  pointer: string,
): Pick<Property, "patchStrategy" | "patchMergeKey"> {
  const out: Pick<Property, "patchStrategy" | "patchMergeKey"> = {};
  for (const [extension, field] of [
    ["x-kubernetes-patch-strategy", "patchStrategy"],
    ["x-kubernetes-patch-merge-key", "patchMergeKey"],
  ] as const) {
    const value = schema[extension];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "")
      throw new Error(`${pointer}/${extension}: expected a non-empty string, found ${show(value)}`);
    out[field] = value;
  }
  return out;
}
