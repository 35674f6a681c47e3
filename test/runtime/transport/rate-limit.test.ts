import { describe, expect, it } from "vitest";
import { retryAfterSeconds } from "../../../runtime/core/retry-after.js";
import { impersonateExtraHeader } from "../../../runtime/transport/interceptors/headers.js";
import { TokenBucket, tokenBucketFor } from "../../../runtime/transport/interceptors/rate-limit.js";
import { parseWarning } from "../../../runtime/transport/interceptors/warnings.js";

describe("TokenBucket", () => {
  it("lets a burst through, then spaces requests at the QPS (client-go defaults: 5 QPS, burst 10)", () => {
    let now = 0;
    const bucket = new TokenBucket(5, 10, () => now);
    const waits = Array.from({ length: 12 }, () => bucket.reserve());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits[10]).toBeCloseTo(200);
    expect(waits[11]).toBeCloseTo(400);
    now += 1000; // 5 tokens back, 2 of them owed
    expect(bucket.reserve()).toBe(0);
  });

  it("takes client-go's defaults from a config: 0 means default, negative QPS disables", () => {
    expect(tokenBucketFor({})).toMatchObject({ qps: 5, burst: 10 });
    expect(tokenBucketFor({ qps: 0, burst: 0 })).toMatchObject({ qps: 5, burst: 10 });
    expect(tokenBucketFor({ qps: 50, burst: 100 })).toMatchObject({ qps: 50, burst: 100 });
    expect(tokenBucketFor({ qps: -1 })).toBeUndefined();
    expect(() => tokenBucketFor({ qps: 5, burst: -3 })).toThrow(/burst must be at least 1/);
  });

  it("refuses nonsense settings", () => {
    expect(() => new TokenBucket(0, 10)).toThrow(/qps must be positive/);
    expect(() => new TokenBucket(5, 0)).toThrow(/burst must be at least 1/);
  });
});

describe("header helpers", () => {
  it("parses Warning headers", () => {
    expect(parseWarning('299 - "Use v1 instead"')).toBe("Use v1 instead");
    expect(parseWarning("plain text")).toBe("plain text");
  });

  it("escapes impersonation extra keys as client-go does", () => {
    expect(impersonateExtraHeader("scopes")).toBe("impersonate-extra-scopes");
    expect(impersonateExtraHeader("example.com/a b%")).toBe("impersonate-extra-example.com%2Fa%20b%25");
  });

  it("reads Retry-After seconds, and only integers", () => {
    expect(retryAfterSeconds("3")).toBe(3);
    expect(retryAfterSeconds(["0"])).toBe(0);
    expect(retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).toBeUndefined();
    expect(retryAfterSeconds(undefined)).toBeUndefined();
  });
});
