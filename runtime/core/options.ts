/**
 * metav1 option types with the apiserver's query parameter names, and their conversion to a query.
 * Sans-IO: the REST layer turns the query into a URL.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-parameters/common-parameters/
 */
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
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  /** The delete happens only if the object still has this UID / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Keys of call options that never go to the server. */
const localKeys = new Set(["signal", "timeout"]);

/**
 * Turns any of the option objects into query parameters: names are kept, `undefined` dropped,
 * arrays repeat the key. Call options (`signal`, `timeout`) are left out.
 *
 * @example
 * toQuery({ labelSelector: "app=web", limit: 50 }) // { labelSelector: "app=web", limit: 50 }
 */
export function toQuery(options: object): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || localKeys.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      query[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) query[key] = value;
    else throw new TypeError(`option ${key} cannot be sent as a query parameter`);
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
