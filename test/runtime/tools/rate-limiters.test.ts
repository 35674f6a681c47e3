/**
 * The rate limiters' numbers, against client-go's `default_rate_limiters.go`.
 */
import { describe, expect, it } from "vitest";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  FakeClock,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
} from "../../../runtime/index.js";

describe("ItemExponentialFailureRateLimiter", () => {
  it("doubles from the base per item and caps at the maximum", () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    expect([1, 2, 3, 4, 5].map(() => limiter.when("a"))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.when("b")).toBe(5);
    expect(limiter.numRequeues("a")).toBe(5);
    for (let i = 0; i < 30; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    for (let i = 0; i < 2000; i++) limiter.when("a"); // 2^n overflows to Infinity; still capped
    expect(limiter.when("a")).toBe(1_000_000);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
    expect(limiter.when("a")).toBe(5);
  });
});

describe("ItemFastSlowRateLimiter", () => {
  it("is fast for the first attempts, then slow", () => {
    const limiter = new ItemFastSlowRateLimiter<string>(5, 10_000, 3);
    expect([1, 2, 3, 4, 5].map(() => limiter.when("a"))).toEqual([5, 5, 5, 10_000, 10_000]);
    expect(limiter.numRequeues("a")).toBe(5);
    limiter.forget("a");
    expect(limiter.when("a")).toBe(5);
  });
});

describe("BucketRateLimiter", () => {
  it("allows the burst, then one per 1/qps, and refills with time", () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) expect(limiter.when(`item-${i}`)).toBe(0);
    expect(limiter.when("x")).toBeCloseTo(100);
    expect(limiter.when("y")).toBeCloseTo(200);
    expect(limiter.numRequeues("x")).toBe(0);
    clock.step(10_000 + 200); // pays back the debt, then refills fully (capped at the burst)
    for (let i = 0; i < 100; i++) expect(limiter.when("z")).toBe(0);
    expect(limiter.when("z")).toBeCloseTo(100);
  });

  it("rejects a non-positive qps or a burst below 1", () => {
    expect(() => new BucketRateLimiter(0, 1)).toThrow(RangeError);
    expect(() => new BucketRateLimiter(1, 0)).toThrow(RangeError);
  });
});

describe("WithMaxWaitRateLimiter", () => {
  it("caps the wrapped limiter's delays and passes counts through", () => {
    const inner = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const limiter = new WithMaxWaitRateLimiter(inner, 15);
    expect([1, 2, 3, 4].map(() => limiter.when("a"))).toEqual([5, 10, 15, 15]);
    expect(limiter.numRequeues("a")).toBe(4);
    limiter.forget("a");
    expect(inner.numRequeues("a")).toBe(0);
  });
});

describe("MaxOfRateLimiter and the default controller limiter", () => {
  it("takes the longest delay and the highest count, forgets in all", () => {
    const fastSlow = new ItemFastSlowRateLimiter<string>(5, 3000, 1);
    const exp = new ItemExponentialFailureRateLimiter<string>(1, 1000);
    const limiter = new MaxOfRateLimiter(fastSlow, exp);
    expect([1, 2, 3].map(() => limiter.when("a"))).toEqual([5, 3000, 3000]);
    expect(limiter.numRequeues("a")).toBe(3);
    limiter.forget("a");
    expect(fastSlow.numRequeues("a")).toBe(0);
    expect(exp.numRequeues("a")).toBe(0);
  });

  it("is max(5 ms doubling to 1000 s, 10 qps with a burst of 100)", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>({ clock });
    expect([1, 2, 3].map(() => limiter.when("a"))).toEqual([5, 10, 20]);
    for (let i = 3; i < 40; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    expect(limiter.numRequeues("a")).toBe(41);
    // 41 tokens spent; 59 more distinct items pass at the base delay, then the bucket governs.
    for (let i = 0; i < 59; i++) expect(limiter.when(`item-${i}`)).toBe(5);
    expect(limiter.when("next")).toBeCloseTo(100);
    expect(limiter.when("after")).toBeCloseTo(200);
  });
});
