// What a pass's outcome means to each of its three readers, in one table so they cannot disagree:
// the exit code of `reconcile` (docs/cli.md), the `result` label of vpc_route_sync_reconcile_total
// (docs/metrics.md), and what the controller's pass scheduler does next.
import type { ReconcileMetricResult } from "../observability/metric-definitions.js";
import type { PassOutcome, PassResult } from "./pass-runner.js";
import type { PassVerdict } from "./pass-scheduler.js";

interface OutcomeMeaning {
  /** Exit code of a one-shot run (`changes-pending` exits 3 with --detailed-exitcode). */
  readonly exitCode: 0 | 1;
  readonly metricResult: ReconcileMetricResult;
  /** The scheduler's next step; for failures it depends on whether any failure is transient. */
  readonly verdict: PassVerdict | "retry-if-transient";
}

const MEANING: Readonly<Record<PassOutcome, OutcomeMeaning>> = {
  "in-sync": { exitCode: 0, metricResult: "success", verdict: "success" },
  applied: { exitCode: 0, metricResult: "success", verdict: "success" },
  "changes-pending": { exitCode: 0, metricResult: "success", verdict: "success" },
  failed: { exitCode: 1, metricResult: "error", verdict: "retry-if-transient" },
  // A safety rail refused the deletes: retrying the same inputs cannot help.
  refused: { exitCode: 1, metricResult: "refused", verdict: "final" },
};

/** Exit code of a run that otherwise succeeded but left an eligible Node without a route because of a conflict. */
export const EXIT_CONFLICT = 4;

/** Exit code for a one-shot run (documented in docs/cli.md). */
export function exitCodeFor(outcome: PassOutcome, detailedExitcode: boolean): number {
  return outcome === "changes-pending" && detailedExitcode ? 3 : MEANING[outcome].exitCode;
}

/** Eligible Nodes left without a route by a conflict (a destination held by a route that is not ours, an overlap). */
export function nodesBlockedByConflict(result: Pick<PassResult, "nodeRoutes">): string[] {
  return [...result.nodeRoutes].filter(([, s]) => s.state === "failed" && s.code === "RouteConflict").map(([name]) => name).sort();
}

/**
 * Exit code of `reconcile`: a failure (1) wins; otherwise a Node left without a route by a conflict
 * exits 4 (a CI drift gate must notice, dry run or not), then 3 for pending changes with --detailed-exitcode.
 */
export function exitCodeOfPass(result: Pick<PassResult, "outcome" | "nodeRoutes">, detailedExitcode: boolean): number {
  const code = exitCodeFor(result.outcome, detailedExitcode);
  return code !== 1 && nodesBlockedByConflict(result).length > 0 ? EXIT_CONFLICT : code;
}

/** The `result` label of the reconcile metrics. */
export function reconcileMetricResult(result: PassResult): ReconcileMetricResult {
  return MEANING[result.outcome].metricResult;
}

/** What the pass scheduler does after this pass. */
export function passVerdict(result: PassResult): PassVerdict {
  const { verdict } = MEANING[result.outcome];
  if (verdict !== "retry-if-transient") return verdict;
  return result.retryable ? "retry" : "final";
}
