/**
 * Redirects, followed only within the server: a 301, 302, 307 or 308 whose `Location` has the
 * request's scheme, host and port is sent again there (method and body kept), a 303 as a GET
 * without body; at most 10 times, as Go's `http.Client`. The apiserver answers 301 to an OpenAPI
 * `?hash=` URL that went stale. A redirect to another origin is refused with a `TransportError`
 * rather than followed: the request carries the cluster's credentials.
 */
import type { Dispatcher } from "undici";
import { redactUrl } from "../../core/url.js";
import { TransportError } from "../../errors.js";
import { type ReplayDecision, ReplayHandler } from "../replay-handler.js";
import { flatHeaders, headerPairs } from "./headers.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** Limits of the redirect layer. */
export interface RedirectOptions {
  /** Default 10, as Go's `http.Client`. */
  maxRedirects?: number;
}

const followed = new Set([301, 302, 303, 307, 308]);

/** The next request for a redirect, or why there is none. */
function decide(
  status: number,
  location: string | string[] | undefined,
  attempt: number,
  opts: Dispatcher.DispatchOptions,
  maxRedirects: number,
): ReplayDecision {
  const target = Array.isArray(location) ? location[0] : location;
  // A 3xx without a Location is an answer like any other.
  if (!followed.has(status) || !target || !opts.origin) return { replay: false };
  const from = new URL(opts.path, String(opts.origin));
  const where = `${opts.method} ${redactUrl(from.href)}`;
  let to: URL;
  try {
    to = new URL(target, from);
  } catch {
    return {
      replay: false,
      error: new TransportError("EREDIRECT", `${where}: ${status} to an invalid Location`),
    };
  }
  if (to.origin !== from.origin) {
    // Only scheme and host:port are named: the Location may carry user info or tokens.
    return {
      replay: false,
      error: new TransportError(
        "EREDIRECT",
        `${where}: the server answered ${status}, a redirect to another host (${to.protocol}//${to.host}); ` +
          "not followed, so the credentials stay with the server",
      ),
    };
  }
  if (attempt >= maxRedirects) {
    return {
      replay: false,
      error: new TransportError("EREDIRECT", `${where}: stopped after ${maxRedirects} redirects`),
    };
  }
  const next: Dispatcher.DispatchOptions = { ...opts, path: `${to.pathname}${to.search}` };
  if (status === 303 && opts.method !== "GET" && opts.method !== "HEAD") {
    // "See Other": the answer is fetched from there; the body was for the first request.
    next.method = "GET";
    next.body = undefined;
    next.headers = flatHeaders(
      headerPairs(opts.headers).filter(([name]) => !/^content-(type|length|encoding)$/i.test(name)),
    );
  }
  return { replay: true, delayMs: 0, opts: next };
}

/**
 * The redirect layer.
 *
 * @example
 * agent.compose(redirect({ maxRedirects: 5 }))
 */
export function redirect(options: RedirectOptions = {}): Interceptor {
  const maxRedirects = options.maxRedirects ?? 10;
  return (dispatch) => (opts, handler) =>
    dispatch(
      opts,
      new ReplayHandler(dispatch, opts, handler, {
        onResponse: (status, headers, attempt, sent) =>
          decide(status, headers.location, attempt, sent, maxRedirects),
      }),
    );
}
