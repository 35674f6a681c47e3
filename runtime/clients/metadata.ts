/**
 * `MetadataClient`: any resource, named at run time, read as metadata only, as client-go's
 * `metadata` package. The apiserver does the trimming: the client asks for
 * `PartialObjectMetadata` (or `PartialObjectMetadataList`) through content negotiation, so a
 * Secret's data or a Pod's spec never cross the wire. It is the memory-saving way to follow many
 * objects (owner references, labels, finalizers) without their bodies.
 *
 * Requests are built by the generic request builder (`runtime/core/resource-requests.ts`), with
 * a run-time descriptor as the dynamic client makes, plus the `Accept` header; the answers are
 * checked to be what was asked for (see `toPartialObjectMetadata`).
 *
 * @example
 * const metadata = MetadataClient.forConfig(config);
 * const secrets = metadata.resource({ group: "", version: "v1", resource: "secrets" }).namespace("default");
 * for (const item of (await secrets.list()).items) console.log(item.metadata.name, item.metadata.labels);
 */
import type { ClientConfig } from "../config/types.js";
import type { GroupVersionResource } from "../core/group-version.js";
import { isJsonObject } from "../core/json.js";
import type { DeleteOptions, GetOptions, ListOptions, PatchOptions } from "../core/options.js";
import { type PatchType, PatchTypes } from "../core/patch.js";
import type { ApiRequest, CallOptions } from "../core/request.js";
import type { ResourceDescriptor } from "../core/resource.js";
import { buildRequest, type ResourceCall, scopeNamespace } from "../core/resource-requests.js";
import type { WatchEvent } from "../core/watch.js";
import { isStatusObject, type Status } from "../errors.js";
import type { ApiCaller } from "../rest/api-caller.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";
import { descriptorForResource } from "./dynamic.js";

/** `meta/v1` ObjectMeta: every field of an object's metadata. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  finalizers?: string[];
  managedFields?: {
    manager?: string;
    operation?: string;
    apiVersion?: string;
    time?: string | null;
    fieldsType?: string;
    fieldsV1?: Record<string, unknown>;
    subresource?: string;
  }[];
}

/** `meta.k8s.io/v1` PartialObjectMetadata: an object of any kind, reduced to its metadata. */
export interface PartialObjectMetadata {
  apiVersion: "meta.k8s.io/v1";
  kind: "PartialObjectMetadata";
  metadata: ObjectMeta;
}

/** `meta.k8s.io/v1` PartialObjectMetadataList: a list of any kind, its items reduced to metadata. */
export interface PartialObjectMetadataList {
  apiVersion: "meta.k8s.io/v1";
  kind: "PartialObjectMetadataList";
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: PartialObjectMetadata[];
}

/** The `Accept` of get, watch, patch and delete: a `PartialObjectMetadata`, else plain JSON. */
export const partialObjectMetadataAccept =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/** The `Accept` of list and deleteCollection: a `PartialObjectMetadataList`, else plain JSON. */
export const partialObjectMetadataListAccept =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

const metaApiVersion = "meta.k8s.io/v1";

/**
 * An answer as `PartialObjectMetadata`. The apiserver sends one when it honours the `as=`
 * parameter; a server that ignores it (an old or unusual one, or an aggregated API that does not
 * implement the conversion) falls back to the plain JSON the `Accept` also allows, the full
 * object. Then, as client-go's metadata client does, only the metadata is kept (labelled
 * `PartialObjectMetadata` here, where client-go leaves the type empty), provided it looks like
 * an ObjectMeta at all (a name, generateName, uid or creationTimestamp); anything else is an
 * error. `bookmark` skips that check: a bookmark carries only a resourceVersion.
 *
 * @throws {TypeError} when the answer is not an object with ObjectMeta-like metadata.
 */
export function toPartialObjectMetadata(
  answer: unknown,
  what: string,
  bookmark = false,
): PartialObjectMetadata {
  if (!isJsonObject(answer)) {
    throw new TypeError(`${what}: expected PartialObjectMetadata, got ${describeAnswer(answer)}`);
  }
  if (
    answer.apiVersion === metaApiVersion &&
    answer.kind === "PartialObjectMetadata" &&
    isJsonObject(answer.metadata)
  ) {
    return answer as unknown as PartialObjectMetadata;
  }
  const metadata = answer.metadata;
  if (!isJsonObject(metadata) || (!bookmark && !looksLikeObjectMeta(metadata))) {
    throw new TypeError(
      `${what}: the server answered ${describeAnswer(answer)}, which is not PartialObjectMetadata and does not appear ` +
        "to match the ObjectMeta schema",
    );
  }
  return { apiVersion: metaApiVersion, kind: "PartialObjectMetadata", metadata: metadata as ObjectMeta };
}

/**
 * A list answer as `PartialObjectMetadataList`: as sent when the server honoured `as=`, else the
 * list's metadata and each item reduced to its metadata (see `toPartialObjectMetadata`).
 *
 * @throws {TypeError} when the answer is not a list, or an item does not look like an object.
 */
export function toPartialObjectMetadataList(answer: unknown, what: string): PartialObjectMetadataList {
  // An empty list comes as `"items": null` (a nil Go slice).
  if (!isJsonObject(answer) || !(Array.isArray(answer.items) || answer.items === null)) {
    throw new TypeError(`${what}: expected PartialObjectMetadataList, got ${describeAnswer(answer)}`);
  }
  // Items of a real PartialObjectMetadataList carry their type; checking them keeps the promise.
  const items = (answer.items ?? []).map((item, i) => toPartialObjectMetadata(item, `${what}: item ${i}`));
  if (answer.apiVersion === metaApiVersion && answer.kind === "PartialObjectMetadataList") {
    return { ...(answer as unknown as PartialObjectMetadataList), items };
  }
  const metadata = isJsonObject(answer.metadata) ? answer.metadata : {};
  return {
    apiVersion: metaApiVersion,
    kind: "PartialObjectMetadataList",
    metadata: metadata as PartialObjectMetadataList["metadata"],
    items,
  };
}

/** client-go's `isLikelyObjectMetadata`: something an object's metadata always has. */
function looksLikeObjectMeta(metadata: Record<string, unknown>): boolean {
  return ["uid", "creationTimestamp", "name", "generateName"].some(
    (field) => typeof metadata[field] === "string" && metadata[field] !== "",
  );
}

function describeAnswer(value: unknown): string {
  if (!isJsonObject(value))
    return Array.isArray(value) ? "an array" : String(value === null ? null : typeof value);
  const kind = typeof value.kind === "string" ? value.kind : "no kind";
  return `${kind}${typeof value.apiVersion === "string" ? ` (${value.apiVersion})` : ""}`;
}

/**
 * The metadata of one resource, in one namespace (or all namespaces, or cluster-scoped): the
 * verbs of client-go's `metadata.ResourceInterface`.
 */
export class MetadataResourceClient {
  readonly resource: ResourceDescriptor;
  /** `undefined` means all namespaces (lists and watches) or a cluster-scoped resource. */
  readonly namespaceName: string | undefined;
  protected readonly caller: ApiCaller;

  constructor(caller: ApiCaller, resource: ResourceDescriptor, namespace?: string) {
    this.namespaceName = scopeNamespace(resource, namespace);
    this.caller = caller;
    this.resource = resource;
  }

  /** The metadata of the object called `name`. */
  async get(name: string, options: GetOptions & CallOptions = {}): Promise<PartialObjectMetadata> {
    const answer = await this.#send({ verb: "get", name, options }, partialObjectMetadataAccept, options);
    return toPartialObjectMetadata(answer, this.#what("get"));
  }

  /** Lists the objects' metadata (one page when `limit` is set; follow `metadata.continue`, or use `pages()`). */
  async list(options: ListOptions & CallOptions = {}): Promise<PartialObjectMetadataList> {
    const answer = await this.#send({ verb: "list", options }, partialObjectMetadataListAccept, options);
    return toPartialObjectMetadataList(answer, this.#what("list"));
  }

  /**
   * Lists page by page, following `continue` tokens.
   *
   * @example
   * for await (const page of secrets.pages({ limit: 500 })) console.log(page.items.length);
   */
  async *pages(
    options: ListOptions & CallOptions = {},
  ): AsyncGenerator<PartialObjectMetadataList, void, undefined> {
    let next: string | undefined = options.continue;
    do {
      const page = await this.list({ ...options, continue: next });
      yield page;
      next = page.metadata.continue || undefined;
    } while (next);
  }

  /**
   * Watches for changes; each event carries the object's metadata only, bookmarks included. The
   * connection closes when the loop stops or `signal` aborts; an `ERROR` event is thrown as a
   * `StatusError` (410 means: list again). Full objects from a server that ignores `as=` are
   * reduced as `get()`'s answers are (client-go's watch decoder would end the watch instead), so
   * every verb gives the same result from the same server.
   */
  async *watch(
    options: ListOptions & CallOptions = {},
  ): AsyncGenerator<WatchEvent<PartialObjectMetadata>, void, undefined> {
    const request = this.#request({ verb: "watch", options }, partialObjectMetadataAccept);
    const what = this.#what("watch");
    for await (const event of this.caller.watch<unknown>(request, options)) {
      yield {
        type: event.type,
        object: toPartialObjectMetadata(event.object, what, event.type === "BOOKMARK"),
      };
    }
  }

  /**
   * Deletes the object called `name`. Resolves to its metadata when the deletion waits on
   * finalizers (or the resource answers with the object), else to the server's `Status`.
   */
  async delete(
    name: string,
    options: DeleteOptions & CallOptions = {},
  ): Promise<PartialObjectMetadata | Status> {
    const answer = await this.#send({ verb: "delete", name, options }, partialObjectMetadataAccept, options);
    return isStatusObject(answer) ? answer : toPartialObjectMetadata(answer, this.#what("delete"));
  }

  /** Deletes every object the list options select; resolves to their metadata, or the server's `Status`. */
  async deleteCollection(
    options: DeleteOptions & ListOptions & CallOptions = {},
  ): Promise<PartialObjectMetadataList | Status> {
    const answer = await this.#send(
      { verb: "deleteCollection", options },
      partialObjectMetadataListAccept,
      options,
    );
    return isStatusObject(answer)
      ? answer
      : toPartialObjectMetadataList(answer, this.#what("deleteCollection"));
  }

  /**
   * Patches the object called `name` and resolves to its metadata. Any body with any patch type
   * (merge by default): nothing is known about the resource, so the server decides.
   *
   * @example
   * await secrets.patch("token", { metadata: { labels: { rotated: "true" } } });
   */
  async patch(
    name: string,
    patch: unknown,
    type: PatchType = PatchTypes.merge,
    options: PatchOptions & CallOptions = {},
  ): Promise<PartialObjectMetadata> {
    const answer = await this.#send(
      { verb: "patch", name, patch, patchType: type, options },
      partialObjectMetadataAccept,
      options,
    );
    return toPartialObjectMetadata(answer, this.#what("patch"));
  }

  #request(call: ResourceCall, accept: string): ApiRequest {
    const request = buildRequest(this.resource, this.namespaceName, call);
    return { ...request, headers: { ...request.headers, accept } };
  }

  #send(call: ResourceCall, accept: string, options: CallOptions): Promise<unknown> {
    return this.caller.json<unknown>(this.#request(call, accept), {
      signal: options.signal,
      timeout: options.timeout,
    });
  }

  #what(verb: string): string {
    const { group, version, plural } = this.resource;
    return `metadata ${verb} of ${plural}${group ? `.${group}` : ""}/${version}`;
  }
}

/** A metadata resource client: without `.namespace()` it addresses cluster-scoped objects, or all namespaces. */
export class NamespaceableMetadataResourceClient extends MetadataResourceClient {
  readonly gvr: GroupVersionResource;

  constructor(caller: ApiCaller, gvr: GroupVersionResource) {
    super(caller, descriptorForResource(gvr, false));
    this.gvr = gvr;
  }

  /** The same resource in one namespace. */
  namespace(namespace: string): MetadataResourceClient {
    return new MetadataResourceClient(this.caller, descriptorForResource(this.gvr, true), namespace);
  }
}

/**
 * The metadata-only client, as client-go's `metadata.NewForConfig`: every resource by group,
 * version and resource, read and written as `PartialObjectMetadata`.
 *
 * @example
 * const metadata = MetadataClient.forConfig(config);
 * const cm = await metadata.resource({ group: "", version: "v1", resource: "configmaps" }).namespace("default").get("settings");
 * console.log(cm.metadata.resourceVersion);
 */
export class MetadataClient {
  readonly caller: ApiCaller;
  // Set when forConfig made the HttpClient: then close() is this client's to call.
  #owned: HttpClient | undefined;

  /** A metadata client on any `ApiCaller` (an `HttpClient`, shared with other clients, or a fake). */
  constructor(caller: ApiCaller) {
    this.caller = caller;
  }

  /** A metadata client with an `HttpClient` of its own for `config`; `close()` closes it. */
  static forConfig(config: ClientConfig, options?: HttpClientOptions): MetadataClient {
    const http = HttpClient.forConfig(config, options);
    const client = new MetadataClient(http);
    client.#owned = http;
    return client;
  }

  /**
   * A client for one resource: `{ group: "apps", version: "v1", resource: "deployments" }`.
   *
   * @throws {TypeError} without a version or a resource name.
   */
  resource(gvr: GroupVersionResource): NamespaceableMetadataResourceClient {
    if (!gvr.version || !gvr.resource)
      throw new TypeError("a metadata resource needs a version and a resource name");
    return new NamespaceableMetadataResourceClient(this.caller, gvr);
  }

  /** Closes the `HttpClient` that `forConfig` made; a caller handed to the constructor stays open. */
  async close(): Promise<void> {
    await this.#owned?.close();
  }
}
