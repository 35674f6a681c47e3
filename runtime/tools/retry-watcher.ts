/**
 * A watch that survives reconnects, as client-go's `tools/watch.RetryWatcher`: it resumes from the
 * last resourceVersion it delivered, so no event is seen twice or skipped, and ends with a
 * {@link WatchExpiredError} when that resourceVersion is too old (410): the caller lists again.
 */

import type { KubeObject } from "../core/object.js";
import type { ListOptions } from "../core/options.js";
import type { CallOptions } from "../core/request.js";
import type { WatchEvent } from "../core/watch.js";
import { isForbidden, isGone, isResourceExpired, isStatusError, isUnauthorized } from "../errors.js";

/** Anything that watches: a `ResourceClient` or a typed view of one. */
export interface WatchSource<T> {
  watch(options: ListOptions & CallOptions): AsyncIterable<WatchEvent<T>>;
}

/** client-go's `minRestartDelay`: watches start at most once a second. */
export const defaultMinRestartDelayMs = 1000;

/** Options of a {@link RetryWatcher}. */
export interface RetryWatcherOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** The server ends each watch call after this long; the watcher then starts the next one. */
  timeoutSeconds?: number;
  /** Ends the iteration (without an error). */
  signal?: AbortSignal;
  /** The shortest time between the starts of two watch calls (default 1000 ms, as client-go). */
  minRestartDelayMs?: number;
  /** Restarts a watch that delivered nothing (not even a bookmark) for this long (default: off). */
  idleTimeoutMs?: number;
  /** Keeps BOOKMARK events to itself (they still move the resourceVersion). client-go passes them on. */
  skipBookmarks?: boolean;
  /** Told of each restart: the resourceVersion it resumes from, and the error that ended the last call. */
  onRestart?: (resourceVersion: string, error: unknown) => void;
}

/** The watcher's resourceVersion is too old to resume from (410 Gone/Expired): list again. */
export class WatchExpiredError extends Error {
  override readonly name = "WatchExpiredError";
  constructor(
    /** The last resourceVersion delivered (or the initial one). */
    readonly resourceVersion: string,
    options: { cause: unknown },
  ) {
    super(`watch: resourceVersion ${resourceVersion} is too old to resume from; list again`, options);
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Watches from `resourceVersion` on, starting a new watch call from the last delivered
 * resourceVersion whenever one ends: the server's timeout, a dropped connection, a 5xx or 429
 * (after its `retryAfterSeconds`), or the idle watchdog. Every call asks for bookmarks.
 *
 * Ends with a {@link WatchExpiredError} on 410 (an ERROR event or the answer to a new call), and
 * with the `StatusError` on 401/403, as client-go stops there; stops quietly when `signal` aborts.
 * The resourceVersion must be a real one: `""` and `"0"` mean "any", so resuming would be unsound.
 *
 * @example
 * const list = await pods.list();
 * const watcher = new RetryWatcher(pods, list.metadata!.resourceVersion!, { signal });
 * for await (const event of watcher) handle(event);
 */
export class RetryWatcher<T extends KubeObject> implements AsyncIterable<WatchEvent<T>> {
  readonly #source: WatchSource<T>;
  readonly #options: RetryWatcherOptions;
  #resourceVersion: string;

  constructor(source: WatchSource<T>, resourceVersion: string, options: RetryWatcherOptions = {}) {
    if (resourceVersion === "" || resourceVersion === "0")
      throw new RangeError(
        `RetryWatcher needs a specific resourceVersion, not ${JSON.stringify(resourceVersion)}`,
      );
    this.#source = source;
    this.#resourceVersion = resourceVersion;
    this.#options = options;
  }

  /** The resourceVersion of the last event delivered (or the initial one). */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const { signal, idleTimeoutMs = 0 } = this.#options;
    const minDelay = this.#options.minRestartDelayMs ?? defaultMinRestartDelayMs;
    let lastStart: number | undefined;
    let retryAfterMs = 0;
    while (!signal?.aborted) {
      if (lastStart !== undefined) {
        await sleep(Math.max(lastStart + minDelay - Date.now(), retryAfterMs), signal);
        if (signal?.aborted) return;
      }
      lastStart = Date.now();
      retryAfterMs = 0;
      const attempt = new AbortController();
      let idle: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(idle);
        if (idleTimeoutMs > 0) idle = setTimeout(() => attempt.abort(), idleTimeoutMs);
      };
      let ended: unknown;
      try {
        arm();
        const events = this.#source.watch({
          labelSelector: this.#options.labelSelector,
          fieldSelector: this.#options.fieldSelector,
          timeoutSeconds: this.#options.timeoutSeconds,
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          signal: signal ? AbortSignal.any([signal, attempt.signal]) : attempt.signal,
        });
        for await (const event of events) {
          clearTimeout(idle);
          const rv = event.object?.metadata?.resourceVersion;
          if (!rv) throw new TypeError(`watch: a ${event.type} event without a resourceVersion`);
          this.#resourceVersion = rv;
          // The watchdog waits while the caller works on the event.
          if (event.type !== "BOOKMARK" || !this.#options.skipBookmarks) yield event;
          arm();
        }
      } catch (err) {
        if (signal?.aborted) return;
        if (!attempt.signal.aborted) {
          if (isGone(err) || isResourceExpired(err))
            throw new WatchExpiredError(this.#resourceVersion, { cause: err });
          if (isUnauthorized(err) || isForbidden(err) || !isRestartable(err)) throw err;
          if (isStatusError(err)) retryAfterMs = (err.retryAfterSeconds ?? 0) * 1000;
        }
        ended = err;
      } finally {
        clearTimeout(idle);
        attempt.abort();
      }
      this.#options.onRestart?.(this.#resourceVersion, ended);
    }
  }
}

/** Errors of the connection or the server are retried; a programming error is not. */
function isRestartable(err: unknown): boolean {
  return !(err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError);
}
