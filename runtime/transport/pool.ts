/**
 * The connection pool of one client certificate: requests go through a pool capped at
 * `maxConnsPerHost` connections per origin (HTTP/1.1 carries one request at a time, so a burst of
 * a thousand requests would otherwise open a thousand connections); long-running requests
 * (watches, followed logs, WebSocket upgrades: those sent without a body timeout) go through an
 * uncapped pool of their own, so open watches can never take every connection and leave the
 * capped requests waiting forever.
 */
import { Dispatcher } from "undici";

/**
 * Whether a request is long-running: a WebSocket upgrade, or a request without a body timeout
 * (`HttpClient` sends watches and streams with `bodyTimeout: 0`).
 */
export function isLongRunning(options: Dispatcher.DispatchOptions): boolean {
  return Boolean(options.upgrade) || options.bodyTimeout === 0;
}

/**
 * Sends requests through `requests` and long-running ones through `longRunning`.
 *
 * @example
 * new SplitPool(new Agent({ connections: 32 }), new Agent())
 */
export class SplitPool extends Dispatcher {
  // Plain (not #private) fields: undici's compose() wraps this object in a Proxy.
  private readonly requests: Dispatcher;
  private readonly longRunning: Dispatcher;

  constructor(requests: Dispatcher, longRunning: Dispatcher) {
    super();
    this.requests = requests;
    this.longRunning = longRunning;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return (isLongRunning(options) ? this.longRunning : this.requests).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.requests.close(), this.longRunning.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.requests.destroy(), this.longRunning.destroy()]);
  }
}
