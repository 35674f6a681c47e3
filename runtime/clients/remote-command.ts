/**
 * A running remote command (exec or attach) over a WebSocket: stdout and stderr as async
 * iterables, stdin to write and end, terminal resizes, and the exit code from the error channel.
 * The framing is runtime/core/remote-command.ts; this is its I/O half.
 */

import type { WebSocket } from "undici";
import {
  Channels,
  commandResult,
  decodeFrame,
  encodeClose,
  encodeFrame,
  encodeResize,
} from "../core/remote-command.js";
import { StatusError, TransportError } from "../errors.js";

/** Chunks of one channel, handed out in order; ends when the command (or connection) does. */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#wake?.();
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

/** A command running in a container. */
export class RemoteCommand {
  /** What the command writes to stdout (with a terminal: everything it writes). */
  readonly stdout = new ChunkQueue();
  /** What the command writes to stderr. */
  readonly stderr = new ChunkQueue();
  /** The exit code: 0, or the code of a `NonZeroExitCode`; rejects if the command could not run. */
  readonly exitCode: Promise<number>;
  /** The subprotocol the server chose (`v5.channel.k8s.io` or `v4.channel.k8s.io`). */
  readonly protocol: string;
  readonly #socket: WebSocket;
  #closedByUs = false;

  constructor(socket: WebSocket, where: string) {
    this.#socket = socket;
    this.protocol = socket.protocol;
    let settle!: { resolve: (code: number) => void; reject: (err: unknown) => void };
    this.exitCode = new Promise<number>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The caller may look at the streams only; an unread rejection is not an unhandled one.
    this.exitCode.catch(() => {});
    let result: number | Error | undefined;
    const decoder = new TextDecoder();
    let errorText = "";
    socket.addEventListener("message", (event) => {
      const data = event.data;
      // An empty message has no channel: nothing to deliver (the protocol never sends one).
      if (!(data instanceof ArrayBuffer) || data.byteLength === 0) return;
      const { channel, data: bytes } = decodeFrame(new Uint8Array(data));
      if (channel === Channels.stdout) this.stdout.push(bytes);
      else if (channel === Channels.stderr) this.stderr.push(bytes);
      else if (channel === Channels.error) errorText += decoder.decode(bytes, { stream: true });
    });
    let socketError: unknown;
    socket.addEventListener("close", (event) => {
      errorText += decoder.decode();
      if (errorText) {
        const r = commandResult(errorText);
        result =
          "exitCode" in r
            ? r.exitCode
            : new StatusError(
                {
                  kind: "Status",
                  status: "Failure",
                  message: r.error.message,
                  reason: r.error.reason,
                  code: r.error.code ?? 500,
                },
                { method: "GET", url: where },
              );
      } else if (!event.wasClean && !this.#closedByUs) {
        // No Status and no close message: the connection broke while the command ran (the
        // apiserver or the network went away), so its outcome is unknown.
        result = new TransportError(
          "ECONNECTION",
          `${where}: the connection was lost before the command ended (code ${event.code})`,
          { cause: socketError },
        );
      }
      // A clean close with no Status is success, as client-go reads an empty error channel.
      const failure = result instanceof Error ? result : undefined;
      this.stdout.end(failure);
      this.stderr.end(failure);
      if (failure) settle.reject(failure);
      else settle.resolve(typeof result === "number" ? result : 0);
    });
    socket.addEventListener("error", (event) => {
      socketError = event;
    });
  }

  /** Sends bytes (or UTF-8 text) to the command's stdin (`stdin: true` must have been asked for). */
  write(data: Uint8Array | string): void {
    this.#socket.send(encodeFrame(Channels.stdin, data));
  }

  /** Ends stdin, so a command reading it sees end of file (needs `v5.channel.k8s.io`). */
  end(): void {
    if (this.protocol !== "v5.channel.k8s.io")
      throw new Error(`ending stdin needs v5.channel.k8s.io; the server chose ${this.protocol}`);
    this.#socket.send(encodeClose(Channels.stdin));
  }

  /** Bytes written and not yet handed to the network (to pace large stdin writes). */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /** Resizes the terminal (`tty: true`). */
  resize(size: { width: number; height: number }): void {
    this.#socket.send(encodeResize(size));
  }

  /** Closes the connection (the command may go on running in the container). */
  close(): void {
    this.#closedByUs = true;
    this.#socket.close();
  }
}

/** Reads a channel whole, as UTF-8 text. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}
