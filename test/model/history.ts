// Runs generated histories against a fresh world each and reports the first that breaks an
// invariant, shrunk, as seed + path + the numbered command list. Used by model.test.ts (fixed
// seeds, in `npm test`) and fuzz.ts (`npm run fuzz -- --runs N --seed S`).
import fc from "fast-check";
import type { OmittedFilters } from "@vpc-route-sync/fake-alibaba-vpc";
import { formatHistory, historyArb, type Command } from "./commands.js";
import { INVARIANTS, OPEN_DEFECTS, type Violation } from "./invariants.js";
import { ModelWorld, type WorldOptions } from "./world.js";

/** Passes without faults at the end of every history before a Node must be routed. */
export const LIVENESS_PASSES = 3;

export interface StepFinding extends Violation {
  /** 1-based index of the command; history length + 1 for the liveness passes. */
  readonly step: number;
}

export interface HistoryOutcome {
  readonly failures: readonly StepFinding[];
  readonly tolerated: readonly StepFinding[];
  readonly passes: number;
  readonly apiCalls: number;
  /** One line per step: the command's note (pass outcome, entry added, crash…). */
  readonly trace: readonly string[];
}

export const worldOptionsArb: fc.Arbitrary<WorldOptions> = fc.record({
  omittedFilters: fc.constantFrom<OmittedFilters>(
    { nextHopType: "any", ipVersion: "any", routeEntryType: "any" },
    { nextHopType: "any", ipVersion: "any", routeEntryType: "Custom" },
    { nextHopType: "Instance", ipVersion: "ipv4", routeEntryType: "any" },
  ),
  pendingMs: fc.constantFrom(0, 0, 3),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

export async function runHistory(history: readonly Command[], options: WorldOptions, tolerate: ReadonlySet<string>): Promise<HistoryOutcome> {
  const world = await ModelWorld.start(options);
  const failures: StepFinding[] = [];
  const tolerated: StepFinding[] = [];
  const trace: string[] = [];
  const record = (step: number, violations: readonly Violation[]): void => {
    for (const v of violations) (tolerate.has(v.id) ? tolerated : failures).push({ ...v, step });
  };
  try {
    for (const [k, command] of history.entries()) {
      const { violations, note } = await world.apply(command);
      trace.push(`${String(k + 1).padStart(3)}. ${command.op}${note ? `: ${note}` : ""}`);
      record(k + 1, violations);
      // Stop at the first unexpected violation: shrinking then needs fewer runs.
      if (failures.length > 0) break;
    }
    if (failures.length === 0) {
      const live = await world.liveness(LIVENESS_PASSES);
      trace.push(`  +. liveness: ${live.notes.join(", ")}`);
      record(history.length + 1, live.violations);
    }
    return { failures, tolerated, passes: world.passes, apiCalls: world.apiCalls, trace };
  } finally {
    await world.close();
  }
}

export interface CheckOptions {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** Ignore OPEN_DEFECTS: every violation fails. */
  readonly strict?: boolean | undefined;
  /** More ids to tolerate (fuzzing past a known finding). */
  readonly tolerate?: readonly string[] | undefined;
  /** Replay one counterexample (fast-check's path). */
  readonly path?: string | undefined;
}

export interface CheckSummary {
  readonly histories: number;
  readonly steps: number;
  readonly passes: number;
  readonly apiCalls: number;
  /** Tolerated violations seen, by invariant id (histories in which each showed up). */
  readonly toleratedById: ReadonlyMap<string, number>;
  /** A readable report of the shrunk failing history, or undefined when every history held. */
  readonly failure?: string | undefined;
}

export async function checkHistories(options: CheckOptions): Promise<CheckSummary> {
  const tolerate = new Set([...(options.strict ? [] : OPEN_DEFECTS), ...(options.tolerate ?? [])]);
  let histories = 0;
  let steps = 0;
  let passes = 0;
  let apiCalls = 0;
  const toleratedById = new Map<string, number>();
  let last: { history: readonly Command[]; options: WorldOptions; outcome: HistoryOutcome } | undefined;
  const property = fc.asyncProperty(worldOptionsArb, historyArb(options.maxCommands), async (worldOptions, history) => {
    const outcome = await runHistory(history, worldOptions, tolerate);
    histories += 1;
    steps += history.length;
    passes += outcome.passes;
    apiCalls += outcome.apiCalls;
    for (const id of new Set(outcome.tolerated.map((t) => t.id))) toleratedById.set(id, (toleratedById.get(id) ?? 0) + 1);
    if (outcome.failures.length > 0) {
      last = { history, options: worldOptions, outcome };
      return false;
    }
    return true;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path !== undefined ? { path: options.path } : {}),
    endOnFailure: false,
  });
  let failure: string | undefined;
  if (details.failed) {
    const [worldOptions, history] = details.counterexample ?? [];
    // The last failing run is the shrunk counterexample; run it once more for a clean report.
    const outcome = history && worldOptions ? await runHistory(history, worldOptions, tolerate).catch(() => last?.outcome) : last?.outcome;
    failure = formatFailure(details.seed, details.counterexamplePath ?? "", worldOptions, history ?? [], outcome, details.errorInstance);
  }
  return { histories, steps, passes, apiCalls, toleratedById, failure };
}

function formatFailure(
  seed: number,
  path: string,
  worldOptions: WorldOptions | undefined,
  history: readonly Command[],
  outcome: HistoryOutcome | undefined,
  error: unknown,
): string {
  const lines = [
    `model-based suite: an invariant broke (seed ${seed}, path "${path}")`,
    `replay: npm run fuzz -- --seed ${seed} --path "${path}"`,
    `fake VPC: ${JSON.stringify(worldOptions)}`,
    `history (${history.length} commands):`,
    formatHistory(history),
  ];
  if (outcome) {
    lines.push("what happened:", ...outcome.trace.map((t) => `  ${t}`), "violations:");
    for (const f of outcome.failures) lines.push(`  step ${f.step}: [${f.id}] ${INVARIANTS[f.id] ?? ""}\n      ${f.detail}`);
    if (outcome.failures.length === 0) lines.push("  (none on the replay: the failure depends on timing)");
  }
  if (error instanceof Error && !/Property failed by returning false/.test(error.message)) lines.push(`error: ${error.stack ?? error.message}`);
  return lines.join("\n");
}
