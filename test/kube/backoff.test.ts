import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/kube/backoff.js";

describe("backoffDelay", () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };
  it.each([
    [0, 0, 500],
    [0, 0.999999, 1000],
    [1, 0, 1000],
    [3, 1, 8000],
    [5, 0, 15_000],
    [6, 1, 30_000],
    [20, 0.5, 22_500],
  ])("attempt %i with random %f waits %i ms", (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, () => random)).toBe(expected);
  });
});
