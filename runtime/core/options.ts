/**
 * metav1 option types with the apiserver's query parameter names, and their conversion to a query.
 * Sans-IO: the REST layer turns the query into a URL.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-parameters/common-parameters/
 */
import { setOwn } from "./own.js";
import type { QueryValue } from "./request.js";

/** Options of a `get`. */
export interface GetOptions {
  /** `""` (most recent), `"0"` (any, from cache), or an exact version. */
  resourceVersion?: string;
}

/** Options of a `list`, `watch` or `deletecollection`. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; follow `metadata.continue` (or use `pages()`) for the rest. */
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
  /** Server-side timeout of a list or watch call, in seconds. */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** `All` is the only dry-run value the apiserver knows. */
export type DryRun = "All";

/** How the server treats unknown or duplicate fields: drop, warn (`Warning` header) or fail. */
export type FieldValidation = "Ignore" | "Warn" | "Strict";

/** Options of a `create`. */
export interface CreateOptions {
  dryRun?: DryRun[];
  fieldManager?: string;
  fieldValidation?: FieldValidation;
}

/** Options of an `update`. */
export interface UpdateOptions {
  dryRun?: DryRun[];
  fieldManager?: string;
  fieldValidation?: FieldValidation;
}

/** Options of a `patch`. */
export interface PatchOptions {
  dryRun?: DryRun[];
  /** Required for server-side apply; optional for the other patch types. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

/** Options of a server-side apply: the field manager is required, as the apiserver demands. */
export interface ApplyOptions extends PatchOptions {
  fieldManager: string;
}

/** Options of a `delete` or `deletecollection` (sent in the request body, as client-go does). */
export interface DeleteOptions {
  dryRun?: DryRun[];
  /** Seconds before the object is deleted; 0 deletes immediately. */
  gracePeriodSeconds?: number;
  /** Whether and how dependents are garbage-collected. */
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  /** The delete happens only if the object still has this UID / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * The JSON body of a delete: a `meta.k8s.io/v1` `DeleteOptions` object with the fields that are
 * set. client-go sends delete options as a body rather than a query, since `preconditions` cannot
 * be a query parameter.
 *
 * @example
 * deleteOptionsBody({ propagationPolicy: "Foreground" })
 * // { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", propagationPolicy: "Foreground" }
 */
export function deleteOptionsBody(options: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions" };
  const { dryRun, gracePeriodSeconds, propagationPolicy, preconditions } = options;
  if (dryRun !== undefined) body.dryRun = dryRun;
  if (gracePeriodSeconds !== undefined) body.gracePeriodSeconds = gracePeriodSeconds;
  if (propagationPolicy !== undefined) body.propagationPolicy = propagationPolicy;
  if (preconditions !== undefined) body.preconditions = preconditions;
  return body;
}

/**
 * The query of a server-side apply, as client-go's `ApplyOptions.ToPatchOptions`: `fieldManager`
 * is required (the apiserver rejects an apply without one), `force` is sent only when set.
 *
 * @example
 * applyOptionsToQuery({ fieldManager: "my-controller", force: true })
 * // { fieldManager: "my-controller", force: true }
 * @throws {TypeError} when `fieldManager` is missing or empty.
 */
export function applyOptionsToQuery(options: ApplyOptions): Record<string, QueryValue> {
  if (!options.fieldManager) {
    throw new TypeError("server-side apply needs ApplyOptions.fieldManager (the name of the field owner)");
  }
  return toQuery(options);
}

/**
 * A duration in Go's `time.Duration.String()` form (`32s`, `1m30s`, `500ms`), as client-go writes
 * the `timeout` query parameter.
 *
 * @example
 * goDuration(90_000) // "1m30s"
 */
export function goDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new RangeError(`a duration must be a finite, non-negative number of ms, got ${milliseconds}`);
  }
  if (milliseconds === 0) return "0s";
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const totalSeconds = milliseconds / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 1000) / 1000;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Keys of call options that never go to the server. */
const localKeys = new Set(["signal", "timeout"]);

/**
 * Turns any of the option objects into query parameters: names are kept, `undefined` dropped,
 * arrays repeat the key. Call options (`signal`, `timeout`) are left out. A value that cannot be a
 * query parameter (an object such as `preconditions`) is an error naming the option.
 *
 * @example
 * toQuery({ labelSelector: "app=web", limit: 50 }) // { labelSelector: "app=web", limit: 50 }
 */
export function toQuery(options: object): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || localKeys.has(key)) continue;
    if (
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean" ||
      (Array.isArray(value) && value.every((v) => typeof v === "string"))
    )
      setOwn(query, key, value);
    else
      throw new TypeError(
        `option ${key} cannot be sent as a query parameter${key === "preconditions" ? " (delete options go in the body: deleteOptionsBody())" : ""}`,
      );
  }
  return query;
}

/** Encodes a query as a URL search string (without `?`); arrays repeat the key. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  return params.toString();
}
