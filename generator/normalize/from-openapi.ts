/**
 * OpenAPI v3 documents → the model. Types come from `components.schemas` (merged across documents:
 * the apimachinery types appear in every one, and live once); resources, verbs and subresources
 * come from the paths and their `x-kubernetes-action`.
 */
import type { LoadedDocument, OperationObject, SchemaObject } from "../load/openapi-v3.js";
import type { ApiModel, Module, Resource, TypeDef, TypeRef, Verb } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { pruneUnreachable } from "./filter.js";
import { accessorName, clientNameOf, moduleOfSchemaId, safeTypeName, stabilityOf } from "./names.js";
import { docsOf, schemaToShape } from "./schema.js";

const refPrefix = "#/components/schemas/";
const actionVerbs: Record<string, Verb> = {
  get: "get",
  list: "list",
  watch: "watch",
  watchlist: "watch",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
  deletecollection: "deletecollection",
};

interface ResourceDraft {
  plural: string;
  namespaced: boolean;
  verbs: Set<Verb>;
  subresources: Set<string>;
  kind?: string;
  listSchema?: string;
  source: string;
}

/** Parses `/apis/<g>/<v>/...` or `/api/v1/...` into the parts a resource is made of. */
export function parseResourcePath(path: string):
  | {
      group: string;
      version: string;
      watch: boolean;
      namespaced: boolean;
      plural: string;
      named: boolean;
      subresource?: string;
    }
  | undefined {
  const m = path.match(/^\/api\/(v1)\/(.*)$/) ?? path.match(/^\/apis\/([^/]+)\/([^/]+)\/(.*)$/);
  if (!m) return undefined;
  const [group, version, rest] = m.length === 3 ? ["", m[1]!, m[2]!] : [m[1]!, m[2]!, m[3]!];
  const segments = rest.split("/");
  let watch = false;
  if (segments[0] === "watch") {
    watch = true;
    segments.shift();
  }
  let namespaced = false;
  if (segments[0] === "namespaces" && segments[1] === "{namespace}" && segments.length > 2) {
    namespaced = true;
    segments.splice(0, 2);
  }
  const plural = segments[0];
  if (!plural || plural.startsWith("{")) return undefined;
  const named = segments[1] === "{name}";
  if (segments.length > 1 && !named) return undefined;
  return { group, version, watch, namespaced, plural, named, subresource: segments[2] };
}

function schemaIdOf(ref: string | undefined): string | undefined {
  return ref?.startsWith(refPrefix) ? ref.slice(refPrefix.length) : undefined;
}

function responseSchemaRef(op: OperationObject): string | undefined {
  const content = op.responses?.["200"]?.content ?? op.responses?.["201"]?.content;
  const schema = content?.["application/json"]?.schema ?? Object.values(content ?? {})[0]?.schema;
  return schemaIdOf(schema?.$ref ?? schema?.allOf?.[0]?.$ref);
}

/**
 * The model of a set of OpenAPI v3 documents (a cluster's, or a folder's); throws naming the
 * document and JSON pointer of a dangling `$ref` or a kind without a schema.
 */
export function modelFromOpenApi(documents: LoadedDocument[]): ApiModel {
  // 1. Schemas, merged by id: the first document (sorted by source) that defines one wins.
  const schemas = new Map<string, { schema: SchemaObject; source: string }>();
  for (const { source, document } of [...documents].sort((a, b) => compareStrings(a.source, b.source))) {
    for (const [id, schema] of Object.entries(document.components?.schemas ?? {})) {
      if (!schemas.has(id)) schemas.set(id, { schema, source });
    }
  }
  const names = new Map<string, TypeRef>();
  for (const id of schemas.keys()) {
    const { module, name } = moduleOfSchemaId(id);
    names.set(id, { module, name: safeTypeName(name) });
  }
  const byGvk = new Map<string, string>();
  for (const [id, { schema }] of schemas) {
    for (const gvk of schema["x-kubernetes-group-version-kind"] ?? [])
      byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, id);
  }

  const typesByModule = new Map<string, TypeDef[]>();
  for (const [id, { schema, source }] of [...schemas].sort(([a], [b]) => compareStrings(a, b))) {
    const ref = names.get(id)!;
    const pointer = `${source}#/components/schemas/${id}`;
    const shape = schemaToShape(
      schema,
      {
        resolveRef(target, at) {
          const targetId = schemaIdOf(target);
          const resolved = targetId ? names.get(targetId) : undefined;
          if (!resolved)
            throw new Error(
              `${source}: dangling $ref ${JSON.stringify(target)} at ${at.replace(`${source}#`, "")}`,
            );
          return resolved;
        },
      },
      [ref.name],
      pointer,
    );
    const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
    const def: TypeDef = { name: ref.name, origin: id, ...docsOf(schema), shape };
    if (gvks.length === 1 && shape.kind === "object") {
      const gvk = gvks[0]!;
      def.typeMeta = { apiVersion: gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, kind: gvk.kind };
      const isList = shape.properties.some((p) => p.name === "items") && gvk.kind.endsWith("List");
      if (!isList) def.constructorHelper = true;
    }
    const list = typesByModule.get(ref.module) ?? [];
    list.push(def);
    typesByModule.set(ref.module, list);
  }

  // 2. Resources from the paths.
  const drafts = new Map<string, Map<string, ResourceDraft>>();
  for (const { source, document } of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      const parsed = parseResourcePath(path);
      if (!parsed) continue;
      const gvKey = `${parsed.group}/${parsed.version}`;
      const gv = drafts.get(gvKey) ?? new Map<string, ResourceDraft>();
      drafts.set(gvKey, gv);
      const draft = gv.get(parsed.plural) ?? {
        plural: parsed.plural,
        namespaced: parsed.namespaced,
        verbs: new Set<Verb>(),
        subresources: new Set<string>(),
        source,
      };
      gv.set(parsed.plural, draft);
      if (parsed.namespaced) draft.namespaced = true;
      for (const method of ["get", "put", "post", "patch", "delete"] as const) {
        const op = item[method];
        const action = op?.["x-kubernetes-action"];
        if (!op || !action) continue;
        if (parsed.subresource) {
          draft.subresources.add(parsed.subresource);
          continue;
        }
        const verb = parsed.watch ? "watch" : actionVerbs[action];
        if (!verb) continue;
        draft.verbs.add(verb);
        const gvk = op["x-kubernetes-group-version-kind"];
        if (gvk && !parsed.watch && (verb === "get" || verb === "create" || verb === "update"))
          draft.kind ??= gvk.kind;
        if (verb === "list") draft.listSchema = responseSchemaRef(op);
        if (!draft.kind && gvk && !parsed.watch) draft.kind = gvk.kind;
      }
    }
  }

  // 3. One module per group-version, named after the package of its kinds.
  const modules = new Map<string, Module>();
  for (const [path, types] of typesByModule) {
    modules.set(path, {
      path,
      stability: stabilityOf(path.split("/")[1] ?? ""),
      source: `OpenAPI schemas ${[...new Set(types.map((t) => t.origin.split(".").slice(0, -1).join(".")))].sort().join(", ")}`,
      types,
      resources: [],
    });
  }
  for (const [gvKey, gv] of [...drafts].sort(([a], [b]) => compareStrings(a, b))) {
    const [group = "", version = ""] = gvKey.split("/");
    const resources: Resource[] = [];
    for (const draft of [...gv.values()].sort((a, b) => compareStrings(a.plural, b.plural))) {
      if (!draft.kind || draft.verbs.size === 0) continue;
      const objectId = byGvk.get(`${group}/${version}/${draft.kind}`);
      if (!objectId)
        throw new Error(
          `${draft.source}: no schema for kind ${draft.kind} of ${gvKey} (resource ${draft.plural})`,
        );
      const objectType = names.get(objectId)!;
      const listId = draft.listSchema ?? byGvk.get(`${group}/${version}/${draft.kind}List`);
      resources.push({
        accessor: accessorName(draft.kind, draft.plural),
        plural: draft.plural,
        singular: draft.kind.toLowerCase(),
        kind: draft.kind,
        listKind: listId ? (names.get(listId)?.name ?? `${draft.kind}List`) : `${draft.kind}List`,
        namespaced: draft.namespaced,
        verbs: [...draft.verbs].sort(),
        subresources: [...draft.subresources].sort(),
        shortNames: [],
        categories: [],
        objectType,
        listType: listId && names.get(listId) ? names.get(listId)! : objectType,
      });
    }
    if (resources.length === 0) continue;
    const modulePath = resources[0]!.objectType.module;
    const module = modules.get(modulePath);
    if (!module) throw new Error(`no types for group-version ${gvKey}`);
    if (module.groupVersion) {
      throw new Error(
        `group-versions ${module.groupVersion.group || "core"}/${module.groupVersion.version} and ${gvKey} both map to module ${modulePath}`,
      );
    }
    module.groupVersion = { group, version, clientName: clientNameOf(modulePath) };
    module.stability = stabilityOf(version);
    module.source = `the OpenAPI v3 document of ${group ? `/apis/${group}/${version}` : `/api/${version}`}`;
    module.resources = resources;
  }
  return { modules: pruneUnreachable([...modules.values()].sort((a, b) => compareStrings(a.path, b.path))) };
}
