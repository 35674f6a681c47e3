/**
 * client-go's `util/workqueue` queues: a de-duplicating work queue, a delaying queue on top of it
 * and a rate-limiting queue on top of that.
 *
 * Items are compared as `Set` members (SameValueZero), so use strings (e.g. `namespace/name`
 * keys) or keep passing the same object; two equal-looking objects are two items.
 */
import { type Clock, realClock } from "./clock.js";
import type { RateLimiter } from "./rate-limiters.js";

/** What `get()` resolves with: the next item, or `{ shutdown: true }` once the queue is shut down and empty. */
export type QueueGet<T> = { item: T; shutdown: false } | { item?: undefined; shutdown: true };

/**
 * The de-duplicating queue (client-go's `workqueue.Typed[T]`):
 * - an item is queued at most once, however often it is added (the dirty set);
 * - an item being processed (between `get()` and `done()`) is not handed out again; if it is added
 *   meanwhile, it is queued once when `done()` is called (the processing set);
 * - after `shutDown()` new adds are ignored, `get()` still hands out what is queued, then resolves
 *   `{ shutdown: true }`.
 *
 * @example
 * const queue = new WorkQueue<string>();
 * queue.add("default/web");
 * for await (const key of queue) {
 *   try { await reconcile(key); } finally { queue.done(key); }
 * }
 */
export class WorkQueue<T> implements AsyncIterable<T> {
  readonly #queue: T[] = [];
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  // Workers blocked in get(), served first come first served.
  readonly #waiters: ((result: QueueGet<T>) => void)[] = [];
  // shutDownWithDrain() callers waiting for the processing set to empty.
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;
  #drain = false;

  /** Queues `item` unless it is already queued; an item being processed is queued on `done()`. */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#queue.push(item);
    this.#dispatch();
  }

  /** How many items are queued (not counting those being processed). */
  len(): number {
    return this.#queue.length;
  }

  /**
   * The next item, marked as being processed until `done(item)`; waits while the queue is empty.
   * Resolves `{ shutdown: true }` once the queue is shut down and nothing is left to hand out.
   */
  get(): Promise<QueueGet<T>> {
    const next = this.#take();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `item` as processed; if it was added meanwhile it goes back in the queue now. */
  done(item: T): void {
    if (!this.#processing.delete(item)) return;
    if (this.#dirty.has(item)) {
      this.#queue.push(item);
      this.#dispatch();
    } else if (this.#processing.size === 0) {
      this.#releaseDrainers();
    }
  }

  /** Ignores further adds and lets idle workers' `get()` resolve `{ shutdown: true }`; does not wait. */
  shutDown(): void {
    this.#drain = false;
    this.#shuttingDown = true;
    this.#dispatch();
    this.#releaseDrainers();
  }

  /**
   * Shuts down like `shutDown()`, then resolves once every item being processed is `done()` (as
   * client-go, items still queued are not waited for). A later `shutDown()` stops the wait.
   */
  shutDownWithDrain(): Promise<void> {
    this.#drain = true;
    this.#shuttingDown = true;
    this.#dispatch();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Yields items until shutdown; the consumer must still call `done(item)` for each. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = await this.get();
      if (next.shutdown) return;
      yield next.item;
    }
  }

  #take(): QueueGet<T> | undefined {
    if (this.#queue.length === 0) return this.#shuttingDown ? { shutdown: true } : undefined;
    const item = this.#queue.shift() as T;
    this.#processing.add(item);
    this.#dirty.delete(item);
    return { item, shutdown: false };
  }

  // Hands queued items straight to waiting workers, and tells them about shutdown.
  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const next = this.#take();
      if (!next) return;
      this.#waiters.shift()?.(next);
    }
  }

  #releaseDrainers(): void {
    if (this.#drain && this.#processing.size > 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * A work queue that can also add an item later (client-go's `TypedDelayingInterface`). An item
 * waiting to be added is held once; adding it again with an earlier time moves it earlier, a later
 * time is ignored. One timer is armed, for the earliest item.
 */
export class DelayingQueue<T> extends WorkQueue<T> {
  protected readonly clock: Clock;
  readonly #waiting = new Map<T, number>();
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(options: { clock?: Clock } = {}) {
    super();
    this.clock = options.clock ?? realClock;
  }

  /** Adds `item` after `ms` milliseconds (at once if `ms <= 0`). */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown()) return;
    if (!(ms > 0)) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + ms;
    const current = this.#waiting.get(item);
    if (current !== undefined && current <= at) return;
    this.#waiting.set(item, at);
    this.#arm();
  }

  override shutDown(): void {
    this.#stop();
    super.shutDown();
  }

  override shutDownWithDrain(): Promise<void> {
    this.#stop();
    return super.shutDownWithDrain();
  }

  #stop(): void {
    this.#waiting.clear();
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  // Keeps exactly one timer, due at the earliest waiting item.
  #arm(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const at of this.#waiting.values()) earliest = Math.min(earliest, at);
    if (earliest === this.#timerAt) return;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = earliest;
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.#timer = this.clock.setTimer(() => this.#fire(), earliest - this.clock.now());
  }

  // Adds every due item, earliest first, then re-arms for the rest.
  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const due = [...this.#waiting].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [item] of due) {
      this.#waiting.delete(item);
      this.add(item);
    }
    this.#arm();
  }
}

/**
 * A delaying queue whose delays come from a rate limiter (client-go's
 * `TypedRateLimitingInterface`): `addRateLimited` after a failure, `forget` after a success.
 *
 * @example
 * const queue = new RateLimitingQueue<string>(defaultControllerRateLimiter());
 * // in a worker: on error queue.addRateLimited(key), on success queue.forget(key); then queue.done(key)
 */
export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(rateLimiter: RateLimiter<T>, options: { clock?: Clock } = {}) {
    super(options);
    this.rateLimiter = rateLimiter;
  }

  /** Adds `item` once the rate limiter says it may be retried. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears the limiter's failure history for `item` (it does not remove the item from the queue). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** How many times `item` has been re-queued through the limiter since it was last forgotten. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
