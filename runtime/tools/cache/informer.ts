/**
 * `SharedIndexInformer`: one reflector filling one indexed cache, and any number of event handlers
 * told of each change, as client-go's `tools/cache.SharedIndexInformer`. Each handler has its own
 * unbounded queue, so a slow one delays nobody else, and sees every change once, in order.
 */

import type { KubeObject } from "../../core/object.js";
import {
  type InitialListMode,
  type ListerWatcher,
  Reflector,
  type ReflectorBackoff,
  type ReflectorStore,
} from "./reflector.js";
import {
  DeletedFinalStateUnknown,
  Indexer,
  type Indexers,
  metaNamespaceIndexFunc,
  namespaceIndex,
} from "./store.js";

/**
 * What a handler is told. Each method may return a promise: the handler's next notification waits
 * for it (other handlers do not).
 */
export interface ResourceEventHandler<T> {
  /** A new object; `isInInitialList` is true for objects of the first list (and of a late handler's replay). */
  onAdd?(obj: T, isInInitialList: boolean): void | Promise<void>;
  /** A changed object, or the same object again at a resync (`oldObj === newObj`). */
  onUpdate?(oldObj: T, newObj: T): void | Promise<void>;
  /** A deleted object: its final state, or a tombstone when a relist found it gone. */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void | Promise<void>;
}

/** A handler's registration: remove it, or ask whether it has seen the initial state. */
export interface ResourceEventHandlerRegistration {
  /** True once this handler has been told of every object of the initial state. */
  hasSynced(): boolean;
  /** Stops telling this handler; what is queued for it is dropped. */
  remove(): void;
}

/** Options of {@link SharedIndexInformer.addEventHandler}. */
export interface EventHandlerOptions {
  /**
   * Re-delivers every cached object as `onUpdate(obj, obj)` this often (ms; default: the
   * informer's `resyncPeriodMs`; 0: never). Shorter than 1 s is raised to 1 s, as client-go.
   */
  resyncPeriodMs?: number;
}

/** Options of a {@link SharedIndexInformer}. */
export interface SharedIndexInformerOptions<T> {
  labelSelector?: string;
  fieldSelector?: string;
  /** The default resync period of handlers (ms; default 0: none). */
  resyncPeriodMs?: number;
  /** Indexes besides `namespace`, which every informer has. */
  indexers?: Indexers<T>;
  /**
   * Applied to every object before it is cached or handed to a handler, e.g. to drop
   * `metadata.managedFields`. It may change and return its argument: the object is the informer's.
   */
  transform?: (obj: T) => T;
  /** How the initial state is read (default `"auto"`: streamed where the server can). */
  initialList?: InitialListMode;
  /** Page size of lists (default 500). */
  pageSize?: number;
  /** Watch calls end after a random time between this and twice this (default 300 s). */
  minWatchTimeoutSeconds?: number;
  backoff?: Partial<ReflectorBackoff>;
  /** Told of each list or watch error the informer recovered from (default: ignored). */
  onWatchError?: (err: unknown, phase: "list" | "watch") => void;
  /** Told when a handler throws or rejects (default: `console.error`); the handler goes on. */
  onHandlerError?: (err: unknown) => void;
}

/** client-go's `minimumResyncPeriod`. */
export const minimumResyncPeriodMs = 1000;

type Notification<T> =
  | { type: "add"; obj: T; initial: boolean }
  | { type: "update"; old: T; obj: T }
  | { type: "delete"; obj: T | DeletedFinalStateUnknown<T> };

/** One handler with its queue, drained in order, one notification at a time. */
class Listener<T> implements ResourceEventHandlerRegistration {
  #queue: Notification<T>[] = [];
  #head = 0;
  #draining = false;
  #removed = false;
  // How many notifications must be handled before this handler has seen the initial state;
  // undefined until the informer has synced.
  #syncedAfter: number | undefined;
  #handled = 0;
  #enqueued = 0;
  resyncTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly handler: ResourceEventHandler<T>,
    readonly resyncPeriodMs: number,
    readonly onError: (err: unknown) => void,
    readonly onRemove: (listener: Listener<T>) => void,
  ) {}

  /** Marks the notifications queued so far as the initial state. */
  markSynced(): void {
    this.#syncedAfter ??= this.#enqueued;
  }

  hasSynced(): boolean {
    return this.#syncedAfter !== undefined && this.#handled >= this.#syncedAfter;
  }

  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    this.#queue = [];
    this.#head = 0;
    this.onRemove(this);
  }

  get removed(): boolean {
    return this.#removed;
  }

  push(notification: Notification<T>): void {
    if (this.#removed) return;
    this.#queue.push(notification);
    this.#enqueued += 1;
    if (!this.#draining) {
      this.#draining = true;
      // Handlers run after the change that queued them is complete in the cache.
      queueMicrotask(() => void this.#drain());
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#head < this.#queue.length && !this.#removed) {
        const n = this.#queue[this.#head] as Notification<T>;
        this.#queue[this.#head] = undefined as unknown as Notification<T>;
        this.#head += 1;
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        try {
          const result =
            n.type === "add"
              ? this.handler.onAdd?.(n.obj, n.initial)
              : n.type === "update"
                ? this.handler.onUpdate?.(n.old, n.obj)
                : this.handler.onDelete?.(n.obj);
          if (result && typeof (result as Promise<void>).then === "function") await result;
        } catch (err) {
          this.onError(err);
        }
        this.#handled += 1;
      }
    } finally {
      this.#draining = false;
    }
  }
}

/**
 * An informer: a cache of one resource kept current by list and watch, with event handlers and
 * indexes. Start it with `run(signal)`; it stops when the signal aborts.
 *
 * Handlers are told of each change once, in order: a relist (after a 410) tells only what changed,
 * with deletes it missed as {@link DeletedFinalStateUnknown}; the cache is swapped whole, so
 * readers never see a half-listed state. Cached objects are shared: do not change them.
 *
 * @example
 * const informer = new SharedIndexInformer(clientset.coreV1.pods(), {
 *   transform: (pod) => { delete pod.metadata?.managedFields; return pod; },
 * });
 * informer.addEventHandler({ onAdd: (pod) => queue.add(keyOf(pod)) });
 * void informer.run(signal);
 * await informer.waitForCacheSync(signal);
 */
export class SharedIndexInformer<T extends KubeObject> implements ReflectorStore<T> {
  /** The cache (client-go's `GetIndexer()`/`GetStore()`): read it, do not write it. */
  readonly indexer: Indexer<T>;
  readonly #reflector: Reflector<T>;
  readonly #options: SharedIndexInformerOptions<T>;
  readonly #listeners = new Set<Listener<T>>();
  #synced = false;
  #started = false;
  #stopped = false;
  readonly #syncWaiters = new Set<() => void>();

  constructor(source: ListerWatcher<T>, options: SharedIndexInformerOptions<T> = {}) {
    this.#options = options;
    this.indexer = new Indexer<T>({ [namespaceIndex]: metaNamespaceIndexFunc, ...options.indexers });
    this.#reflector = new Reflector(source, this, {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      transform: options.transform,
      initialList: options.initialList,
      pageSize: options.pageSize,
      minWatchTimeoutSeconds: options.minWatchTimeoutSeconds,
      backoff: options.backoff,
      onError: options.onWatchError,
    });
  }

  /**
   * Adds a handler. One added after the informer has synced is first told of every cached object
   * (`onAdd(obj, true)`), as client-go replays the state to late handlers.
   */
  addEventHandler(
    handler: ResourceEventHandler<T>,
    options: EventHandlerOptions = {},
  ): ResourceEventHandlerRegistration {
    if (this.#stopped) throw new Error("SharedIndexInformer: handler added after the informer stopped");
    const requested = options.resyncPeriodMs ?? this.#options.resyncPeriodMs ?? 0;
    const period = requested > 0 ? Math.max(requested, minimumResyncPeriodMs) : 0;
    const onError =
      this.#options.onHandlerError ?? ((err: unknown) => console.error("[kubegen] informer handler:", err));
    const listener = new Listener<T>(handler, period, onError, (l) => this.#removeListener(l));
    this.#listeners.add(listener);
    if (this.#synced) {
      for (const obj of this.indexer.list()) listener.push({ type: "add", obj, initial: true });
      listener.markSynced();
    }
    if (this.#started) this.#startResync(listener);
    return listener;
  }

  /** Removes a handler added with {@link addEventHandler}. */
  removeEventHandler(registration: ResourceEventHandlerRegistration): void {
    registration.remove();
  }

  /** Adds indexes (see {@link Indexer.addIndexers}). */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** True once the cache holds the first complete state. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** True after `run`'s signal aborted. */
  get isStopped(): boolean {
    return this.#stopped;
  }

  /** The resourceVersion the cache is current to (`""` before the first sync). */
  get lastSyncResourceVersion(): string {
    return this.#reflector.lastSyncResourceVersion;
  }

  /** How the last initial state was read: `"streaming"` (sendInitialEvents) or `"list"`. */
  get lastInitialList(): "streaming" | "list" | undefined {
    return this.#reflector.lastInitialList;
  }

  /** Resolves `true` once synced, or `false` if `signal` aborts (or the informer stops) first. */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        this.#syncWaiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve(this.#synced);
      };
      this.#syncWaiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * Lists and watches until `signal` aborts, then stops the handlers; resolves when stopped.
   * An informer runs once.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error("SharedIndexInformer.run: an informer runs once");
    this.#started = true;
    for (const listener of this.#listeners) this.#startResync(listener);
    try {
      await this.#reflector.run(signal);
    } finally {
      this.#stopped = true;
      for (const listener of [...this.#listeners]) listener.remove();
      for (const wake of [...this.#syncWaiters]) wake();
    }
  }

  // ReflectorStore: what the reflector learns becomes the cache and the handlers' notifications.

  /** @internal */
  replace(items: T[], _resourceVersion: string): void {
    const initial = !this.#synced;
    const before = new Map(this.indexer.entries());
    this.indexer.replace(items);
    for (const obj of items) {
      const key = this.indexer.keyOf(obj);
      const old = before.get(key);
      if (old === undefined) this.#notify({ type: "add", obj, initial });
      else {
        before.delete(key);
        // A relist tells only what changed; resyncs are what re-deliver unchanged objects.
        if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
          this.#notify({ type: "update", old, obj });
      }
    }
    for (const [key, old] of before)
      this.#notify({ type: "delete", obj: new DeletedFinalStateUnknown(key, old) });
    if (!this.#synced) {
      this.#synced = true;
      for (const listener of this.#listeners) listener.markSynced();
      for (const wake of [...this.#syncWaiters]) wake();
    }
  }

  /** @internal */
  add(obj: T): void {
    const old = this.indexer.get(obj);
    this.indexer.add(obj);
    this.#notify(old === undefined ? { type: "add", obj, initial: false } : { type: "update", old, obj });
  }

  /** @internal */
  update(obj: T): void {
    this.add(obj);
  }

  /** @internal */
  delete(obj: T): void {
    this.indexer.delete(obj);
    this.#notify({ type: "delete", obj });
  }

  #notify(notification: Notification<T>): void {
    for (const listener of this.#listeners) listener.push(notification);
  }

  #startResync(listener: Listener<T>): void {
    if (listener.resyncPeriodMs <= 0 || listener.resyncTimer) return;
    listener.resyncTimer = setInterval(() => {
      if (!this.#synced || listener.removed) return;
      for (const obj of this.indexer.list()) listener.push({ type: "update", old: obj, obj });
    }, listener.resyncPeriodMs);
    listener.resyncTimer.unref?.();
  }

  #removeListener(listener: Listener<T>): void {
    clearInterval(listener.resyncTimer);
    this.#listeners.delete(listener);
  }
}
