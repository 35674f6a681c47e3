/**
 * client-go's workqueue rate limiters (`default_rate_limiters.go`). Delays are in milliseconds.
 */
import { type Clock, realClock } from "./clock.js";

/** Decides how long an item waits before it is retried. */
export interface RateLimiter<T> {
  /** The delay before `item` may be processed again; counts as one more failure. */
  when(item: T): number;
  /** Drops `item`'s failure history (after it was processed successfully). */
  forget(item: T): void;
  /** How many failures `item` has had since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * `baseMs * 2^failures`, capped at `maxMs` (client-go's `ItemExponentialFailureRateLimiter`).
 * The first failure waits `baseMs`.
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {}

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    // 2^exp turns Infinity long before it could wrap, so the cap alone guards overflow.
    return Math.min(this.baseMs * 2 ** exp, this.maxMs);
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * `fastMs` for the first `maxFastAttempts` failures, `slowMs` after (client-go's
 * `ItemFastSlowRateLimiter`).
 */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  readonly #attempts = new Map<T, number>();

  constructor(
    readonly fastMs: number,
    readonly slowMs: number,
    readonly maxFastAttempts: number,
  ) {}

  when(item: T): number {
    const attempts = (this.#attempts.get(item) ?? 0) + 1;
    this.#attempts.set(item, attempts);
    return attempts <= this.maxFastAttempts ? this.fastMs : this.slowMs;
  }

  forget(item: T): void {
    this.#attempts.delete(item);
  }

  numRequeues(item: T): number {
    return this.#attempts.get(item) ?? 0;
  }
}

/**
 * One token bucket for all items (client-go's `BucketRateLimiter` over `golang.org/x/time/rate`):
 * starts full with `burst` tokens, refills at `qps` per second; each `when` reserves a token and
 * returns how long until it is available. It keeps no per-item history.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  #tokens: number;
  #last: number;
  readonly #clock: Clock;

  constructor(
    readonly qps: number,
    readonly burst: number,
    clock: Clock = realClock,
  ) {
    if (!(qps > 0)) throw new RangeError(`qps must be positive, got ${qps}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_item: T): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/**
 * The worst of several limiters (client-go's `MaxOfRateLimiter`): every limiter is consulted (so
 * each records the failure), the longest delay and the highest requeue count win.
 */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let delay = 0;
    for (const limiter of this.limiters) delay = Math.max(delay, limiter.when(item));
    return delay;
  }

  forget(item: T): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  numRequeues(item: T): number {
    let requeues = 0;
    for (const limiter of this.limiters) requeues = Math.max(requeues, limiter.numRequeues(item));
    return requeues;
  }
}

/**
 * Another limiter with its delays capped at `maxMs` (client-go's `WithMaxWaitRateLimiter`); the
 * failure counts are the wrapped limiter's.
 */
export class WithMaxWaitRateLimiter<T> implements RateLimiter<T> {
  constructor(
    readonly limiter: RateLimiter<T>,
    readonly maxMs: number,
  ) {}

  when(item: T): number {
    return Math.min(this.limiter.when(item), this.maxMs);
  }

  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }
}

/**
 * client-go's `DefaultControllerRateLimiter`: per item 5 ms doubling up to 1000 s, and overall
 * 10 retries per second with a burst of 100.
 */
export function defaultControllerRateLimiter<T>(options: { clock?: Clock } = {}): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1_000_000),
    new BucketRateLimiter<T>(10, 100, options.clock),
  );
}
