/**
 * A bearer token read from a file and re-read as it rotates (projected service-account tokens are
 * replaced about hourly). As client-go's cached token source: a token is reused for 50 seconds;
 * a read failure keeps the last good token; a 401 (`invalidate()`) forces a fresh read.
 */
import { readFile } from "node:fs/promises";
import type { CredentialSource, Credentials } from "../config/types.js";

export class TokenFileSource implements CredentialSource {
  readonly description: string;
  readonly #file: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #token: string | undefined;
  #readAt = Number.NEGATIVE_INFINITY;

  /** `maxAgeMs`: how long a read token is reused (default 50 s). */
  constructor(file: string, options: { maxAgeMs?: number; now?: () => number; initialToken?: string } = {}) {
    this.#file = file;
    this.description = `token file ${file}`;
    this.#maxAgeMs = options.maxAgeMs ?? 50_000;
    this.#now = options.now ?? Date.now;
    if (options.initialToken) {
      this.#token = options.initialToken;
      this.#readAt = this.#now();
    }
  }

  async get(): Promise<Credentials> {
    if (this.#token !== undefined && this.#now() - this.#readAt < this.#maxAgeMs)
      return { token: this.#token };
    try {
      const token = (await readFile(this.#file, "utf8")).trim();
      if (!token) throw new Error(`token file ${this.#file} is empty`);
      this.#token = token;
      this.#readAt = this.#now();
    } catch (err) {
      // A rotation in progress can leave the file briefly missing or empty: keep the last good token.
      if (this.#token === undefined) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new Error(`cannot read token file ${this.#file}: ${reason}`);
      }
    }
    return { token: this.#token };
  }

  invalidate(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }
}
