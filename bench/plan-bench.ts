// Suite "plan": the pure planning step (eligibility, desired routes, plan) that every reconcile
// pass runs, for 500 / 2,000 / 5,000 Nodes, single- and dual-stack, over 1 and 3 route tables
// holding what a long-running cluster has: mostly satisfied routes, some stale, some foreign.
import { parseClusterCidrs } from "../src/domain/eligibility.js";
import { buildPlan, type BuildPlanInput, type BuildPlanResult } from "../src/domain/build-plan.js";
import { parseTables } from "../src/domain/route-tables.js";
import type { RouteEntry } from "../src/domain/types.js";
import {
  BENCH_CLUSTER_CIDR_V4,
  BENCH_CLUSTER_CIDRS_DUAL,
  BENCH_CLUSTER_NAME,
  BENCH_CLUSTER_UID,
  BENCH_REGION_ID,
  makeNodes,
  makeTableSeed,
  nodeFacts,
  seedToEntries,
} from "./fixtures.js";
import { heapCost, round, timeRepeated } from "./measure.js";
import type { Cell, Check, SuiteResult } from "./report.js";

const SIZES = [500, 2_000, 5_000] as const;
const TABLE_COUNTS = [1, 3] as const;

/** buildPlan's input but the tables, which the bench hands over as read (see planAsPassDoes). */
export type PlanBenchInput = Omit<BuildPlanInput, "tables"> & { readonly actual: ReadonlyMap<string, readonly RouteEntry[]> };

/** What a pass does with the tables it read: parse each entry's destination once, then plan. */
export function planAsPassDoes(input: PlanBenchInput): BuildPlanResult {
  return buildPlan({ ...input, tables: parseTables(input.actual) });
}

export function planInput(nodeCount: number, dualStack: boolean, tableCount: number): PlanBenchInput {
  const nodes = nodeFacts(makeNodes(nodeCount, { dualStack }));
  const routeTableIds = Array.from({ length: tableCount }, (_, t) => `vtb-bp1bench${String(t).padStart(9, "0")}`);
  const actual = new Map(
    routeTableIds.map((id, t) => [id, seedToEntries(id, makeTableSeed(nodeCount, dualStack, { seed: 7 + t, clusterUid: BENCH_CLUSTER_UID }))] as const),
  );
  return {
    nodes,
    routeTableIds,
    actual,
    settings: {
      regionId: BENCH_REGION_ID,
      clusterName: BENCH_CLUSTER_NAME,
      // Markers with our uid: stale ones are deleted (name-only markers would be held, never deleted).
      clusterUid: BENCH_CLUSTER_UID,
      clusterCidrs: parseClusterCidrs(dualStack ? [...BENCH_CLUSTER_CIDRS_DUAL] : [BENCH_CLUSTER_CIDR_V4]),
      adoptUnmarked: false,
      maxDeletions: { kind: "percent", value: 50 },
    },
    allowDeletes: true,
  };
}

export async function runPlanBench(options: { quick: boolean }): Promise<SuiteResult> {
  const rows: Record<string, Cell>[] = [];
  const checks: Check[] = [];
  for (const dualStack of [false, true]) {
    for (const nodeCount of [...SIZES, 10_000]) {
      for (const tableCount of TABLE_COUNTS) {
        if (nodeCount === 10_000 && (dualStack || tableCount !== 1)) continue;
        const input = planInput(nodeCount, dualStack, tableCount);
        const entries = [...input.actual.values()].reduce((n, list) => n + list.length, 0);
        const once = planAsPassDoes(input);
        const samples = await timeRepeated(() => planAsPassDoes(input), {
          warmup: options.quick ? 1 : 3,
          minIterations: options.quick ? 3 : 7,
          maxIterations: 50,
          budgetMs: options.quick ? 500 : 2_000,
        });
        const heap = heapCost(() => planAsPassDoes(input));
        const p = once.plan;
        rows.push({
          stack: dualStack ? "dual" : "ipv4",
          nodes: nodeCount,
          tables: tableCount,
          "entries read": entries,
          desired: once.eligible.reduce((n, e) => n + e.podCidrs.length, 0) * tableCount,
          creates: p.creates.length,
          deletes: p.deletes.length,
          conflicts: p.conflicts.length,
          skipped: p.skipped.length,
          "median ms": round(samples.medianMs),
          "p95 ms": round(samples.p95Ms),
          "CPU ms": round(samples.cpuMedianMs ?? Number.NaN),
          runs: samples.iterations,
          "result MiB": heap.retainedMiB,
          "transient MiB": heap.transientMiB,
        });
        if (nodeCount === 10_000 && !dualStack && tableCount === 1) {
          checks.push({
            name: "plan 10,000 IPv4 Nodes x ~10,000 entries: median <= 50 ms (target)",
            ok: samples.medianMs <= 50,
            detail: `median ${round(samples.medianMs)} ms, CPU ${round(samples.cpuMedianMs ?? Number.NaN)} ms`,
          });
        }
        if (nodeCount === 5_000 && tableCount === 3) {
          checks.push({
            name: `plan ${nodeCount} ${dualStack ? "dual-stack" : "IPv4"} Nodes x ${tableCount} tables under 1 s (target)`,
            ok: samples.p95Ms < 1_000,
            detail: `p95 ${round(samples.p95Ms)} ms`,
          });
        }
      }
    }
  }
  return {
    suite: "plan",
    title: "Planning: buildPlan (entries parsed as read, eligibility + desired routes + plan), in process",
    columns: ["stack", "nodes", "tables", "entries read", "desired", "creates", "deletes", "conflicts", "skipped", "median ms", "p95 ms", "CPU ms", "runs", "result MiB", "transient MiB"],
    rows,
    checks,
    notes: [
      "route tables: ~90% of desired routes present and marked (with the cluster uid the plan runs with), 3% unmarked but exact (CCM), 0.5% held by a foreign HaVip route, 3% of Nodes' worth of stale owned routes, 20 foreign VPN/Express Connect/NAT routes, 2 system routes; 2% of Nodes skipped",
      "median/p95 ms = wall time; CPU ms = median CPU time of this process per call (includes GC threads; barely affected by other load)",
      "result MiB = heap retained by the returned plan after GC; transient MiB = heap growth during one call before GC (rough)",
    ],
  };
}
