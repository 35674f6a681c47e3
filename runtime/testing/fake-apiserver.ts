/**
 * A fake apiserver in memory: it answers the REST requests the clients send (paths, verbs, query,
 * content types) from an {@link ObjectTracker}, as the apiserver would, so every client of the
 * runtime (typed clientsets, dynamic, metadata, discovery, informers, the RESTClient) runs on it
 * unchanged. It records each request as an action, and reactors may answer instead.
 */

import { parse as parseYaml } from "yaml";
import { labelSelectorFromObject } from "../core/labels.js";
import type { KubeObject } from "../core/object.js";
import { getOwn } from "../core/own.js";
import { PatchTypes } from "../core/patch.js";
import { emptyPatchMeta, type PatchMeta, patchMetaOfKind } from "../core/patch-meta.js";
import type { ResourceDescriptor } from "../core/resource.js";
import { isStatusError, type Status } from "../errors.js";
import { ApplyConflict, FieldManager, managerFromUserAgent, type Part } from "./field-manager.js";
import { builtinSelectableFields } from "./field-selectors.js";
import { applyJsonPatch, applyMergePatch, PatchError } from "./patches.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";
import {
  ApiStatus,
  type Change,
  errors,
  type ManagedFieldsHook,
  ObjectTracker,
  type ObjectTrackerOptions,
  selectionMatcher,
  type TrackedResource,
} from "./tracker.js";

/** What a request asks, as client-go's fake records it (`testing.Action`). */
export interface Action {
  verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The request body: the object of a create or update, the patch of a patch. */
  body?: unknown;
  /** The patch's Content-Type. */
  patchType?: string;
  /** The query parameters (list options, dry run, field manager...). */
  query: Record<string, string>;
}

/**
 * A reactor's answer: handled with an object, or with an error (a `StatusError`, or any error
 * answered as a 500); `undefined` passes the action to the next reactor, and in the end to the
 * tracker.
 */
export type ReactionResult = { object?: unknown; error?: unknown } | undefined;

/** Reacts to actions matching a verb and a resource (`"*"` matches any). */
export type Reactor = (action: Action) => ReactionResult | Promise<ReactionResult>;

/** A response of the fake: a JSON body, or a watch stream of JSON lines. */
export type FakeResponse = { status: number; body: unknown } | { status: 200; watch: AsyncIterable<string> };

/** A request to the fake, as the dispatcher hands it over. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body?: string;
}

/** Options of a {@link FakeApiServer}. */
export interface FakeApiServerOptions extends ObjectTrackerOptions {
  /** The resources served (their descriptors; a clientset's `groupVersions` give them all). */
  resources?: readonly ResourceDescriptor[];
  /** Objects stored before the first request. */
  objects?: readonly KubeObject[];
  /**
   * The strategic merge patch and server-side apply metadata of the resources' kinds (a generated
   * `patch-meta.ts`). Resources whose descriptor says `strategicMergePatch: true` take strategic
   * merge patches, merged as it says; a kind it does not list answers 415 rather than replace lists
   * the apiserver would merge. Resources without the flag answer 415, as the apiserver answers for
   * custom resources. Server-side apply reads its list-map keys, sets and atomic maps and structs;
   * for a kind it does not list, every list is atomic and every map granular.
   */
  patchMeta?: PatchMeta;
}

const metaAs = /;\s*as=PartialObjectMetadata(List)?\b/;

/** The resources whose delete answers with the deleted object (the others answer a Status). */
const returnsDeletedObject = new Set(["/pods"]);

/**
 * The fake apiserver.
 *
 * @example
 * const server = new FakeApiServer({ resources: descriptorsOf(Clientset), objects: [pod] });
 * const clientset = new Clientset(server.httpClient());
 */
export class FakeApiServer {
  readonly tracker: ObjectTracker;
  readonly #reactors: { verb: string; resource: string; reactor: Reactor }[] = [];
  readonly #actions: Action[] = [];
  readonly #patchMeta: PatchMeta;

  constructor(options: FakeApiServerOptions = {}) {
    this.tracker = new ObjectTracker(options);
    this.#patchMeta = options.patchMeta ?? emptyPatchMeta;
    for (const r of options.resources ?? [])
      this.tracker.register({
        ...r,
        selectableFields: r.selectableFields ?? builtinSelectableFields[`${r.group}/${r.plural}`],
      });
    for (const obj of options.objects ?? []) this.add(obj);
  }

  /**
   * Stores an object as a create would (by its apiVersion and kind), e.g. one read from YAML: a
   * resourceVersion it carries is dropped, and a namespaced object without a namespace goes to
   * `default`.
   */
  add<T extends KubeObject>(obj: T): T {
    const r = this.tracker.resourceForKind(obj.apiVersion ?? "", obj.kind ?? "");
    if (!r) throw new TypeError(`fake apiserver: no resource serves ${obj.apiVersion} ${obj.kind}`);
    const { resourceVersion: _, ...metadata } = obj.metadata ?? {};
    const namespace = r.namespaced ? (metadata.namespace ?? "default") : undefined;
    return this.tracker.create(r, namespace, { ...obj, metadata }) as T;
  }

  /** Runs `reactor` before the others for matching actions (client-go's `PrependReactor`). */
  prependReactor(verb: string, resource: string, reactor: Reactor): void {
    this.#reactors.unshift({ verb, resource, reactor });
  }

  /** Runs `reactor` after the others (client-go's `AddReactor`). */
  addReactor(verb: string, resource: string, reactor: Reactor): void {
    this.#reactors.push({ verb, resource, reactor });
  }

  /** Every action so far, in order. */
  actions(): Action[] {
    return [...this.#actions];
  }

  clearActions(): void {
    this.#actions.length = 0;
  }

  /** Answers one request. Never throws: errors are Status answers. */
  async handle(request: FakeRequest, signal?: AbortSignal): Promise<FakeResponse> {
    try {
      return await this.#route(request, signal);
    } catch (err) {
      return { status: statusOf(err).code ?? 500, body: statusOf(err) };
    }
  }

  async #route(req: FakeRequest, signal: AbortSignal | undefined): Promise<FakeResponse> {
    const segments = req.path.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "GET") {
      const discovery = this.#discovery(segments);
      if (discovery) return { status: 200, body: discovery };
    }
    const target = this.#target(segments);
    if (!target) throw notFoundPath(req.path);
    const { resource, namespace, name, subresource } = target;
    const query = Object.fromEntries(req.query);
    const body =
      req.body === undefined || req.body === ""
        ? undefined
        : parseBody(req.body, req.headers["content-type"]);
    const verb = verbOf(req.method, name, query);
    const action: Action = {
      verb,
      group: resource.group,
      version: resource.version,
      resource: resource.plural,
      namespace,
      name,
      subresource,
      body,
      patchType: verb === "patch" ? req.headers["content-type"]?.split(";")[0] : undefined,
      query,
    };
    this.#actions.push(action);
    for (const { verb: v, resource: res, reactor } of this.#reactors) {
      if ((v !== "*" && v !== verb) || (res !== "*" && res !== resource.plural)) continue;
      const result = await reactor(structuredClone(action));
      if (!result) continue;
      if (result.error !== undefined) throw result.error;
      return { status: verb === "create" ? 201 : 200, body: result.object };
    }
    const answer = this.#serve(action, resource, req, signal);
    if ("watch" in answer) return answer;
    const metadataOnly = metaAs.exec(req.headers.accept ?? "");
    return metadataOnly ? { status: answer.status, body: toMetadata(answer.body) } : answer;
  }

  #serve(
    action: Action,
    r: TrackedResource,
    req: FakeRequest,
    signal: AbortSignal | undefined,
  ): FakeResponse {
    if (isDryRun(action)) return this.tracker.dryRun(() => this.#answer(action, r, req, signal));
    return this.#answer(action, r, req, signal);
  }

  #answer(
    action: Action,
    r: TrackedResource,
    req: FakeRequest,
    signal: AbortSignal | undefined,
  ): FakeResponse {
    const t = this.tracker;
    const { namespace, name, subresource, query } = action;
    const body = action.body as KubeObject | undefined;
    if (subresource && subresource !== "status" && subresource !== "scale")
      throw errors.methodNotAllowed(`the fake apiserver does not serve the ${subresource} subresource`);
    switch (action.verb) {
      case "get": {
        const obj = t.get(r, namespace, name!);
        return { status: 200, body: subresource === "scale" ? scaleOf(obj) : obj };
      }
      case "list": {
        const { items, resourceVersion } = t.list(r, selection(namespace, query));
        return { status: 200, body: page(r, items, resourceVersion, query) };
      }
      case "watch":
        return { status: 200, watch: this.#watch(r, namespace, query, signal) };
      case "create":
        if (!body || typeof body !== "object")
          throw errors.badRequest("the body of a create must be an object");
        return {
          status: 201,
          body: t.create(r, namespace, body, this.#recordUpdate(r, action, req, "main")),
        };
      case "update": {
        if (!body || typeof body !== "object")
          throw errors.badRequest("the body of an update must be an object");
        if (body.metadata?.name !== name)
          throw errors.badRequest(
            `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`,
          );
        if (subresource === "scale")
          return {
            status: 200,
            body: scaleOf(
              this.#scale(r, namespace, name!, body, this.#recordUpdate(r, action, req, "scale")),
            ),
          };
        const part = subresource === "status" ? "status" : "main";
        return {
          status: 200,
          body: t.update(r, namespace, body, part, this.#recordUpdate(r, action, req, part)),
        };
      }
      case "patch": {
        const type = action.patchType;
        // The media type is checked before the object is looked up, as the apiserver does.
        if (type === PatchTypes.strategicMerge) {
          if (!r.strategicMergePatch) throw strategicMergeRefused();
          // Merging without the kind's metadata would replace lists the apiserver merges: refused.
          if (!patchMetaOfKind(this.#patchMeta, apiVersion(r), r.kind))
            throw unsupported(
              `the fake apiserver has no strategic merge patch metadata for ${apiVersion(r)} ${r.kind}: ` +
                "give it the generated patchMeta (defineFakeClientset(Clientset, patchMeta))",
            );
        }
        if (type === PatchTypes.apply) return this.#apply(r, action);
        const stored = t.get(r, namespace, name!);
        const base = subresource === "scale" ? scaleOf(stored) : stored;
        let patched: KubeObject;
        try {
          if (type === PatchTypes.merge) patched = applyMergePatch(base, action.body) as KubeObject;
          else if (type === PatchTypes.json) patched = applyJsonPatch(base, action.body) as KubeObject;
          else if (type === PatchTypes.strategicMerge)
            patched = applyStrategicMergePatch(base, action.body, this.#patchMeta) as KubeObject;
          else throw unsupported(`the fake apiserver does not apply ${type} patches yet`);
        } catch (err) {
          if (err instanceof PatchError) {
            if (err.code === 400) throw errors.badRequest(err.message);
            if (err.code === 500) throw internalPatchError(err.message);
            throw errors.invalid(r, name!, "patch", err.message, "FieldValueInvalid");
          }
          throw err;
        }
        if (subresource === "scale")
          return {
            status: 200,
            body: scaleOf(
              this.#scale(r, namespace, name!, patched, this.#recordUpdate(r, action, req, "scale")),
            ),
          };
        const part = subresource === "status" ? "status" : "main";
        return {
          status: 200,
          body: t.update(r, namespace, patched, part, this.#recordUpdate(r, action, req, part)),
        };
      }
      case "delete": {
        const options = (action.body ?? {}) as { preconditions?: { uid?: string; resourceVersion?: string } };
        const { object, deleted } = t.delete(r, namespace, name!, options.preconditions);
        if (!deleted || returnsDeletedObject.has(`${r.group}/${r.plural}`) || !isBuiltIn(r))
          return { status: 200, body: object };
        return {
          status: 200,
          body: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Success",
            details: { name, group: r.group || undefined, kind: r.plural, uid: object.metadata?.uid },
          },
        };
      }
      case "deletecollection": {
        const { items, resourceVersion } = t.list(r, selection(namespace, query));
        for (const item of items) t.delete(r, item.metadata?.namespace, item.metadata!.name!);
        return {
          status: 200,
          body: { apiVersion: apiVersion(r), kind: r.listKind, metadata: { resourceVersion }, items },
        };
      }
    }
    throw errors.methodNotAllowed(`the fake apiserver does not serve ${action.verb}`);
  }

  /** The field manager of a resource's kind, over the patch metadata. */
  #fieldManager(r: TrackedResource): FieldManager {
    return new FieldManager(this.#patchMeta, patchMetaOfKind(this.#patchMeta, apiVersion(r), r.kind));
  }

  /**
   * The `Update` entry a create, update or patch records for its field manager: the
   * `fieldManager` parameter, else the User-Agent up to its first `/`, as the apiserver defaults it.
   * The fake's clients send no User-Agent (they skip the transport); against the apiserver theirs is
   * `kubegen/<version> ...`, so that is the default here too.
   */
  #recordUpdate(
    r: TrackedResource,
    action: Action,
    req: FakeRequest,
    part: Part | "scale",
  ): ManagedFieldsHook | undefined {
    const manager = action.query.fieldManager ?? managerFromUserAgent(req.headers["user-agent"] ?? "kubegen");
    if (!manager) return undefined;
    const fields = this.#fieldManager(r);
    return (previous, next) => {
      const entries = fields.recordUpdate(previous, next, manager, part, apiVersion(r));
      const metadata = next.metadata ?? {};
      if (entries.length) metadata.managedFields = entries as typeof metadata.managedFields;
      else delete metadata.managedFields;
      next.metadata = metadata;
    };
  }

  /**
   * Server-side apply: the YAML (or JSON) configuration merged into the object, or creating it,
   * with the fields owned by `fieldManager`; other managers' fields with other values are a 409
   * unless `force=true`.
   */
  #apply(r: TrackedResource, action: Action): FakeResponse {
    const { namespace, name, subresource, query } = action;
    if (subresource === "scale")
      throw unsupported("the fake apiserver does not apply to the scale subresource");
    if (!query.fieldManager)
      throw new ApiStatus({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        reason: "Invalid",
        details: {
          group: "meta.k8s.io",
          kind: "PatchOptions",
          causes: [
            {
              reason: "FieldValueRequired",
              message: "Required value: is required for apply patch",
              field: "fieldManager",
            },
          ],
        },
        code: 422,
      });
    let config: unknown;
    try {
      config = typeof action.body === "string" ? parseYaml(action.body) : action.body;
    } catch (err) {
      throw errors.badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (!config || typeof config !== "object" || Array.isArray(config))
      throw errors.badRequest("the body of an apply patch must be an object");
    const obj = config as KubeObject;
    if ((obj.apiVersion && obj.apiVersion !== apiVersion(r)) || (obj.kind && obj.kind !== r.kind)) {
      const [group, version] = obj.apiVersion?.includes("/")
        ? obj.apiVersion.split("/")
        : ["", obj.apiVersion];
      throw errors.badRequest(`invalid object type: ${group}/${version}, Kind=${obj.kind}`);
    }
    if (obj.metadata?.name !== undefined && obj.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    const t = this.tracker;
    const part: Part = subresource === "status" ? "status" : "main";
    let live: KubeObject | undefined;
    try {
      live = t.get(r, namespace, name!);
    } catch (err) {
      // An apply creates the object; its status subresource needs it to exist.
      if (part === "status" || !(err instanceof ApiStatus) || err.status.code !== 404) throw err;
    }
    let next: KubeObject;
    try {
      next = this.#fieldManager(r).apply(
        live,
        { ...obj, apiVersion: apiVersion(r), kind: r.kind, metadata: { ...obj.metadata, name } },
        {
          manager: query.fieldManager,
          force: query.force === "true",
          part,
          apiVersion: apiVersion(r),
          statusSubresource: r.subresources.includes("status"),
        },
      );
    } catch (err) {
      if (err instanceof ApplyConflict)
        throw new ApiStatus({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: err.message,
          reason: "Conflict",
          details: {
            causes: err.conflicts.map((c) => ({
              reason: "FieldManagerConflict",
              message: `conflict with ${c.manager}`,
              field: c.path,
            })),
          },
          code: 409,
        });
      if (err instanceof TypeError) throw errors.invalid(r, name!, "", err.message, "FieldValueInvalid");
      throw err;
    }
    if (!live) return { status: 201, body: t.create(r, namespace, next) };
    return { status: 200, body: t.update(r, namespace, next, part) };
  }

  /** The scale subresource: writes `spec.replicas` of the object. */
  #scale(
    r: TrackedResource,
    namespace: string | undefined,
    name: string,
    scale: KubeObject,
    manage?: ManagedFieldsHook,
  ): KubeObject {
    const stored = this.tracker.get(r, namespace, name) as KubeObject & { spec?: Record<string, unknown> };
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== stored.metadata?.resourceVersion) throw errors.conflict(r, name);
    const replicas = (scale as { spec?: { replicas?: number } }).spec?.replicas;
    const next: KubeObject & { spec?: Record<string, unknown> } = {
      ...stored,
      spec: { ...stored.spec, replicas },
    };
    return this.tracker.update(r, namespace, next, "main", manage);
  }

  /** The watch: its request checked at once (a bad one is an error answer), then the stream. */
  #watch(
    r: TrackedResource,
    namespace: string | undefined,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
  ): AsyncIterable<string> {
    const matches = selectionMatcher(r, selection(namespace, query));
    if (query.sendInitialEvents === "true" && query.resourceVersionMatch !== "NotOlderThan")
      throw errors.invalid(
        r,
        "",
        "resourceVersionMatch",
        "Forbidden: sendInitialEvents requires resourceVersionMatch=NotOlderThan",
      );
    const rv = query.resourceVersion ?? "";
    if (rv !== "" && !/^[0-9]+$/.test(rv)) throw errors.badRequest(`invalid resource version: ${rv}`);
    return this.#events(r, namespace, query, matches, signal);
  }

  /** JSON lines of events as the apiserver streams them; a 410 comes as an ERROR event. */
  async *#events(
    r: TrackedResource,
    namespace: string | undefined,
    query: Record<string, string>,
    matches: (o: KubeObject) => boolean,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<string> {
    const rv = query.resourceVersion ?? "";
    const initial = query.sendInitialEvents === "true";
    const bookmarks = query.allowWatchBookmarks === "true";
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    const push = (line: string) => {
      queue.push(line);
      wake?.();
    };
    let from: number;
    if (rv === "" || rv === "0" || initial) {
      // The current state as ADDED events, then what changes after it.
      const { items, resourceVersion } = this.tracker.list(r, selection(namespace, query));
      for (const item of items) push(JSON.stringify({ type: "ADDED", object: item }));
      from = Number(resourceVersion);
      if (initial && bookmarks)
        push(
          JSON.stringify({
            type: "BOOKMARK",
            object: {
              kind: r.kind,
              apiVersion: apiVersion(r),
              metadata: { resourceVersion, annotations: { "k8s.io/initial-events-end": "true" } },
            },
          }),
        );
    } else from = Number(rv);
    let unsubscribe: () => void;
    try {
      unsubscribe = this.tracker.subscribe(from, (change: Change) => {
        if (change.resource !== r) return;
        const type = eventType(change, matches);
        if (type) push(JSON.stringify({ type, object: change.object }));
      });
    } catch (err) {
      yield `${JSON.stringify({ type: "ERROR", object: statusOf(err) })}\n`;
      return;
    }
    const timeout = Number(query.timeoutSeconds ?? 0);
    let ended = false;
    const timer =
      timeout > 0
        ? setTimeout(() => {
            ended = true;
            wake?.();
          }, timeout * 1000)
        : undefined;
    const onAbort = () => {
      ended = true;
      wake?.();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!ended) {
        if (queue.length) {
          yield `${queue.shift()}\n`;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Which resource a path names, with namespace, name and subresource. */
  #target(
    segments: string[],
  ): { resource: TrackedResource; namespace?: string; name?: string; subresource?: string } | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api" && segments.length >= 2) {
      group = "";
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === "apis" && segments.length >= 3) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const namespaced = this.tracker.resource(group, version, rest[2]!);
      if (namespaced?.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const resource = this.tracker.resource(group, version, rest[0] ?? "");
    if (!resource || rest.length > 3) return undefined;
    return { resource, namespace, name: rest[1], subresource: rest[2] };
  }

  /** The legacy discovery documents, from the registered resources. */
  #discovery(segments: string[]): unknown {
    const all = this.tracker.resources();
    const gvOf = (r: TrackedResource) => (r.group ? `${r.group}/${r.version}` : r.version);
    if (segments.length === 1 && segments[0] === "api")
      return {
        kind: "APIVersions",
        versions: [...new Set(all.filter((r) => !r.group).map((r) => r.version))],
      };
    if (segments.length === 1 && segments[0] === "apis") {
      const groups = new Map<string, string[]>();
      for (const r of all)
        if (r.group) groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
      return {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
        })),
      };
    }
    const gv =
      segments[0] === "api" && segments.length === 2
        ? segments[1]
        : segments[0] === "apis" && segments.length === 3
          ? `${segments[1]}/${segments[2]}`
          : undefined;
    if (!gv) return undefined;
    const resources = all.filter((r) => gvOf(r) === gv);
    if (!resources.length) return undefined;
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: gv,
      resources: resources.flatMap((r) => [
        { name: r.plural, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] },
        ...r.subresources.map((s) => ({
          name: `${r.plural}/${s}`,
          singularName: "",
          namespaced: r.namespaced,
          kind: s === "scale" ? "Scale" : r.kind,
          verbs: ["get", "patch", "update"],
        })),
      ]),
    };
  }
}

function isBuiltIn(r: TrackedResource): boolean {
  return r.group === "" || !r.group.includes(".") || r.group.endsWith(".k8s.io");
}

function apiVersion(r: TrackedResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A write with `dryRun=All`: in the query, or in a delete's DeleteOptions. */
function isDryRun(action: Action): boolean {
  if (action.verb === "delete" || action.verb === "deletecollection") {
    const options = action.body as { dryRun?: unknown } | undefined;
    if (Array.isArray(options?.dryRun) && options.dryRun.includes("All")) return true;
  }
  return action.query.dryRun === "All" && !["get", "list", "watch"].includes(action.verb);
}

function selection(namespace: string | undefined, query: Record<string, string>) {
  return { namespace, labelSelector: query.labelSelector, fieldSelector: query.fieldSelector };
}

function verbOf(method: string, name: string | undefined, query: Record<string, string>): Action["verb"] {
  switch (method) {
    case "GET":
      return name ? "get" : query.watch === "true" || query.watch === "1" ? "watch" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return name ? "delete" : "deletecollection";
    default:
      throw errors.methodNotAllowed(`method ${method} is not allowed`);
  }
}

/** A list page: `limit` and `continue` as the apiserver pages (the token is the last key and the list's resourceVersion). */
function page(
  r: TrackedResource,
  items: KubeObject[],
  resourceVersion: string,
  query: Record<string, string>,
) {
  const limit = Number(query.limit ?? 0);
  let start = 0;
  let rv = resourceVersion;
  if (query.continue) {
    try {
      const token = JSON.parse(Buffer.from(query.continue, "base64url").toString("utf8")) as {
        rv: string;
        start: number;
      };
      start = token.start;
      rv = token.rv;
    } catch {
      throw errors.badRequest("continue key is not valid");
    }
  }
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: rv,
  };
  let selected = items.slice(start);
  if (limit > 0 && selected.length > limit) {
    metadata.continue = Buffer.from(JSON.stringify({ rv, start: start + limit })).toString("base64url");
    // The apiserver counts what remains only when no selector filters the list.
    if (!query.labelSelector && !query.fieldSelector) metadata.remainingItemCount = selected.length - limit;
    selected = selected.slice(0, limit);
  }
  return { apiVersion: apiVersion(r), kind: r.listKind, metadata, items: selected };
}

/** The event a change is to a watch with a selector: objects entering it are ADDED, leaving it DELETED. */
function eventType(
  change: Change,
  matches: (o: KubeObject) => boolean,
): "ADDED" | "MODIFIED" | "DELETED" | undefined {
  const now = matches(change.object);
  if (change.type !== "MODIFIED") return now ? change.type : undefined;
  const before = change.previous ? matches(change.previous) : false;
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  return before ? "DELETED" : undefined;
}

/** `autoscaling/v1` Scale of an object with `spec.replicas`. */
function scaleOf(obj: KubeObject): KubeObject {
  const spec = (getOwn(obj, "spec") ?? {}) as { replicas?: number; selector?: unknown };
  const status = (getOwn(obj, "status") ?? {}) as { replicas?: number };
  const m = obj.metadata ?? {};
  let selector: string | undefined;
  try {
    if (spec.selector && typeof spec.selector === "object")
      selector = labelSelectorFromObject(
        spec.selector as Parameters<typeof labelSelectorFromObject>[0],
      ).toString();
  } catch {
    selector = undefined;
  }
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  } as KubeObject;
}

/** `as=PartialObjectMetadata(List)`: only type meta and metadata. */
function toMetadata(body: unknown): unknown {
  if (!body || typeof body !== "object") return body;
  const b = body as { kind?: string; items?: KubeObject[]; metadata?: unknown };
  if (b.kind === "Status") return body;
  if (Array.isArray(b.items))
    return {
      apiVersion: "meta.k8s.io/v1",
      kind: "PartialObjectMetadataList",
      metadata: b.metadata,
      items: b.items.map((i) => ({
        apiVersion: "meta.k8s.io/v1",
        kind: "PartialObjectMetadata",
        metadata: i.metadata,
      })),
    };
  return { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: b.metadata };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType?.startsWith(PatchTypes.apply)) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest("the request body is not JSON");
  }
}

/** The apiserver's answer to a strategic merge error it does not classify: a 500 without a reason. */
function internalPatchError(message: string): ApiStatus {
  return new ApiStatus({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code: 500,
    message,
  });
}

/** A 415 UnsupportedMediaType answer. */
function unsupported(message: string): ApiStatus {
  return new ApiStatus({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code: 415,
    reason: "UnsupportedMediaType",
    message,
  });
}

/** The 415 the apiserver answers to a strategic merge patch of a custom resource. */
function strategicMergeRefused(): ApiStatus {
  const accepted = [PatchTypes.json, PatchTypes.merge, PatchTypes.apply];
  return unsupported(
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

function notFoundPath(path: string): ApiStatus {
  return new ApiStatus({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `the server could not find the requested resource (${path})`,
    reason: "NotFound",
    details: {},
    code: 404,
  });
}

function statusOf(err: unknown): Status {
  if (err instanceof ApiStatus) return err.status;
  if (isStatusError(err)) return err.status;
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: err instanceof Error ? err.message : String(err),
    reason: "InternalError",
    code: 500,
  };
}
