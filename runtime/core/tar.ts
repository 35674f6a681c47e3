/**
 * A small tar reader and writer, sans-IO: what `kubectl cp` needs to carry files, folders and
 * symbolic links through `tar cf -` / `tar xf -` in a container. The writer emits POSIX ustar
 * headers (a PAX `path`/`linkpath` record when a name does not fit) and pads the archive to whole
 * 10240-byte records, as tar does: GNU tar stops reading at the end of that record, so extraction
 * works even where stdin's end never arrives (KWOK). The reader takes ustar, GNU (`L`/`K` long
 * names, base-256 sizes) and PAX (`x` headers) archives, fed in chunks split anywhere.
 *
 * Nothing here decides where an entry may be written; `safeEntryPath` and `symlinkStaysInside`
 * are the checks an extractor must apply (tar's path-traversal class of bugs).
 *
 * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 */

const BLOCK = 512;
/** Tar writes archives in records of 20 blocks. */
export const TAR_RECORD = 20 * BLOCK;
/** The most a PAX or GNU long-name header may hold: names, not file data. */
const MAX_META = 1 << 20;

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarHeader {
  /** The entry's path as stored (`/`-separated; a directory's may end with `/`). */
  path: string;
  type: TarEntryType;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  /** Bytes of data that follow (files only; 0 for the rest). */
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** A symbolic or hard link's target. */
  linkTarget?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeString(block: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  // length - 1 octal digits and a NUL.
  const digits = Math.floor(value)
    .toString(8)
    .padStart(length - 1, "0");
  if (digits.length > length - 1)
    throw new RangeError(`tar: ${value} does not fit in ${length - 1} octal digits`);
  writeString(block, offset, length, encoder.encode(`${digits}\0`));
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum;
}

const typeFlags: Record<TarEntryType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  directory: 0x35,
  other: 0x33,
};

function headerBlock(fields: {
  name: Uint8Array;
  prefix?: Uint8Array;
  mode: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname?: Uint8Array;
}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, fields.name);
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, Math.max(0, fields.mtime));
  block[156] = fields.typeflag;
  if (fields.linkname) writeString(block, 157, 100, fields.linkname);
  writeString(block, 257, 6, encoder.encode("ustar\0"));
  writeString(block, 263, 2, encoder.encode("00"));
  if (fields.prefix) writeString(block, 345, 155, fields.prefix);
  writeString(block, 148, 8, encoder.encode(`${checksum(block).toString(8).padStart(6, "0")}\0 `));
  return block;
}

/** Splits a path into ustar's prefix and name, or answers undefined if it cannot fit. */
function ustarName(path: Uint8Array): { name: Uint8Array; prefix?: Uint8Array } | undefined {
  if (path.length <= 100) return { name: path };
  for (let i = Math.min(path.length - 1, 155); i > 0; i--) {
    if (path[i] !== 0x2f) continue;
    const name = path.subarray(i + 1);
    if (name.length > 0 && name.length <= 100) return { prefix: path.subarray(0, i), name };
    return undefined;
  }
  return undefined;
}

/** One PAX record: `"<length> key=value\n"`, where length counts the whole record, itself included. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = encoder.encode(body).length;
  let length = n + String(n).length;
  if (String(length).length !== String(n).length) length = n + String(length).length;
  return `${length}${body}`;
}

function padding(size: number): Uint8Array {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/**
 * Writes an archive entry by entry; `end()` gives the end-of-archive blocks padded to a whole
 * record. Each call returns the bytes to send, in order.
 */
export class TarWriter {
  #written = 0;

  /** The blocks of one entry: header(s), then the data (files only), padded. */
  entry(header: Omit<TarHeader, "size"> & { data?: Uint8Array }): Uint8Array[] {
    const data = header.type === "file" ? (header.data ?? new Uint8Array()) : new Uint8Array();
    const path = header.type === "directory" && !header.path.endsWith("/") ? `${header.path}/` : header.path;
    if (path.includes("\0") || (header.linkTarget ?? "").includes("\0"))
      throw new RangeError("tar: a path may not hold a NUL byte");
    const pathBytes = encoder.encode(path);
    const linkBytes = header.linkTarget === undefined ? undefined : encoder.encode(header.linkTarget);
    const out: Uint8Array[] = [];
    let split = ustarName(pathBytes);
    const pax: string[] = [];
    if (!split) {
      pax.push(paxRecord("path", path));
      split = { name: pathBytes.subarray(0, 100) };
    }
    if (linkBytes && linkBytes.length > 100) pax.push(paxRecord("linkpath", header.linkTarget as string));
    if (pax.length > 0) {
      const body = encoder.encode(pax.join(""));
      out.push(
        headerBlock({
          name: encoder.encode("././@PaxHeader"),
          mode: 0o644,
          size: body.length,
          mtime: header.mtime,
          typeflag: 0x78,
        }),
        body,
        padding(body.length),
      );
    }
    out.push(
      headerBlock({
        ...split,
        mode: header.mode,
        size: data.length,
        mtime: header.mtime,
        typeflag: typeFlags[header.type],
        linkname: linkBytes?.subarray(0, 100),
      }),
    );
    if (data.length > 0) out.push(data, padding(data.length));
    for (const part of out) this.#written += part.length;
    return out.filter((part) => part.length > 0);
  }

  /** Two zero blocks, then zeros to the end of the record. */
  end(): Uint8Array {
    const total = this.#written + 2 * BLOCK;
    const size = Math.ceil(total / TAR_RECORD) * TAR_RECORD - this.#written;
    this.#written += size;
    return new Uint8Array(size);
  }
}

/** A whole archive from entries (tests and small copies). */
export function writeTar(entries: readonly (Omit<TarHeader, "size"> & { data?: Uint8Array })[]): Uint8Array {
  const writer = new TarWriter();
  const parts = entries.flatMap((e) => writer.entry(e));
  parts.push(writer.end());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What the reader found: an entry's header, a piece of its data, or the archive's end. */
export type TarEvent =
  | { type: "entry"; header: TarHeader }
  | { type: "data"; data: Uint8Array }
  | { type: "end" };

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

function readNumber(block: Uint8Array, offset: number, length: number, what: string): number {
  const first = block[offset] as number;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement; negative values are refused.
    if (first & 0x40) throw new SyntaxError(`tar: a negative ${what}`);
    let value = first & 0x3f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] as number);
    if (!Number.isSafeInteger(value)) throw new SyntaxError(`tar: the ${what} is too large`);
    return value;
  }
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new SyntaxError(`tar: the ${what} field is not an octal number`);
  return Number.parseInt(text, 8);
}

function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) throw new SyntaxError("tar: a PAX record has no length");
    const length = Number(decoder.decode(body.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at || at + length > body.length)
      throw new SyntaxError("tar: a PAX record's length is wrong");
    const record = decoder.decode(body.subarray(space + 1, at + length - 1));
    const eq = record.indexOf("=");
    if (eq < 0 || body[at + length - 1] !== 0x0a) throw new SyntaxError("tar: a PAX record is malformed");
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

function entryType(flag: number): TarEntryType | "pax" | "paxGlobal" | "longName" | "longLink" {
  switch (flag) {
    case 0:
    case 0x30:
    case 0x37:
      return "file";
    case 0x31:
      return "hardlink";
    case 0x32:
      return "symlink";
    case 0x35:
      return "directory";
    case 0x78:
      return "pax";
    case 0x67:
      return "paxGlobal";
    case 0x4c:
      return "longName";
    case 0x4b:
      return "longLink";
    default:
      return "other";
  }
}

/** A PAX or GNU long-name header's body being collected. */
interface MetaState {
  kind: "pax" | "paxGlobal" | "longName" | "longLink";
  size: number;
  parts: Uint8Array[];
  got: number;
}

/**
 * Reads an archive from chunks split anywhere: `push` answers the events the bytes complete,
 * `finish` checks the archive did not stop in the middle of an entry. Headers with a wrong
 * checksum, malformed numbers or PAX records fail with a `SyntaxError`.
 */
export class TarReader {
  #buffer = new Uint8Array(0);
  /** Bytes of the current entry's data still to hand out, and padding after them. */
  #dataLeft = 0;
  #padLeft = 0;
  /** A PAX or GNU long-name header's body being collected. */
  #meta: MetaState | undefined;
  #pending: { path?: string; linkTarget?: string; size?: number } = {};
  #zeroBlocks = 0;
  #ended = false;

  push(chunk: Uint8Array): TarEvent[] {
    const events: TarEvent[] = [];
    let input = chunk;
    while (input.length > 0 && !this.#ended) {
      if (this.#dataLeft > 0) {
        const take = input.subarray(0, Math.min(this.#dataLeft, input.length));
        this.#dataLeft -= take.length;
        input = input.subarray(take.length);
        if (this.#meta) {
          this.#meta.parts.push(take.slice());
          this.#meta.got += take.length;
          if (this.#dataLeft === 0) this.#finishMeta();
        } else events.push({ type: "data", data: take });
        continue;
      }
      if (this.#padLeft > 0) {
        const skip = Math.min(this.#padLeft, input.length);
        this.#padLeft -= skip;
        input = input.subarray(skip);
        continue;
      }
      // A header: gather a whole block.
      const need = BLOCK - this.#buffer.length;
      const take = input.subarray(0, need);
      input = input.subarray(take.length);
      const buffer = new Uint8Array(this.#buffer.length + take.length);
      buffer.set(this.#buffer);
      buffer.set(take, this.#buffer.length);
      this.#buffer = buffer;
      if (this.#buffer.length < BLOCK) break;
      const block = this.#buffer;
      this.#buffer = new Uint8Array(0);
      const event = this.#header(block);
      if (event) events.push(event);
    }
    return events;
  }

  #header(block: Uint8Array): TarEvent | undefined {
    if (block.every((b) => b === 0)) {
      this.#zeroBlocks += 1;
      if (this.#zeroBlocks === 2) {
        this.#ended = true;
        return { type: "end" };
      }
      return undefined;
    }
    if (this.#zeroBlocks > 0) throw new SyntaxError("tar: a lone zero block in the middle of the archive");
    const stored = readNumber(block, 148, 8, "checksum");
    if (stored !== checksum(block)) throw new SyntaxError("tar: a header's checksum is wrong");
    const kind = entryType(block[156] as number);
    let size = readNumber(block, 124, 12, "size");
    if (kind === "pax" || kind === "paxGlobal" || kind === "longName" || kind === "longLink") {
      if (size > MAX_META) throw new SyntaxError(`tar: a ${kind} header of ${size} bytes is too large`);
      this.#meta = { kind, size, parts: [], got: 0 };
      this.#dataLeft = size;
      this.#padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
      if (size === 0) this.#finishMeta();
      return undefined;
    }
    const magic = readString(block, 257, 6);
    const prefix = magic === "ustar" ? readString(block, 345, 155) : "";
    const name = readString(block, 0, 100);
    const pending = this.#pending;
    this.#pending = {};
    if (pending.size !== undefined) size = pending.size;
    const header: TarHeader = {
      path: pending.path ?? (prefix ? `${prefix}/${name}` : name),
      type: kind,
      mode: readNumber(block, 100, 8, "mode"),
      size: kind === "file" || kind === "other" ? size : 0,
      mtime: readNumber(block, 136, 12, "mtime"),
    };
    if (kind === "symlink" || kind === "hardlink")
      header.linkTarget = pending.linkTarget ?? readString(block, 157, 100);
    // Data follows files (and, by their size field, anything else that says it has some).
    this.#dataLeft = header.size;
    this.#padLeft = (BLOCK - (header.size % BLOCK)) % BLOCK;
    if (kind !== "file" && kind !== "other" && size > 0) {
      // A link or directory that claims data: skip it, it is not the entry's content.
      this.#dataLeft = 0;
      this.#padLeft = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    }
    return { type: "entry", header };
  }

  #finishMeta(): void {
    const meta = this.#meta as MetaState;
    this.#meta = undefined;
    const body = new Uint8Array(meta.got);
    let at = 0;
    for (const p of meta.parts) {
      body.set(p, at);
      at += p.length;
    }
    if (meta.kind === "longName" || meta.kind === "longLink") {
      const nul = body.indexOf(0);
      const text = decoder.decode(nul < 0 ? body : body.subarray(0, nul));
      if (meta.kind === "longName") this.#pending.path = text;
      else this.#pending.linkTarget = text;
      return;
    }
    const records = parsePax(body);
    if (meta.kind === "paxGlobal") return;
    if (records.path !== undefined) this.#pending.path = records.path;
    if (records.linkpath !== undefined) this.#pending.linkTarget = records.linkpath;
    if (records.size !== undefined) {
      if (!/^\d+$/.test(records.size)) throw new SyntaxError("tar: a PAX size is not a number");
      this.#pending.size = Number(records.size);
    }
  }

  /** Whether the end-of-archive blocks were read. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The input is over: fails if it stopped inside a header or an entry. An archive that ends at
   * an entry boundary without its end blocks is accepted, as Go's archive/tar does.
   */
  finish(): void {
    if (this.#ended) return;
    if (this.#buffer.length > 0 || this.#dataLeft > 0 || this.#meta || this.#padLeft > 0)
      throw new SyntaxError("tar: the archive is truncated");
  }
}

/**
 * The `/`-separated segments of an entry path to write under a destination, or an error saying
 * why it may not be: absolute paths, `..` anywhere, NUL bytes, and backslashes (a separator on
 * Windows) are refused; `.` and empty segments are dropped.
 */
export function safeEntryPath(path: string): { segments: string[] } | { error: string } {
  if (path.includes("\0")) return { error: "holds a NUL byte" };
  if (path.startsWith("/")) return { error: "is absolute" };
  if (path.includes("\\")) return { error: "holds a backslash" };
  if (/^[A-Za-z]:/.test(path)) return { error: "names a drive" };
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { error: "climbs out with '..'" };
  return { segments };
}

/**
 * Whether a symbolic link at `linkSegments` (relative to the destination) pointing at `target`
 * resolves inside the destination: the target must be relative and must not climb above it.
 */
export function symlinkStaysInside(linkSegments: readonly string[], target: string): boolean {
  if (target === "" || target.startsWith("/") || target.includes("\0") || target.includes("\\")) return false;
  const stack = linkSegments.slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) return false;
      stack.pop();
    } else stack.push(part);
  }
  return true;
}
