/**
 * Interceptors that only add request headers: user agent and impersonation. A header the request
 * already has is left alone, as client-go's round trippers do.
 */
import type { Dispatcher } from "undici";
import type { ImpersonationConfig } from "../../config/types.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;
type HeaderList = [string, string][];

/** The request's headers as a list of pairs (undici accepts objects, arrays and iterables). */
export function headerPairs(headers: Dispatcher.DispatchOptions["headers"]): HeaderList {
  if (!headers) return [];
  if (Array.isArray(headers)) {
    const pairs: HeaderList = [];
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), String(headers[i + 1])]);
    return pairs;
  }
  const pairs: HeaderList = [];
  const entries =
    Symbol.iterator in (headers as object)
      ? (headers as Iterable<[string, string | string[] | undefined]>)
      : Object.entries(headers as Record<string, string | string[] | undefined>);
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) pairs.push([k, one]);
    else pairs.push([k, String(v)]);
  }
  return pairs;
}

/** True when the pairs have a header of that name (case-insensitive). */
export function hasHeader(pairs: HeaderList, name: string): boolean {
  const lower = name.toLowerCase();
  return pairs.some(([k]) => k.toLowerCase() === lower);
}

/** Flattens pairs for undici; repeated names stay repeated (e.g. `Impersonate-Group`). */
export function flatHeaders(pairs: HeaderList): string[] {
  return pairs.flat();
}

/** Adds `User-Agent` unless the request has one. */
export function userAgent(value: string): Interceptor {
  return (dispatch) => (opts, handler) => {
    const pairs = headerPairs(opts.headers);
    if (hasHeader(pairs, "user-agent")) return dispatch(opts, handler);
    return dispatch({ ...opts, headers: flatHeaders([...pairs, ["user-agent", value]]) }, handler);
  };
}

/** `Impersonate-Extra-<key>`: bytes outside RFC 7230 token characters (and `%`) are %-escaped. */
export function impersonateExtraHeader(key: string): string {
  let out = "";
  for (const byte of Buffer.from(key, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&'*+\-.^_`|~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `impersonate-extra-${out}`;
}

/** Adds the `Impersonate-*` headers unless the request already has `Impersonate-User`. */
export function impersonation(config: ImpersonationConfig): Interceptor {
  const added: HeaderList = [];
  if (config.user) added.push(["impersonate-user", config.user]);
  if (config.uid) added.push(["impersonate-uid", config.uid]);
  for (const group of config.groups ?? []) added.push(["impersonate-group", group]);
  for (const [key, values] of Object.entries(config.extra ?? {})) {
    for (const value of values) added.push([impersonateExtraHeader(key), value]);
  }
  return (dispatch) => (opts, handler) => {
    const pairs = headerPairs(opts.headers);
    if (added.length === 0 || hasHeader(pairs, "impersonate-user")) return dispatch(opts, handler);
    return dispatch({ ...opts, headers: flatHeaders([...pairs, ...added]) }, handler);
  };
}
