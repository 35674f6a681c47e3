/**
 * `DynamicClient`: every verb on any resource, named at run time by group, version and resource,
 * on unstructured objects. It is the generic resource client with a descriptor made on the fly,
 * as client-go's dynamic client and kube-rs's `Api<DynamicObject>`.
 *
 * @example
 * const dynamic = DynamicClient.forConfig(config);
 * const widgets = dynamic.resource({ group: "example.com", version: "v1", resource: "widgets" });
 * const list = await widgets.namespace("default").list();
 */
import type { ClientConfig } from "../config/types.js";
import type { GroupVersionResource } from "../core/group-version.js";
import type { Scale } from "../core/object.js";
import type { DeleteOptions, ListOptions, PatchOptions } from "../core/options.js";
import type { PatchType } from "../core/patch.js";
import type { CallOptions } from "../core/request.js";
import type { ResourceDescriptor } from "../core/resource.js";
import type { Status } from "../errors.js";
import type { ApiCaller } from "../rest/api-caller.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";
import { ResourceClient } from "./resource-client.js";
import { type Unstructured, type UnstructuredList, withItemTypeMeta } from "./unstructured.js";

/**
 * The descriptor of a resource named at run time: its group, version and plural, every verb,
 * and no kind (the objects carry their own). Shared by the dynamic and metadata clients.
 */
export function descriptorForResource(gvr: GroupVersionResource, namespaced: boolean): ResourceDescriptor {
  return {
    group: gvr.group,
    version: gvr.version,
    plural: gvr.resource,
    singular: "",
    // Unknown here: dynamic objects carry their own kind, which create and update keep.
    kind: "",
    listKind: "",
    namespaced,
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"],
    subresources: ["status", "scale"],
  };
}

/** The arguments of an unchecked patch: any body, any patch type (merge when left out). */
export type UncheckedPatch = [
  name: string,
  patch: unknown,
  type?: PatchType,
  options?: PatchOptions & CallOptions,
];

/**
 * The generic resource client on unstructured objects. Nothing is known about the resource, so the
 * patch methods take any body with any patch type (strategic merge included: the server decides).
 * List items get their `apiVersion` and `kind` from the list, as client-go's dynamic client gives
 * them, so each converts with `fromUnstructured` as returned.
 */
export class DynamicResourceClient extends ResourceClient<Unstructured, UnstructuredList, true> {
  // pages() and items() list through this method.
  override async list(options: ListOptions & CallOptions = {}): Promise<UnstructuredList> {
    return withItemTypeMeta(await super.list(options));
  }

  override async deleteCollection(
    options: DeleteOptions & ListOptions & CallOptions = {},
  ): Promise<UnstructuredList | Status> {
    const answer = await super.deleteCollection(options);
    return "items" in answer && Array.isArray(answer.items) ? withItemTypeMeta(answer) : answer;
  }

  // One implementation serves every overload; only the static checks differ.
  override patch(...[name, patch, type, options]: UncheckedPatch): Promise<Unstructured> {
    return super.patch(name, patch as never, type as never, options);
  }

  override patchStatus(...[name, patch, type, options]: UncheckedPatch): Promise<Unstructured> {
    return super.patchStatus(name, patch as never, type as never, options);
  }

  override patchScale(...[name, patch, type, options]: UncheckedPatch): Promise<Scale> {
    return super.patchScale(name, patch as never, type as never, options);
  }
}

/** A dynamic resource client: without `.namespace()` it addresses cluster-scoped objects, or all namespaces. */
export class NamespaceableResourceClient extends DynamicResourceClient {
  readonly gvr: GroupVersionResource;

  constructor(caller: ApiCaller, gvr: GroupVersionResource) {
    super(caller, descriptorForResource(gvr, false));
    this.gvr = gvr;
  }

  /** The same resource in one namespace. */
  namespace(namespace: string): DynamicResourceClient {
    return new DynamicResourceClient(this.caller, descriptorForResource(this.gvr, true), namespace);
  }
}

export class DynamicClient {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  static forConfig(config: ClientConfig, options?: HttpClientOptions): DynamicClient {
    return new DynamicClient(HttpClient.forConfig(config, options));
  }

  /** A client for one resource: `{ group: "apps", version: "v1", resource: "deployments" }`. */
  resource(gvr: GroupVersionResource): NamespaceableResourceClient {
    if (!gvr.version || !gvr.resource)
      throw new TypeError("a dynamic resource needs a version and a resource name");
    return new NamespaceableResourceClient(this.http, gvr);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
