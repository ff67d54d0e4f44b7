// Suite "cli": start-up cost of the built CLI as a cron job or CI step sees it, process spawn to
// exit: `--version`, and `reconcile --dry-run --nodes-file` against the fake VPC API.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startFakeVpc } from "@vpc-route-sync/fake-alibaba-vpc";
import { CLI_PATH, runNode } from "./child-process.js";
import { BENCH_CLUSTER_CIDR_V4, BENCH_CLUSTER_NAME, BENCH_REGION_ID, makeNodes, makeTableSeed } from "./fixtures.js";
import { round, summarize } from "./measure.js";
import type { Cell, Check, SuiteResult } from "./report.js";

const VPC_ID = "vpc-bp1bench000000003";
const ROUTE_TABLE_ID = "vtb-bp1bench000000003";

/** Times `node <argv>` from spawn to exit. */
async function timeNode(argv: readonly string[], warmup: number, runs: number, expectCode: number): Promise<{ medianMs: number; minMs: number; p95Ms: number; runs: number }> {
  const durations: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const result = await runNode(argv);
    const ms = performance.now() - t0;
    if (result.code !== expectCode) {
      throw new Error(`node ${argv.join(" ")} exited ${result.code}, expected ${expectCode}\n${result.stderr.slice(-2_000)}`);
    }
    if (i >= warmup) durations.push(ms);
  }
  const s = summarize(durations);
  return { medianMs: s.medianMs, minMs: s.minMs, p95Ms: s.p95Ms, runs: s.iterations };
}

export async function runCliBench(options: { quick: boolean }): Promise<SuiteResult> {
  const warmup = options.quick ? 1 : 2;
  const runs = options.quick ? 3 : 10;
  const rows: Record<string, Cell>[] = [];
  const checks: Check[] = [];

  const baseline = await timeNode(["-e", ""], warmup, runs, 0);
  rows.push({ command: "node -e '' (Node.js start-up alone, baseline)", "median ms": round(baseline.medianMs, 0), "min ms": round(baseline.minMs, 0), "p95 ms": round(baseline.p95Ms, 0), runs: baseline.runs });
  // The two SDKs dominate start-up; timed alone to show where the time goes.
  for (const module of ["@kubernetes/client-node", "@alicloud/vpc20160428"]) {
    const load = await timeNode(["--input-type=module", "-e", `await import(${JSON.stringify(module)})`], warmup, runs, 0);
    rows.push({ command: `node: import("${module}") alone`, "median ms": round(load.medianMs, 0), "min ms": round(load.minMs, 0), "p95 ms": round(load.p95Ms, 0), runs: load.runs });
  }
  const version = await timeNode([CLI_PATH, "--version"], warmup, runs, 0);
  rows.push({ command: "vpc-route-sync --version", "median ms": round(version.medianMs, 0), "min ms": round(version.minMs, 0), "p95 ms": round(version.p95Ms, 0), runs: version.runs });

  const dir = await mkdtemp(join(tmpdir(), "vrs-bench-"));
  try {
    for (const nodeCount of [200, 2_000]) {
      const vpc = await startFakeVpc({
        regionId: BENCH_REGION_ID,
        quotaPerTable: nodeCount + 100,
        vpcs: [{ vpcId: VPC_ID, tables: [{ routeTableId: ROUTE_TABLE_ID, routeTableType: "System", entries: makeTableSeed(nodeCount, false) }] }],
      });
      try {
        const nodesFile = join(dir, `nodes-${nodeCount}.json`);
        await writeFile(nodesFile, JSON.stringify({ apiVersion: "v1", kind: "List", items: makeNodes(nodeCount) }));
        const args = [
          "reconcile", "--dry-run", "--nodes-file", nodesFile, "--output", "json",
          "--region", BENCH_REGION_ID, "--vpc-id", VPC_ID, "--cluster-name", BENCH_CLUSTER_NAME,
          "--cluster-cidr", BENCH_CLUSTER_CIDR_V4, "--vpc-endpoint", vpc.url, "--api-qps", "50",
        ];
        vpc.resetRequests();
        const dry = await timeNode([CLI_PATH, ...args], warmup, runs, 0);
        const counters = vpc.counters();
        const perRun = (action: string): number => Math.round((counters[action]?.requests ?? 0) / (warmup + runs));
        const writes = ["CreateRouteEntries", "DeleteRouteEntries", "CreateRouteEntry", "DeleteRouteEntry", "ModifyRouteEntry"].reduce((n, a) => n + (counters[a]?.requests ?? 0), 0);
        rows.push({
          command: `reconcile --dry-run --nodes-file (${nodeCount} Nodes, ${nodeCount >= 1000 ? "table over the default quota" : "1 table"}, --api-qps 50)`,
          "median ms": round(dry.medianMs, 0),
          "min ms": round(dry.minMs, 0),
          "p95 ms": round(dry.p95Ms, 0),
          runs: dry.runs,
          "API calls/run": perRun("DescribeRouteTableList") + perRun("DescribeRouteEntryList"),
        });
        checks.push({ name: `dry run with ${nodeCount} Nodes makes no write call`, ok: writes === 0, detail: `${writes} write calls` });
      } finally {
        await vpc.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    suite: "cli",
    title: "CLI start-up: the built CLI (dist/cli.js), spawn to exit",
    columns: ["command", "median ms", "min ms", "p95 ms", "runs", "API calls/run"],
    rows,
    checks,
    notes: ["spawn to exit, including Node.js start-up (the baseline row) and module loading"],
  };
}
