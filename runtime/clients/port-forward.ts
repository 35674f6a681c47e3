/**
 * Port-forward to a pod over WebSocket: `PortForwardStream` is one connection to one pod port (one
 * WebSocket, as @kubernetes/client-node does; the protocol has no way to open a second stream in
 * the same socket), and `PortForwarder` listens on loopback and gives every accepted TCP
 * connection a stream of its own. The framing is runtime/core/port-forward.ts; this is its I/O
 * half.
 */

import { createServer, type Server, type Socket } from "node:net";
import type { WebSocket } from "undici";
import { encodePortData, PortForwardDecoder, type PortMapping } from "../core/port-forward.js";
import { ChunkQueue } from "./remote-command.js";

const portForwardErrorBrand = Symbol.for("kubegen.PortForwardError");

/**
 * A forwarded connection failed: the pod's side refused or broke it (the message is the server's
 * error channel, e.g. `error forwarding port 9999 to pod ...`), or the connection to the apiserver
 * could not be opened or was lost.
 */
export class PortForwardError extends Error {
  override readonly name = "PortForwardError";
  readonly [portForwardErrorBrand] = true;
  /** The pod's port. */
  readonly port: number;
  /** The local port the connection came in on (for `PortForwarder`'s connections). */
  readonly localPort: number | undefined;

  constructor(message: string, port: number, options?: { cause?: unknown; localPort?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.port = port;
    this.localPort = options?.localPort;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && portForwardErrorBrand in value;
  }
}

/** One connection to a pod's port: what the pod sends, what to send it, and how it ended. */
export class PortForwardStream {
  /** The pod's port. */
  readonly port: number;
  /** The bytes from the pod's port, in order; ends when the connection does (throws its error). */
  readonly data = new ChunkQueue();
  /** Settles when the connection ends: resolves on a clean end, rejects with a `PortForwardError`. */
  readonly done: Promise<void>;
  readonly #socket: WebSocket;
  #closedByUs = false;

  constructor(socket: WebSocket, port: number, where: string) {
    this.#socket = socket;
    this.port = port;
    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    this.done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.done.catch(() => {});
    const decoder = new PortForwardDecoder([port]);
    const text = new TextDecoder();
    let errorText = "";
    let failure: PortForwardError | undefined;
    socket.addEventListener("message", (event) => {
      if (failure || !(event.data instanceof ArrayBuffer)) return;
      try {
        for (const e of decoder.decode(new Uint8Array(event.data))) {
          if (e.type === "data") this.data.push(e.data);
          else errorText += text.decode(e.data, { stream: true });
        }
      } catch (err) {
        // The server broke the protocol: the connection is of no more use.
        failure = new PortForwardError(`${where}: ${(err as Error).message}`, port, { cause: err });
        socket.close();
      }
    });
    let socketError: unknown;
    socket.addEventListener("error", (event) => {
      socketError = event;
    });
    socket.addEventListener("close", (event) => {
      errorText += text.decode();
      if (errorText) failure ??= new PortForwardError(errorText.trim(), port);
      // 1006: the connection went without a close message (the apiserver or the network failed).
      if (!failure && !this.#closedByUs && !event.wasClean)
        failure = new PortForwardError(`${where}: the connection was lost (code ${event.code})`, port, {
          cause: socketError,
        });
      this.data.end(failure);
      if (failure) settle.reject(failure);
      else settle.resolve();
    });
  }

  /** Sends bytes to the pod's port. */
  write(data: Uint8Array): void {
    this.#socket.send(encodePortData(0, data));
  }

  /**
   * Closes the connection (the protocol cannot half-close: the pod's side sees its connection
   * end, and what it had not sent yet is lost).
   */
  close(): void {
    this.#closedByUs = true;
    this.#socket.close();
  }

  /** Bytes queued to send and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }
}

/** Opens one connection to a pod port. */
export type OpenPortForward = (port: number, options: { signal: AbortSignal }) => Promise<PortForwardStream>;

/** Options of `portForward`. */
export interface PortForwardOptions {
  /** Stops listening and closes every connection (as `close()`). */
  signal?: AbortSignal;
  /** The loopback address to listen on: `127.0.0.1` (default) or `::1`. */
  address?: "127.0.0.1" | "::1";
  /**
   * Called for each connection that fails (the pod's side refused it, or the apiserver could not
   * be reached); that connection is closed, the others and the listeners go on.
   */
  onError?: (error: PortForwardError) => void;
}

const sendHighWater = 1 << 20;

/**
 * Listens on loopback ports and forwards each connection to a pod's port, as `kubectl
 * port-forward`. Ask for local port 0 to get a free one; `ports` says which were bound.
 */
export class PortForwarder {
  /** The forwards, with the local ports actually bound. */
  readonly ports: readonly PortMapping[];
  /** Resolves once `close()` (or the signal) has closed every listener and connection. */
  readonly closed: Promise<void>;
  readonly #servers: Server[];
  readonly #sockets = new Set<Socket>();
  readonly #streams = new Set<PortForwardStream>();
  readonly #abort = new AbortController();
  #resolveClosed!: () => void;

  private constructor(servers: Server[], ports: PortMapping[]) {
    this.#servers = servers;
    this.ports = ports;
    this.closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Binds every local port (all or none: a port in use fails the whole call), then forwards. */
  static async listen(
    open: OpenPortForward,
    mappings: readonly PortMapping[],
    options: PortForwardOptions = {},
  ): Promise<PortForwarder> {
    if (mappings.length === 0) throw new RangeError("port-forward: no port asked for");
    const address = options.address ?? "127.0.0.1";
    if (address !== "127.0.0.1" && address !== "::1")
      throw new RangeError(`port-forward: listens on loopback only (127.0.0.1 or ::1), not ${address}`);
    options.signal?.throwIfAborted();
    const servers: Server[] = [];
    const bound: PortMapping[] = [];
    try {
      for (const m of mappings) {
        const server = createServer({ pauseOnConnect: true });
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(m.local, address, () => {
            server.off("error", reject);
            resolve();
          });
        });
        bound.push({ local: (server.address() as { port: number }).port, remote: m.remote });
      }
    } catch (err) {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      throw err;
    }
    const forwarder = new PortForwarder(servers, bound);
    servers.forEach((server, i) => {
      const m = bound[i] as PortMapping;
      server.on("connection", (socket: Socket) => forwarder.#forward(open, socket, m, options.onError));
    });
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => void forwarder.close();
      signal.addEventListener("abort", onAbort, { once: true });
      void forwarder.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
    return forwarder;
  }

  async #forward(
    open: OpenPortForward,
    socket: Socket,
    m: PortMapping,
    onError: ((error: PortForwardError) => void) | undefined,
  ): Promise<void> {
    this.#sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => this.#sockets.delete(socket));
    const fail = (err: unknown) => {
      if (this.#abort.signal.aborted) return;
      const error =
        err instanceof PortForwardError
          ? new PortForwardError(err.message, m.remote, { cause: err.cause, localPort: m.local })
          : new PortForwardError(
              `port-forward ${m.local} -> ${m.remote}: ${(err as Error)?.message ?? String(err)}`,
              m.remote,
              { cause: err, localPort: m.local },
            );
      onError?.(error);
    };
    let stream: PortForwardStream;
    try {
      stream = await open(m.remote, { signal: this.#abort.signal });
    } catch (err) {
      fail(err);
      socket.destroy();
      return;
    }
    if (this.#abort.signal.aborted || socket.destroyed) {
      stream.close();
      socket.destroy();
      return;
    }
    this.#streams.add(stream);
    // Local → pod: pause the socket while the WebSocket has too much queued.
    socket.on("data", (chunk: Buffer) => {
      stream.write(chunk);
      if (stream.bufferedAmount > sendHighWater) {
        socket.pause();
        const wait = setInterval(() => {
          if (stream.bufferedAmount <= sendHighWater || socket.destroyed) {
            clearInterval(wait);
            socket.resume();
          }
        }, 10);
      }
    });
    // The local side ended (or went): the protocol cannot half-close, so the connection ends.
    socket.once("end", () => stream.close());
    socket.once("close", () => stream.close());
    socket.resume();
    // Pod → local, with the socket's backpressure.
    try {
      for await (const chunk of stream.data) {
        if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r).once("close", r));
        if (socket.destroyed) break;
      }
      await stream.done;
      socket.end();
    } catch (err) {
      fail(err);
      socket.destroy();
    } finally {
      this.#streams.delete(stream);
    }
  }

  /** Stops listening and closes every forwarded connection. */
  async close(): Promise<void> {
    if (!this.#abort.signal.aborted) {
      this.#abort.abort();
      for (const stream of this.#streams) stream.close();
      for (const socket of this.#sockets) socket.destroy();
      await Promise.all(this.#servers.map((s) => new Promise((r) => s.close(r))));
      this.#resolveClosed();
    }
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
