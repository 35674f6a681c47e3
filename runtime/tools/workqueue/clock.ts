/**
 * The time source of the delaying queue and the token-bucket limiter. Injectable so tests (and
 * users' tests) can move time by hand instead of sleeping.
 */

/** Milliseconds and timers, as the delaying queue needs them. */
export interface Clock {
  /** The current time in milliseconds (any fixed origin). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; the handle goes to `clearTimer`. */
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Real time: `performance.now()` and Node timers. Timers are not unref'd: a pending delayed add is
 * work the process still has to do (workers awaiting `get()` hold no handle); shutdown clears it.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * A clock that moves only when told, like client-go's `testing.FakeClock`: `step(ms)` advances
 * time and fires, in order, every timer that has come due.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** How many timers are waiting. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** Advances time by `ms`, firing due timers earliest first (each at its own due time). */
  step(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
    }
    this.#now = end;
  }
}
