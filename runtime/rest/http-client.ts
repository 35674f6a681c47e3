/**
 * `HttpClient`: the HTTP layer of one cluster configuration. It owns the dispatcher (connection
 * pool, rate limiter, auth...) and sends `ApiRequest`s: as JSON calls, watches, or byte streams.
 * A clientset and all its group clients share one.
 */
import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { type Dispatcher, WebSocket } from "undici";
import type { ClientConfig } from "../config/types.js";
import { encodeQuery } from "../core/options.js";
import type { ApiRequest, CallOptions } from "../core/request.js";
import { redactUrl } from "../core/url.js";
import { type RawWatchEvent, WatchDecoder, type WatchEvent } from "../core/watch.js";
import { errorFromResponse, isStatusObject, type Status, StatusError, TransportError } from "../errors.js";
import { buildDispatcher, type TransportKind, type TransportOptions } from "../transport/dispatcher.js";
import { FetchDispatcher } from "../transport/fetch-dispatcher.js";
import { parseWarningHeaders } from "../transport/interceptors/warnings.js";
import type { ApiCaller } from "./api-caller.js";
import { type DecodedJsonBody, decodeJsonBody, JsonBodyError } from "./json-body.js";

/** Options of an `HttpClient`: the transport's, plus the watch idle watchdog. */
export interface HttpClientOptions extends TransportOptions {
  /**
   * A watch that receives no bytes (no event, no bookmark) for this many milliseconds is ended
   * with a `TransportError` (`EWATCHIDLE`), instead of hanging on a dead connection. Default
   * 5 minutes; 0 disables. Ask for bookmarks so quiet resources still send something.
   */
  watchIdleTimeout?: number;
  /**
   * The longest line (one event) a watch accepts, in bytes; a longer one ends the watch with a
   * `TransportError` (`EDECODE`). Default 128 MiB (see `defaultMaxWatchLineBytes`).
   */
  watchMaxLineBytes?: number;
}

/** A raw answer: status, headers, the body (as text and bytes) and the server's warnings. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The (gunzipped) body decoded as UTF-8. */
  body: string;
  /** The (gunzipped) body as bytes. */
  bytes: Uint8Array;
  /** Texts of the `Warning` headers (also handed to the warning handler). */
  warnings: string[];
}

/** Node's TLS failures: untrusted or expired certificate, wrong host name, handshake errors. */
function isTlsFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (
    typeof code === "string" &&
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|HOSTNAME_MISMATCH)/.test(
      code,
    )
  );
}

const defaultWatchIdleTimeout = 5 * 60_000;

/**
 * The HTTP layer of one cluster configuration: one dispatcher (pool, rate limiter, auth, retries)
 * shared by every client built on it.
 *
 * @example
 * const http = HttpClient.forConfig(config);
 * const ns = await http.json<NamespaceList>({ method: "GET", path: "/api/v1/namespaces" });
 * await http.close();
 */
export class HttpClient implements ApiCaller {
  /** The configuration this client was built from. */
  readonly config: ClientConfig;
  /** The composed undici dispatcher every request goes through. */
  readonly dispatcher: Dispatcher;
  readonly #base: string;
  readonly #watchIdleTimeout: number;
  readonly #options: HttpClientOptions;

  /** Wraps a dispatcher built for `config`; most callers want `HttpClient.forConfig`. */
  constructor(config: ClientConfig, dispatcher: Dispatcher, options: HttpClientOptions = {}) {
    this.config = config;
    this.dispatcher = dispatcher;
    let server: URL;
    try {
      server = new URL(config.server);
    } catch {
      throw new TransportError("ECONFIG", `server ${JSON.stringify(redactUrl(config.server))} is not a URL`);
    }
    if (server.protocol !== "https:" && server.protocol !== "http:") {
      throw new TransportError(
        "ECONFIG",
        `server ${server.protocol}//${server.host}: the scheme must be https or http`,
      );
    }
    // Keep the path as a prefix; drop credentials, query and fragment.
    this.#base = `${server.protocol}//${server.host}${server.pathname.replace(/\/+$/, "")}`;
    this.#watchIdleTimeout = options.watchIdleTimeout ?? defaultWatchIdleTimeout;
    this.#options = options;
  }

  /**
   * The HTTP layer for a configuration.
   *
   * @example
   * const http = HttpClient.forConfig(await loadKubeconfig());
   */
  static forConfig(config: ClientConfig, options: HttpClientOptions = {}): HttpClient {
    return new HttpClient(config, buildDispatcher(config, options), options);
  }

  /**
   * A client whose dispatcher is this one wrapped by `wrap`: the escape hatch for layers of your
   * own (metrics, tracing, a cache). Both clients share the connection pool and rate limiter.
   *
   * @example
   * const traced = http.withDispatcher((d) => d.compose(myTracingInterceptor));
   */
  withDispatcher(wrap: (dispatcher: Dispatcher) => Dispatcher): HttpClient {
    return new HttpClient(this.config, wrap(this.dispatcher), this.#options);
  }

  /**
   * The transport under the layers: `"undici"` (its pools) or `"fetch"` (the runtime's fetch;
   * the default where undici's dispatchers are missing, as on Bun).
   */
  get transport(): TransportKind {
    return this.dispatcher instanceof FetchDispatcher ? "fetch" : "undici";
  }

  /** The full URL of a request (no credentials in it). */
  url(request: Pick<ApiRequest, "path" | "query">): string {
    const query = encodeQuery(request.query);
    return `${this.#base}${request.path}${query ? `?${query}` : ""}`;
  }

  /**
   * Where a request went, for messages: `GET https://host/api/v1/pods` (redacted: no user info,
   * no query).
   */
  where(request: Pick<ApiRequest, "method" | "path">): string {
    return `${request.method} ${this.#at(request).url}`;
  }

  /** The request as `StatusError` takes it: method and redacted URL. */
  #at(request: Pick<ApiRequest, "method" | "path">): { method: string; url: string } {
    return { method: request.method, url: redactUrl(this.url({ path: request.path })) };
  }

  async #send(
    request: ApiRequest,
    signal: AbortSignal | undefined,
    longRunning = false,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    if (!this.config.disableCompression) headers["accept-encoding"] ??= "gzip";
    let body: string | Uint8Array | undefined;
    if (request.body !== undefined) {
      body =
        typeof request.body === "string" || request.body instanceof Uint8Array
          ? request.body
          : JSON.stringify(request.body);
      headers["content-type"] = request.contentType ?? "application/json";
    }
    const url = this.url(request);
    try {
      return await this.dispatcher.request({
        origin: new URL(url).origin,
        path: url.slice(new URL(url).origin.length),
        method: request.method,
        headers,
        body,
        signal,
        // Watches and log streams may be quiet for long: undici's 300 s body timeout must not cut
        // them (the watch has its own idle watchdog).
        ...(longRunning ? { bodyTimeout: 0 } : {}),
      });
    } catch (err) {
      throw this.#transportError(err, request, signal);
    }
  }

  #transportError(err: unknown, request: ApiRequest, signal: AbortSignal | undefined): Error {
    if (err instanceof StatusError || err instanceof TransportError) return err;
    const where = this.where(request);
    if (signal?.aborted) {
      const reason = signal.reason as unknown;
      if (reason instanceof DOMException && reason.name === "TimeoutError") {
        return new TransportError("ETIMEOUT", `${where}: timed out`, { cause: err });
      }
      return reason instanceof Error
        ? reason
        : new TransportError("ECONNECTION", `${where}: aborted`, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof SyntaxError)
      return new TransportError("EDECODE", `${where}: ${message}`, { cause: err });
    if (isTlsFailure(err)) {
      return new TransportError("ETLS", `${where}: TLS handshake failed: ${message}`, { cause: err });
    }
    return new TransportError("ECONNECTION", `${where}: ${message}`, { cause: err });
  }

  #signal(options: CallOptions | undefined, applyTimeout: boolean): AbortSignal | undefined {
    const signals: AbortSignal[] = [];
    if (options?.signal) signals.push(options.signal);
    const timeout = options?.timeout ?? this.config.timeout;
    if (applyTimeout && timeout && timeout > 0) signals.push(AbortSignal.timeout(timeout));
    // A signal of the request's own, even for one: undici listens on it, and many requests sharing
    // a caller's signal would otherwise pile listeners on that signal (a leak warning past ten).
    return signals.length === 0 ? undefined : AbortSignal.any(signals);
  }

  /** Sends a request and returns the whole answer, whatever its status. */
  async response(request: ApiRequest, options?: CallOptions): Promise<HttpResponse> {
    const signal = this.#signal(options, true);
    const res = await this.#send(request, signal);
    let bytes: Buffer;
    try {
      bytes = await readBody(res);
    } catch (err) {
      throw this.#transportError(err, request, signal);
    }
    return {
      statusCode: res.statusCode,
      headers: res.headers,
      body: bytes.toString("utf8"),
      bytes,
      warnings: parseWarningHeaders(res.headers.warning),
    };
  }

  /**
   * The error for a non-2xx answer, or for a 2xx answer whose body is a failed `Status` (client-go
   * turns those into errors too); undefined when the answer is a success.
   */
  errorFor(
    request: ApiRequest,
    res: Pick<HttpResponse, "statusCode" | "headers" | "body">,
  ): StatusError | undefined {
    if (res.statusCode < 200 || res.statusCode > 299) {
      return errorFromResponse(res.statusCode, res.body, {
        ...this.#at(request),
        retryAfter: res.headers["retry-after"],
      });
    }
    if (res.body.startsWith("{") && res.body.includes('"Failure"')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        return undefined;
      }
      if (isStatusObject(parsed) && parsed.status === "Failure") {
        return new StatusError({ ...parsed, code: parsed.code || res.statusCode }, this.#at(request));
      }
    }
    return undefined;
  }

  /**
   * Sends a request and parses the JSON answer; a non-2xx answer throws a `StatusError`, and so
   * does a 2xx answer that is a failed `Status`. A large answer is parsed as it arrives
   * (`decodeJsonBody`): the items of a list run by run, never the whole body held as bytes and
   * text at once. Whether it failed is read from the status code and the parsed value's `kind`,
   * without a second pass over the body.
   */
  async json<T>(request: ApiRequest, options?: CallOptions): Promise<T> {
    const signal = this.#signal(options, true);
    const res = await this.#send(request, signal);
    if (res.statusCode < 200 || res.statusCode > 299) {
      let bytes: Buffer;
      try {
        bytes = await readBody(res);
      } catch (err) {
        throw this.#transportError(err, request, signal);
      }
      throw this.errorFor(request, {
        statusCode: res.statusCode,
        headers: res.headers,
        body: bytes.toString("utf8"),
      })!;
    }
    let decoded: DecodedJsonBody;
    try {
      decoded = await decodeJsonBody(decodedBody(res));
    } catch (err) {
      if (err instanceof JsonBodyError) {
        throw new TransportError(
          "EDECODE",
          `${this.where(request)}: the answer is not JSON: ${err.excerpt}`,
          {
            cause: err,
          },
        );
      }
      throw this.#transportError(err, request, signal);
    }
    if (decoded.bytes === 0) throw new TransportError("EDECODE", `${this.where(request)}: 0-length response`);
    const value = decoded.value;
    if (isStatusObject(value) && value.status === "Failure") {
      throw new StatusError({ ...value, code: value.code || res.statusCode }, this.#at(request));
    }
    return value as T;
  }

  async #open(request: ApiRequest, options: CallOptions | undefined, controller: AbortController) {
    const signal = options?.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const res = await this.#send(request, signal, true);
    if (res.statusCode < 200 || res.statusCode > 299) {
      // A body that breaks off is left out: the status code says enough.
      const text = await readBody(res).then(
        (bytes) => bytes.toString("utf8"),
        () => "",
      );
      throw errorFromResponse(res.statusCode, text, {
        ...this.#at(request),
        retryAfter: res.headers["retry-after"],
      });
    }
    return { res, signal };
  }

  /**
   * Opens a watch and yields its events as they arrive. Stopping the loop (or aborting the signal)
   * closes the connection; an `ERROR` event is thrown as a `StatusError`.
   */
  async *watch<T>(
    request: ApiRequest,
    options?: CallOptions,
  ): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const controller = new AbortController();
    const idleMs = this.#watchIdleTimeout;
    let idleTimer: NodeJS.Timeout | undefined;
    const idleError = () =>
      new TransportError(
        "EWATCHIDLE",
        `watch ${this.#at(request).url}: no data for ${idleMs / 1000}s; the connection looks dead`,
      );
    const arm = () => {
      if (idleMs <= 0) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => controller.abort(idleError()), idleMs);
    };
    try {
      arm();
      const { res } = await this.#open(request, options, controller);
      const decoder = new WatchDecoder({ maxLineBytes: this.#options.watchMaxLineBytes });
      const toEvent = (raw: RawWatchEvent): WatchEvent<T> => {
        if (raw.type === "ERROR") {
          const status = raw.object as Status;
          throw new StatusError(status, { ...this.#at(request), method: "GET" });
        }
        return raw as WatchEvent<T>;
      };
      try {
        for await (const chunk of decodedBody(res)) {
          const events = decoder.push(chunk);
          if (events.length > 0) {
            // The watchdog judges the server, not a consumer that takes its time with an event.
            clearTimeout(idleTimer);
            for (const raw of events) yield toEvent(raw);
            // A bad line after those events: fail now, not when (if ever) more bytes come.
            decoder.throwIfFailed();
          }
          arm();
        }
        clearTimeout(idleTimer);
        for (const raw of decoder.end()) yield toEvent(raw);
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof TransportError)
          throw controller.signal.reason;
        throw this.#transportError(err, request, options?.signal);
      }
    } finally {
      clearTimeout(idleTimer);
      // Ends the connection when the consumer stops early; harmless after a normal end.
      controller.abort();
    }
  }

  /**
   * Opens a WebSocket to `request`'s path (`wss://` for an `https://` server) through this client's
   * dispatcher, so TLS and credentials are the same as for every request; resolves once the
   * server accepted one of `protocols` (see `protocol`), rejects with a `TransportError` if not.
   */
  websocket(request: ApiRequest, protocols: readonly string[], options?: CallOptions): Promise<WebSocket> {
    if (this.transport === "fetch") {
      const where = this.where({ method: "GET", path: request.path });
      return Promise.reject(
        new TransportError(
          "ECONFIG",
          `${where}: WebSockets (exec, attach, port-forward, cp) need the undici transport`,
        ),
      );
    }
    const url = this.url(request).replace(/^http/, "ws");
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { protocols: [...protocols], dispatcher: this.dispatcher });
      socket.binaryType = "arraybuffer";
      const where = this.where({ method: "GET", path: request.path });
      const onAbort = () => socket.close();
      const done = () => {
        socket.removeEventListener("open", onOpen);
        socket.removeEventListener("error", onError);
        options?.signal?.removeEventListener("abort", onAbort);
      };
      const onOpen = () => {
        done();
        resolve(socket);
      };
      const onError = (event: Event) => {
        done();
        const message = (event as { message?: string }).message || "the WebSocket handshake failed";
        reject(new TransportError("ECONNECTION", `${where}: ${message}`, { cause: event }));
      };
      socket.addEventListener("open", onOpen);
      socket.addEventListener("error", onError);
      options?.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Opens a byte stream (pod logs): the answer's body, chunk by chunk. No timeout applies; stopping
   * the loop or aborting the signal closes the connection. A non-2xx answer rejects with a
   * `StatusError`; a broken connection ends the loop with a `TransportError`.
   */
  async stream(request: ApiRequest, options?: CallOptions): Promise<AsyncIterable<Uint8Array>> {
    const controller = new AbortController();
    const { res } = await this.#open(request, options, controller);
    const body = decodedBody(res);
    const toError = (err: unknown) => this.#transportError(err, request, options?.signal);
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const chunk of body) yield chunk as Uint8Array;
        } catch (err) {
          throw toError(err);
        } finally {
          controller.abort();
        }
      },
    };
  }

  /** Closes the connection pool once requests in flight are done. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }

  /** Closes every connection now; requests in flight (watches included) fail. */
  destroy(): Promise<void> {
    return this.dispatcher.destroy();
  }
}

/**
 * A JSON answer's body, parsed; an empty or non-JSON body is an `EDECODE` error saying `where`
 * the request went (client-go's "0-length response"). `HttpClient.json` and the RESTClient's
 * `Result.into` both decode with it.
 *
 * @example
 * decodeJson<PodList>(res.body, http.where(request))
 */
export function decodeJson<T>(body: string, where: string): T {
  if (body === "") throw new TransportError("EDECODE", `${where}: 0-length response`);
  try {
    return JSON.parse(body) as T;
  } catch (err) {
    throw new TransportError("EDECODE", `${where}: the answer is not JSON: ${body.slice(0, 200)}`, {
      cause: err,
    });
  }
}

/** The whole (gunzipped) body of an answer. */
async function readBody(res: Dispatcher.ResponseData): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of decodedBody(res)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The answer's body, gunzipped when the server compressed it. */
function decodedBody(res: Dispatcher.ResponseData): AsyncIterable<Buffer> {
  const encoding = res.headers["content-encoding"];
  if (encoding === "gzip" || (Array.isArray(encoding) && encoding.includes("gzip"))) {
    // pipeline() forwards errors and aborts, so a closed watch ends its gunzip stream too.
    return pipeline(res.body as Readable, createGunzip(), () => {});
  }
  return res.body as AsyncIterable<Buffer>;
}
