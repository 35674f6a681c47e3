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
 * Splits a byte stream into watch events. Bytes are kept until a newline completes a line, so a
 * chunk may end anywhere, also inside a multi-byte character; only the current line is buffered.
 * A line that is not a JSON watch event throws a `SyntaxError` (the HTTP layer reports it as
 * `EDECODE`).
 *
 * @example
 * const decoder = new WatchDecoder();
 * for await (const chunk of body) for (const event of decoder.push(chunk)) handle(event);
 * for (const event of decoder.end()) handle(event);
 */
export class WatchDecoder {
  #pending: Uint8Array[] = [];
  readonly #utf8 = new TextDecoder("utf-8", { fatal: true });

  /** True when bytes of an unfinished line are waiting for more. */
  get pending(): boolean {
    return this.#pending.some((p) => p.length > 0);
  }

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): RawWatchEvent[] {
    const events: RawWatchEvent[] = [];
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      this.#pending.push(chunk.subarray(start, i));
      start = i + 1;
      const event = this.#takeLine();
      if (event) events.push(event);
    }
    if (start < chunk.length) this.#pending.push(chunk.slice(start));
    return events;
  }

  /** Ends the stream: a last line without a newline still counts. */
  end(): RawWatchEvent[] {
    const event = this.#takeLine();
    return event ? [event] : [];
  }

  #takeLine(): RawWatchEvent | undefined {
    const parts = this.#pending;
    this.#pending = [];
    const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts);
    let line: string;
    try {
      line = this.#utf8.decode(bytes).trim();
    } catch {
      throw new SyntaxError("watch stream: a line is not valid UTF-8");
    }
    if (!line) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SyntaxError(`watch stream: a line is not JSON: ${line.slice(0, 200)}`);
    }
    const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
    if (typeof type !== "string" || !eventTypes.has(type)) {
      throw new SyntaxError(`watch stream: unknown event type ${JSON.stringify(type)}`);
    }
    return value as RawWatchEvent;
  }
}
