/**
 * Copying files and folders into and out of a container over exec with tar, as `kubectl cp`:
 * out of it, `tar cf - -C <dir> <name>` streams an archive that is unpacked here; into it, an
 * archive made here goes to `tar xf - -C <dir>` on stdin. The tar format is runtime/core/tar.ts.
 *
 * What comes out of a container is not trusted: an entry whose path is absolute or climbs with
 * `..`, a hard link, a device, a symbolic link whose target leaves the destination or passes
 * through another symbolic link, and any write through a symbolic link already there, fail the
 * copy with a `CopyError` naming the entry (kubectl's CVE-2018-1002100, CVE-2019-1002101,
 * CVE-2019-11246 class). Symbolic links are created last, once every file is written.
 */

import { constants } from "node:fs";
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
} from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { safeEntryPath, symlinkStaysInside, type TarHeader, TarReader, TarWriter } from "../core/tar.js";
import type { RemoteCommand } from "./remote-command.js";

const copyErrorBrand = Symbol.for("kubegen.CopyError");

/** A copy refused an archive entry, or the tar in the container failed. */
export class CopyError extends Error {
  override readonly name = "CopyError";
  readonly [copyErrorBrand] = true;
  /** The archive entry refused, if that is what failed. */
  readonly entry: string | undefined;

  constructor(message: string, entry?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.entry = entry;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && copyErrorBrand in value;
  }
}

/** Starts a command in the container (an `execStream` bound to a pod and container). */
export type StartCommand = (
  command: string[],
  options: { stdin: boolean; signal?: AbortSignal },
) => Promise<RemoteCommand>;

/** A container path split into the folder to run tar in and the name to copy. */
function splitContainerPath(path: string): { dir: string; base: string } {
  const normalized = posix.normalize(path).replace(/\/+$/, "");
  const base = posix.basename(normalized);
  if (normalized === "" || base === "" || base === "." || base === "..")
    throw new CopyError(`cp: ${JSON.stringify(path)} does not name a file or folder`);
  return { dir: posix.dirname(normalized), base };
}

const maxStderr = 64 * 1024;
const sendHighWater = 4 << 20;

/** Reads up to `maxStderr` bytes of a channel as text. */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    if (size < maxStderr) parts.push(Buffer.from(chunk.subarray(0, maxStderr - size)));
    size += chunk.length;
  }
  return Buffer.concat(parts).toString("utf8");
}

async function checkExit(cmd: RemoteCommand, stderr: Promise<string>, what: string): Promise<void> {
  let code: number;
  try {
    code = await cmd.exitCode;
  } catch (err) {
    throw new CopyError(`cp: ${what} failed: ${(err as Error).message}`, undefined, { cause: err });
  }
  if (code !== 0) {
    const text = (await stderr.catch(() => "")).trim();
    throw new CopyError(`cp: ${what} exited with code ${code}${text ? `: ${text}` : ""}`);
  }
}

/** What is on disk at `path`, not following a final symbolic link. */
async function kindAt(path: string): Promise<"missing" | "directory" | "symlink" | "other"> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "directory" : "other";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
}

/**
 * Unpacks an untrusted archive under `dest`: the entry `base` becomes `dest` itself, and
 * `base/x/y` becomes `dest/x/y`. Entries outside `base` are refused.
 */
class Extractor {
  readonly #dest: string;
  readonly #base: string;
  /** Symbolic links to make at the end: where, and pointing at what. */
  readonly #links: { segments: string[]; target: string; entry: string }[] = [];
  #file: FileHandle | undefined;
  #entries = 0;

  constructor(dest: string, base: string) {
    this.#dest = dest;
    this.#base = base;
  }

  get entries(): number {
    return this.#entries;
  }

  /** The destination segments of an entry, or a refusal. */
  #segments(path: string): string[] {
    const safe = safeEntryPath(path);
    if ("error" in safe)
      throw new CopyError(`cp: refusing archive entry ${JSON.stringify(path)}: it ${safe.error}`, path);
    const [first, ...rest] = safe.segments;
    if (first !== this.#base)
      throw new CopyError(
        `cp: refusing archive entry ${JSON.stringify(path)}: it is not under ${JSON.stringify(this.#base)}`,
        path,
      );
    return rest;
  }

  /**
   * Makes the folders leading to `segments` (not the last), refusing to pass through a symbolic
   * link; answers the entry's path on disk. The destination itself is the caller's choice, so it
   * may be a link to a folder.
   */
  async #parents(segments: readonly string[], entry: string): Promise<string> {
    if (segments.length === 0) {
      await mkdir(dirname(this.#dest), { recursive: true });
      return this.#dest;
    }
    try {
      if (!(await stat(this.#dest)).isDirectory())
        throw new CopyError(
          `cp: ${this.#dest} is not a folder, and ${JSON.stringify(entry)} goes in it`,
          entry,
        );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await mkdir(this.#dest, { recursive: true });
    }
    let at = this.#dest;
    for (const part of segments.slice(0, -1)) {
      at = join(at, part);
      const kind = await kindAt(at);
      if (kind === "symlink")
        throw new CopyError(
          `cp: refusing archive entry ${JSON.stringify(entry)}: ${at} is a symbolic link`,
          entry,
        );
      if (kind === "other")
        throw new CopyError(
          `cp: refusing archive entry ${JSON.stringify(entry)}: ${at} is not a folder`,
          entry,
        );
      if (kind === "missing") await mkdir(at);
    }
    return join(this.#dest, ...segments);
  }

  async entry(header: TarHeader): Promise<void> {
    await this.endFile();
    this.#entries += 1;
    const segments = this.#segments(header.path);
    const entry = header.path;
    switch (header.type) {
      case "directory": {
        const path = await this.#parents(segments, entry);
        const kind = await kindAt(path);
        if (kind === "missing") await mkdir(path, { mode: (header.mode & 0o777) | 0o700 });
        else if (kind !== "directory")
          throw new CopyError(
            `cp: refusing archive entry ${JSON.stringify(entry)}: ${path} is not a folder`,
            entry,
          );
        return;
      }
      case "file": {
        const path = await this.#parents(segments, entry);
        const kind = await kindAt(path);
        if (kind === "symlink" || kind === "directory")
          throw new CopyError(
            `cp: refusing archive entry ${JSON.stringify(entry)}: ${path} is a ${kind === "symlink" ? "symbolic link" : "folder"}`,
            entry,
          );
        // O_NOFOLLOW: never write through a link, even one that appeared since the check.
        this.#file = await open(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
          header.mode & 0o777,
        );
        return;
      }
      case "symlink": {
        const target = header.linkTarget ?? "";
        if (segments.length === 0 || !symlinkStaysInside(segments, target))
          throw new CopyError(
            `cp: refusing archive entry ${JSON.stringify(entry)}: a symbolic link to ${JSON.stringify(target)} leads out of the destination`,
            entry,
          );
        this.#links.push({ segments, target, entry });
        return;
      }
      default:
        throw new CopyError(
          `cp: refusing archive entry ${JSON.stringify(entry)}: ${header.type === "hardlink" ? "a hard link" : "not a file, folder or symbolic link"}`,
          entry,
        );
    }
  }

  async data(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file) return;
    for (let at = 0; at < bytes.length; ) at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
  }

  async endFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  /**
   * Makes the symbolic links, last: none may pass through another one (each resolves inside by
   * itself, so a chain of them does too), and none may replace what is there.
   */
  async finish(): Promise<void> {
    await this.endFile();
    const links = new Set(this.#links.map((l) => l.segments.join("/")));
    for (const link of this.#links) {
      const stack = link.segments.slice(0, -1);
      const parts = link.target.split("/").filter((p) => p !== "" && p !== ".");
      for (const [i, part] of parts.entries()) {
        if (part === "..") stack.pop();
        else stack.push(part);
        if (i === parts.length - 1) break;
        const through = stack.join("/");
        if (links.has(through) || (await kindAt(join(this.#dest, ...stack))) === "symlink")
          throw new CopyError(
            `cp: refusing archive entry ${JSON.stringify(link.entry)}: its target passes through the symbolic link ${through}`,
            link.entry,
          );
      }
      const path = await this.#parents(link.segments, link.entry);
      if ((await kindAt(path)) !== "missing")
        throw new CopyError(
          `cp: refusing archive entry ${JSON.stringify(link.entry)}: ${path} exists`,
          link.entry,
        );
      await symlink(link.target, path);
    }
  }

  async abort(): Promise<void> {
    await this.endFile().catch(() => {});
  }
}

/**
 * Copies a file or folder out of a container: `podPath` becomes `localPath` (a folder's content
 * goes into `localPath`, made if missing). Runs `tar cf - -C <dir> <name>` in the container, which
 * must have `tar`. Resolves with the number of archive entries written.
 */
export async function copyFromContainer(
  start: StartCommand,
  podPath: string,
  localPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ entries: number }> {
  const { dir, base } = splitContainerPath(podPath);
  const cmd = await start(["tar", "cf", "-", "-C", dir, base], { stdin: false, signal: options.signal });
  const stderr = collect(cmd.stderr);
  stderr.catch(() => {});
  const extractor = new Extractor(localPath, base);
  const reader = new TarReader();
  try {
    for await (const chunk of cmd.stdout) {
      for (const event of reader.push(chunk)) {
        if (event.type === "entry") await extractor.entry(event.header);
        else if (event.type === "data") await extractor.data(event.data);
      }
      if (reader.ended) break;
    }
    await checkExit(cmd, stderr, `tar in the container`);
    try {
      reader.finish();
    } catch (err) {
      throw new CopyError(`cp: ${(err as Error).message}`, undefined, { cause: err });
    }
    if (extractor.entries === 0)
      throw new CopyError(`cp: ${podPath}: the archive from the container is empty`);
    await extractor.finish();
    return { entries: extractor.entries };
  } catch (err) {
    cmd.close();
    await extractor.abort();
    if (err instanceof CopyError) throw err;
    // A malformed archive, or the local filesystem refusing (a file where a folder goes...).
    throw new CopyError(`cp: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** The archive entries of a local file or folder, under the name `base`. */
async function* localEntries(
  path: string,
  name: string,
): AsyncGenerator<Parameters<TarWriter["entry"]>[0], void, undefined> {
  const st = await lstat(path);
  const mtime = Math.floor(st.mtimeMs / 1000);
  const mode = st.mode & 0o777;
  if (st.isSymbolicLink())
    yield { path: name, type: "symlink", mode, mtime, linkTarget: await readlink(path) };
  else if (st.isDirectory()) {
    yield { path: name, type: "directory", mode, mtime };
    for (const child of (await readdir(path)).sort())
      yield* localEntries(join(path, child), `${name}/${child}`);
  } else if (st.isFile()) yield { path: name, type: "file", mode, mtime, data: await readFile(path) };
  // Sockets, devices and pipes are not copied, as kubectl skips them.
}

/**
 * Copies a local file or folder into a container: `localPath` becomes `podPath`, whose folder must
 * exist there. Runs `tar xf - -C <dir>` in the container with the archive on stdin; the archive is
 * padded to whole tar records, so tar finishes even where stdin's end cannot be signalled (a
 * `v4.channel.k8s.io` server, or KWOK). The archive is streamed as it is made, one file in memory
 * at a time. Resolves with the number of entries sent.
 */
export async function copyToContainer(
  start: StartCommand,
  localPath: string,
  podPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ entries: number }> {
  const { dir, base } = splitContainerPath(podPath);
  // Fail on a missing local path before anything runs in the container.
  await lstat(localPath);
  const cmd = await start(["tar", "xf", "-", "-C", dir], { stdin: true, signal: options.signal });
  const stderr = collect(cmd.stderr);
  stderr.catch(() => {});
  const stdout = collect(cmd.stdout);
  stdout.catch(() => {});
  const writer = new TarWriter();
  let entries = 0;
  // tar may end early (an error, or the connection): then stop sending and report that.
  let ended = false;
  cmd.exitCode.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  const send = async (part: Uint8Array) => {
    if (ended) return;
    cmd.write(part);
    // Pace the WebSocket: wait while more than a few MiB are queued.
    while (!ended && cmd.bufferedAmount > sendHighWater) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    // One file in memory at a time.
    for await (const entry of localEntries(localPath, base)) {
      for (const part of writer.entry(entry)) await send(part);
      entries += 1;
    }
    await send(writer.end());
  } catch (err) {
    cmd.close();
    throw err;
  }
  if (!ended && cmd.protocol === "v5.channel.k8s.io") cmd.end();
  await checkExit(cmd, stderr, `tar in the container`);
  return { entries };
}
