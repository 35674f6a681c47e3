/**
 * Client-side rate limiting: a token bucket (client-go's defaults: 5 queries per second, burst 10)
 * shared by every request through one dispatcher, so one bucket per clientset rather than per
 * group. Watches are not throttled, as in client-go; a retry takes a token again (it sits below
 * the retry layer). A request waiting for a token ends at once when its signal aborts.
 */
import type { Dispatcher } from "undici";
import { sendAfter } from "../handler.js";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** client-go's `DefaultQPS`. */
export const defaultQps = 5;
/** client-go's `DefaultBurst`. */
export const defaultBurst = 10;

/**
 * The bucket for a configuration, as client-go's `RESTClientFor`: QPS 0 or unset means the default
 * 5, burst 0 or unset the default 10, a negative QPS disables client-side throttling (undefined).
 */
export function tokenBucketFor(
  config: { qps?: number; burst?: number },
  now?: () => number,
): TokenBucket | undefined {
  const qps = config.qps || defaultQps;
  if (qps < 0) return undefined;
  return new TokenBucket(qps, config.burst || defaultBurst, now);
}

/**
 * A token bucket that starts full (as `golang.org/x/time/rate`); `now` is injectable so tests
 * need no real time.
 *
 * @example
 * const bucket = new TokenBucket(5, 10);
 * const waitMs = bucket.reserve(); // 0 for the first 10 calls, then 200, 400, ...
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  constructor(qps: number, burst: number, now: () => number = () => performance.now()) {
    if (!(qps > 0)) throw new RangeError(`qps must be positive, got ${qps}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1 when qps is set, got ${burst}`);
    this.qps = qps;
    this.burst = burst;
    this.#tokens = burst;
    this.#now = now;
    this.#last = now();
  }

  /** Takes a token: returns how many milliseconds the caller must wait before using it. */
  reserve(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }
}

/** True for `?watch=true` (or `1`) requests, which are never throttled. */
export function isWatch(opts: Dispatcher.DispatchOptions): boolean {
  const query = opts.query as Record<string, unknown> | undefined;
  if (query && (query.watch === true || query.watch === "true" || query.watch === "1")) return true;
  return /[?&]watch=(true|1)(&|$)/.test(opts.path);
}

/** Delays requests beyond the bucket's rate; `onWait` hears of each wait (logging, metrics). */
export function rateLimit(
  bucket: TokenBucket,
  onWait?: (ms: number, opts: Dispatcher.DispatchOptions) => void,
): Interceptor {
  return (dispatch) => (opts, handler) => {
    if (isWatch(opts)) return dispatch(opts, handler);
    const wait = bucket.reserve();
    if (wait <= 0) return dispatch(opts, handler);
    onWait?.(wait, opts);
    sendAfter(wait, opts, handler, () => dispatch(opts, handler));
    return true;
  };
}
