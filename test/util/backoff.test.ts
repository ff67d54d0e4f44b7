import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/util/backoff.js";

describe("backoffDelay (full jitter)", () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };
  it.each([
    [0, 0, 0],
    [0, 0.999999, 999],
    [1, 0.5, 1000],
    [3, 0.5, 4000],
    [5, 0.5, 15_000],
    [6, 0.999999, 29_999],
    [20, 0.5, 15_000],
    [10_000, 0.5, 15_000],
  ])("attempt %i with random %f waits %i ms", (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, () => random)).toBe(expected);
  });

  it("grows by the given factor", () => {
    expect([0, 1, 2].map((attempt) => backoffDelay({ initialMs: 100, maxMs: 10_000, factor: 3 }, attempt, () => 0.5))).toEqual([50, 150, 450]);
  });
});
