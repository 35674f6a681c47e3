/**
 * The one thing the generic clients need from the HTTP layer: send an `ApiRequest` and decode the
 * answer as JSON, a watch, or a byte stream. `HttpClient` implements it; tests may fake it.
 */
import type { WebSocket } from "undici";
import type { ApiRequest, CallOptions } from "../core/request.js";
import type { WatchEvent } from "../core/watch.js";

export interface ApiCaller {
  /** Sends the request and parses the JSON answer; non-2xx answers throw (`StatusError`...). */
  json<T>(request: ApiRequest, options?: CallOptions): Promise<T>;
  /** Opens a watch: events are decoded as they arrive, and the connection closes when iteration stops. */
  watch<T>(request: ApiRequest, options?: CallOptions): AsyncIterable<WatchEvent<T>>;
  /** Opens a byte stream (pod logs): chunks as they arrive. */
  stream(request: ApiRequest, options?: CallOptions): Promise<AsyncIterable<Uint8Array>>;
  /**
   * Opens a WebSocket (exec, attach, port-forward) with one of `protocols`, through the same
   * transport (TLS, credentials). Resolves once open; callers without one cannot exec.
   */
  websocket?(request: ApiRequest, protocols: readonly string[], options?: CallOptions): Promise<WebSocket>;
}
