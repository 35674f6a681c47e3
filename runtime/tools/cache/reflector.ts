/**
 * The reflector keeps a store equal to the server's state of one resource, as client-go's
 * `tools/cache.Reflector`: it lists (or streams the list), then watches from the list's
 * resourceVersion, resumes after dropped connections without listing again, and lists again when
 * the resourceVersion it holds is too old (410). Its defaults are client-go's.
 */

import type { KubeList, KubeObject } from "../../core/object.js";
import type { ListOptions } from "../../core/options.js";
import type { CallOptions } from "../../core/request.js";
import type { WatchEvent } from "../../core/watch.js";
import {
  isBadRequest,
  isForbidden,
  isGone,
  isInvalid,
  isResourceExpired,
  isStatusError,
  isTimeout,
  isTooManyRequests,
  isTransportError,
  isUnauthorized,
} from "../../errors.js";
import { ListPager } from "../pager.js";

/** What a reflector lists and watches: a `ResourceClient` (or a typed view of one) fits. */
export interface ListerWatcher<T> {
  list(options: ListOptions & CallOptions): Promise<KubeList<T>>;
  watch(options: ListOptions & CallOptions): AsyncIterable<WatchEvent<T>>;
}

/** Where a reflector writes what it learns. */
export interface ReflectorStore<T> {
  /** The whole state at `resourceVersion`, from a list or a streaming list's initial events. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

/** How the reflector reads the initial state. */
export type InitialListMode =
  /** Stream it where the server can (`sendInitialEvents`), else list; the default, as client-go since 1.35. */
  | "auto"
  /** Always stream it; a server that cannot is an error, retried with backoff. */
  | "streaming"
  /** Always list (in pages of `pageSize`), then watch. */
  | "list";

/** Backoff between failed list-and-watch rounds (client-go's: 800 ms doubling to 30 s, reset after 2 min). */
export interface ReflectorBackoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A delay grows by a random part up to `jitter` × itself. */
  jitter: number;
  /** A round that ran this long without error starts the backoff over. */
  resetAfterMs: number;
}

export const defaultReflectorBackoff: Readonly<ReflectorBackoff> = Object.freeze({
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
});

/** client-go's `minWatchTimeout`: each watch call asks the server to end it after 5 to 10 minutes. */
export const defaultMinWatchTimeoutSeconds = 300;

/** The annotation on the bookmark that ends a streaming list's initial events. */
export const initialEventsEndAnnotation = "k8s.io/initial-events-end";

/** Options of a {@link Reflector}. */
export interface ReflectorOptions<T> {
  labelSelector?: string;
  fieldSelector?: string;
  /** How the initial state is read (default `"auto"`). */
  initialList?: InitialListMode;
  /** Page size of lists (default 500, as client-go; 0: one request). */
  pageSize?: number;
  /** Watch calls end after a random time between this and twice this (default 300 s). */
  minWatchTimeoutSeconds?: number;
  backoff?: Partial<ReflectorBackoff>;
  /** Applied to each object as it arrives, before it is buffered or stored (e.g. drop managedFields). */
  transform?: (obj: T) => T;
  /**
   * Told of every error that ended a list or a watch (the reflector recovers by itself), as
   * client-go's watch error handler. The default ignores them.
   */
  onError?: (err: unknown, phase: "list" | "watch") => void;
}

/** A streaming list ended before its initial events did. */
class StreamingListIncompleteError extends Error {
  override readonly name = "StreamingListIncompleteError";
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Lists and watches one resource into a {@link ReflectorStore} until its signal aborts.
 *
 * - The first list asks for resourceVersion `"0"` (the apiserver's watch cache), later ones for the
 *   last synced version, and one after a 410 for `""` (a consistent read), as client-go.
 * - Streaming lists (`sendInitialEvents=true`, `resourceVersionMatch=NotOlderThan`) collect the
 *   initial events until the bookmark annotated `k8s.io/initial-events-end` and hand them to the
 *   store in one `replace`; in `"auto"` mode a server that refuses them (400/422) is listed from
 *   then on.
 * - A watch that ends, or whose connection drops, starts again from the last resourceVersion seen
 *   (bookmarks included) without listing; 410 Gone/Expired lists again; other errors list again
 *   after a backoff.
 *
 * @example
 * const reflector = new Reflector(clientset.coreV1.pods("default"), store);
 * await reflector.run(signal);
 */
export class Reflector<T extends KubeObject> {
  readonly #source: ListerWatcher<T>;
  readonly #store: ReflectorStore<T>;
  readonly #options: ReflectorOptions<T>;
  readonly #backoff: ReflectorBackoff;
  #lastSyncResourceVersion = "";
  // The resourceVersion the next list asks for.
  #relistResourceVersion = "0";
  #streamingRefused = false;
  #lastInitialList: "streaming" | "list" | undefined;
  #running = false;
  // Events applied so far: tells a watch that failed at once from one that ran a while.
  #applied = 0;

  constructor(source: ListerWatcher<T>, store: ReflectorStore<T>, options: ReflectorOptions<T> = {}) {
    this.#source = source;
    this.#store = store;
    this.#options = options;
    this.#backoff = { ...defaultReflectorBackoff, ...options.backoff };
  }

  /** The resourceVersion of the last list or event stored (`""` before the first sync). */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /** How the last initial state was read: `"streaming"`, `"list"`, or `undefined` before any. */
  get lastInitialList(): "streaming" | "list" | undefined {
    return this.#lastInitialList;
  }

  /** Lists and watches until `signal` aborts; resolves then. Errors are retried, never thrown. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error("Reflector.run: this reflector is running already");
    this.#running = true;
    try {
      let delay = this.#backoff.initialMs;
      while (!signal.aborted) {
        const started = Date.now();
        try {
          await this.#listAndWatch(signal);
        } catch (err) {
          if (signal.aborted) return;
          this.#options.onError?.(err, this.#lastSyncResourceVersion ? "watch" : "list");
        }
        if (signal.aborted) return;
        if (Date.now() - started >= this.#backoff.resetAfterMs) delay = this.#backoff.initialMs;
        await sleep(delay * (1 + Math.random() * this.#backoff.jitter), signal);
        delay = Math.min(delay * this.#backoff.factor, this.#backoff.maxMs);
      }
    } finally {
      this.#running = false;
    }
  }

  #initialListMode(): "streaming" | "list" {
    const mode = this.#options.initialList ?? "auto";
    if (mode === "auto") return this.#streamingRefused ? "list" : "streaming";
    return mode;
  }

  #watchOptions(signal: AbortSignal): ListOptions & CallOptions {
    const min = this.#options.minWatchTimeoutSeconds ?? defaultMinWatchTimeoutSeconds;
    return {
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
      allowWatchBookmarks: true,
      // Spread over [min, 2·min] so many informers do not reconnect at once.
      timeoutSeconds: Math.floor(min * (1 + Math.random())),
      signal,
    };
  }

  #transform(obj: T): T {
    return this.#options.transform ? this.#options.transform(obj) : obj;
  }

  /** One round: the initial state, then watches, listing again after a 410. Throws what needs a backoff. */
  async #listAndWatch(signal: AbortSignal): Promise<void> {
    let pending: AsyncIterator<WatchEvent<T>> | undefined;
    let needList = true;
    let failures = 0;
    // After a watch the server ended, the next starts at least a second after it did.
    let notBefore = 0;
    while (!signal.aborted) {
      if (needList) {
        if (this.#initialListMode() === "streaming") pending = await this.#streamingList(signal);
        if (signal.aborted) return;
        if (!pending) await this.#list(signal);
        needList = false;
      }
      // A watch the server keeps ending at once should not spin: at most one start a second.
      const wait = notBefore - Date.now();
      if (pending === undefined && wait > 0) await sleep(wait, signal);
      if (signal.aborted) return;
      const started = Date.now();
      const events =
        pending ??
        this.#source
          .watch({ ...this.#watchOptions(signal), resourceVersion: this.#lastSyncResourceVersion })
          [Symbol.asyncIterator]();
      pending = undefined;
      const appliedBefore = this.#applied;
      try {
        await this.#consume(events);
        failures = 0;
        notBefore = started + 1000;
      } catch (err) {
        if (signal.aborted) return;
        if (isExpired(err)) {
          // client-go lists again at once, from a consistent read.
          this.#options.onError?.(err, "watch");
          this.#relistResourceVersion = "";
          needList = true;
          continue;
        }
        if (!isTransportError(err) && !isTooManyRequests(err)) throw err;
        // The connection failed, not the state (refused, reset, a restarting server, 429): watch
        // again from where it stopped, waiting longer each time it fails before any event.
        this.#options.onError?.(err, "watch");
        failures = this.#applied > appliedBefore ? 1 : failures + 1;
        const delay = Math.min(
          this.#backoff.initialMs * this.#backoff.factor ** (failures - 1),
          this.#backoff.maxMs,
        );
        await sleep(delay * (1 + Math.random() * this.#backoff.jitter), signal);
      }
    }
  }

  /** Applies watch events to the store until the stream ends. */
  async #consume(events: AsyncIterator<WatchEvent<T>>): Promise<void> {
    try {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        this.#apply(next.value);
      }
    } finally {
      await events.return?.();
    }
  }

  #apply(event: WatchEvent<T>): void {
    const rv = event.object?.metadata?.resourceVersion;
    if (event.type !== "BOOKMARK") {
      const obj = this.#transform(event.object);
      if (event.type === "ADDED") this.#store.add(obj);
      else if (event.type === "MODIFIED") this.#store.update(obj);
      else this.#store.delete(obj);
    }
    if (rv) this.#lastSyncResourceVersion = rv;
    this.#applied += 1;
  }

  async #list(signal: AbortSignal): Promise<void> {
    const rv = this.#relistResourceVersion;
    // An exact resourceVersion other than "0" cannot be paged (client-go lists it at once).
    const paged = rv === "" || rv === "0";
    // Each page is transformed as it arrives, so the raw page need not outlive it.
    const transform = this.#options.transform;
    const listPage = transform
      ? async (o: ListOptions & CallOptions) => {
          const page = await this.#source.list(o);
          return { ...page, items: page.items.map(transform) };
        }
      : (o: ListOptions & CallOptions) => this.#source.list(o);
    const pager = new ListPager<T>(listPage, {
      pageSize: paged ? (this.#options.pageSize ?? 500) : 0,
    });
    const options = {
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
      resourceVersion: rv,
      signal,
    };
    let list: KubeList<T>;
    try {
      list = (await pager.list(options)).list;
    } catch (err) {
      if (signal.aborted) throw err;
      if (rv === "" || !isExpired(err)) throw err;
      // The version asked for is gone: client-go asks again for the latest at once.
      this.#relistResourceVersion = "";
      list = (await pager.list({ ...options, resourceVersion: "" })).list;
    }
    const listRv = list.metadata?.resourceVersion;
    if (!listRv) throw new TypeError("Reflector: the list has no metadata.resourceVersion");
    this.#store.replace(list.items, listRv);
    this.#lastSyncResourceVersion = listRv;
    this.#relistResourceVersion = listRv;
    this.#lastInitialList = "list";
  }

  /**
   * A streaming list: one watch with `sendInitialEvents`, its initial events gathered and stored
   * in one `replace`. Returns the rest of the stream to go on watching with, or `undefined` when
   * the server refused it and `"auto"` falls back to listing. Other failures throw.
   */
  async #streamingList(signal: AbortSignal): Promise<AsyncIterator<WatchEvent<T>> | undefined> {
    const events = this.#source
      .watch({
        ...this.#watchOptions(signal),
        sendInitialEvents: true,
        resourceVersionMatch: "NotOlderThan",
        resourceVersion: this.#relistResourceVersion === "0" ? "" : this.#relistResourceVersion,
      })
      [Symbol.asyncIterator]();
    const initial = new Map<string, T>();
    let done = false;
    try {
      for (;;) {
        const next = await events.next();
        if (next.done)
          throw new StreamingListIncompleteError("the stream ended before its initial events did");
        const { type, object } = next.value;
        if (type === "BOOKMARK") {
          if (object?.metadata?.annotations?.[initialEventsEndAnnotation] !== "true") continue;
          const rv = object.metadata.resourceVersion;
          if (!rv) throw new TypeError("Reflector: the initial-events-end bookmark has no resourceVersion");
          this.#store.replace([...initial.values()], rv);
          this.#lastSyncResourceVersion = rv;
          this.#relistResourceVersion = rv;
          this.#lastInitialList = "streaming";
          done = true;
          return events;
        }
        const obj = this.#transform(object);
        const key = `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
        if (type === "DELETED") initial.delete(key);
        else initial.set(key, obj);
      }
    } catch (err) {
      if (signal.aborted) return undefined;
      if ((this.#options.initialList ?? "auto") === "auto" && refusesStreaming(err)) {
        this.#streamingRefused = true;
        this.#options.onError?.(err, "list");
        return undefined;
      }
      if (isExpired(err)) this.#relistResourceVersion = "";
      throw err;
    } finally {
      if (!done) await events.return?.();
    }
  }
}

/** The resourceVersion is too old (410 Gone or Expired), or too new for this server (client-go's "too large resource version"). */
function isExpired(err: unknown): boolean {
  if (isGone(err) || isResourceExpired(err)) return true;
  return isTimeout(err) && isStatusError(err) && /too large resource version/i.test(err.message);
}

/** A server that does not know streaming lists answers 400 or 422 (or 403/401 are not about it). */
function refusesStreaming(err: unknown): boolean {
  if (isUnauthorized(err) || isForbidden(err)) return false;
  return isInvalid(err) || isBadRequest(err) || err instanceof StreamingListIncompleteError;
}
