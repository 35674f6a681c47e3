/**
 * The fake apiserver behind an undici `Dispatcher`, so an `HttpClient` (and every client on it)
 * talks to it exactly as to a real one: same request building, same response decoding, same
 * errors. No socket is opened.
 */

import { Dispatcher } from "undici";
import type { ClientConfig } from "../config/types.js";
import { HttpClient, type HttpClientOptions } from "../rest/http-client.js";
import type { FakeApiServer } from "./fake-apiserver.js";

type Handler = Dispatcher.DispatchHandler;

function headersOf(raw: Dispatcher.DispatchOptions["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
  } else if (
    typeof (raw as Iterable<unknown>)[Symbol.iterator] === "function" &&
    !(typeof raw === "object" && !Array.isArray(raw) && Object.getPrototypeOf(raw) === Object.prototype)
  ) {
    for (const [k, v] of raw as Iterable<[string, string]>) out[k.toLowerCase()] = String(v);
  } else {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

async function bodyText(body: Dispatcher.DispatchOptions["body"]): Promise<string | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** An undici dispatcher answering from a {@link FakeApiServer}. */
export class FakeDispatcher extends Dispatcher {
  readonly #server: FakeApiServer;
  readonly #open = new Set<AbortController>();

  constructor(server: FakeApiServer) {
    super();
    this.#server = server;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    void this.#serve(options, handler);
    return true;
  }

  async #serve(options: Dispatcher.DispatchOptions, handler: Handler): Promise<void> {
    const abort = new AbortController();
    this.#open.add(abort);
    let done = false;
    const controller: Dispatcher.DispatchController = {
      abort: (reason?: Error) => {
        if (done) return;
        abort.abort(reason);
      },
      pause() {},
      resume() {},
      get aborted() {
        return abort.signal.aborted;
      },
      get paused() {
        return false;
      },
      get reason() {
        return (abort.signal.reason as Error | undefined) ?? null;
      },
    } as Dispatcher.DispatchController;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      handler.onResponseError?.(controller, err);
    };
    const signal = (options as { signal?: AbortSignal }).signal;
    const onAbort = () =>
      fail(signal?.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError"));
    signal?.addEventListener("abort", onAbort, { once: true });
    abort.signal.addEventListener("abort", () => fail(abort.signal.reason as Error), { once: true });
    try {
      handler.onRequestStart?.(controller, {});
      const url = new URL(options.path, "http://fake.invalid");
      const response = await this.#server.handle(
        {
          method: options.method,
          path: url.pathname,
          query: url.searchParams,
          headers: headersOf(options.headers),
          body: await bodyText(options.body),
        },
        abort.signal,
      );
      if (abort.signal.aborted) return;
      if ("watch" in response) {
        handler.onResponseStart?.(controller, 200, { "content-type": "application/json" }, "OK");
        for await (const line of response.watch) {
          if (abort.signal.aborted) return;
          handler.onResponseData?.(controller, Buffer.from(line));
        }
      } else {
        const text = JSON.stringify(response.body ?? {});
        handler.onResponseStart?.(controller, response.status, { "content-type": "application/json" }, "");
        if (abort.signal.aborted) return;
        handler.onResponseData?.(controller, Buffer.from(text));
      }
      if (abort.signal.aborted) return;
      done = true;
      handler.onResponseEnd?.(controller, {});
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#open.delete(abort);
    }
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    for (const open of this.#open) open.abort(new Error("the fake dispatcher closed"));
    if (callback) {
      callback();
      return;
    }
    return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b;
    for (const open of this.#open)
      open.abort(a instanceof Error ? a : new Error("the fake dispatcher was destroyed"));
    if (callback) {
      callback();
      return;
    }
    return Promise.resolve();
  }
}

/** The configuration of a fake client: a server URL that is never dialled. */
export function fakeClientConfig(): ClientConfig {
  return { server: "https://fake.invalid", namespace: "default", qps: -1 } as ClientConfig;
}

/** An `HttpClient` whose requests the fake apiserver answers (new-style handlers, via `compose`). */
export function fakeHttpClient(server: FakeApiServer, options: HttpClientOptions = {}): HttpClient {
  // compose() hands the dispatcher handlers in undici's current form whatever the caller used.
  const dispatcher = new FakeDispatcher(server).compose((dispatch) => dispatch);
  return new HttpClient(fakeClientConfig(), dispatcher, options);
}
