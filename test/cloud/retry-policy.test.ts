// The one retry decision: which failures retry, exponential backoff with full jitter, retry-after.
import { describe, expect, it } from "vitest";
import { decideRetry, DEFAULT_RETRY, resolveRetryOptions } from "../../src/cloud/alibaba/retry-policy.js";
import { CloudError, type CloudErrorKind } from "../../src/cloud/errors.js";

const err = (kind: CloudErrorKind, retryable: boolean, retryAfterMs?: number): CloudError =>
  new CloudError("x", { code: "X", kind, retryable, retryAfterMs });

describe("decideRetry", () => {
  it.each([
    ["throttled", true, true],
    ["conflict", true, true],
    ["server", true, true],
    ["network", true, true],
    ["quota", false, false],
    ["permission", false, false],
    ["credentials", false, false],
    ["invalid", false, false],
  ] as const)("%s (retryable %s) -> retry %s", (kind, retryable, expected) => {
    expect(decideRetry(err(kind, retryable), 1, DEFAULT_RETRY, () => 0.5).retry).toBe(expected);
  });

  it("stops at maxAttempts", () => {
    const options = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(decideRetry(err("server", true), 2, options, () => 0).retry).toBe(true);
    expect(decideRetry(err("server", true), 3, options, () => 0).retry).toBe(false);
  });

  it("draws the delay uniformly below an exponentially growing, capped ceiling", () => {
    const options = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    const delay = (attempt: number, r: number): number => {
      const d = decideRetry(err("throttled", true), attempt, options, () => r);
      return d.retry ? d.delayMs : -1;
    };
    expect([1, 2, 3, 4, 5].map((a) => delay(a, 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(delay(3, 0)).toBe(0);
    expect(delay(3, 0.5)).toBe(200);
  });

  it("never waits less than the server's retry-after hint (capped at maxDelayMs)", () => {
    const options = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 1000 };
    expect(decideRetry(err("throttled", true, 700), 1, options, () => 0)).toEqual({ retry: true, delayMs: 700 });
    expect(decideRetry(err("throttled", true, 5000), 1, options, () => 0)).toEqual({ retry: true, delayMs: 1000 });
  });
});

describe("resolveRetryOptions", () => {
  it("fills defaults", () => {
    expect(resolveRetryOptions(undefined)).toEqual({ maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 });
    expect(resolveRetryOptions({ maxAttempts: 2, baseDelayMs: undefined })).toEqual({ maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 30_000 });
  });
  it.each([
    [{ maxAttempts: 0 }, /retry.maxAttempts/],
    [{ maxAttempts: 1.5 }, /retry.maxAttempts/],
    [{ baseDelayMs: -1 }, /retry.baseDelayMs/],
    [{ maxDelayMs: Number.NaN }, /retry.maxDelayMs/],
  ])("rejects %j naming the field", (partial, message) => {
    expect(() => resolveRetryOptions(partial)).toThrow(message);
  });
});
