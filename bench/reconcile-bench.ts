// Suite "reconcile": one full reconcile pass (PassRunner + the real Alibaba adapter over HTTP)
// against the fake VPC API on 127.0.0.1: an empty route table filled with 200 routes (the default
// quota), then the steady-state pass that only lists, at --api-qps 5 (the default) and 50.
import { parseClusterCidrs } from "../src/domain/eligibility.js";
import { pino } from "pino";
import { createAlibabaRouteTable } from "../src/cloud/alibaba/alibaba-route-table.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { PassRunner, type PassResult } from "../src/reconcile/pass-runner.js";
import type { NodeFacts } from "../src/domain/types.js";
import { BENCH_CLUSTER_CIDR_V4, BENCH_CLUSTER_NAME, BENCH_REGION_ID, makeNodes, nodeFacts } from "./fixtures.js";
import { round, summarize } from "./measure.js";
import type { Cell, Check, SuiteResult } from "./report.js";
import { performance } from "node:perf_hooks";

export const VPC_ID = "vpc-bp1bench000000001";
const ROUTE_TABLE_ID = "vtb-bp1bench000000001";
const ROUTES = 200;
const QUOTA = 200;
const WRITE_ACTIONS = new Set(["CreateRouteEntries", "DeleteRouteEntries", "CreateRouteEntry", "DeleteRouteEntry", "ModifyRouteEntry"]);

interface PassFigures {
  readonly ms: number;
  readonly calls: Record<string, number>;
  readonly result: PassResult;
}

async function startVpc(pendingMs: number): Promise<FakeVpcServer> {
  return startFakeVpc({
    regionId: BENCH_REGION_ID,
    quotaPerTable: QUOTA,
    pendingMs,
    vpcs: [
      {
        vpcId: VPC_ID,
        tables: [
          {
            routeTableId: ROUTE_TABLE_ID,
            routeTableType: "System",
            entries: [
              { destinationCidr: "10.0.0.0/16", type: "System", nextHopType: "local", nextHopId: "" },
              { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "" },
            ],
          },
        ],
      },
    ],
  });
}

/** Our executor as `reconcile`/`run` wire it (tables discovered from the VPC id), against the fake. */
export function passRunnerFor(vpc: FakeVpcServer, qps: number): PassRunner {
  const logger = pino({ level: "silent" });
  const routeTable = createAlibabaRouteTable({
    regionId: BENCH_REGION_ID,
    endpoint: vpc.url,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "bench" },
    qps,
    logger,
  });
  // What the VPC network source tells in production (no network source here): this VPC has no IPv6
  // block, so a listing needs no IPv6 read.
  routeTable.noteIpv6([ROUTE_TABLE_ID], false);
  return new PassRunner({
    routeTable,
    logger,
    settings: {
      regionId: BENCH_REGION_ID,
      vpcId: VPC_ID,
      routeTableIds: [],
      clusterName: BENCH_CLUSTER_NAME,
      clusterCidrs: parseClusterCidrs([BENCH_CLUSTER_CIDR_V4]),
      adoptUnmarked: false,
      maxDeletions: { kind: "percent", value: 50 },
    },
  });
}

async function pass(vpc: FakeVpcServer, runner: PassRunner, nodes: readonly NodeFacts[]): Promise<PassFigures> {
  vpc.resetRequests();
  const t0 = performance.now();
  const result = await runner.run({ nodes, allowDeletes: true, dryRun: false });
  const ms = performance.now() - t0;
  const calls = Object.fromEntries(Object.entries(vpc.counters()).map(([action, c]) => [action, c.requests]));
  return { ms, calls, result };
}

const sum = (calls: Record<string, number>, pick: (action: string) => boolean): number =>
  Object.entries(calls).reduce((n, [action, count]) => n + (pick(action) ? count : 0), 0);

function row(scenario: string, qps: number, pendingMs: number, figures: readonly PassFigures[]): Record<string, Cell> {
  const s = summarize(figures.map((f) => f.ms));
  const last = figures[figures.length - 1]!;
  return {
    scenario,
    "api-qps": qps,
    "settle ms": pendingMs,
    routes: last.result.plan.satisfied.length + last.result.creates.filter((c) => c.outcome.ok).length,
    "median ms": round(s.medianMs, 0),
    "p95 ms": round(s.p95Ms, 0),
    runs: s.iterations,
    "API calls": sum(last.calls, () => true),
    DescribeRouteTableList: last.calls.DescribeRouteTableList ?? 0,
    DescribeRouteEntryList: last.calls.DescribeRouteEntryList ?? 0,
    CreateRouteEntries: last.calls.CreateRouteEntries ?? 0,
    "write calls": sum(last.calls, (a) => WRITE_ACTIONS.has(a)),
    outcome: last.result.outcome,
  };
}

export async function runReconcileBench(options: { quick: boolean }): Promise<SuiteResult> {
  const nodes = nodeFacts(makeNodes(ROUTES, { skippedShare: 0 }));
  const rows: Record<string, Cell>[] = [];
  const checks: Check[] = [];
  const runs = options.quick ? 1 : 3;
  const scenarios: { qps: number; pendingMs: number; runs: number }[] = [
    { qps: 5, pendingMs: 0, runs },
    { qps: 50, pendingMs: 0, runs },
    { qps: 50, pendingMs: 2_000, runs: 1 },
  ];
  for (const { qps, pendingMs, runs: n } of scenarios) {
    const first: PassFigures[] = [];
    const steady: PassFigures[] = [];
    for (let i = 0; i < n; i++) {
      const vpc = await startVpc(pendingMs);
      try {
        const runner = passRunnerFor(vpc, qps);
        first.push(await pass(vpc, runner, nodes));
        const available = vpc.entries(ROUTE_TABLE_ID).filter((e) => e.type === "Custom" && e.status === "Available").length;
        if (i === 0) {
          checks.push({
            name: `qps ${qps}, settle ${pendingMs} ms: empty table -> ${ROUTES} routes Available`,
            ok: available === ROUTES && first[first.length - 1]!.result.outcome === "applied",
            detail: `${available} Available, outcome ${first[first.length - 1]!.result.outcome}`,
          });
        }
        steady.push(await pass(vpc, runner, nodes));
      } finally {
        await vpc.close();
      }
    }
    rows.push(row("first pass: empty -> 200", qps, pendingMs, first));
    rows.push(row("steady pass (list only)", qps, pendingMs, steady));
    const writes = sum(first[0]!.calls, (a) => WRITE_ACTIONS.has(a));
    checks.push({
      name: `qps ${qps}, settle ${pendingMs} ms: write calls = ceil(${ROUTES}/50)`,
      ok: writes === Math.ceil(ROUTES / 50),
      detail: `${writes} write calls`,
    });
    const steadyWrites = sum(steady[0]!.calls, (a) => WRITE_ACTIONS.has(a));
    checks.push({
      name: `qps ${qps}, settle ${pendingMs} ms: steady pass makes no write call and finds the table in sync`,
      ok: steadyWrites === 0 && steady[0]!.result.outcome === "in-sync",
      detail: `${steadyWrites} write calls, outcome ${steady[0]!.result.outcome}`,
    });
  }
  return {
    suite: "reconcile",
    title: `Reconcile pass: PassRunner + Alibaba adapter -> fake VPC API over HTTP (${ROUTES} Nodes, 1 table, quota ${QUOTA})`,
    columns: ["scenario", "api-qps", "settle ms", "routes", "median ms", "p95 ms", "runs", "API calls", "DescribeRouteTableList", "DescribeRouteEntryList", "CreateRouteEntries", "write calls", "outcome"],
    rows,
    checks,
    notes: [
      "tables discovered from --vpc-id (1 DescribeRouteTableList per pass); routes read per next-hop type (13 types, 100 entries per page)",
      "settle ms = how long the fake keeps new entries Pending (0 = Available at once; the real API takes seconds); the adapter polls every 1 s",
      "API calls counted by the fake VPC server (what the cloud account is billed/throttled for)",
    ],
  };
}
