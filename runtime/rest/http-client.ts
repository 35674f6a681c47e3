/**
 * `HttpClient`: the HTTP layer of one cluster configuration. It owns the dispatcher (connection
 * pool, rate limiter, auth...) and sends `ApiRequest`s: as JSON calls, watches, or byte streams.
 * A clientset and all its group clients share one.
 */
import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Dispatcher } from "undici";
import type { ApiCaller } from "../clients/api-caller.js";
import type { ClientConfig } from "../config/types.js";
import { encodeQuery } from "../core/options.js";
import type { ApiRequest, CallOptions } from "../core/request.js";
import { type RawWatchEvent, WatchDecoder, type WatchEvent } from "../core/watch.js";
import { errorFromResponse, type Status, StatusError, TransportError } from "../errors.js";
import { buildDispatcher, type TransportOptions } from "../transport/dispatcher.js";

export interface HttpClientOptions extends TransportOptions {
  /**
   * A watch that receives no bytes (no event, no bookmark) for this many milliseconds is ended
   * with a `TransportError` (`EWATCHIDLE`), instead of hanging on a dead connection. Default
   * 5 minutes; 0 disables. Ask for bookmarks so quiet resources still send something.
   */
  watchIdleTimeout?: number;
}

/** A raw answer: status, headers, and the body as text. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const defaultWatchIdleTimeout = 5 * 60_000;

export class HttpClient implements ApiCaller {
  readonly config: ClientConfig;
  readonly dispatcher: Dispatcher;
  readonly #base: string;
  readonly #watchIdleTimeout: number;

  constructor(config: ClientConfig, dispatcher: Dispatcher, options: HttpClientOptions = {}) {
    this.config = config;
    this.dispatcher = dispatcher;
    const server = new URL(config.server);
    if (server.protocol !== "https:" && server.protocol !== "http:") {
      throw new TypeError(`server ${config.server}: the scheme must be https or http`);
    }
    // Keep the path as a prefix; drop credentials, query and fragment.
    this.#base = `${server.protocol}//${server.host}${server.pathname.replace(/\/+$/, "")}`;
    this.#watchIdleTimeout = options.watchIdleTimeout ?? defaultWatchIdleTimeout;
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

  /** The full URL of a request (no credentials in it). */
  url(request: Pick<ApiRequest, "path" | "query">): string {
    const query = encodeQuery(request.query);
    return `${this.#base}${request.path}${query ? `?${query}` : ""}`;
  }

  async #send(request: ApiRequest, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
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
      });
    } catch (err) {
      throw this.#transportError(err, request, signal);
    }
  }

  #transportError(err: unknown, request: ApiRequest, signal: AbortSignal | undefined): Error {
    if (err instanceof StatusError || err instanceof TransportError) return err;
    const where = `${request.method} ${this.url({ path: request.path })}`;
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
    return new TransportError("ECONNECTION", `${where}: ${message}`, { cause: err });
  }

  #signal(options: CallOptions | undefined, applyTimeout: boolean): AbortSignal | undefined {
    const signals: AbortSignal[] = [];
    if (options?.signal) signals.push(options.signal);
    const timeout = options?.timeout ?? this.config.timeout;
    if (applyTimeout && timeout && timeout > 0) signals.push(AbortSignal.timeout(timeout));
    return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
  }

  /** Sends a request and returns the whole answer, whatever its status. */
  async response(request: ApiRequest, options?: CallOptions): Promise<HttpResponse> {
    const signal = this.#signal(options, true);
    const res = await this.#send(request, signal);
    let body: string;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of decodedBody(res)) chunks.push(chunk);
      body = Buffer.concat(chunks).toString("utf8");
    } catch (err) {
      throw this.#transportError(err, request, signal);
    }
    return { statusCode: res.statusCode, headers: res.headers, body };
  }

  /** Sends a request and parses the JSON answer; a non-2xx answer throws a `StatusError`. */
  async json<T>(request: ApiRequest, options?: CallOptions): Promise<T> {
    const res = await this.response(request, options);
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw errorFromResponse(res.statusCode, res.body, {
        method: request.method,
        url: this.url({ path: request.path }),
      });
    }
    if (res.body === "") {
      throw new TransportError(
        "EDECODE",
        `${request.method} ${this.url({ path: request.path })}: 0-length response`,
      );
    }
    try {
      return JSON.parse(res.body) as T;
    } catch (err) {
      throw new TransportError(
        "EDECODE",
        `${request.method} ${this.url({ path: request.path })}: the answer is not JSON: ${res.body.slice(0, 200)}`,
        { cause: err },
      );
    }
  }

  async #open(request: ApiRequest, options: CallOptions | undefined, controller: AbortController) {
    const signal = options?.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const res = await this.#send(request, signal);
    if (res.statusCode < 200 || res.statusCode > 299) {
      const text = await res.body.text().catch(() => "");
      throw errorFromResponse(res.statusCode, text, {
        method: request.method,
        url: this.url({ path: request.path }),
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
        `watch ${this.url({ path: request.path })}: no data for ${idleMs / 1000}s; the connection looks dead`,
      );
    const arm = () => {
      if (idleMs <= 0) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => controller.abort(idleError()), idleMs);
    };
    try {
      arm();
      const { res } = await this.#open(request, options, controller);
      const decoder = new WatchDecoder();
      const toEvent = (raw: RawWatchEvent): WatchEvent<T> => {
        if (raw.type === "ERROR") {
          const status = raw.object as Status;
          throw new StatusError(status, { method: "GET", url: this.url({ path: request.path }) });
        }
        return raw as WatchEvent<T>;
      };
      try {
        for await (const chunk of decodedBody(res)) {
          arm();
          for (const raw of decoder.push(chunk)) yield toEvent(raw);
        }
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof TransportError)
          throw controller.signal.reason;
        throw this.#transportError(err, request, options?.signal);
      }
      for (const raw of decoder.end()) yield toEvent(raw);
    } finally {
      clearTimeout(idleTimer);
      // Ends the connection when the consumer stops early; harmless after a normal end.
      controller.abort();
    }
  }

  /** Opens a byte stream (pod logs): the answer's body, chunk by chunk. No timeout applies. */
  async stream(request: ApiRequest, options?: CallOptions): Promise<AsyncIterable<Uint8Array>> {
    const controller = new AbortController();
    const { res } = await this.#open(request, options, controller);
    const body = decodedBody(res);
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* body;
        } finally {
          controller.abort();
        }
      },
    };
  }

  /** Closes the connection pool. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }
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
