/**
 * A structural scanner for a JSON list as its bytes arrive: it finds, in a byte stream, where each
 * element of the top-level object's `items` array begins and ends, so a client can `JSON.parse`
 * each item (or a run of them) as soon as its bytes are in, and let the bytes go, instead of holding
 * the chunks, the joined body, its text and the parsed objects all at once.
 *
 * Sans-IO: it reads `Uint8Array`s and hands out byte ranges to a {@link ListScanSink}; it decodes
 * nothing. It tracks only what finding the boundaries needs (string and escape state, nesting depth,
 * the keys of the top-level object, the separators between items) and leaves validation to
 * `JSON.parse`: the bytes outside the items (the "head", with `"items":[]` in place) and the items
 * are each parsed, so a body the scanner accepts parses, piece by piece, to what `JSON.parse` of
 * the whole body gives, and a body it does not accept fails in one of those parses or here.
 *
 * Only the first `items` member of a top-level object is split out, and only when its value is an
 * array; any other body (an object, a `Status`, an array, a scalar) is all head.
 *
 * @example
 * const scanner = new JsonListScanner();
 * for (const chunk of chunks) scanner.scan(chunk, sink);
 * scanner.end();
 */

/** Receives the byte ranges a {@link JsonListScanner} finds, in stream order. */
export interface ListScanSink {
  /** `bytes[start, end)` lies outside the items (the `items` array's brackets included). */
  head(bytes: Uint8Array, start: number, end: number): void;
  /**
   * `bytes[start, end)` holds items and the commas between them: whole items, except that the
   * first may continue one begun in an earlier chunk and the last may go on in the next. `ends`
   * tells whether the last item ends within this range.
   */
  items(bytes: Uint8Array, start: number, end: number, ends: boolean): void;
}

// Where the scanner is, outside strings.
const head = 0; // outside the items array
const between = 1; // in the items array, between elements
const inItem = 2; // in an object or array element
const inScalar = 3; // in a number or literal element (true, false, null)

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The longest top-level key remembered: `items` spelled with `\u` escapes fits. */
const maxKeyBytes = 64;

/**
 * Finds the items of a JSON list in a byte stream (see the module comment).
 *
 * @example
 * const scanner = new JsonListScanner();
 * scanner.scan(new TextEncoder().encode('{"kind":"PodList","items":[{"a":1},{"b":2}]}'), sink);
 * scanner.end(); // sink saw head `{"kind":"PodList","items":[`, items `{"a":1},{"b":2}`, head `]}`
 */
export class JsonListScanner {
  #mode = head;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Bytes scanned before the current chunk, for error positions. */
  #offset = 0;
  /** The first byte of the body that is not white space, once seen. */
  #first = -1;
  /** In the head, at depth 1 of the top-level object: the state of its members. */
  #member: "key" | "colon" | "value" | "other" = "other";
  #key: number[] | undefined;
  #itemsValue = false;
  /** Whether an element was seen since the `[` or the last comma (between elements). */
  #afterElement = false;
  #afterComma = false;
  #split = false;
  #duplicate = false;

  /** Whether an `items` array was found and its elements handed out as items. */
  get split(): boolean {
    return this.#split;
  }

  /**
   * Whether the top-level object has a second `items` member: `JSON.parse` keeps the last one,
   * which is in the head, so the items handed out are not the list's.
   */
  get duplicateItems(): boolean {
    return this.#duplicate;
  }

  /**
   * Scans the next chunk of the body and hands its ranges to `sink`.
   *
   * @throws {SyntaxError} where the separators between items are not JSON's.
   */
  scan(bytes: Uint8Array, sink: ListScanSink): void {
    const n = bytes.length;
    let i = 0;
    let headStart = 0; // where the head's range began in this chunk
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    let mode = this.#mode;
    // In the items array: the first byte of this chunk's run of items, the end of its last whole
    // item (-1: none), and where the element being read began.
    const continuing = mode === inItem || mode === inScalar;
    let from = continuing ? 0 : -1;
    let to = -1;
    let element = 0;
    try {
      while (i < n) {
        if (mode === inItem) {
          // The hot loop: one element's bytes, until its depth closes.
          for (; i < n; i++) {
            const c = bytes[i]!;
            if (inString) {
              if (escaped) escaped = false;
              else if (c === backslash) escaped = true;
              else if (c === quote) {
                inString = false;
                if (depth === 2) {
                  i++;
                  break;
                }
              }
            } else if (c === quote) inString = true;
            else if (c === openBrace || c === openBracket) depth++;
            else if (c === closeBrace || c === closeBracket) {
              if (--depth === 2) {
                i++;
                break;
              }
            }
          }
          if (depth === 2 && !inString) {
            mode = between;
            to = i;
            this.#afterElement = true;
            this.#afterComma = false;
          }
          continue;
        }
        if (mode === inScalar) {
          for (; i < n; i++) {
            const c = bytes[i]!;
            if (c === comma || c === closeBracket || isSpace(c)) break;
          }
          if (i < n) {
            mode = between;
            to = i;
            this.#afterElement = true;
            this.#afterComma = false;
          }
          continue;
        }
        if (mode === between) {
          for (; i < n; i++) {
            const c = bytes[i]!;
            if (isSpace(c)) continue;
            if (c === comma) {
              if (!this.#afterElement) this.#fail(c, i);
              this.#afterElement = false;
              this.#afterComma = true;
              continue;
            }
            if (c === closeBracket) {
              if (this.#afterComma) this.#fail(c, i);
              // The items end; this bracket belongs to the head.
              if (to >= 0) sink.items(bytes, from, to, true);
              from = -1;
              to = -1;
              headStart = i;
              depth = 1;
              mode = head;
              this.#member = "other";
              i++;
              break;
            }
            if (this.#afterElement) this.#fail(c, i);
            // An element begins.
            element = i;
            if (from < 0) from = i;
            if (c === openBrace || c === openBracket) {
              depth = 3;
              mode = inItem;
            } else if (c === quote) {
              inString = true;
              mode = inItem;
            } else mode = inScalar;
            i++;
            break;
          }
          continue;
        }
        // The head: everything outside the items array.
        for (; i < n; i++) {
          const c = bytes[i]!;
          if (inString) {
            if (escaped) escaped = false;
            else if (c === backslash) escaped = true;
            else if (c === quote) {
              inString = false;
              if (this.#member === "key") this.#member = "colon";
              continue;
            }
            if (this.#member === "key" && this.#key !== undefined) {
              if (this.#key.length < maxKeyBytes) this.#key.push(c);
              else this.#key = undefined;
            }
            continue;
          }
          if (isSpace(c)) continue;
          if (this.#first < 0) this.#first = c;
          if (depth === 1 && this.#first === openBrace) {
            if (this.#member === "value") {
              const items = this.#itemsValue;
              this.#member = "other";
              if (items && this.#split) this.#duplicate = true;
              if (items && c === openBracket && !this.#split) {
                // The items array opens: its bracket ends the head's range.
                this.#split = true;
                depth = 2;
                i++;
                sink.head(bytes, headStart, i);
                headStart = -1;
                mode = between;
                this.#afterElement = false;
                this.#afterComma = false;
                break;
              }
            } else if (c === colon && this.#member === "colon") {
              this.#itemsValue = this.#isItemsKey();
              this.#member = "value";
              continue;
            } else if (c === comma) {
              this.#member = "key";
              continue;
            }
          }
          if (c === quote) {
            inString = true;
            if (depth === 1 && this.#member === "key") this.#key = [];
          } else if (c === openBrace || c === openBracket) {
            depth++;
            if (depth === 1 && c === openBrace) this.#member = "key";
          } else if (c === closeBrace || c === closeBracket) depth--;
        }
      }
      // What is left of this chunk.
      if (mode === head) {
        if (headStart >= 0 && headStart < n) sink.head(bytes, headStart, n);
      } else {
        if (to >= 0) sink.items(bytes, from, to, true);
        if (mode !== between) sink.items(bytes, to >= 0 ? element : from, n, false);
      }
    } finally {
      this.#offset += n;
      this.#depth = depth;
      this.#inString = inString;
      this.#escaped = escaped;
      this.#mode = mode;
    }
  }

  /**
   * Whether the scanner is inside an element of the items array (one began and has not ended):
   * a point where a client may take over finding the boundaries (see `resumeBetweenItems`).
   */
  get inItem(): boolean {
    return this.#mode === inItem || this.#mode === inScalar;
  }

  /**
   * Takes up scanning in the items array, where an element is about to begin: after the `[` (no
   * item before) or after a comma. For a client that found item boundaries itself for a while.
   */
  resumeBetweenItems(afterComma: boolean): void {
    if (!this.#split) throw new Error("JsonListScanner: no items array to resume in");
    this.#mode = between;
    this.#depth = 2;
    this.#inString = false;
    this.#escaped = false;
    this.#afterElement = false;
    this.#afterComma = afterComma;
  }

  /** Adds bytes that were read past the scanner (for positions in error messages). */
  skipped(bytes: number): void {
    this.#offset += bytes;
  }

  /**
   * Says the body ended.
   *
   * @throws {SyntaxError} when it ended inside the items array.
   */
  end(): void {
    if (this.#mode !== head)
      throw new SyntaxError(`Unexpected end of JSON input (in the items array, at ${this.#offset})`);
  }

  #isItemsKey(): boolean {
    const key = this.#key;
    this.#key = undefined;
    if (key === undefined) return false;
    if (key.length === 5) return String.fromCharCode(...key) === "items";
    // Escapes spell it otherwise; decode them as JSON does (only ASCII can spell "items").
    if (!key.includes(backslash) || key.some((c) => c >= 0x80)) return false;
    try {
      return JSON.parse(`"${String.fromCharCode(...key)}"`) === "items";
    } catch {
      return false;
    }
  }

  #fail(c: number, i: number): never {
    throw new SyntaxError(
      `Unexpected ${JSON.stringify(String.fromCharCode(c))} in the items array at position ${this.#offset + i}`,
    );
  }
}
