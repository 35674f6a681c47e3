/**
 * The fetch transport: the base of the dispatcher chain over the runtime's own `fetch`, for
 * runtimes where undici's dispatcher model is missing. Bun answers `import "undici"` with a
 * built-in stand-in whose Agent has no `compose()` (nor interceptors, nor pools of ours).
 *
 * It is a transport, not a second client: `FetchDispatcher` speaks undici's handler protocol
 * (`onRequestStart` … `onResponseEnd`), so the same interceptors (auth, retry, rate limit,
 * warnings, redirects, logging) wrap it through the same `compose()`, and `HttpClient` reads its
 * answers through the same `request()` shape (status, headers, a body stream). What differs is
 * only how bytes reach the server:
 *
 * - **TLS and proxy** go into the runtime's own fetch options: Bun's `tls` and `proxy` init
 *   fields; Deno's `Deno.createHttpClient({ caCerts, cert, key, proxy })`, one client per client
 *   certificate. What the runtime cannot do is a `TransportError` (`ECONFIG`) when the client is
 *   built (or, for a certificate an exec plugin returns, when the request is sent): Deno cannot
 *   skip verification or set the server name for one client; Node's global fetch takes no TLS
 *   settings at all (Node has undici's transport); no runtime's fetch speaks SOCKS5.
 * - **Compression** is the runtime's: fetch decodes gzip itself, so the answer is handed on
 *   without its `Content-Encoding`; with compression off the request asks for `identity`.
 * - **Repeated headers** are joined into one by fetch, which for impersonation (several
 *   `Impersonate-Group` headers) would change their meaning: such a request fails (`ECONFIG`).
 * - **Redirects** are not followed by fetch (`redirect: "manual"`): the redirect layer decides,
 *   as with undici.
 * - **WebSockets** (exec, attach, port-forward, cp) need undici's transport.
 */
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { ClientConfig } from "../config/types.js";
import { proxyUrlProblem } from "../core/proxy-rules.js";
import { redactUrl } from "../core/url.js";
import { TransportError } from "../errors.js";
import { clientCertificateOption, type TaggedOptions } from "./client-certificate.js";
import { signalOf } from "./handler.js";
import { headerPairs } from "./interceptors/headers.js";
import { proxyFromEnvironment } from "./proxy-env.js";
import { type CertificatePair, checkTlsConfig, connectOptions, reloadingClientCertificate } from "./tls.js";

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type Interceptor = Dispatcher.DispatcherComposeInterceptor;
type IncomingHeaders = Record<string, string | string[] | undefined>;

/** The runtime-specific part of a fetch: the init fields that set TLS and the proxy. */
interface FetchRuntime {
  /** `bun`, `deno` or `node` (any other runtime with a global fetch counts as the latter). */
  readonly name: string;
  /** Extra `RequestInit` fields for a request presenting `certificate` (or the configured one). */
  init(certificate: CertificatePair | undefined): Record<string, unknown>;
  close(): void;
}

interface DenoHttpClient {
  close(): void;
}
interface DenoNamespace {
  createHttpClient(options: {
    caCerts?: string[];
    cert?: string;
    key?: string;
    proxy?: { url: string };
  }): DenoHttpClient;
}

/** The runtime this code runs on, as far as its fetch is concerned. */
export function fetchRuntimeName(): "bun" | "deno" | "node" {
  if ((globalThis as { Deno?: Partial<DenoNamespace> }).Deno?.createHttpClient) return "deno";
  if (typeof process !== "undefined" && process.versions?.bun) return "bun";
  return "node";
}

const unsupported = (runtime: string, what: string) =>
  new TransportError(
    "ECONFIG",
    `${what}: the fetch transport cannot do this on ${runtime}; use the undici transport ` +
      `(transport: "undici") where undici works`,
  );

const certificateKey = (c: CertificatePair) => `${c.cert}\u0000${c.key}`;

/** How this runtime's fetch reaches the server as the configuration says. */
function fetchRuntimeFor(config: ClientConfig, env: NodeJS.ProcessEnv): FetchRuntime {
  const tls = connectOptions(config.tls);
  if (config.proxyUrl) {
    const problem = proxyUrlProblem(config.proxyUrl);
    if (problem) throw new TransportError("ECONFIG", `proxy-url ${redactUrl(config.proxyUrl)}: ${problem}`);
  }
  const proxyUrl = config.proxyUrl || proxyFromEnvironment(config.server, env);
  const name = fetchRuntimeName();
  if (proxyUrl && new URL(proxyUrl).protocol === "socks5:")
    throw unsupported(name, `proxy ${redactUrl(proxyUrl)} (SOCKS5)`);

  if (name === "bun") {
    return {
      name,
      init(certificate) {
        const options: Record<string, unknown> = {};
        if (tls.ca) options.ca = tls.ca;
        const pair = certificate ?? (tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : undefined);
        if (pair) Object.assign(options, pair);
        if (tls.servername) options.serverName = tls.servername;
        if (tls.rejectUnauthorized === false) options.rejectUnauthorized = false;
        return { tls: options, ...(proxyUrl ? { proxy: proxyUrl } : {}) };
      },
      close() {},
    };
  }

  if (name === "deno") {
    if (tls.rejectUnauthorized === false)
      throw unsupported("Deno", "insecure-skip-tls-verify (Deno skips verification only process-wide)");
    if (tls.servername) throw unsupported("Deno", `tls-server-name ${tls.servername}`);
    const deno = (globalThis as unknown as { Deno: DenoNamespace }).Deno;
    const clients = new Map<string, DenoHttpClient>();
    const retired: DenoHttpClient[] = [];
    const clientFor = (pair: CertificatePair | undefined) => {
      const key = pair ? certificateKey(pair) : "";
      let client = clients.get(key);
      if (!client) {
        client = deno.createHttpClient({
          ...(tls.ca ? { caCerts: [tls.ca] } : {}),
          ...(pair ?? {}),
          ...(proxyUrl ? { proxy: { url: proxyUrl } } : {}),
        });
        clients.set(key, client);
        // A rotated certificate replaces the old one: the newest two serve, older ones only
        // finish what they carry (a watch may run for hours) and close with the dispatcher.
        while (clients.size > 2) {
          const [oldest] = clients.keys();
          retired.push(clients.get(oldest!)!);
          clients.delete(oldest!);
        }
      }
      return client;
    };
    clientFor(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : undefined);
    return {
      name,
      init: (certificate) => ({
        client: clientFor(
          certificate ?? (tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : undefined),
        ),
      }),
      close() {
        for (const client of [...clients.values(), ...retired.splice(0)]) client.close();
        clients.clear();
      },
    };
  }

  // Node's global fetch (or another runtime's) takes no TLS settings per request.
  const settings = [
    tls.ca && "certificate-authority",
    tls.cert && "client-certificate",
    tls.servername && "tls-server-name",
    tls.rejectUnauthorized === false && "insecure-skip-tls-verify",
    proxyUrl && "proxy",
  ].filter(Boolean);
  if (settings.length) throw unsupported("this runtime's global fetch", settings.join(", "));
  return {
    name,
    init(certificate) {
      if (certificate)
        throw unsupported("this runtime's global fetch", "a client certificate from credentials");
      return {};
    },
    close() {},
  };
}

/** The state undici's handlers expect to find on the controller they are given. */
class FetchController implements Controller {
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  #resume: (() => void) | undefined;
  readonly #abort: AbortController;

  constructor(abort: AbortController) {
    this.#abort = abort;
  }
  get aborted(): boolean {
    return this.#aborted;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get reason(): Error | null {
    return this.#reason;
  }
  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? new DOMException("This operation was aborted", "AbortError");
    this.#abort.abort(this.#reason);
    this.resume();
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    const wake = this.#resume;
    this.#resume = undefined;
    wake?.();
  }
  /** Resolves once the handler no longer holds the response back. */
  whileResumed(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.#resume = resolve;
    });
  }
}

/** Bun's names for connection failures, as the codes the retry layer and messages know. */
const errorCodes: Record<string, string> = {
  ConnectionClosed: "ECONNRESET",
  ConnectionRefused: "ECONNREFUSED",
  ECONNRESET: "ECONNRESET",
};

/** A fetch failure as an Error with a Node-style `code` where one can be told. */
function fetchError(err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  const cause = (error as { cause?: unknown }).cause as { code?: unknown; message?: unknown } | undefined;
  const raw = [(error as { code?: unknown }).code, cause?.code].find((c) => typeof c === "string") as
    | string
    | undefined;
  const text = `${error.message} ${typeof cause?.message === "string" ? cause.message : ""}`;
  let code = raw ? (errorCodes[raw] ?? raw) : undefined;
  if (!code && /certificate|handshake|\bTLS\b|\bSSL\b/i.test(text)) code = "ERR_TLS_HANDSHAKE";
  if (!code && /connection reset|broken pipe|connection closed/i.test(text)) code = "ECONNRESET";
  if (!code || (error as { code?: unknown }).code === code) return error;
  const message =
    cause && typeof cause.message === "string" && cause.message !== error.message
      ? `${error.message}: ${cause.message}`
      : error.message;
  return Object.assign(new Error(message, { cause: err }), { code });
}

/** The answer's headers as undici hands them on: lower-case names, repeated ones joined. */
function incomingHeaders(headers: Headers): IncomingHeaders {
  const out: IncomingHeaders = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  // fetch has decoded the body already.
  const encoding = out["content-encoding"];
  if (typeof encoding === "string" && /^(gzip|x-gzip|deflate|br)$/i.test(encoding.trim())) {
    delete out["content-encoding"];
    delete out["content-length"];
  }
  return out;
}

/**
 * A dispatcher over the runtime's `fetch`: `dispatch` with undici's handler protocol, undici's
 * `compose()` and `request()`, `close()` and `destroy()`. `buildDispatcher` builds it on runtimes
 * without undici's dispatchers, or for `transport: "fetch"`.
 *
 * @example
 * const dispatcher = new FetchDispatcher(config); // then buildDispatcher(config, { baseDispatcher })
 */
export class FetchDispatcher {
  /** The runtime whose fetch is used: `bun`, `deno` or `node`. */
  readonly runtime: string;
  readonly #fetch: FetchRuntime;
  readonly #configured: (() => CertificatePair) | undefined;
  readonly #inFlight = new Set<{ done: Promise<void>; controller: FetchController }>();
  #closed = false;

  /**
   * @throws {TransportError} `ECONFIG` for settings this runtime's fetch cannot honour, an
   *   unreadable PEM file, or a bad proxy URL
   */
  constructor(config: ClientConfig, env: NodeJS.ProcessEnv = process.env) {
    checkTlsConfig(config.tls);
    this.#fetch = fetchRuntimeFor(config, env);
    this.runtime = this.#fetch.name;
    // Certificate files are re-read when they change, as with undici's pools.
    this.#configured = reloadingClientCertificate(config.tls);
  }

  /** Sends a request, reporting to `handler` as undici's dispatchers do. Always returns true. */
  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    const abort = new AbortController();
    const controller = new FetchController(abort);
    const entry = { controller, done: Promise.resolve() };
    entry.done = this.#send(opts as TaggedOptions, handler, controller, abort).finally(() =>
      this.#inFlight.delete(entry),
    );
    this.#inFlight.add(entry);
    return true;
  }

  async #send(
    opts: TaggedOptions,
    handler: Handler,
    controller: FetchController,
    abort: AbortController,
  ): Promise<void> {
    const fail = (err: unknown) =>
      handler.onResponseError?.(controller, controller.reason ?? fetchError(err));
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      handler.onRequestStart?.(controller, {});
      if (this.#closed) throw new TransportError("ECONNECTION", "the client is closed");
      const signal = signalOf(opts);
      if (signal?.aborted) controller.abort(signal.reason as Error);
      if (controller.aborted) return fail(controller.reason);
      const body = opts.body;
      if (!(body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array))
        throw new TypeError("the fetch transport sends string or byte bodies only");
      const headers = new Headers();
      for (const [name, value] of headerPairs(opts.headers)) {
        // fetch joins a repeated header into one line, which the apiserver reads as one value.
        if (headers.has(name) && /^impersonate-/i.test(name))
          throw new TransportError(
            "ECONFIG",
            `${name} more than once (several groups or extra values): fetch joins repeated headers ` +
              `into one value; use the undici transport`,
          );
        headers.append(name, value);
      }
      // fetch asks for gzip by itself; without compression the request must say so.
      if (!headers.has("accept-encoding")) headers.set("accept-encoding", "identity");
      const certificate = opts[clientCertificateOption] ?? this.#configured?.();
      const url = new URL(opts.path, String(opts.origin));
      const res = await fetch(url, {
        method: opts.method,
        headers,
        body: body ?? undefined,
        signal: signal ? AbortSignal.any([signal, abort.signal]) : abort.signal,
        redirect: "manual",
        ...this.#fetch.init(certificate),
      } as RequestInit);
      reader = res.body?.getReader();
      handler.onResponseStart?.(controller, res.status, incomingHeaders(res.headers), res.statusText);
      if (controller.aborted) return fail(controller.reason);
      while (reader) {
        await controller.whileResumed();
        if (controller.aborted) return fail(controller.reason);
        const { done, value } = await reader.read();
        if (done) break;
        handler.onResponseData?.(controller, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
      if (controller.aborted) return fail(controller.reason);
      handler.onResponseEnd?.(controller, {});
    } catch (err) {
      fail(err);
    } finally {
      if (controller.aborted) void reader?.cancel().catch(() => {});
    }
  }

  /**
   * undici's `Dispatcher.compose`: the interceptors wrap `dispatch`, the last one seeing a request
   * first; `request()` and a further `compose()` go through them, the rest is this dispatcher's.
   */
  compose(...args: (Interceptor | Interceptor[])[]): FetchDispatcher {
    return composeOver(this, this.dispatch.bind(this), args);
  }

  /**
   * undici's `Dispatcher.request`: resolves at the response's start with status, headers and the
   * body as a stream. Destroying the body (or the request's `signal`) aborts the request.
   */
  request(opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    return requestOver(this.dispatch.bind(this), opts);
  }

  /** Stops taking requests; resolves once those in flight are done. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#inFlight].map((r) => r.done));
    this.#fetch.close();
  }

  /** Aborts every request in flight now. */
  async destroy(): Promise<void> {
    this.#closed = true;
    const error = new TransportError("ECONNECTION", "the client was destroyed");
    for (const r of this.#inFlight) r.controller.abort(error);
    await Promise.all([...this.#inFlight].map((r) => r.done));
    this.#fetch.close();
  }
}

type Dispatch = Dispatcher["dispatch"];

/** The dispatcher with `base` wrapped by the interceptors, as undici's `compose()` returns it. */
function composeOver(
  target: FetchDispatcher,
  base: Dispatch,
  args: (Interceptor | Interceptor[])[],
): FetchDispatcher {
  const interceptors = (Array.isArray(args[0]) ? args[0] : args) as (Interceptor | null | undefined)[];
  let dispatch = base;
  for (const interceptor of interceptors) if (interceptor) dispatch = interceptor(dispatch);
  return new Proxy(target, {
    get(t, key) {
      if (key === "dispatch") return dispatch;
      if (key === "request") return (opts: Dispatcher.RequestOptions) => requestOver(dispatch, opts);
      if (key === "compose")
        return (...more: (Interceptor | Interceptor[])[]) => composeOver(t, dispatch, more);
      const value = Reflect.get(t, key, t) as unknown;
      // Private fields are the target's: its methods run on it, not on the Proxy.
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** undici's `request()` over any `dispatch`: the response at its start, the body as a stream. */
function requestOver(dispatch: Dispatch, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const signal = signalOf(opts);
    let body: Readable | undefined;
    let ended = false;
    let controller: Controller | undefined;
    const onAbort = () => controller?.abort((signal?.reason as Error) ?? new Error("aborted"));
    const cleanup = () => signal?.removeEventListener("abort", onAbort);
    dispatch(opts, {
      onRequestStart(c) {
        controller = c;
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      },
      onResponseStart(c, statusCode, headers) {
        body = new Readable({
          read: () => c.resume(),
          destroy: (err, callback) => {
            if (!ended && !c.aborted)
              c.abort(err ?? new DOMException("The body was destroyed", "AbortError"));
            callback(err);
          },
        });
        resolve({ statusCode, headers, body, trailers: {}, opaque: null, context: {} } as never);
      },
      onResponseData(c, chunk) {
        if (body && !body.push(chunk)) c.pause();
      },
      onResponseEnd() {
        ended = true;
        cleanup();
        body?.push(null);
      },
      onResponseError(_c, error) {
        cleanup();
        if (!body) reject(error);
        else if (!body.destroyed) body.destroy(error);
      },
    });
  });
}
