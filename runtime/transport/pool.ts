/**
 * The connection pool of one client certificate: requests go through a pool capped at
 * `maxConnsPerHost` connections per origin (HTTP/1.1 carries one request at a time, so a burst of
 * a thousand requests would otherwise open a thousand connections); long-running requests
 * (watches, followed logs, WebSocket upgrades: those sent without a body timeout) go through an
 * uncapped pool of their own, so open watches can never take every connection and leave the
 * capped requests waiting forever.
 *
 * With HTTP/2 asked for, both pools are an `Http2Pool`: each connection carries up to
 * `http2StreamsPerConnection` streams and another is opened when they are all full, as Go's
 * http2.Transport does for client-go (StrictMaxConcurrentStreams off).
 */
import { Agent, buildConnector, Client, Dispatcher, errors } from "undici";

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

/**
 * The most streams one HTTP/2 connection carries. kube-apiserver advertises 100 unless started
 * with `--http2-max-streams-per-connection` (Node's http2 server too; Go's default is 250).
 * undici 7 does not hold to the server's SETTINGS_MAX_CONCURRENT_STREAMS (nodejs/undici#5134): a
 * stream beyond it would wait on the connection until another ends, which for a watch is never.
 */
export const http2StreamsPerConnection = 100;

/** A request waiting for room: its options, its handler, and what stops it listening for an abort. */
type Waiting = [Dispatcher.DispatchOptions, Dispatcher.DispatchHandler, (() => void)?];

/** The handler methods that end a request, in undici's handler API and its older one. */
const endings = new Set<PropertyKey>([
  "onResponseEnd",
  "onResponseError",
  "onRequestUpgrade",
  "onComplete",
  "onError",
  "onUpgrade",
]);

/** `handler`, calling `ended` once after the first of its methods that end the request. */
function whenEnded(handler: Dispatcher.DispatchHandler, ended: () => void): Dispatcher.DispatchHandler {
  let done = false;
  return new Proxy(handler, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (!endings.has(key))
        return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
      return (...args: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          if (!done) {
            done = true;
            ended();
          }
        }
      };
    },
  });
}

/** The controller handed to a request ended before any connection took it. */
function abortedController(reason: unknown): Dispatcher.DispatchController {
  return {
    aborted: true,
    paused: false,
    reason: reason as Error,
    abort: () => {},
    pause: () => {},
    resume: () => {},
  };
}

/** The connections to one origin, and the requests waiting for one. */
interface Origin {
  clients: Client[];
  /** What the last connection opened spoke, once one has. */
  protocol?: "h1" | "h2";
  /** Connections being opened. */
  connecting: number;
  waiting: Waiting[];
}

/** What an `Http2Pool` is built from. */
export interface Http2PoolOptions {
  /** TLS and socket options of every connection. */
  connect: buildConnector.BuildOptions;
  /** At most this many connections per origin; 0 or none: no cap. */
  connections?: number;
  keepAliveTimeout?: number;
  /** Streams per HTTP/2 connection (default {@link http2StreamsPerConnection}). */
  streams?: number;
}

/**
 * A pool that offers HTTP/2 by ALPN and multiplexes over it, as Go's http2.Transport does for
 * client-go (StrictMaxConcurrentStreams off): each connection carries up to `streams` requests,
 * and another is opened when all are full. undici's Agent does not do this: its clients run one
 * request at a time unless `pipelining` is raised (nodejs/undici#4143), a raised `pipelining` would
 * pipeline HTTP/1.1 too (a watch queued behind another on one connection never starts), its Pool
 * opens a connection per request while the first is still being opened, and it may hand a request
 * to a full connection after a stale 'drain', where a watch waits for another stream to end. So
 * this pool keeps its own clients per origin and chooses by their counts: a connection takes more
 * than one request only once ALPN has said h2; while one is being opened, requests that find no
 * room wait for it (Go dials once per host likewise) unless the origin speaks HTTP/1.1; over the
 * cap, they wait for a request to end. WebSocket upgrades (exec, attach, port-forward) go over
 * HTTP/1.1: kube-apiserver offers no extended CONNECT over HTTP/2.
 *
 * @example
 * new Http2Pool({ connect: { ca }, connections: 1 })
 */
export class Http2Pool extends Dispatcher {
  // Plain (not #private) fields: undici's compose() wraps this object in a Proxy.
  private readonly connector: buildConnector.connector;
  private readonly cap: number;
  private readonly streams: number;
  private readonly keepAliveTimeout: number | undefined;
  private readonly origins = new Map<string, Origin>();
  private readonly http1: Agent;
  private closed = false;

  constructor(options: Http2PoolOptions) {
    super();
    this.connector = buildConnector({ ...options.connect, allowH2: true });
    this.cap = options.connections ?? 0;
    this.streams = options.streams ?? http2StreamsPerConnection;
    this.keepAliveTimeout = options.keepAliveTimeout;
    this.http1 = new Agent({ connect: options.connect, keepAliveTimeout: options.keepAliveTimeout });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (options.upgrade) return this.http1.dispatch(options, handler);
    if (this.closed) throw new errors.ClientClosedError();
    const key = new URL(String(options.origin)).origin;
    let origin = this.origins.get(key);
    if (!origin) {
      origin = { clients: [], connecting: 0, waiting: [] };
      this.origins.set(key, origin);
    }
    // A request that ends leaves room: the waiting go then. (undici's 'drain' cannot tell this:
    // a stale one, queued while the connection still had room, clears the state a later one
    // needs.) After the ending, once undici has taken the request off its connection.
    const ended = () => queueMicrotask(() => this.flush(key, origin));
    this.place(key, origin, [options, whenEnded(handler, ended)]);
    return true;
  }

  /** Sends a request on a connection with room, opens one, or leaves it waiting. */
  private place(key: string, origin: Origin, request: Waiting): void {
    const roomy = (client: Client) => !client.destroyed && client.stats.size < client.pipelining;
    const open = origin.clients.find((c) => c.stats.connected && roomy(c));
    let client: Client | undefined = open;
    if (!client) {
      if (origin.connecting > 0 && origin.protocol !== "h1") {
        this.wait(origin, request);
        return;
      }
      client = origin.clients.find(roomy);
      if (!client) {
        if (this.cap > 0 && origin.clients.length >= this.cap) {
          this.wait(origin, request);
          return;
        }
        client = this.client(key, origin);
      }
    }
    request[2]?.();
    client.dispatch(request[0], request[1]);
  }

  /**
   * Queues a request. Its handler learns of an abort only once a connection has taken it, so the
   * pool listens to the request's signal meanwhile: an aborted request leaves the queue and fails
   * at once, instead of when a stream frees (never, behind 100 open watches).
   */
  private wait(origin: Origin, request: Waiting): void {
    origin.waiting.push(request);
    // undici's request() passes its options, signal included, down to the dispatcher.
    const signal = (request[0] as { signal?: unknown }).signal;
    if (request[2] || !(signal instanceof AbortSignal)) return;
    const onAbort = () => {
      const at = origin.waiting.indexOf(request);
      if (at < 0) return;
      origin.waiting.splice(at, 1);
      const reason: unknown = signal.reason ?? new errors.RequestAbortedError();
      const handler = request[1];
      if (handler.onResponseError) handler.onResponseError(abortedController(reason), reason as Error);
      else handler.onError?.(reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    request[2] = () => {
      signal.removeEventListener("abort", onAbort);
      request[2] = undefined;
    };
    if (signal.aborted) onAbort();
  }

  private flush(key: string, origin: Origin): void {
    const waiting = origin.waiting;
    if (waiting.length === 0) return;
    origin.waiting = [];
    for (const request of waiting) this.place(key, origin, request);
  }

  private client(key: string, origin: Origin): Client {
    const client: Client = new Client(key, {
      allowH2: true,
      ...(this.keepAliveTimeout !== undefined ? { keepAliveTimeout: this.keepAliveTimeout } : {}),
      connect: (connectOptions, callback) => {
        origin.connecting++;
        this.connector(connectOptions, (...args) => {
          origin.connecting--;
          const [err, socket] = args;
          if (!err) {
            const h2 = (socket as { alpnProtocol?: string | false }).alpnProtocol === "h2";
            origin.protocol = h2 ? "h2" : "h1";
            client.pipelining = h2 ? this.streams : 1;
          }
          callback(...args);
          // After undici has set the connection up and sent its first request, so the waiting
          // find its free streams.
          setImmediate(() => this.flush(key, origin));
        });
      },
    });
    const flush = () => this.flush(key, origin);
    client.on("drain", flush).on("disconnect", flush);
    client.on("connectionError", () => {
      origin.clients = origin.clients.filter((c) => c !== client);
      void client.destroy().catch(() => {});
    });
    origin.clients.push(client);
    return client;
  }

  /** Sends what waits (so that it completes or fails as the connections do). */
  private release(): void {
    for (const [key, origin] of this.origins)
      for (const [options, handler, stopListening] of origin.waiting.splice(0)) {
        stopListening?.();
        (origin.clients[0] ?? this.client(key, origin)).dispatch(options, handler);
      }
  }

  override async close(): Promise<void> {
    this.release();
    this.closed = true;
    await Promise.all([...this.allClients().map((c) => c.close()), this.http1.close()]);
  }

  override async destroy(): Promise<void> {
    this.release();
    this.closed = true;
    await Promise.all([...this.allClients().map((c) => c.destroy()), this.http1.destroy()]);
  }

  private allClients(): Client[] {
    return [...this.origins.values()].flatMap((o) => o.clients);
  }
}
