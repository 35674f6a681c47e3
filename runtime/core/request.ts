/**
 * Requests as plain data: the sans-IO half of every call. The resource clients build an
 * `ApiRequest`; the REST layer sends it. Nothing here does I/O.
 */
import type { ResourceDescriptor } from "./resource.js";

/** Query values as the apiserver reads them; arrays repeat the key. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute path below the server URL (and its prefix), e.g. `/apis/apps/v1/namespaces/ns/deployments`. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and bytes as they are. */
  body?: unknown;
  /** Defaults to `application/json` when there is a body. */
  contentType?: string;
}

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Cancels the call (and closes a watch or stream). */
  signal?: AbortSignal;
  /** Per-call timeout in milliseconds, overriding the client's. Ignored for watches and streams. */
  timeout?: number;
}

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/**
 * A path segment: rejects those that would change the URL's meaning, as client-go's
 * `IsValidPathSegmentName`, and escapes the rest as Go's `url.PathEscape` does, so a `?` or `#`
 * in a name stays in the path (`:` and `@`, as in `system:node-proxier`, stay as they are).
 */
export function checkPathSegment(kind: string, value: string): string {
  if (value === "" || value === "." || value === ".." || /[/%]/.test(value)) {
    throw new TypeError(
      `invalid ${kind} ${JSON.stringify(value)}: may not be empty, "." or "..", or contain "/" or "%"`,
    );
  }
  return encodeURIComponent(value).replace(/%(3A|40|24|26|2B|2C|3B|3D)/gi, (m) => decodeURIComponent(m));
}

export interface ResourcePathParts {
  /** Omit (or leave empty) for cluster-scoped resources and for all-namespaces lists and watches. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The path of a resource, an object, or one of its subresources:
 * `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`.
 */
export function resourcePath(
  resource: Pick<ResourceDescriptor, "group" | "version" | "plural" | "namespaced">,
  { namespace, name, subresource }: ResourcePathParts = {},
): string {
  let path = groupVersionPath(resource.group, resource.version);
  if (resource.namespaced && namespace) path += `/namespaces/${checkPathSegment("namespace", namespace)}`;
  path += `/${resource.plural}`;
  if (name !== undefined) path += `/${checkPathSegment("name", name)}`;
  if (subresource !== undefined) {
    if (name === undefined) throw new TypeError(`subresource ${subresource} needs an object name`);
    path += `/${checkPathSegment("subresource", subresource)}`;
  }
  return path;
}
