/**
 * CustomResourceDefinitions → the model. Every served version becomes part of a `<group>/<version>`
 * module; nested objects become named types (`CertificateSpec`, `CertificateSpecKeystores`) so they
 * can be used on their own; `metadata` is always the shared ObjectMeta.
 */
import type { LoadedCrd } from "../load/crd.js";
import { pascal, safeTypeName } from "../model/identifiers.js";
import type { ApiModel, Docs, Module, Property, Resource, Shape, TypeDef, TypeRef } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { narrowListMapKeys } from "./list-maps.js";
import { accessorName, assignClientNames, stabilityOf } from "./names.js";
import { checkSchema, docsOf, schemaToShape } from "./schema.js";

const meta = (name: string): TypeRef => ({ module: "meta/v1", name });
const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] as const;

/** The model of every served version of the given CRDs; throws naming the file and JSON path at fault. */
export function modelFromCrds(crds: LoadedCrd[]): ApiModel {
  const modules = new Map<string, Module>();
  // Kinds and list kinds own their names: nested types (`FooSpec`) must yield to a kind `FooSpec`
  // whichever CRD comes first.
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
  for (const { source, crd } of crds) {
    const { group, names } = crd.spec;
    crd.spec.versions.forEach((version, index) => {
      if (!version.served) return;
      const pointer = `${source}#/spec/versions/${index}/schema/openAPIV3Schema`;
      const schema = version.schema?.openAPIV3Schema;
      if (!schema)
        throw new Error(
          `${source}: CustomResourceDefinition ${crd.metadata.name} version ${version.name} has no schema (${pointer})`,
        );
      checkSchema(schema, pointer);
      const path = `${group}/${version.name}`;
      const module =
        modules.get(path) ??
        ({
          path,
          stability: stabilityOf(version.name),
          source: "",
          types: [],
          resources: [],
        } satisfies Module);
      modules.set(path, module);
      const taken = new Set([...module.types.map((t) => t.name), ...kindNames.get(path)!]);
      const kind = safeTypeName(names.kind);
      // Origins name the CRD, never the file: the same CRDs read from a cluster or from any path
      // give the same bytes.
      const origin = `CustomResourceDefinition ${crd.metadata.name} ${version.name}`;
      const originPointer = `#/spec/versions/${index}/schema/openAPIV3Schema`;
      const nested: TypeDef[] = [];
      const unique = (wanted: string) => {
        let name = safeTypeName(wanted);
        for (let i = 2; taken.has(name); i++) name = safeTypeName(`${wanted}${i}`);
        taken.add(name);
        return name;
      };
      const ctx = {
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
          const name = unique(wanted);
          nested.push({
            name,
            origin: `${origin} ${at.replace(pointer, originPointer)}`,
            ...docs,
            shape: objectShape,
          });
          return { module: path, name };
        },
      };
      // The root's properties are converted one by one: the root is the kind itself, and its
      // metadata is always the shared ObjectMeta, whatever the CRD's schema says of it.
      const required = new Set(schema.required ?? []);
      const properties: Property[] = Object.keys(schema.properties ?? {})
        .filter((name) => name !== "metadata")
        .map((name) => ({
          name,
          required: required.has(name) && name !== "apiVersion" && name !== "kind",
          ...docsOf(schema.properties![name]!, name),
          shape: schemaToShape(
            schema.properties![name]!,
            ctx,
            [names.kind, name],
            `${pointer}/properties/${name}`,
          ),
        }));
      properties.push({ name: "metadata", required: false, shape: { kind: "ref", ref: meta("ObjectMeta") } });
      for (const name of ["apiVersion", "kind"]) {
        if (!properties.some((p) => p.name === name))
          properties.push({ name, required: false, shape: { kind: "string" } });
      }
      properties.sort((a, b) => compareStrings(a.name, b.name));
      const root: Shape = {
        kind: "object",
        properties,
        open: schema["x-kubernetes-preserve-unknown-fields"] === true,
      };
      const apiVersion = `${group}/${version.name}`;
      const deprecated = version.deprecated
        ? (version.deprecationWarning ?? `${apiVersion} ${names.kind} is deprecated`)
        : undefined;
      module.types.push({
        name: kind,
        origin,
        ...docsOf(schema, names.kind),
        ...(deprecated ? { deprecated } : {}),
        shape: root,
        typeMeta: { apiVersion, kind: names.kind },
        constructorHelper: true,
      });
      const listKind = names.listKind ?? `${names.kind}List`;
      const listName = safeTypeName(listKind);
      module.types.push({
        name: listName,
        origin,
        description: `A list of ${names.kind} objects.`,
        shape: {
          kind: "object",
          open: false,
          properties: [
            { name: "apiVersion", required: false, shape: { kind: "string" } },
            {
              name: "items",
              required: true,
              shape: { kind: "array", items: { kind: "ref", ref: { module: path, name: kind } } },
            },
            { name: "kind", required: false, shape: { kind: "string" } },
            { name: "metadata", required: false, shape: { kind: "ref", ref: meta("ListMeta") } },
          ],
        },
        typeMeta: { apiVersion, kind: listKind },
      });
      for (const def of nested) module.types.push(def);
      const resource: Resource = {
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
        objectType: { module: path, name: kind },
        listType: { module: path, name: listName },
        storageVersion: version.storage,
      };
      module.resources.push(resource);
      module.groupVersion = { group, version: version.name, clientName: "" };
      module.source = [module.source, `CustomResourceDefinition ${crd.metadata.name}`]
        .filter(Boolean)
        .join(", ");
    });
  }
  const list = [...modules.values()].sort((a, b) => compareStrings(a.path, b.path));
  for (const m of list) {
    m.types.sort((a, b) => compareStrings(a.name, b.name));
    m.resources.sort((a, b) => compareStrings(a.plural, b.plural));
  }
  return assignClientNames(narrowListMapKeys({ modules: list }));
}
