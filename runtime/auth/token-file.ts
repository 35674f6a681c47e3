/**
 * `TokenFileSource`: a bearer token read from a file and re-read as it rotates (kubelet replaces
 * projected service-account tokens well before they expire). It follows client-go's cached file
 * token source (`transport/token_source.go`): a read token is trusted for 60 s minus a 10 s
 * leeway, its content is trimmed, an empty file is an error, and a failed re-read keeps the last
 * good token. Beyond client-go, a change of the file (mtime, size or inode, checked at most once a
 * second) is picked up at once, and `invalidate()` (after a 401) forces a fresh read.
 */
import { readFile, stat } from "node:fs/promises";
import type { CredentialSource, Credentials } from "./credentials.js";

/** Options of {@link TokenFileSource}; all have client-go's defaults. */
export interface TokenFileSourceOptions {
  /** How long a read token is reused before the file is read again (default 50 s: 60 s − 10 s leeway). */
  maxAgeMs?: number;
  /** How often, at most, the file's metadata is checked for a change (default 1 s; 0: every call). */
  statIntervalMs?: number;
  /** Used while the file cannot be read (a kubeconfig's `token` next to its `tokenFile`). */
  fallbackToken?: string;
  /** Clock, for tests. */
  now?: () => number;
}

interface Snapshot {
  token: string;
  readAt: number;
  /** mtime, size and inode when read: a change means the file was rotated. */
  version: string;
}

const versionOf = (s: { mtimeMs: number; size: number; ino: number }) => `${s.mtimeMs}:${s.size}:${s.ino}`;

/**
 * A bearer token from a file, re-read as it rotates.
 *
 * @example
 * const source = new TokenFileSource("/var/run/secrets/kubernetes.io/serviceaccount/token");
 * const config: ClientConfig = { server, namespace: "default", tls: {}, auth: { type: "source", source } };
 */
export class TokenFileSource implements CredentialSource {
  readonly description: string;
  /** The token file's path. */
  readonly file: string;
  readonly #maxAgeMs: number;
  readonly #statIntervalMs: number;
  readonly #fallback: string | undefined;
  readonly #now: () => number;
  #snapshot: Snapshot | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<Credentials> | undefined;

  constructor(file: string, options: TokenFileSourceOptions = {}) {
    this.file = file;
    this.description = `token file ${file}`;
    this.#maxAgeMs = options.maxAgeMs ?? 50_000;
    this.#statIntervalMs = options.statIntervalMs ?? 1_000;
    this.#fallback = options.fallbackToken || undefined;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The current token: cached, or read from the file when the cache is old, the file changed, or
   * after `invalidate()`.
   *
   * @throws Error naming the file (never the token) when it cannot be read, or is empty, and no
   *   earlier token or fallback exists
   */
  async get(): Promise<Credentials> {
    const snap = this.#snapshot;
    if (snap && this.#now() - snap.readAt < this.#maxAgeMs && !(await this.#changed(snap)))
      return { token: snap.token };
    // Concurrent callers share one read.
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** Forgets the cached token: the next `get()` reads the file again. */
  invalidate(): void {
    if (this.#snapshot) this.#snapshot.readAt = Number.NEGATIVE_INFINITY;
  }

  async #changed(snap: Snapshot): Promise<boolean> {
    const now = this.#now();
    if (now - this.#checkedAt < this.#statIntervalMs) return false;
    this.#checkedAt = now;
    try {
      return versionOf(await stat(this.file)) !== snap.version;
    } catch {
      return true; // Gone for now: try a read, which keeps the last good token if it fails.
    }
  }

  async #read(): Promise<Credentials> {
    try {
      const before = await stat(this.file);
      const token = (await readFile(this.file, "utf8")).trim();
      if (!token) throw new Error("the file is empty");
      const now = this.#now();
      this.#snapshot = { token, readAt: now, version: versionOf(before) };
      this.#checkedAt = now;
      return { token };
    } catch (err) {
      // A rotation in progress can leave the file briefly missing or empty: keep the last good token.
      const last = this.#snapshot?.token ?? this.#fallback;
      if (last !== undefined) return { token: last };
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(`cannot read token file ${this.file}: ${reason}`, { cause: err });
    }
  }
}
