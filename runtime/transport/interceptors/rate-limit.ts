/**
 * Client-side rate limiting: a token bucket (client-go's defaults: 5 queries per second, burst 10)
 * shared by every request through one dispatcher. Watches are not throttled, as in client-go.
 */
import type { Dispatcher } from "undici";

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** A token bucket; `now` is injectable so tests need no real time. */
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

function isWatch(opts: Dispatcher.DispatchOptions): boolean {
  const query = opts.query as Record<string, unknown> | undefined;
  if (query && (query.watch === true || query.watch === "true" || query.watch === "1")) return true;
  return /[?&]watch=(true|1)(&|$)/.test(opts.path);
}

/** Delays requests beyond the bucket's rate. */
export function rateLimit(bucket: TokenBucket): Interceptor {
  return (dispatch) => (opts, handler) => {
    if (isWatch(opts)) return dispatch(opts, handler);
    const wait = bucket.reserve();
    if (wait <= 0) return dispatch(opts, handler);
    // undici's request handler applies an abort once the request is dispatched.
    setTimeout(() => dispatch(opts, handler), wait);
    return true;
  };
}
