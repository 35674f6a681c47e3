/**
 * Watch events and the incremental decoder for the apiserver's watch stream (one JSON object per
 * line). Sans-IO: it takes byte chunks, split anywhere, and hands out whole events.
 */

/** Joins byte arrays (plain `Uint8Array`, so this module needs nothing from Node). */
function concatBytes(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** One change seen by a watch. `BOOKMARK` carries only `metadata.resourceVersion`. */
export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: T;
}

/** What the wire carries: the four event types above plus `ERROR`, whose object is a Status. */
export interface RawWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: unknown;
}

const eventTypes = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

/**
 * The default longest line: 128 MiB. One line carries one object, and the apiserver stores none
 * above etcd's request limit (1.5 MiB by default, rarely raised past a few MiB), so no real event
 * comes near it; yet a broken or hostile stream that never sends a newline stops here instead of
 * growing without bound. It also stays well below V8's longest string (~512 Mi characters).
 */
export const defaultMaxWatchLineBytes = 128 * 1024 * 1024;

/** Options of a {@link WatchDecoder}. */
export interface WatchDecoderOptions {
  /** The longest line accepted, in bytes (default {@link defaultMaxWatchLineBytes}). */
  maxLineBytes?: number;
}

/** A short, quoted excerpt of a value for an error message: never a whole line. */
const brief = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/**
 * Splits a byte stream into watch events. Bytes are kept until a newline completes a line, so a
 * chunk may end anywhere, also inside a multi-byte character; only the current line is buffered,
 * and a line longer than `maxLineBytes` is an error as soon as it gets that long.
 *
 * A line that is not a JSON watch event (not UTF-8, not JSON, an unknown `type`, no `object`)
 * is a `SyntaxError` (the HTTP layer reports it as `EDECODE`). The message says which line and
 * what was wrong, never its text: watch events carry Secrets. Events that came before the bad
 * line are handed out first: `push()` returns them, and the next `push()`, `end()` or
 * `throwIfFailed()` throws; the decoder stays failed after that.
 *
 * @example
 * const decoder = new WatchDecoder();
 * for await (const chunk of body) for (const event of decoder.push(chunk)) handle(event);
 * for (const event of decoder.end()) handle(event);
 */
export class WatchDecoder {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #line = 0;
  #failed: SyntaxError | undefined;
  readonly #maxLineBytes: number;
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });

  constructor(options: WatchDecoderOptions = {}) {
    const max = options.maxLineBytes ?? defaultMaxWatchLineBytes;
    if (!(max > 0)) throw new RangeError(`maxLineBytes must be positive, got ${max}`);
    this.#maxLineBytes = max;
  }

  /**
   * Throws the error a `push()` held back while it handed out the events before it, so a reader
   * need not wait for more bytes (which may never come on a quiet watch) to learn of it.
   */
  throwIfFailed(): void {
    if (this.#failed) throw this.#failed;
  }

  /** True when bytes of an unfinished line are waiting for more. */
  get pending(): boolean {
    return this.#pendingBytes > 0;
  }

  /**
   * Feeds a chunk; returns the events it completed.
   *
   * @throws SyntaxError for a bad line (at once when no event came before it in this chunk)
   */
  push(chunk: Uint8Array): RawWatchEvent[] {
    if (this.#failed) throw this.#failed;
    const events: RawWatchEvent[] = [];
    let start = 0;
    try {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
        this.#keep(chunk.subarray(start, i));
        start = i + 1;
        const event = this.#takeLine();
        if (event) events.push(event);
      }
      // A copy: the caller may reuse the chunk's memory.
      if (start < chunk.length) this.#keep(chunk.slice(start));
    } catch (err) {
      this.#failed = err as SyntaxError;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (events.length === 0) throw err;
    }
    return events;
  }

  /**
   * Ends the stream: a last line without a newline still counts.
   *
   * @throws SyntaxError for a bad last line, or the error a previous `push()` held back
   */
  end(): RawWatchEvent[] {
    if (this.#failed) throw this.#failed;
    const event = this.#takeLine();
    return event ? [event] : [];
  }

  #keep(bytes: Uint8Array): void {
    if (this.#pendingBytes + bytes.length > this.#maxLineBytes) {
      throw new SyntaxError(
        `watch stream: line ${this.#line + 1} is longer than the limit of ${this.#maxLineBytes} bytes`,
      );
    }
    if (bytes.length === 0) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  #takeLine(): RawWatchEvent | undefined {
    const parts = this.#pending;
    const size = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    const n = ++this.#line;
    if (size === 0) return undefined;
    const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts);
    let line: string;
    try {
      line = this.#utf8.decode(bytes).trim();
    } catch {
      throw new SyntaxError(`watch stream: line ${n} is not valid UTF-8`);
    }
    if (!line) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // JSON.parse's own message quotes the text: only the size is told.
      throw new SyntaxError(`watch stream: line ${n} is not JSON (${size} bytes)`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new SyntaxError(`watch stream: line ${n} is not a JSON object`);
    const { type, object } = value as { type?: unknown; object?: unknown };
    if (typeof type !== "string" || !eventTypes.has(type))
      throw new SyntaxError(`watch stream: line ${n} has an unknown event type ${brief(type)}`);
    if (typeof object !== "object" || object === null || Array.isArray(object))
      throw new SyntaxError(`watch stream: line ${n}: the ${type} event has no object`);
    return value as RawWatchEvent;
  }
}
