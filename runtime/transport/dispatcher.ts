/**
 * `buildDispatcher(config)`: the one place where the transport's layers are chosen and ordered,
 * as client-go's `HTTPWrappersForConfig`.
 *
 * undici's `compose(a, b, c)` wraps so that the LAST interceptor sees a request FIRST. The order,
 * from the caller down to the socket:
 *
 *   request
 *     → warnings       hands `Warning` headers of the final answer to the handler
 *     → redirect       follows 301/302/303/307/308 within the server (≤ 10); refuses other hosts
 *     → user-agent     adds `User-Agent` unless set
 *     → impersonation  adds `Impersonate-*` unless `Impersonate-User` is set
 *     → auth           token / basic / credential source; on 401 invalidates and replays once
 *     → retry          429/5xx with Retry-After (any verb), reset/EOF (GET), ≤ 10 times
 *     → rate-limit     token bucket per client; every attempt takes a token; watches skip it
 *     → logging        each attempt as sent, secrets masked
 *     → pool           keep-alive Agent/ProxyAgent, at most `maxConnsPerHost` connections for
 *                      requests and an uncapped one for watches and streams (pool.ts); HTTP/2
 *                      when asked for; one more per client cert a source returns
 *
 * Auth sits above retry, so each retried attempt keeps its credentials and a 401 replay goes
 * through retry and throttling again; retries sit above the rate limiter, so each retry waits for
 * a token, as client-go's `WithRetry.Before` calls `tryThrottle`. Redirects sit above all but warnings, as
 * Go's `http.Client` sits above client-go's round trippers: each hop is authenticated, retried,
 * throttled and logged like a request of its own, and only ever goes to the same server. gzip
 * answers are decoded by `HttpClient`, which asks for them.
 *
 * The pool at the bottom is one of two transports: undici's Agents (the default), or the
 * runtime's own `fetch` (`fetch-dispatcher.ts`) where undici's dispatchers are missing, as on Bun.
 * The layers above are the same for both.
 */
import { arch, platform } from "node:os";
import * as undici from "undici";
import { Agent, type Dispatcher, ProxyAgent } from "undici";
import type { ClientConfig } from "../config/types.js";
import { proxyUrlProblem } from "../core/proxy-rules.js";
import { redactUrl } from "../core/url.js";
import { TransportError } from "../errors.js";
import { version } from "../version.js";
import { ClientCertificateDispatcher } from "./client-certificate.js";
import { FetchDispatcher } from "./fetch-dispatcher.js";
import { auth } from "./interceptors/auth.js";
import { impersonation, userAgent } from "./interceptors/headers.js";
import { loggerFromEnvironment, logging, type RequestLogger } from "./interceptors/logging.js";
import { rateLimit, type TokenBucket, tokenBucketFor } from "./interceptors/rate-limit.js";
import { type RedirectOptions, redirect } from "./interceptors/redirect.js";
import { type RetryOptions, retry } from "./interceptors/retry.js";
import { deduplicatingStderrWarnings, type WarningHandler, warnings } from "./interceptors/warnings.js";
import { Http2Pool, SplitPool } from "./pool.js";
import { proxyFromEnvironment } from "./proxy-env.js";
import { checkTlsConfig, connectOptions, reloadingClientCertificate } from "./tls.js";

export { version };

/**
 * `kubegen/<version> (<os>/<arch>) <runtime>/<version>`, the runtime being node, bun or deno.
 *
 * @example
 * defaultUserAgent() // "kubegen/0.1.0 (linux/x64) node/v20.18.1"
 */
export function defaultUserAgent(): string {
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno;
  const runtime = deno
    ? `deno/${deno}`
    : process.versions.bun
      ? `bun/${process.versions.bun}`
      : `node/${process.version}`;
  return `kubegen/${version} (${platform()}/${arch()}) ${runtime}`;
}

/**
 * What sends the bytes: `"undici"`, undici's keep-alive pools (proxies of every kind, WebSockets
 * for exec, attach and port-forward), or `"fetch"`, the runtime's own fetch (see
 * `fetch-dispatcher.ts` for what it can and cannot do).
 */
export type TransportKind = "undici" | "fetch";

/**
 * The transport used when none is asked for: undici where its dispatchers work (Node, Deno),
 * else fetch. Bun resolves `undici` to a built-in stand-in whose Agent cannot `compose()`.
 *
 * @example
 * defaultTransport() // "undici" on Node and Deno, "fetch" on Bun
 */
export function defaultTransport(): TransportKind {
  return typeof (Agent.prototype as { compose?: unknown }).compose === "function" ? "undici" : "fetch";
}

/** Options of the transport beyond what a `ClientConfig` says. */
export interface TransportOptions {
  /** `"undici"` or `"fetch"`; default `defaultTransport()`. Ignored with `baseDispatcher`. */
  transport?: TransportKind;
  /** Receives the apiserver's warnings; default: each distinct one once to stderr. */
  warningHandler?: WarningHandler;
  /** Retry limits (default: 10 retries, waits capped at 60 s). */
  retry?: RetryOptions;
  /** Redirect limit (default: 10 same-server redirects). */
  redirect?: RedirectOptions;
  /** Logs requests at kubectl's verbosities 6 to 9, secrets masked. */
  /** Request logging; default: `KUBEGEN_LOG_LEVEL` (6 to 9) to stderr, else none. */
  logger?: RequestLogger;
  /** Replaces the base dispatcher (tests, custom pools). Layers still wrap it. */
  baseDispatcher?: Dispatcher;
  /**
   * The token bucket to use, e.g. one shared by several clients on purpose. Default: a new bucket
   * from `config.qps`/`config.burst` (none when `qps` is negative).
   */
  rateLimiter?: TokenBucket;
  /**
   * The environment whose `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` apply when the config has no
   * `proxyUrl` (default `process.env`), read once when the client is built.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The most connections opened to the server for requests (Go's `MaxConnsPerHost`); requests
   * beyond wait for a free one. Watches, followed logs and exec go through a pool of their own
   * without this cap, so they never starve requests. Default {@link defaultMaxConnsPerHost}, or 1
   * with `http2` (one HTTP/2 connection multiplexes up to 100 requests; a server that answers ALPN
   * with HTTP/1.1 then gets one request at a time, so set a cap when that may happen); 0 for no cap.
   */
  maxConnsPerHost?: number;
  /**
   * Speak HTTP/2 to an https server that offers it (ALPN `h2`), as client-go does: requests, and
   * separately watches, are multiplexed up to 100 to a connection, another opened when those are
   * full (`Http2Pool`, pool.ts). Default {@link defaultHttp2}. Servers reached over plain http or
   * through a proxy, and WebSocket upgrades (exec, attach, port-forward), get HTTP/1.1.
   */
  http2?: boolean;
}

/**
 * The default cap on connections for requests: measured with `npm run bench` (1,000 concurrent
 * GETs, bench/RESULTS.md), where more connections stopped paying.
 */
export const defaultMaxConnsPerHost = 32;

/** Whether HTTP/2 is offered by default (see bench/RESULTS.md for the measurements behind it). */
export const defaultHttp2 = false;

/** How the pool is built: the connection cap and HTTP/2 (see `TransportOptions`). */
export interface PoolOptions {
  maxConnsPerHost?: number;
  http2?: boolean;
}

/** How long an idle keep-alive connection stays open. */
const keepAliveTimeout = 30_000;

/**
 * The base pool: a keep-alive Agent (or a proxy agent) for the configuration, plus one per client
 * certificate that credentials bring (see `client-certificate.ts`). The proxy is `proxyUrl`, else
 * the one the environment gives for the server by Go's rules (`proxy-env.ts`), as client-go; an
 * http or https proxy is reached through undici's ProxyAgent (a CONNECT tunnel), a socks5 one
 * through its Socks5ProxyAgent (undici marks it experimental and warns once per process).
 *
 * @throws {TransportError} `ECONFIG` for an unreadable PEM file, or a `proxyUrl` that is not a URL
 *   or not http, https or socks5 (`core/proxy-rules.ts`, the loader's rule for `proxy-url`).
 */
export function baseDispatcher(
  config: ClientConfig,
  env: NodeJS.ProcessEnv = process.env,
  pool: PoolOptions = {},
): Dispatcher {
  const allowH2 = pool.http2 ?? defaultHttp2;
  // One HTTP/2 connection carries up to 100 requests at once (pool.ts), so with HTTP/2 the
  // default cap is one.
  const cap = pool.maxConnsPerHost ?? (allowH2 ? 1 : defaultMaxConnsPerHost);
  if (!Number.isInteger(cap) || cap < 0)
    throw new TransportError("ECONFIG", `maxConnsPerHost must be a whole number ≥ 0, got ${cap}`);
  const connections = cap > 0 ? { connections: cap } : {};
  const base = connectOptions(config.tls);
  if (config.proxyUrl) {
    const problem = proxyUrlProblem(config.proxyUrl);
    if (problem) throw new TransportError("ECONFIG", `proxy-url ${redactUrl(config.proxyUrl)}: ${problem}`);
  }
  const proxyUrl = config.proxyUrl || proxyFromEnvironment(config.server, env);
  const socks = proxyUrl !== undefined && new URL(proxyUrl).protocol === "socks5:";
  const configuredCertificate = reloadingClientCertificate(config.tls);
  return new ClientCertificateDispatcher((certificate) => {
    const connect = certificate ? { ...base, cert: certificate.cert, key: certificate.key } : base;
    if (proxyUrl && socks) {
      // Looked up, not imported by name: Bun's built-in `undici` has no Socks5ProxyAgent, and a
      // named import of it would fail the whole module there.
      const { Socks5ProxyAgent } = undici as Partial<typeof undici>;
      if (!Socks5ProxyAgent)
        throw new TransportError(
          "ECONFIG",
          `proxy ${redactUrl(proxyUrl)}: this runtime's undici has no SOCKS5 agent`,
        );
      // TLS to the server runs inside the SOCKS tunnel, with the client's settings.
      const options: undici.Socks5ProxyAgent.Options & { requestTls: typeof connect } = {
        requestTls: connect,
      };
      return new Socks5ProxyAgent(proxyUrl, options);
    }
    if (proxyUrl) {
      // Go dials an https proxy with the client's TLS config (CA included); user info in the
      // URL becomes Proxy-Authorization.
      const proxy = (capped: boolean) =>
        new ProxyAgent({
          uri: proxyUrl,
          requestTls: connect,
          proxyTls: base.ca ? { ca: base.ca } : {},
          keepAliveTimeout,
          ...(capped ? connections : {}),
        });
      return new SplitPool(proxy(true), proxy(false));
    }
    if (allowH2)
      return new SplitPool(
        new Http2Pool({ connect, keepAliveTimeout, connections: cap }),
        new Http2Pool({ connect, keepAliveTimeout }),
      );
    return new SplitPool(
      new Agent({ connect, keepAliveTimeout, ...connections }),
      new Agent({ connect, keepAliveTimeout }),
    );
  }, configuredCertificate);
}

/**
 * Builds the dispatcher every request of a client goes through: the pool wrapped by the layers
 * drawn above. One per client object: its rate limiter is shared by all the client's groups.
 *
 * @example
 * const dispatcher = buildDispatcher(config, { logger: { level: 6, write: console.error } });
 */
export function buildDispatcher(config: ClientConfig, options: TransportOptions = {}): Dispatcher {
  // Also with a base dispatcher of the caller's: the config itself must make sense.
  checkTlsConfig(config.tls);
  const base =
    options.baseDispatcher ??
    ((options.transport ?? defaultTransport()) === "fetch"
      ? // Same members as the Dispatcher the layers and HttpClient use (see fetch-dispatcher.ts).
        (new FetchDispatcher(config, options.env) as unknown as Dispatcher)
      : baseDispatcher(config, options.env, {
          maxConnsPerHost: options.maxConnsPerHost,
          http2: options.http2,
        }));
  const bucket = options.rateLimiter ?? tokenBucketFor(config);
  const logger = options.logger ?? loggerFromEnvironment(process.env);
  const layers: Dispatcher.DispatcherComposeInterceptor[] = [];
  // compose() applies the last layer first: push from the socket upwards.
  if (logger) layers.push(logging(logger));
  if (bucket) {
    layers.push(
      rateLimit(bucket, (ms, opts) => {
        if (logger && ms > 50) {
          logger.write(
            `Waited for ${Math.round(ms)}ms due to client-side throttling, not priority and fairness, request: ${opts.method}:${String(opts.origin ?? "")}${opts.path}`,
          );
        }
      }),
    );
  }
  layers.push(retry(options.retry));
  layers.push(auth(config.auth));
  if (config.impersonate) layers.push(impersonation(config.impersonate));
  layers.push(userAgent(config.userAgent ?? defaultUserAgent()));
  layers.push(redirect(options.redirect));
  layers.push(warnings(options.warningHandler ?? deduplicatingStderrWarnings()));
  return base.compose(layers);
}
