/**
 * The generic resource client: every verb and the common subresources, written once. A generated
 * resource is only a descriptor (runtime/core/resource.ts) and its types; `ResourceClient` does the
 * rest, as client-go's `gentype.Client` does. The typed views (`ClientFor`) expose only the methods
 * the resource's verbs and subresources allow.
 */

import type { ApplyConfiguration, KubeList, KubeObject, Scale } from "../core/object.js";
import type {
  ApplyOptions,
  CreateOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  UpdateOptions,
} from "../core/options.js";
import { toQuery } from "../core/options.js";
import {
  type JsonPatchOperation,
  type MergePatch,
  type PatchType,
  PatchTypes,
  type StrategicMergePatch,
} from "../core/patch.js";
import type { ApiRequest, CallOptions, QueryValue } from "../core/request.js";
import { resourcePath } from "../core/request.js";
import { apiVersionOf, type ResourceDescriptor, type TypedResource, type Verb } from "../core/resource.js";
import type { WatchEvent } from "../core/watch.js";
import type { Status } from "../errors.js";
import type { ApiCaller } from "../rest/api-caller.js";

/** Options of a pod log request (`/log`), with the apiserver's query names. */
export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
  stream?: "All" | "Stdout" | "Stderr";
}

/**
 * A client for one resource, in one namespace (or all namespaces, or cluster-scoped).
 * Use the typed view from a clientset (`clientset.appsV1.deployments("ns")`) rather than this class.
 * `SMP` says whether strategic merge patches are offered (the descriptor's `strategicMergePatch`).
 *
 * @example
 * const deployments = clientset.appsV1.deployments("default");
 * const d = await deployments.get("web");
 */
export class ResourceClient<
  T extends KubeObject,
  L extends KubeList<T> = KubeList<T>,
  SMP extends boolean = boolean,
> {
  readonly resource: ResourceDescriptor;
  /** `undefined` means all namespaces (lists and watches) or a cluster-scoped resource. */
  readonly namespaceName: string | undefined;
  readonly #caller: ApiCaller;

  constructor(caller: ApiCaller, resource: ResourceDescriptor, namespace?: string) {
    if (!resource.namespaced && namespace) {
      throw new TypeError(
        `${resource.plural}.${resource.group || "core"} is cluster-scoped: it takes no namespace`,
      );
    }
    this.#caller = caller;
    this.resource = resource;
    this.namespaceName = namespace || undefined;
  }

  /** Gets the object called `name`. */
  get(name: string, options: GetOptions & CallOptions = {}): Promise<T> {
    return this.#json<T>({ method: "GET", path: this.#path(name), query: toQuery(options) }, options);
  }

  /** Lists objects (one page when `limit` is set; follow `metadata.continue`, or use `pages()`). */
  list(options: ListOptions & CallOptions = {}): Promise<L> {
    return this.#json<L>({ method: "GET", path: this.#collectionPath(), query: toQuery(options) }, options);
  }

  /**
   * Lists page by page, following `continue` tokens, as client-go's `tools/pager`.
   *
   * @example
   * for await (const page of pods.pages({ limit: 500 })) console.log(page.items.length);
   */
  async *pages(options: ListOptions & CallOptions = {}): AsyncGenerator<L, void, undefined> {
    let next: string | undefined = options.continue;
    do {
      const page: L = await this.list({ ...options, continue: next });
      yield page;
      next = page.metadata?.continue || undefined;
    } while (next);
  }

  /**
   * Every object, across pages: an async iterator over the items.
   *
   * @example
   * for await (const pod of pods.items({ limit: 500 })) console.log(pod.metadata?.name);
   */
  async *items(options: ListOptions & CallOptions = {}): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /**
   * Watches for changes. The connection closes when the loop stops or `signal` aborts; an `ERROR`
   * event is thrown as a `StatusError` (410 Gone means: list again).
   */
  watch(options: ListOptions & CallOptions = {}): AsyncIterable<WatchEvent<T>> {
    const request: ApiRequest = {
      method: "GET",
      path: this.#collectionPath(),
      query: { ...toQuery(options), watch: true },
    };
    return this.#caller.watch<T>(request, options);
  }

  /** Creates `object` (in its own namespace when the client has none). */
  create(object: T, options: CreateOptions & CallOptions = {}): Promise<T> {
    const namespace = this.#namespaceFor(object);
    return this.#json<T>(
      {
        method: "POST",
        path: resourcePath(this.resource, { namespace }),
        query: toQuery(options),
        body: this.#withTypeMeta(object),
      },
      options,
    );
  }

  /** Replaces `object`; its `metadata.resourceVersion` makes the write conditional (409 on conflict). */
  update(object: T, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.#put(object, undefined, options);
  }

  /** Reads the `status` subresource. */
  getStatus(name: string, options: GetOptions & CallOptions = {}): Promise<T> {
    return this.#json<T>(
      { method: "GET", path: this.#path(name, "status"), query: toQuery(options) },
      options,
    );
  }

  /** Replaces the status of `object` (the `status` subresource); other fields are ignored. */
  updateStatus(object: T, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.#put(object, "status", options);
  }

  /**
   * Patches the object called `name`. The body's type follows the patch type: a `MergePatch<T>`
   * (the default; `null` deletes a field), a list of `JsonPatchOperation`s for `PatchTypes.json`,
   * or a `StrategicMergePatch<T>` for `PatchTypes.strategicMerge` where the resource accepts it.
   * Server-side apply is `apply()`.
   *
   * @example
   * await configMaps.patch("settings", { data: { mode: "fast", legacy: null } });
   * await configMaps.patch("settings", [{ op: "remove", path: "/data/mode" }], PatchTypes.json);
   */
  patch(
    name: string,
    patch: MergePatch<T>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: StrategicMergePatch<T>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patch(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<T> {
    return this.#patch<T>(name, undefined, patch, type, options);
  }

  /** Patches the `status` subresource of the object called `name`; the body types are `patch()`'s. */
  patchStatus(
    name: string,
    patch: MergePatch<T>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: StrategicMergePatch<T>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<T>;
  patchStatus(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<T> {
    return this.#patch<T>(name, "status", patch, type, options);
  }

  /**
   * Server-side apply: the server merges `configuration` into the object, owned by `fieldManager`.
   *
   * @example
   * await deployments.apply({ metadata: { name: "web" }, spec: { replicas: 3 } }, { fieldManager: "my-tool" });
   */
  apply(configuration: ApplyConfiguration<T>, options: ApplyOptions & CallOptions): Promise<T> {
    return this.#apply<T>(configuration, undefined, options);
  }

  /** Server-side apply of the `status` subresource. */
  applyStatus(configuration: ApplyConfiguration<T>, options: ApplyOptions & CallOptions): Promise<T> {
    return this.#apply<T>(configuration, "status", options);
  }

  /**
   * Deletes the object called `name`. Resolves to the object when its deletion waits on finalizers,
   * else to the server's `Status`.
   */
  delete(name: string, options: DeleteOptions & CallOptions = {}): Promise<T | Status> {
    const { body, query } = deleteRequestParts(options);
    return this.#json<T | Status>({ method: "DELETE", path: this.#path(name), query, body }, options);
  }

  /** Deletes every object the list options select. */
  deleteCollection(options: DeleteOptions & ListOptions & CallOptions = {}): Promise<L | Status> {
    const { body, query } = deleteRequestParts(options);
    return this.#json<L | Status>({ method: "DELETE", path: this.#collectionPath(), query, body }, options);
  }

  /** Reads the `scale` subresource. */
  getScale(name: string, options: GetOptions & CallOptions = {}): Promise<Scale> {
    return this.#json<Scale>(
      { method: "GET", path: this.#path(name, "scale"), query: toQuery(options) },
      options,
    );
  }

  /** Replaces the `scale` subresource of the object called `name`. */
  updateScale(name: string, scale: Scale, options: UpdateOptions & CallOptions = {}): Promise<Scale> {
    const body: Scale = {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      ...scale,
      metadata: { ...scale.metadata, name, namespace: this.namespaceName },
    };
    return this.#json<Scale>(
      { method: "PUT", path: this.#path(name, "scale"), query: toQuery(options), body },
      options,
    );
  }

  /** Patches the `scale` subresource (`{ spec: { replicas: 3 } }`); the body types are `patch()`'s. */
  patchScale(
    name: string,
    patch: MergePatch<Scale>,
    type?: typeof PatchTypes.merge,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: readonly JsonPatchOperation[],
    type: typeof PatchTypes.json,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: StrategicMergePatch<Scale>,
    type: StrategicMergeType<SMP>,
    options?: PatchOptions & CallOptions,
  ): Promise<Scale>;
  patchScale(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<Scale> {
    return this.#patch<Scale>(name, "scale", patch, type, options);
  }

  /** Server-side apply of the `scale` subresource. */
  applyScale(
    name: string,
    configuration: ApplyConfiguration<Scale>,
    options: ApplyOptions & CallOptions,
  ): Promise<Scale> {
    const body = {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      ...configuration,
      metadata: { ...configuration.metadata, name },
    };
    return this.#patch<Scale>(name, "scale", body, PatchTypes.apply, options);
  }

  /** The logs of a pod's container, whole. */
  async getLogs(name: string, options: PodLogOptions & CallOptions = {}): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.streamLogs(name, { ...options, follow: false }))
      chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  }

  /**
   * The logs of a pod's container as a byte stream; with `follow: true` it stays open until the
   * container ends or `signal` aborts.
   */
  streamLogs(name: string, options: PodLogOptions & CallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const { signal, timeout, ...logOptions } = options;
    return this.#caller.stream(
      { method: "GET", path: this.#path(name, "log"), query: logOptions as Record<string, QueryValue> },
      { signal, timeout },
    );
  }

  /**
   * Evicts a pod through the `eviction` subresource, honouring PodDisruptionBudgets (a 429 means a
   * budget forbids it now).
   */
  evict(
    name: string,
    deleteOptions: DeleteOptions = {},
    options: CreateOptions & CallOptions = {},
  ): Promise<Status> {
    const body = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name, namespace: this.namespaceName },
      deleteOptions: deleteBody(deleteOptions),
    };
    return this.#json<Status>(
      { method: "POST", path: this.#path(name, "eviction"), query: toQuery(options), body },
      options,
    );
  }

  /**
   * Requests a token for a service account (`token` subresource, `authentication.k8s.io/v1`
   * TokenRequest).
   */
  createToken(
    name: string,
    request: TokenRequest,
    options: CreateOptions & CallOptions = {},
  ): Promise<TokenRequest> {
    const body = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", ...request };
    return this.#json<TokenRequest>(
      { method: "POST", path: this.#path(name, "token"), query: toQuery(options), body },
      options,
    );
  }

  /** Binds a pod to a node (`binding` subresource), as a scheduler does. */
  bind(
    name: string,
    binding: KubeObject & { target: { kind?: string; name?: string } },
    options: CreateOptions & CallOptions = {},
  ): Promise<Status> {
    const body = { apiVersion: "v1", kind: "Binding", ...binding, metadata: { ...binding.metadata, name } };
    return this.#json<Status>(
      { method: "POST", path: this.#path(name, "binding"), query: toQuery(options), body },
      options,
    );
  }

  /** Reads any subresource of the object called `name`. */
  getSubresource<R>(name: string, subresource: string, options: GetOptions & CallOptions = {}): Promise<R> {
    return this.#json<R>(
      { method: "GET", path: this.#path(name, subresource), query: toQuery(options) },
      options,
    );
  }

  /** Creates (POST) to any subresource of the object called `name`. */
  createSubresource<R>(
    name: string,
    subresource: string,
    body: unknown,
    options: CreateOptions & CallOptions = {},
  ): Promise<R> {
    return this.#json<R>(
      { method: "POST", path: this.#path(name, subresource), query: toQuery(options), body },
      options,
    );
  }

  /** Replaces (PUT) any subresource of `object` (`ephemeralcontainers`, `resize`, `approval`, `finalize`...). */
  updateSubresource(object: T, subresource: string, options: UpdateOptions & CallOptions = {}): Promise<T> {
    return this.#put(object, subresource, options);
  }

  /** Patches any subresource of the object called `name`, with any patch type and an unchecked body. */
  patchSubresource<R = T>(
    name: string,
    subresource: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<R> {
    return this.#patch<R>(name, subresource, patch, type, options);
  }

  #json<R>(request: ApiRequest, options: CallOptions): Promise<R> {
    return this.#caller.json<R>(request, { signal: options.signal, timeout: options.timeout });
  }

  #collectionPath(): string {
    return resourcePath(this.resource, { namespace: this.namespaceName });
  }

  #path(name: string, subresource?: string): string {
    return resourcePath(this.resource, { namespace: this.#requireNamespace(), name, subresource });
  }

  #requireNamespace(namespace = this.namespaceName): string | undefined {
    if (this.resource.namespaced && !namespace) {
      throw new TypeError(
        `${this.resource.plural}.${this.resource.group || "core"} is namespaced: this call needs a namespace ` +
          `(the client was made for all namespaces)`,
      );
    }
    return namespace;
  }

  /** The client's namespace, or the object's when the client spans all namespaces; they must agree. */
  #namespaceFor(object: { metadata?: { namespace?: string } }): string | undefined {
    if (!this.resource.namespaced) return undefined;
    const own = object.metadata?.namespace;
    if (this.namespaceName && own && own !== this.namespaceName) {
      throw new TypeError(
        `object namespace ${JSON.stringify(own)} does not match the client's namespace ${JSON.stringify(this.namespaceName)}`,
      );
    }
    return this.#requireNamespace(this.namespaceName ?? own);
  }

  #objectName(object: { metadata?: { name?: string } }, verb: string): string {
    const name = object.metadata?.name;
    if (!name) throw new TypeError(`${verb} ${this.resource.kind}: metadata.name is required`);
    return name;
  }

  #withTypeMeta<O extends KubeObject>(object: O): O {
    return { apiVersion: apiVersionOf(this.resource), kind: this.resource.kind, ...object };
  }

  #put(object: T, subresource: string | undefined, options: UpdateOptions & CallOptions): Promise<T> {
    const name = this.#objectName(object, subresource ? `update ${subresource} of` : "update");
    const namespace = this.#namespaceFor(object);
    return this.#json<T>(
      {
        method: "PUT",
        path: resourcePath(this.resource, { namespace, name, subresource }),
        query: toQuery(options),
        body: this.#withTypeMeta(object),
      },
      options,
    );
  }

  #patch<R>(
    name: string,
    subresource: string | undefined,
    patch: unknown,
    type: PatchType,
    options: PatchOptions & CallOptions,
  ): Promise<R> {
    return this.#json<R>(
      {
        method: "PATCH",
        path: this.#path(name, subresource),
        query: toQuery(options),
        body: patch,
        contentType: type,
      },
      options,
    );
  }

  #apply<R>(
    configuration: ApplyConfiguration<T>,
    subresource: string | undefined,
    options: ApplyOptions & CallOptions,
  ) {
    const name = this.#objectName(configuration, "apply");
    const namespace = this.#namespaceFor(configuration);
    const body = this.#withTypeMeta(configuration as KubeObject);
    return this.#json<R>(
      {
        method: "PATCH",
        path: resourcePath(this.resource, { namespace, name, subresource }),
        query: toQuery(options),
        body,
        contentType: PatchTypes.apply,
      },
      options,
    );
  }
}

/** `PatchTypes.strategicMerge` where the resource accepts it, else nothing (so it does not compile). */
export type StrategicMergeType<SMP extends boolean> = true extends SMP
  ? typeof PatchTypes.strategicMerge
  : never;

/** `authentication.k8s.io/v1` TokenRequest, as far as `createToken` needs it. */
export interface TokenRequest extends KubeObject {
  spec: {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind?: string; name?: string; uid?: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

function deleteBody(options: DeleteOptions): Record<string, unknown> {
  const { propagationPolicy, gracePeriodSeconds, preconditions, dryRun, orphanDependents } =
    options as DeleteOptions & {
      orphanDependents?: boolean;
    };
  const body: Record<string, unknown> = { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions" };
  if (propagationPolicy !== undefined) body.propagationPolicy = propagationPolicy;
  if (gracePeriodSeconds !== undefined) body.gracePeriodSeconds = gracePeriodSeconds;
  if (preconditions !== undefined) body.preconditions = preconditions;
  if (dryRun !== undefined) body.dryRun = dryRun;
  if (orphanDependents !== undefined) body.orphanDependents = orphanDependents;
  return body;
}

/** DeleteOptions travel in the body (as client-go sends them); list selectors in the query. */
function deleteRequestParts(options: DeleteOptions & ListOptions & CallOptions): {
  body: Record<string, unknown>;
  query: Record<string, QueryValue>;
} {
  const { propagationPolicy, gracePeriodSeconds, preconditions, dryRun, signal, timeout, ...rest } = options;
  return {
    body: deleteBody({ propagationPolicy, gracePeriodSeconds, preconditions, dryRun }),
    query: toQuery(rest),
  };
}

type MethodsForVerb<V extends Verb> =
  | (V extends "get" ? "get" : never)
  | (V extends "list" ? "list" | "pages" | "items" : never)
  | (V extends "watch" ? "watch" : never)
  | (V extends "create" ? "create" : never)
  | (V extends "update" ? "update" : never)
  | (V extends "patch" ? "patch" | "apply" : never)
  | (V extends "delete" ? "delete" : never)
  | (V extends "deletecollection" ? "deleteCollection" : never);

type MethodsForSubresource<S extends string> =
  | (S extends "status" ? "getStatus" | "updateStatus" | "patchStatus" | "applyStatus" : never)
  | (S extends "scale" ? "getScale" | "updateScale" | "patchScale" | "applyScale" : never)
  | (S extends "log" ? "getLogs" | "streamLogs" : never)
  | (S extends "eviction" ? "evict" : never)
  | (S extends "token" ? "createToken" : never)
  | (S extends "binding" ? "bind" : never)
  | ([S] extends [never]
      ? never
      : "getSubresource" | "createSubresource" | "updateSubresource" | "patchSubresource");

/**
 * The client of a resource, showing exactly the methods its verbs and subresources allow:
 * `componentStatuses` has no `create`, `pods` has `getLogs`, `deployments` has `getScale`.
 */
export type ClientFor<R> =
  R extends TypedResource<infer T, infer L, infer V, infer S, boolean, infer P>
    ? T extends KubeObject
      ? L extends KubeList<T>
        ? Pick<
            ResourceClient<T, L, P>,
            MethodsForVerb<V> | MethodsForSubresource<S> | "resource" | "namespaceName"
          >
        : never
      : never
    : never;
