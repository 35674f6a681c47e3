/**
 * Decoding a successful answer's JSON body as it arrives. A small body is joined and parsed whole
 * (`Buffer.concat`, `toString`, `JSON.parse`: nothing is faster for it). Once a body passes
 * {@link streamingThreshold} bytes, `JsonListScanner` (runtime/core) finds the items of a list in
 * the bytes and each run of whole items in a chunk is parsed as soon as it is in, so the chunks
 * can go: a 400 MB list is never held as chunks, joined buffer and string at once. The bytes
 * outside the items (the "head") are parsed at the end with `"items":[]` in place, and the items
 * put there, so the value is what `JSON.parse` of the whole body gives, keys in the same order.
 */
import { JsonListScanner, type ListScanSink } from "../core/json-list-scanner.js";

/**
 * Bodies up to this many bytes are parsed whole. Measured on realistic pods in fresh processes
 * (bench/RESULTS.md): at 8.5 MB parsing whole took 131 ms against 164 ms run by run, at 12.7 MB
 * the two were even (191 and 190 ms), at 17 MB run by run was faster (259 against 328 ms), and it
 * holds far less (no joined buffer, no whole-body string) and parses while the bytes arrive.
 */
export const streamingThreshold = 12 * 1024 * 1024;

/** What {@link decodeJsonBody} read. */
export interface DecodedJsonBody {
  /** The parsed value; `undefined` for an empty body. */
  value: unknown;
  /** How many bytes the body had. */
  bytes: number;
}

/** Collects the scanner's ranges: the head's bytes, and the items parsed run by run. */
class ListSink implements ListScanSink {
  readonly heads: Buffer[] = [];
  readonly values: unknown[] = [];
  /** The pieces of an item begun and not ended. */
  pending: Buffer[] = [];
  /** The bytes that begin the first whole item seen, up to its first key's colon. */
  firstItem: Buffer | undefined;

  head(bytes: Uint8Array, start: number, end: number): void {
    // A copy: the head is small, and its chunk need not stay alive for it.
    this.heads.push(Buffer.from(bytes.subarray(start, end)));
  }

  items(bytes: Uint8Array, start: number, end: number, complete: boolean): void {
    const buffer = bytes as Buffer;
    if (!complete) {
      this.pending.push(buffer.subarray(start, end));
      return;
    }
    let run: Buffer | undefined;
    if (this.pending.length > 0) {
      this.pending.push(buffer.subarray(start, end));
      run = Buffer.concat(this.pending);
      this.pending = [];
    }
    if (this.firstItem === undefined) {
      // The opening of the first whole item: enough for its separator (see itemSeparator).
      const opening = run ? run.subarray(0, 512) : buffer.subarray(start, Math.min(end, start + 512));
      this.firstItem = Buffer.from(opening);
    }
    this.add(run ? run.toString("utf8") : buffer.toString("utf8", start, end));
  }

  /** Parses a run of whole items, comma-separated. */
  add(text: string): void {
    const run = JSON.parse(`[${text}]`) as unknown[];
    const values = this.values;
    for (let k = 0; k < run.length; k++) values.push(run[k]);
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The bytes that separate two items that begin as `first` does: `},` then the first item's
 * opening up to its first key's colon (and the key's value when it is a short string:
 * `},{"apiVersion":"example.com/v1",`), or undefined when they cannot serve.
 *
 * In valid JSON these bytes are always the end of an object, a comma and the start of an object
 * with that first member, at some depth: they cannot lie in a string, since the quote after `{`
 * would end it and a key's first letter cannot follow a string. So a run of bytes from the start
 * of an item to just before them that `JSON.parse` accepts as array elements is a run of whole
 * items; a run cut inside an item leaves a brace open and fails, and the exact scanner takes over.
 */
export function itemSeparator(first: Uint8Array): Buffer | undefined {
  if (first[0] !== 0x7b || first[1] !== 0x22) return undefined;
  // The key's first byte must be one that cannot follow a string's closing quote.
  const k = first[2];
  if (
    k === undefined ||
    k === 0x22 ||
    k === 0x5c ||
    k === 0x3a ||
    k === 0x2c ||
    k === 0x7d ||
    k === 0x5d ||
    isSpace(k)
  )
    return undefined;
  let i = 2;
  while (i < first.length && first[i] !== 0x22) {
    if (first[i] === 0x5c) return undefined;
    i++;
  }
  if (first[i + 1] !== 0x3a) return undefined;
  let end = i + 2; // after the colon
  if (first[end] === 0x22) {
    // A short string value without escapes joins the separator: fewer nested look-alikes.
    let j = end + 1;
    while (j < first.length && j < end + 128 && first[j] !== 0x22 && first[j] !== 0x5c) j++;
    if (first[j] === 0x22 && (first[j + 1] === 0x2c || first[j + 1] === 0x7d)) end = j + 2;
  } else if (first[end] === 0x7b || first[end] === 0x5b) end++;
  return Buffer.concat([Buffer.from("},"), first.subarray(0, end)]);
}

/**
 * Reads a JSON body chunk by chunk and parses it (see the module comment).
 *
 * How a large list is read: the exact scanner (`JsonListScanner`) reads the head and the first
 * items, which give the separator the items start with ({@link itemSeparator}); from then on each
 * chunk is searched (natively, from its end) for the last separator, and the bytes up to it, from
 * the start of the item begun before, are parsed as one run of items. A run that does not parse
 * (a separator's look-alike inside an item) and the end of the body go back to the exact scanner.
 *
 * @throws {JsonBodyError} when the body is not JSON.
 * @example
 * const { value } = await decodeJsonBody(res.body);
 */
export async function decodeJsonBody(
  chunks: AsyncIterable<Buffer>,
  threshold = streamingThreshold,
): Promise<DecodedJsonBody> {
  const first: Buffer[] = [];
  try {
    return await decode(chunks, threshold, first);
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new JsonBodyError(err, Buffer.concat(first).toString("utf8", 0, excerptBytes));
    throw err;
  }
}

/** How much of a body's beginning an error shows. */
const excerptBytes = 200;

/** A body that is not JSON: the parser's error, and the body's first 200 bytes. */
export class JsonBodyError extends SyntaxError {
  /** The beginning of the body, as text. */
  readonly excerpt: string;
  constructor(cause: SyntaxError, excerpt: string) {
    super(cause.message, { cause });
    this.name = "JsonBodyError";
    this.excerpt = excerpt;
  }
}

async function decode(
  chunks: AsyncIterable<Buffer>,
  threshold: number,
  first: Buffer[],
): Promise<DecodedJsonBody> {
  const held: Buffer[] = [];
  let bytes = 0;
  let scanner: JsonListScanner | undefined;
  let sink: ListSink | undefined;
  // The fast path: the separator, and the bytes since the start of the item begun last.
  let separator: Buffer | undefined;
  let parts: Buffer[] = [];
  const exact = (chunk: Buffer) => {
    scanner!.scan(chunk, sink!);
    if (!separator && scanner!.inItem && sink!.firstItem) {
      separator = itemSeparator(sink!.firstItem);
      if (separator) {
        parts = sink!.pending;
        sink!.pending = [];
      }
    }
  };
  /** Hands the bytes read past the scanner back to it. */
  const toExact = () => {
    const rest = parts;
    separator = undefined;
    parts = [];
    scanner!.resumeBetweenItems(sink!.values.length > 0);
    for (const part of rest) scanner!.scan(part, sink!);
  };
  /** The fast path: parses the items up to the last separator in `chunk`; false if none. */
  const fast = (chunk: Buffer): boolean => {
    const at = chunk.lastIndexOf(separator!);
    if (at < 0) return false;
    parts.push(chunk.subarray(0, at + 1));
    const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString("utf8");
    try {
      sink!.add(text);
    } catch {
      // A look-alike separator inside an item: the exact scanner reads this stretch again.
      parts.push(chunk.subarray(at + 1));
      toExact();
      return true;
    }
    for (const part of parts) scanner!.skipped(part.length);
    parts = [chunk.subarray(at + 2)];
    return true;
  };
  const feed = (chunk: Buffer) => {
    if (!separator) exact(chunk);
    else if (!fast(chunk)) parts.push(chunk);
  };
  for await (const chunk of chunks) {
    if (bytes < excerptBytes) first.push(Buffer.from(chunk.subarray(0, excerptBytes - bytes)));
    bytes += chunk.length;
    if (scanner) {
      feed(chunk);
      continue;
    }
    held.push(chunk);
    if (bytes > threshold) {
      scanner = new JsonListScanner();
      sink = new ListSink();
      for (const c of held) feed(c);
      held.length = 0;
    }
  }
  if (!scanner) {
    if (bytes === 0) return { value: undefined, bytes };
    const text = (held.length === 1 ? held[0]! : Buffer.concat(held, bytes)).toString("utf8");
    held.length = 0;
    return { value: JSON.parse(text), bytes };
  }
  if (separator) {
    // The last items: up to the last separator on the fast path, the rest (the last item and the
    // end of the head) through the scanner.
    const last = parts.pop();
    if (last && !fast(last)) parts.push(last);
    if (separator) toExact();
  }
  scanner.end();
  const value = JSON.parse(Buffer.concat(sink!.heads).toString("utf8")) as Record<string, unknown>;
  if (scanner.split && !scanner.duplicateItems) value.items = sink!.values;
  return { value, bytes };
}
