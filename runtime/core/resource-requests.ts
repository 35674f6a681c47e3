/**
 * The requests of the resource verbs, as data: a descriptor, a namespace and a call in, the
 * `ApiRequest` the HTTP layer sends out (method, path, query, body, content type). Nothing here
 * does I/O; the resource client only builds a request here and sends it, as kube-rs's `Request`
 * builds the `http::Request`s its `Api` sends. Build errors (a missing namespace or name, a
 * namespace that disagrees with the object's) are thrown here, before anything is sent.
 */
import type { ApplyConfiguration, KubeObject, Scale } from "./object.js";
import {
  type ApplyOptions,
  type CreateOptions,
  type DeleteOptions,
  deleteOptionsBody,
  type GetOptions,
  type ListOptions,
  type PatchOptions,
  toQuery,
  type UpdateOptions,
} from "./options.js";
import { type PatchType, PatchTypes } from "./patch.js";
import { type ApiRequest, type QueryValue, resourcePath } from "./request.js";
import { apiVersionOf, type ResourceDescriptor } from "./resource.js";

/**
 * One call of the resource client, named after its method. `subresource` sends the call to a
 * subresource of the object (`status`, `ephemeralcontainers`...). Options may carry the call
 * options (`signal`, `timeout`): they never reach the query.
 */
export type ResourceCall =
  | { verb: "get"; name: string; subresource?: string; options?: GetOptions }
  | { verb: "list"; options?: ListOptions }
  | { verb: "watch"; options?: ListOptions }
  /** In the client's namespace, else in the object's. */
  | { verb: "create"; object: KubeObject; options?: CreateOptions }
  /** The name comes from the object, the namespace as for `create`. */
  | { verb: "update"; object: KubeObject; subresource?: string; options?: UpdateOptions }
  /** The body is sent as it is, with the patch type as its content type (merge by default). */
  | {
      verb: "patch";
      name: string;
      subresource?: string;
      patch: unknown;
      patchType?: PatchType;
      options?: PatchOptions;
    }
  /** Server-side apply of an apply configuration (`ApplyConfiguration<T>`); name and namespace as for `update`. */
  | { verb: "apply"; object: KubeObject; subresource?: string; options: ApplyOptions }
  | { verb: "delete"; name: string; options?: DeleteOptions }
  | { verb: "deleteCollection"; options?: DeleteOptions & ListOptions }
  | { verb: "updateScale"; name: string; scale: Scale; options?: UpdateOptions }
  | { verb: "applyScale"; name: string; configuration: ApplyConfiguration<Scale>; options: ApplyOptions }
  /** `PodLogOptions` (clients/subresources.ts): its fields are the query's names. */
  | { verb: "logs"; name: string; options?: object }
  | { verb: "evict"; name: string; deleteOptions?: DeleteOptions; options?: CreateOptions }
  /** A `TokenRequest` (clients/subresources.ts) for the service account `name`. */
  | { verb: "createToken"; name: string; request: KubeObject; options?: CreateOptions }
  /** A `Binding` of the pod `name` to its `target`. */
  | { verb: "bind"; name: string; binding: KubeObject; options?: CreateOptions }
  | { verb: "createSubresource"; name: string; subresource: string; body: unknown; options?: CreateOptions };

/**
 * The namespace a client of `resource` works in: `undefined` for all namespaces (lists and
 * watches) and for a cluster-scoped resource, which takes none.
 *
 * @throws {TypeError} when a cluster-scoped resource is given a namespace.
 */
export function scopeNamespace(
  resource: ResourceDescriptor,
  namespace: string | undefined,
): string | undefined {
  if (!resource.namespaced && namespace) {
    throw new TypeError(
      `${resource.plural}.${resource.group || "core"} is cluster-scoped: it takes no namespace`,
    );
  }
  return namespace || undefined;
}

/**
 * The request of one resource client call, for `resource` in `namespace` (`undefined`: all
 * namespaces, or a cluster-scoped resource).
 *
 * @example
 * buildRequest(deployments, "default", { verb: "get", name: "web" })
 * // { method: "GET", path: "/apis/apps/v1/namespaces/default/deployments/web", query: {} }
 * @throws {TypeError} when the call cannot be addressed: no namespace where one is needed, no
 *   `metadata.name`, an object namespace other than the client's, or an invalid path segment.
 */
export function buildRequest(
  resource: ResourceDescriptor,
  namespace: string | undefined,
  call: ResourceCall,
): ApiRequest {
  const at = new Target(resource, scopeNamespace(resource, namespace));
  switch (call.verb) {
    case "get":
      return {
        method: "GET",
        path: at.object(call.name, call.subresource),
        query: toQuery(call.options ?? {}),
      };
    case "list":
      return { method: "GET", path: at.collection(), query: toQuery(call.options ?? {}) };
    case "watch":
      return { method: "GET", path: at.collection(), query: { ...toQuery(call.options ?? {}), watch: true } };
    case "create":
      return {
        method: "POST",
        path: resourcePath(resource, { namespace: at.namespaceFor(call.object) }),
        query: toQuery(call.options ?? {}),
        body: at.withTypeMeta(call.object),
      };
    case "update": {
      const verb = call.subresource ? `update ${call.subresource} of` : "update";
      return {
        method: "PUT",
        path: at.ownPath(call.object, verb, call.subresource),
        query: toQuery(call.options ?? {}),
        body: at.withTypeMeta(call.object),
      };
    }
    case "patch":
      return {
        method: "PATCH",
        path: at.object(call.name, call.subresource),
        query: toQuery(call.options ?? {}),
        body: call.patch,
        contentType: call.patchType ?? PatchTypes.merge,
      };
    case "apply":
      // The query as given: the apiserver answers an apply without fieldManager itself.
      return {
        method: "PATCH",
        path: at.ownPath(call.object, "apply", call.subresource),
        query: toQuery(call.options),
        body: at.withTypeMeta(call.object),
        contentType: PatchTypes.apply,
      };
    case "delete":
      return { method: "DELETE", path: at.object(call.name), ...deleteParts(call.options ?? {}) };
    case "deleteCollection":
      return { method: "DELETE", path: at.collection(), ...deleteParts(call.options ?? {}) };
    case "updateScale":
      return {
        method: "PUT",
        path: at.object(call.name, "scale"),
        query: toQuery(call.options ?? {}),
        body: scaleBody(call.scale, { name: call.name, namespace: at.namespace }),
      };
    case "applyScale":
      return {
        method: "PATCH",
        path: at.object(call.name, "scale"),
        query: toQuery(call.options),
        body: scaleBody(call.configuration, { name: call.name }),
        contentType: PatchTypes.apply,
      };
    case "logs": {
      // Sent as given (undefined values are left out of the URL), without the call options.
      const { signal, timeout, ...query } = (call.options ?? {}) as Record<string, QueryValue> & {
        signal?: unknown;
        timeout?: unknown;
      };
      return { method: "GET", path: at.object(call.name, "log"), query };
    }
    case "evict":
      return at.post(
        call.name,
        "eviction",
        {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: call.name, namespace: at.namespace },
          deleteOptions: deleteOptionsBody(call.deleteOptions ?? {}),
        },
        call.options,
      );
    case "createToken":
      return at.post(
        call.name,
        "token",
        { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", ...call.request },
        call.options,
      );
    case "bind":
      return at.post(
        call.name,
        "binding",
        {
          apiVersion: "v1",
          kind: "Binding",
          ...call.binding,
          metadata: { ...call.binding.metadata, name: call.name },
        },
        call.options,
      );
    case "createSubresource":
      return at.post(call.name, call.subresource, call.body, call.options);
  }
}

/** A resource in a client's namespace: the paths and bodies its calls share. */
class Target {
  constructor(
    readonly resource: ResourceDescriptor,
    readonly namespace: string | undefined,
  ) {}

  /** The collection: in the client's namespace, across all namespaces, or cluster-scoped. */
  collection(): string {
    return resourcePath(this.resource, { namespace: this.namespace });
  }

  /** An object named by the caller (or its subresource): in the client's namespace. */
  object(name: string, subresource?: string): string {
    return resourcePath(this.resource, { namespace: this.#required(this.namespace), name, subresource });
  }

  /** An object named by its own `metadata` (or its subresource); `verb` is for the error. */
  ownPath(object: KubeObject, verb: string, subresource?: string): string {
    const name = object.metadata?.name;
    if (!name) throw new TypeError(`${verb} ${this.resource.kind}: metadata.name is required`);
    return resourcePath(this.resource, { namespace: this.namespaceFor(object), name, subresource });
  }

  /** The client's namespace, or the object's when the client spans all namespaces; they must agree. */
  namespaceFor(object: KubeObject): string | undefined {
    if (!this.resource.namespaced) return undefined;
    const own = object.metadata?.namespace;
    if (this.namespace && own && own !== this.namespace) {
      throw new TypeError(
        `object namespace ${JSON.stringify(own)} does not match the client's namespace ${JSON.stringify(this.namespace)}`,
      );
    }
    return this.#required(this.namespace ?? own);
  }

  /** `object` with the resource's `apiVersion` and `kind` where it has none. */
  withTypeMeta(object: KubeObject): KubeObject {
    return { apiVersion: apiVersionOf(this.resource), kind: this.resource.kind, ...object };
  }

  /** A POST of `body` to a subresource of the object called `name`. */
  post(name: string, subresource: string, body: unknown, options: CreateOptions = {}): ApiRequest {
    return { method: "POST", path: this.object(name, subresource), query: toQuery(options), body };
  }

  #required(namespace: string | undefined): string | undefined {
    if (this.resource.namespaced && !namespace) {
      throw new TypeError(
        `${this.resource.plural}.${this.resource.group || "core"} is namespaced: this call needs a namespace ` +
          `(the client was made for all namespaces)`,
      );
    }
    return namespace;
  }
}

/**
 * An `autoscaling/v1` Scale body for the object called `name`: type meta where it has none, the
 * name (and namespace, when given) from the call rather than from the body.
 */
function scaleBody(
  scale: Scale | ApplyConfiguration<Scale>,
  metadata: { name: string; namespace?: string | undefined },
) {
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    ...scale,
    metadata: { ...scale.metadata, ...metadata },
  };
}

/** Delete options travel in the body (as client-go sends them); list selectors in the query. */
function deleteParts(options: DeleteOptions & ListOptions): Pick<ApiRequest, "query" | "body"> {
  const { propagationPolicy, gracePeriodSeconds, preconditions, dryRun, ...rest } = options;
  return {
    query: toQuery(rest),
    body: deleteOptionsBody({ propagationPolicy, gracePeriodSeconds, preconditions, dryRun }),
  };
}
