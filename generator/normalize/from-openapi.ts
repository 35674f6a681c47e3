/**
 * OpenAPI v3 documents → the model. Types come from `components.schemas` (merged across documents:
 * the apimachinery types appear in every one, and live once); resources, verbs and subresources
 * come from the paths and their `x-kubernetes-action`.
 */
import { isDns1035Label, isDnsSubdomain } from "../load/crd.js";
import type { LoadedDocument, OperationObject, SchemaObject } from "../load/openapi-v3.js";
import { safeTypeName } from "../model/identifiers.js";
import type { ApiModel, Module, Resource, Shape, TypeDef, TypeRef, Verb } from "../model/ir.js";
import { compareStrings } from "../order.js";
import { pruneUnreachable } from "./filter.js";
import { narrowListMapKeys } from "./list-maps.js";
import { accessorName, assignClientNames, moduleOfSchemaId, stabilityOf } from "./names.js";
import { checkSchema, docsOf, schemaToShape } from "./schema.js";

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
  /** The patch operation accepts `application/strategic-merge-patch+json` (built-in kinds only). */
  strategicMerge: boolean;
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
  const schemas = mergedSchemas(documents);
  const byGvk = new Map<string, string>();
  for (const [id, { schema }] of schemas) {
    for (const gvk of schema["x-kubernetes-group-version-kind"] ?? [])
      byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, id);
  }
  const drafts = resourceDrafts(documents);
  const served = servedGroupVersions(drafts, byGvk);
  const paths = modulePaths([...schemas.keys()], served);
  const names = typeNames([...schemas.keys()], paths);
  const modules = new Map<string, Module>();
  for (const def of breakAliasCycles(typeDefs(schemas, names), names)) {
    const path = names.get(def.origin)!.module;
    const module = modules.get(path) ?? {
      path,
      stability: stabilityOf(path.split("/").at(-1) ?? ""),
      source: "",
      types: [],
      resources: [],
    };
    module.types.push(def);
    modules.set(path, module);
  }
  for (const module of modules.values()) {
    const packages = [...new Set(module.types.map((t) => packageOf(t.origin)))].sort(compareStrings);
    module.source = `OpenAPI schemas ${packages.join(", ")}`;
  }
  for (const gv of served) {
    let path = paths.get(gv.package)!;
    // Two group-versions whose kinds share one schema package: the second gets a module of its
    // own that refers to the first one's types.
    for (let i = 2; modules.get(path)?.groupVersion; i++)
      path = `${gv.group || "core"}/${gv.version}${i > 2 ? `-${i}` : ""}`;
    const module = modules.get(path) ?? { path, stability: "stable", source: "", types: [], resources: [] };
    modules.set(path, module);
    module.groupVersion = { group: gv.group, version: gv.version, clientName: "" };
    module.stability = stabilityOf(gv.version);
    module.source = `the OpenAPI v3 document of ${gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`}`;
    module.resources = gv.drafts.map((draft) => resourceOf(draft, gv, byGvk, names));
  }
  const list = pruneUnreachable([...modules.values()].sort((a, b) => compareStrings(a.path, b.path)));
  return assignClientNames(narrowListMapKeys({ modules: list }));
}

/**
 * A unique, valid type name per schema id within its module: the id's last segment made safe,
 * numbered when two ids come out the same (`Café` and `Cafè`), in id order.
 */
function typeNames(ids: string[], paths: Map<string, string>): Map<string, TypeRef> {
  const names = new Map<string, TypeRef>();
  const taken = new Map<string, Set<string>>();
  for (const id of [...ids].sort(compareStrings)) {
    const module = paths.get(packageOf(id))!;
    const used = taken.get(module) ?? new Set<string>();
    taken.set(module, used);
    const wanted = safeTypeName(id.slice(id.lastIndexOf(".") + 1));
    let name = wanted;
    for (let i = 2; used.has(name); i++) name = `${wanted}${i}`;
    used.add(name);
    names.set(id, { module, name });
  }
  return names;
}

/**
 * A schema that is only a `$ref` to itself (directly, or through other such aliases, `nullable` or
 * `oneOf`) would print `type Loop = Loop`, which TypeScript rejects: such aliases become `unknown`.
 * Cycles through objects or arrays are fine and stay.
 */
function breakAliasCycles(defs: TypeDef[], names: Map<string, TypeRef>): TypeDef[] {
  const byKey = new Map(defs.map((d) => [`${names.get(d.origin)!.module}:${d.name}`, d]));
  const aliasTargets = (shape: Shape): string[] => {
    const out: string[] = [];
    const pending = [shape];
    while (pending.length) {
      const s = pending.pop()!;
      if (s.kind === "ref") out.push(`${s.ref.module}:${s.ref.name}`);
      else if (s.kind === "nullable") pending.push(s.inner);
      else if (s.kind === "union") pending.push(...s.options);
    }
    return out;
  };
  const cyclic = new Set<string>();
  for (const [key, def] of byKey) {
    const seen = new Set<string>();
    const pending = aliasTargets(def.shape);
    while (pending.length) {
      const next = pending.pop()!;
      if (next === key) {
        cyclic.add(key);
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      const target = byKey.get(next);
      if (target) pending.push(...aliasTargets(target.shape));
    }
  }
  return defs.map((d) =>
    cyclic.has(`${names.get(d.origin)!.module}:${d.name}`) ? { ...d, shape: { kind: "unknown" } } : d,
  );
}

const isGvk = (v: unknown): boolean =>
  typeof v === "object" &&
  v !== null &&
  ["group", "version", "kind"].every((k) => typeof (v as Record<string, unknown>)[k] === "string");

/** Schemas merged by id: the first document (sorted by source) that defines one wins. */
function mergedSchemas(documents: LoadedDocument[]): Map<string, { schema: SchemaObject; source: string }> {
  const schemas = new Map<string, { schema: SchemaObject; source: string }>();
  for (const { source, document } of [...documents].sort((a, b) => compareStrings(a.source, b.source))) {
    const components: unknown = document.components?.schemas ?? {};
    if (typeof components !== "object" || components === null || Array.isArray(components))
      throw new Error(`${source}#/components/schemas: expected an object of schemas`);
    for (const [id, schema] of Object.entries(components as Record<string, SchemaObject>)) {
      // Ids become module paths: dotted segments of letters, digits, `-` and `_` only.
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(id)) {
        const pointer = `#/components/schemas/${id.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        throw new Error(
          `${source}${pointer}: the schema id ${JSON.stringify(id.slice(0, 60))} is not a dotted name`,
        );
      }
      const at = `${source}#/components/schemas/${id}`;
      checkSchema(schema, at);
      const gvks: unknown = schema["x-kubernetes-group-version-kind"];
      if (gvks !== undefined && !(Array.isArray(gvks) && gvks.every(isGvk)))
        throw new Error(`${at}/x-kubernetes-group-version-kind: expected a list of {group, version, kind}`);
      if (!schemas.has(id)) schemas.set(id, { schema, source });
    }
  }
  return schemas;
}

/** The Go package of a schema id: `io.k8s.api.apps.v1.Deployment` → `io.k8s.api.apps.v1`. */
function packageOf(id: string): string {
  const dot = id.lastIndexOf(".");
  return dot < 0 ? "" : id.slice(0, dot);
}

/** Every schema as a named type, sorted by id. */
function typeDefs(
  schemas: Map<string, { schema: SchemaObject; source: string }>,
  names: Map<string, TypeRef>,
): TypeDef[] {
  const defs: TypeDef[] = [];
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
    const def: TypeDef = { name: ref.name, origin: id, ...docsOf(schema, ref.name), shape };
    if (gvks.length === 1 && shape.kind === "object") {
      const gvk = gvks[0]!;
      def.typeMeta = { apiVersion: gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, kind: gvk.kind };
      const isList = shape.properties.some((p) => p.name === "items") && gvk.kind.endsWith("List");
      if (!isList) def.constructorHelper = true;
    }
    defs.push(def);
  }
  return defs;
}

/** Resources of every group-version, from the paths and their `x-kubernetes-action`. */
function resourceDrafts(documents: LoadedDocument[]): Map<string, Map<string, ResourceDraft>> {
  const drafts = new Map<string, Map<string, ResourceDraft>>();
  for (const { source, document } of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      const parsed = parseResourcePath(path);
      if (!parsed) continue;
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        throw new Error(
          `${source}#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}: expected a path item object`,
        );
      }
      // Group and version become module paths, the plural an accessor: Kubernetes' rules first.
      const validGroup = parsed.group === "" || isDnsSubdomain(parsed.group);
      if (!validGroup || !isDns1035Label(parsed.version) || !isDns1035Label(parsed.plural)) {
        const pointer = `#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        throw new Error(
          `${source}${pointer}: not a Kubernetes resource path (group a DNS subdomain, version and resource DNS labels)`,
        );
      }
      const gvKey = `${parsed.group}/${parsed.version}`;
      const gv = drafts.get(gvKey) ?? new Map<string, ResourceDraft>();
      drafts.set(gvKey, gv);
      const draft = gv.get(parsed.plural) ?? {
        plural: parsed.plural,
        namespaced: parsed.namespaced,
        verbs: new Set<Verb>(),
        subresources: new Set<string>(),
        strategicMerge: false,
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
        const verb = parsed.watch
          ? "watch"
          : Object.hasOwn(actionVerbs, action)
            ? actionVerbs[action]
            : undefined;
        if (!verb) continue;
        draft.verbs.add(verb);
        if (verb === "patch" && op.requestBody?.content?.["application/strategic-merge-patch+json"])
          draft.strategicMerge = true;
        const gvk = op["x-kubernetes-group-version-kind"];
        if (gvk && !parsed.watch && (verb === "get" || verb === "create" || verb === "update"))
          draft.kind ??= gvk.kind;
        if (verb === "list") draft.listSchema = responseSchemaRef(op);
        if (!draft.kind && gvk && !parsed.watch) draft.kind = gvk.kind;
      }
    }
  }
  return drafts;
}

/** A group-version that serves resources, and the schema package of its kinds. */
interface ServedGroupVersion {
  group: string;
  version: string;
  /** The package of its first resource's kind: the module the group-version's client lives in. */
  package: string;
  drafts: ResourceDraft[];
}

function servedGroupVersions(
  drafts: Map<string, Map<string, ResourceDraft>>,
  byGvk: Map<string, string>,
): ServedGroupVersion[] {
  const served: ServedGroupVersion[] = [];
  for (const [gvKey, gv] of [...drafts].sort(([a], [b]) => compareStrings(a, b))) {
    const [group = "", version = ""] = gvKey.split("/");
    const kept = [...gv.values()]
      .filter((d) => d.kind && d.verbs.size > 0)
      .sort((a, b) => compareStrings(a.plural, b.plural));
    const first = kept[0];
    if (!first) continue;
    const objectId = byGvk.get(`${group}/${version}/${first.kind}`);
    if (!objectId)
      throw new Error(
        `${first.source}: no schema for kind ${first.kind} of ${gvKey} (resource ${first.plural})`,
      );
    served.push({ group, version, package: packageOf(objectId), drafts: kept });
  }
  return served;
}

/**
 * Module paths for schema packages, by one rule that never fails:
 * - a package that serves a built-in group-version (the legacy group, a group with no dot, or a
 *   `*.k8s.io` group) and every package that serves none keep the client-go style path of their
 *   schema ids (`io.k8s.api.rbac.v1` → `rbac/v1`, see `moduleOfSchemaId`);
 * - a package that serves any other group-version takes the full group: `networking.istio.io/v1`;
 * - when two packages still want one path, the first in code-unit order of package name keeps it
 *   (`io.k8s.` packages sort before nearly all others); the rest fall back to their full package
 *   name without the version (`io.example.networking/v1`), then to a numbered path.
 */
function modulePaths(ids: string[], served: ServedGroupVersion[]): Map<string, string> {
  const wanted = new Map<string, string>();
  const fallback = new Map<string, string>();
  for (const id of ids) {
    const pkg = packageOf(id);
    if (wanted.has(pkg)) continue;
    wanted.set(pkg, moduleOfSchemaId(id).module);
    const version = pkg.slice(pkg.lastIndexOf(".") + 1);
    fallback.set(pkg, `${pkg.slice(0, pkg.lastIndexOf("."))}/${version}`);
  }
  for (const gv of served) {
    if (!wanted.has(gv.package)) {
      wanted.set(gv.package, `${gv.group}/${gv.version}`);
    } else if (!isBuiltInGroup(gv.group)) {
      wanted.set(gv.package, `${gv.group}/${gv.version}`);
      fallback.set(gv.package, `${gv.group}/${gv.version}`);
    }
  }
  const paths = new Map<string, string>();
  const taken = new Set<string>();
  const packages = [...wanted.keys()].sort(compareStrings);
  const losers: string[] = [];
  for (const pkg of packages) {
    const path = wanted.get(pkg)!;
    if (taken.has(path)) losers.push(pkg);
    else {
      taken.add(path);
      paths.set(pkg, path);
    }
  }
  for (const pkg of losers) {
    let path = fallback.get(pkg)!;
    for (let i = 2; taken.has(path); i++) path = `${fallback.get(pkg)}-${i}`;
    taken.add(path);
    paths.set(pkg, path);
  }
  return paths;
}

/** The legacy group, the original dotless groups (`apps`, `batch`...) and `*.k8s.io`. */
export function isBuiltInGroup(group: string): boolean {
  return !group.includes(".") || group.endsWith(".k8s.io");
}

function resourceOf(
  draft: ResourceDraft,
  gv: ServedGroupVersion,
  byGvk: Map<string, string>,
  names: Map<string, TypeRef>,
): Resource {
  const kind = draft.kind!;
  const objectId = byGvk.get(`${gv.group}/${gv.version}/${kind}`);
  if (!objectId)
    throw new Error(
      `${draft.source}: no schema for kind ${kind} of ${gv.group}/${gv.version} (resource ${draft.plural})`,
    );
  const objectType = names.get(objectId)!;
  const listId = draft.listSchema ?? byGvk.get(`${gv.group}/${gv.version}/${kind}List`);
  const listType = listId ? names.get(listId) : undefined;
  return {
    accessor: accessorName(kind, draft.plural),
    plural: draft.plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: listType?.name ?? `${kind}List`,
    namespaced: draft.namespaced,
    verbs: [...draft.verbs].sort(),
    subresources: [...draft.subresources].sort(),
    shortNames: [],
    categories: [],
    objectType,
    listType: listType ?? objectType,
    ...(draft.strategicMerge ? { strategicMergePatch: true } : {}),
  };
}
