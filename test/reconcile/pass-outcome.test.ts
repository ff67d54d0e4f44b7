// One table for what a pass outcome means to the controller (metric result, the scheduler's next
// step), and the exit code the error policy gives it.
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/error-policy.js";
import { passVerdict, reconcileMetricResult } from "../../src/reconcile/pass-outcome.js";
import type { PassOutcome, PassResult } from "../../src/reconcile/pass-runner.js";

const result = (outcome: PassOutcome, retryable = false): PassResult => ({ outcome, retryable }) as unknown as PassResult;

describe("pass outcomes", () => {
  it.each<[PassOutcome, boolean, number, number, string, string]>([
    ["in-sync", false, 0, 0, "success", "success"],
    ["applied", false, 0, 0, "success", "success"],
    ["changes-pending", false, 0, 3, "success", "success"],
    ["failed", true, 1, 1, "error", "backoff"],
    ["failed", false, 1, 1, "error", "give-up"],
    ["refused", false, 1, 1, "refused", "give-up"],
  ])("%s (transient: %s): exit %i (%i detailed), metric %s, next %s", (outcome, retryable, exit, detailed, metric, verdict) => {
    expect(exitCodeFor({ outcome, detailedExitcode: false })).toBe(exit);
    expect(exitCodeFor({ outcome, detailedExitcode: true })).toBe(detailed);
    expect(reconcileMetricResult(result(outcome, retryable))).toBe(metric);
    expect(passVerdict(result(outcome, retryable))).toBe(verdict);
  });
});
