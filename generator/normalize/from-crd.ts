/**
 * CustomResourceDefinitions → the model. Every served version becomes part of a `<group>/<version>`
 * module; nested objects become named types (`CertificateSpec`, `CertificateSpecKeystores`) so they
 * can be used on their own; `metadata` is always the shared ObjectMeta.
 */
import type { CrdVersion, LoadedCrd } from "../load/crd.js";
import type { SchemaObject } from "../load/openapi-v3.js";
import { pascal, safeTypeName } from "../model/identifiers.js";
import type { ApiModel, Docs, Module, Property, Shape, TypeDef, TypeRef } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { narrowListMapKeys } from "./list-maps.js";
import { accessorName, assignClientNames, stabilityOf } from "./names.js";
import { checkSchema, docsOf, type SchemaContext, schemaToShape } from "./schema.js";

const meta = (name: string): TypeRef => ({ module: "meta/v1", name });
const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] as const;

/** The model of every served version of the given CRDs; throws naming the file and JSON path at fault. */
export function modelFromCrds(crds: LoadedCrd[]): ApiModel {
  const modules = new Map<string, Module>();
  const kindNames = kindNamesByModule(crds);
  for (const { source, crd } of crds) {
    for (const [index, version] of crd.spec.versions.entries()) {
      if (!version.served) continue;
      const path = `${crd.spec.group}/${version.name}`;
      const module = modules.get(path) ?? {
        path,
        stability: stabilityOf(version.name),
        source: "",
        types: [],
        resources: [],
      };
      modules.set(path, module);
      addVersion(module, { source, crd }, version, index, kindNames.get(path)!);
    }
  }
  const list = [...modules.values()].sort((a, b) => compareStrings(a.path, b.path));
  for (const m of list) {
    m.types.sort((a, b) => compareStrings(a.name, b.name));
    m.resources.sort((a, b) => compareStrings(a.plural, b.plural));
  }
  return assignClientNames(narrowListMapKeys({ modules: list }));
}

/**
 * Kinds and list kinds own their names in each module: nested types (`FooSpec`) must yield to a
 * kind `FooSpec` whichever CRD comes first.
 */
function kindNamesByModule(crds: LoadedCrd[]): Map<string, Set<string>> {
  const kindNames = new Map<string, Set<string>>();
  for (const { crd } of crds) {
    for (const version of crd.spec.versions) {
      const path = `${crd.spec.group}/${version.name}`;
      const names = kindNames.get(path) ?? new Set<string>();
      kindNames.set(path, names);
      names.add(safeTypeName(crd.spec.names.kind));
      names.add(safeTypeName(crd.spec.names.listKind ?? `${crd.spec.names.kind}List`));
    }
  }
  return kindNames;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** One served version of a CRD into its module: the kind, its list, its nested types, its resource. */
function addVersion(
  module: Module,
  { source, crd }: LoadedCrd,
  version: CrdVersion,
  index: number,
  kindNames: Set<string>,
): void {
  const { group, names } = crd.spec;
  const pointer = `${source}#/spec/versions/${index}/schema/openAPIV3Schema`;
  const schema = version.schema?.openAPIV3Schema;
  if (!schema)
    throw new Error(
      `${source}: CustomResourceDefinition ${crd.metadata.name} version ${version.name} has no schema (${pointer})`,
    );
  checkSchema(schema, pointer);
  const clash = module.resources.find((r) => r.plural === names.plural || r.kind === names.kind);
  if (clash) {
    throw new Error(
      `${source}: CustomResourceDefinition ${crd.metadata.name} serves ${names.plural} (${names.kind}) in ${module.path}, as another CRD already does (${clash.plural}, ${clash.kind})`,
    );
  }
  const taken = new Set([...module.types.map((t) => t.name), ...kindNames]);
  // Origins name the CRD, never the file: the same CRDs read from a cluster or from any path
  // give the same bytes.
  const origin = `CustomResourceDefinition ${crd.metadata.name} ${version.name}`;
  const nested: TypeDef[] = [];
  const ctx: SchemaContext = {
    resolveRef(ref: string, at: string): TypeRef {
      throw new Error(
        `${source}: a CRD schema may not use $ref (${JSON.stringify(ref)} at ${at.replace(`${source}#`, "")})`,
      );
    },
    nameObject(typePath: string[], objectShape: Shape, docs: Docs, at: string): TypeRef {
      const wanted = typePath
        .filter((p) => p !== "item" && p !== "value")
        .map(pascal)
        .join("");
      let name = safeTypeName(wanted);
      for (let i = 2; taken.has(name); i++) name = safeTypeName(`${wanted}${i}`);
      taken.add(name);
      const at0 = at.slice(source.length);
      nested.push({ name, origin: `${origin} ${at0}`, ...docs, shape: objectShape });
      return { module: module.path, name };
    },
  };
  const kind = safeTypeName(names.kind);
  const apiVersion = `${group}/${version.name}`;
  const deprecated = version.deprecated
    ? (version.deprecationWarning ?? `${apiVersion} ${names.kind} is deprecated`)
    : undefined;
  module.types.push({
    name: kind,
    origin,
    ...docsOf(schema, names.kind),
    ...(deprecated ? { deprecated } : {}),
    shape: rootShape(schema, ctx, names.kind, pointer),
    typeMeta: { apiVersion, kind: names.kind },
    constructorHelper: true,
  });
  const listKind = names.listKind ?? `${names.kind}List`;
  const listName = safeTypeName(listKind);
  module.types.push(
    listType(listName, { module: module.path, name: kind }, names.kind, origin, apiVersion, listKind),
  );
  for (const def of nested) module.types.push(def);
  module.resources.push({
    accessor: accessorName(names.kind, names.plural),
    plural: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    kind: names.kind,
    listKind,
    namespaced: crd.spec.scope === "Namespaced",
    verbs: [...allVerbs],
    subresources: [
      version.subresources?.scale ? "scale" : "",
      version.subresources?.status ? "status" : "",
    ].filter(Boolean),
    shortNames: [...(names.shortNames ?? [])],
    categories: [...(names.categories ?? [])],
    ...(version.selectableFields?.length
      ? { selectableFields: version.selectableFields.map((f) => f.jsonPath.slice(1)) }
      : {}),
    objectType: { module: module.path, name: kind },
    listType: { module: module.path, name: listName },
    storageVersion: version.storage,
  });
  module.groupVersion = { group, version: version.name, clientName: "" };
  module.source = [module.source, `CustomResourceDefinition ${crd.metadata.name}`].filter(Boolean).join(", ");
}

/**
 * The kind's own shape: its properties converted one by one, since the root is the kind itself,
 * and its `metadata` always the shared ObjectMeta, whatever the CRD's schema says of it.
 */
function rootShape(schema: SchemaObject, ctx: SchemaContext, kind: string, pointer: string): Shape {
  const required = new Set(schema.required ?? []);
  const given = schema.properties ?? {};
  const properties: Property[] = Object.keys(given)
    .filter((name) => name !== "metadata")
    .map((name) => ({
      name,
      required: required.has(name) && name !== "apiVersion" && name !== "kind",
      ...docsOf(given[name]!, name),
      shape: schemaToShape(given[name]!, ctx, [kind, name], `${pointer}/properties/${escapePointer(name)}`),
    }));
  properties.push({ name: "metadata", required: false, shape: { kind: "ref", ref: meta("ObjectMeta") } });
  for (const name of ["apiVersion", "kind"]) {
    if (!properties.some((p) => p.name === name))
      properties.push({ name, required: false, shape: { kind: "string" } });
  }
  properties.sort((a, b) => compareStrings(a.name, b.name));
  return { kind: "object", properties, open: schema["x-kubernetes-preserve-unknown-fields"] === true };
}

/** `FooList`: `items` of the kind, the list metadata. */
function listType(
  name: string,
  item: TypeRef,
  kind: string,
  origin: string,
  apiVersion: string,
  listKind: string,
): TypeDef {
  return {
    name,
    origin,
    description: `A list of ${kind} objects.`,
    shape: {
      kind: "object",
      open: false,
      properties: [
        { name: "apiVersion", required: false, shape: { kind: "string" } },
        { name: "items", required: true, shape: { kind: "array", items: { kind: "ref", ref: item } } },
        { name: "kind", required: false, shape: { kind: "string" } },
        { name: "metadata", required: false, shape: { kind: "ref", ref: meta("ListMeta") } },
      ],
    },
    typeMeta: { apiVersion, kind: listKind },
  };
}
