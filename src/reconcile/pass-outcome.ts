// What a pass's outcome means to the controller, in one table so its readers cannot disagree: the
// `result` label of vpc_route_sync_reconcile_total (docs/metrics.md) and what the pass scheduler
// does next. The exit code of `reconcile` for each outcome is src/error-policy.ts `exitCodeFor`.
import type { ReconcileMetricResult } from "../observability/metric-definitions.js";
import type { PassOutcome, PassResult } from "./pass-runner.js";
import type { PassVerdict } from "./pass-scheduler.js";

interface OutcomeMeaning {
  readonly metricResult: ReconcileMetricResult;
  /** The scheduler's next step; for failures it depends on whether any failure is transient. */
  readonly verdict: PassVerdict | "backoff-if-transient";
}

const MEANING: Readonly<Record<PassOutcome, OutcomeMeaning>> = {
  "in-sync": { metricResult: "success", verdict: "success" },
  applied: { metricResult: "success", verdict: "success" },
  "changes-pending": { metricResult: "success", verdict: "success" },
  failed: { metricResult: "error", verdict: "backoff-if-transient" },
  // A safety rail refused the deletes: retrying the same inputs cannot help.
  refused: { metricResult: "refused", verdict: "give-up" },
};

/** How a `reconcile` pass ended: its outcome, and whether a conflict left an eligible Node without a route. */
export interface PassEnding {
  readonly outcome: PassOutcome;
  readonly detailedExitcode: boolean;
  readonly blockedByConflict?: boolean;
}

/**
 * Eligible Nodes left without a route by a conflict (a destination held by a route that is not ours, an overlap).
 * @internal exported for tests
 */
export function nodesBlockedByConflict(result: Pick<PassResult, "nodeRoutes">): string[] {
  return [...result.nodeRoutes].filter(([, s]) => s.state === "failed" && s.code === "RouteConflict").map(([name]) => name).sort();
}

/** How a `reconcile` pass ended, for the exit code (error-policy.ts `exitCodeFor`). */
export function passEnding(result: Pick<PassResult, "outcome" | "nodeRoutes">, detailedExitcode: boolean): PassEnding {
  return { outcome: result.outcome, detailedExitcode, blockedByConflict: nodesBlockedByConflict(result).length > 0 };
}

/** The `result` label of the reconcile metrics. */
export function reconcileMetricResult(result: PassResult): ReconcileMetricResult {
  return MEANING[result.outcome].metricResult;
}

/** What the pass scheduler does after this pass. */
export function passVerdict(result: PassResult): PassVerdict {
  const { verdict } = MEANING[result.outcome];
  if (verdict !== "backoff-if-transient") return verdict;
  return result.retryable ? "backoff" : "give-up";
}
