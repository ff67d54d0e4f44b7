// Suites "convergence", "event" and "steady": our executor (PassRunner + the Alibaba adapter) and
// two peer strategies (bench/peers.ts) against the same fake VPC API over HTTP, with a per-call
// latency L and a Pending time P (defaults L = 100 ms, P = 2 s). Times are wall-clock on a shared
// machine; call counts are exact and are what --quick checks.
import { performance } from "node:perf_hooks";
import { startFakeVpc, type FakeVpcOptions, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import type { PassRunner } from "../src/reconcile/pass-runner.js";
import type { NodeFacts } from "../src/domain/types.js";
import { BENCH_REGION_ID, instanceIdOf, makeNodes, nodeFacts, podCidrV4 } from "./fixtures.js";
import { percentile, round } from "./measure.js";
import { CcmModel, runGeneric, type PeerTarget, type WantedRoute } from "./peers.js";
import type { Cell, Check, SuiteResult } from "./report.js";
import { passRunnerFor as reconcileSyncer, VPC_ID } from "./reconcile-bench.js";

const TABLE = "vtb-bp1bench000000001";
const WRITES = new Set(["CreateRouteEntries", "DeleteRouteEntries", "CreateRouteEntry", "DeleteRouteEntry", "ModifyRouteEntry"]);
const READS = new Set(["DescribeRouteEntryList", "DescribeRouteTableList"]);
export const STRATEGIES = ["ours", "ccm", "generic"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Timing {
  readonly latencyMs: number;
  readonly pendingMs: number;
}

export const DEFAULT_TIMING: Timing = { latencyMs: 100, pendingMs: 2000 };

const wantedOf = (i: number): WantedRoute => ({ destinationCidr: podCidrV4(i), instanceId: instanceIdOf(i) });

async function startVpc(quota: number, timing: Timing, extra: Partial<FakeVpcOptions> = {}): Promise<FakeVpcServer> {
  return startFakeVpc({
    ...extra,
    regionId: BENCH_REGION_ID,
    quotaPerTable: quota,
    pendingMs: timing.pendingMs,
    latencyMs: timing.latencyMs,
    requestLogLimit: 100,
    vpcs: [{ vpcId: VPC_ID, tables: [{ routeTableId: TABLE, routeTableType: "System", entries: [{ destinationCidr: "10.0.0.0/16", type: "System", nextHopType: "local", nextHopId: "" }] }] }],
  });
}

/** Our executor at the default --api-qps (5). */
const syncerFor = (vpc: FakeVpcServer): PassRunner => reconcileSyncer(vpc, 5);

function callCounts(vpc: FakeVpcServer): { writes: number; reads: number; entryReads: number; total: number } {
  const counters = Object.entries(vpc.counters());
  const sum = (pick: (a: string) => boolean): number => counters.reduce((n, [a, c]) => n + (pick(a) ? c.requests : 0), 0);
  return { writes: sum((a) => WRITES.has(a)), reads: sum((a) => READS.has(a)), entryReads: sum((a) => a === "DescribeRouteEntryList"), total: sum(() => true) };
}

/** Resolves with the time all `wanted` destinations route to their instance and are Available, or undefined at `deadline`. */
async function allAvailable(vpc: FakeVpcServer, wanted: readonly WantedRoute[], deadline: number, signal?: AbortSignal): Promise<number | undefined> {
  const want = new Map(wanted.map((w) => [w.destinationCidr, w.instanceId]));
  for (;;) {
    const now = Date.now();
    let ready = 0;
    for (const e of vpc.entries(TABLE)) if (e.status === "Available" && want.get(e.destinationCidr) === e.nextHops[0]?.nextHopId) ready += 1;
    if (ready === want.size) return now;
    if (now >= deadline || signal?.aborted === true) return undefined;
    await new Promise((r) => setTimeout(r, want.size > 1000 ? 100 : 25));
  }
}

function readyCount(vpc: FakeVpcServer, wanted: readonly WantedRoute[]): number {
  const want = new Map(wanted.map((w) => [w.destinationCidr, w.instanceId]));
  return vpc.entries(TABLE).filter((e) => e.status === "Available" && want.get(e.destinationCidr) === e.nextHops[0]?.nextHopId).length;
}

export interface ConvergenceFigures {
  readonly strategy: Strategy;
  readonly n: number;
  readonly lowerBoundMs: number;
  /** undefined: did not converge within the time box. */
  readonly ms: number | undefined;
  readonly readyAtEnd: number;
  readonly timeBoxMs: number;
  readonly writes: number;
  readonly reads: number;
  readonly total: number;
}

/** Cold convergence: an empty table, N Nodes; time until every route is Available. */
export async function coldConvergence(strategy: Strategy, n: number, timing: Timing, timeBoxMs: number): Promise<ConvergenceFigures> {
  const vpc = await startVpc(n + 10, timing);
  const wanted = Array.from({ length: n }, (_, i) => wantedOf(i));
  const lowerBoundMs = Math.ceil(n / 50) * (timing.latencyMs + timing.pendingMs);
  const controller = new AbortController();
  try {
    const t0 = Date.now();
    const deadline = t0 + timeBoxMs;
    let work: Promise<unknown>;
    if (strategy === "ours") {
      const nodes = nodeFacts(makeNodes(n, { skippedShare: 0 }));
      const syncer = syncerFor(vpc);
      work = (async () => {
        while (!controller.signal.aborted) {
          const result = await syncer.run({ nodes, allowDeletes: true, dryRun: false });
          if (result.outcome === "in-sync" || result.outcome === "applied") break;
        }
      })();
    } else if (strategy === "generic") {
      work = runGeneric(target(vpc), () => wanted, controller.signal);
    } else {
      const ccm = new CcmModel(target(vpc));
      for (const w of wanted) ccm.enqueue(w);
      work = ccm.run(controller.signal);
    }
    const readyAt = await allAvailable(vpc, wanted, deadline);
    controller.abort();
    await work.catch(() => undefined);
    const counts = callCounts(vpc);
    return { strategy, n, lowerBoundMs, ms: readyAt === undefined ? undefined : readyAt - t0, readyAtEnd: readyCount(vpc, wanted), timeBoxMs, writes: counts.writes, reads: counts.reads, total: counts.total };
  } finally {
    controller.abort();
    await vpc.close();
  }
}

function target(vpc: FakeVpcServer): PeerTarget {
  return { url: vpc.url, regionId: BENCH_REGION_ID, routeTableId: TABLE };
}

/** A table already holding routes 0..n-1 as `strategy` would have written them (ours carry our marker). */
async function convergedVpc(n: number, timing: Timing, nodes: readonly NodeFacts[], extra: Partial<FakeVpcOptions> = {}): Promise<FakeVpcServer> {
  const vpc = await startVpc(n + 100, { latencyMs: 0, pendingMs: 0 }, extra);
  await syncerFor(vpc).run({ nodes, allowDeletes: true, dryRun: false });
  vpc.setTiming(timing);
  vpc.resetRequests();
  return vpc;
}

export interface EventFigures {
  readonly strategy: Strategy;
  readonly samples: readonly number[];
  readonly writes: number;
  readonly reads: number;
}

/** One Node added to a converged cluster of n: time from the event until its route is Available. */
export async function eventToRoute(strategy: Strategy, n: number, timing: Timing, samples: number, aggregationMs = 1000): Promise<EventFigures> {
  const base = nodeFacts(makeNodes(n + samples, { skippedShare: 0 }));
  const vpc = await convergedVpc(n, timing, base.slice(0, n));
  const controller = new AbortController();
  const wanted: WantedRoute[] = Array.from({ length: n }, (_, i) => wantedOf(i));
  const out: number[] = [];
  let background: Promise<unknown> = Promise.resolve();
  const ccm = strategy === "ccm" ? new CcmModel(target(vpc)) : undefined;
  if (strategy === "generic") background = runGeneric(target(vpc), () => wanted, controller.signal);
  if (ccm !== undefined) background = ccm.run(controller.signal);
  const syncer = strategy === "ours" ? syncerFor(vpc) : undefined;
  try {
    for (let k = 0; k < samples; k++) {
      // Events arrive at a random phase of whatever period the strategy runs on.
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 3000)));
      const added = wantedOf(n + k);
      const t0 = Date.now();
      wanted.push(added);
      if (ccm !== undefined) ccm.enqueue(added);
      if (syncer !== undefined) {
        await new Promise((r) => setTimeout(r, aggregationMs));
        await syncer.run({ nodes: base.slice(0, n + k + 1), allowDeletes: true, dryRun: false });
      }
      const at = await allAvailable(vpc, [added], t0 + 120_000);
      out.push(at === undefined ? Number.POSITIVE_INFINITY : at - t0);
    }
    const counts = callCounts(vpc);
    return { strategy, samples: out, writes: counts.writes, reads: counts.reads };
  } finally {
    controller.abort();
    await background.catch(() => undefined);
    await vpc.close();
  }
}

export interface SteadyFigures {
  readonly n: number;
  readonly entryReads: number;
  readonly tableReads: number;
  readonly writes: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Our steady pass over a converged table of n routes: exact calls and CPU time. */
export async function steadyPass(n: number, timing: Timing): Promise<SteadyFigures> {
  const nodes = nodeFacts(makeNodes(n, { skippedShare: 0 }));
  const vpc = await convergedVpc(n, timing, nodes);
  try {
    const syncer = syncerFor(vpc);
    await syncer.run({ nodes, allowDeletes: true, dryRun: false }); // warm-up (SDK, JIT)
    vpc.resetRequests();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await syncer.run({ nodes, allowDeletes: true, dryRun: false });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (result.outcome !== "in-sync") throw new Error(`steady pass over ${n} routes: outcome ${result.outcome}`);
    const counters = vpc.counters();
    const counts = callCounts(vpc);
    return {
      n,
      entryReads: counters.DescribeRouteEntryList?.requests ?? 0,
      tableReads: counters.DescribeRouteTableList?.requests ?? 0,
      writes: counts.writes,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
    };
  } finally {
    await vpc.close();
  }
}

// ---- suites -------------------------------------------------------------------------------------

const ratio = (a: number | undefined, b: number | undefined): Cell => (a === undefined || b === undefined || b === 0 ? null : round(a / b, 2));
const seconds = (ms: number | undefined): Cell => (ms === undefined ? null : round(ms / 1000, 1));

export async function runConvergenceSuite(options: { quick: boolean }): Promise<{ result: SuiteResult; figures: ConvergenceFigures[] }> {
  const timing: Timing = options.quick ? { latencyMs: 5, pendingMs: 50 } : DEFAULT_TIMING;
  const sizes = options.quick ? [120] : [200, 1000, 5000];
  const strategies: readonly Strategy[] = options.quick ? ["ours"] : STRATEGIES;
  const figures: ConvergenceFigures[] = [];
  const rows: Record<string, Cell>[] = [];
  const checks: Check[] = [];
  for (const n of sizes) {
    const lowerBoundMs = Math.ceil(n / 50) * (timing.latencyMs + timing.pendingMs);
    const byStrategy = new Map<Strategy, ConvergenceFigures>();
    for (const strategy of strategies) {
      // Peers are time-boxed: the generic controller makes one route per 10 s pass at best.
      const timeBoxMs = strategy === "ours" ? Math.max(60_000, lowerBoundMs * 3) : Math.min(Math.max(30_000, lowerBoundMs * 1.5), 150_000);
      const f = await coldConvergence(strategy, n, timing, timeBoxMs);
      figures.push(f);
      byStrategy.set(strategy, f);
      process.stderr.write(`convergence ${strategy} N=${n}: ${f.ms === undefined ? `not converged in ${timeBoxMs} ms (${f.readyAtEnd}/${n})` : `${f.ms} ms`}, ${f.writes} writes, ${f.reads} reads\n`);
    }
    const ours = byStrategy.get("ours")!;
    for (const f of byStrategy.values()) {
      // Not converged: the rate seen in the time box extrapolated to N (a lower estimate).
      const extrapolatedMs = f.ms ?? (f.readyAtEnd > 0 ? (f.timeBoxMs * n) / f.readyAtEnd : undefined);
      rows.push({
        N: n,
        strategy: f.strategy,
        "lower bound s": seconds(lowerBoundMs),
        "time s": f.ms === undefined ? `>${seconds(f.timeBoxMs)} (${f.readyAtEnd}/${n})` : seconds(f.ms),
        "time / bound": ratio(extrapolatedMs, lowerBoundMs),
        "vs ours": ratio(extrapolatedMs, ours.ms),
        "write calls": f.writes,
        "read calls": f.reads,
        "API calls": f.total,
        "calls vs ours": ratio(f.total, ours.total),
      });
    }
    checks.push({ name: `ours, N=${n}: write calls = ceil(N/50) = ${Math.ceil(n / 50)}`, ok: ours.writes === Math.ceil(n / 50), detail: `${ours.writes} write calls` });
    checks.push({ name: `ours, N=${n}: converged`, ok: ours.ms !== undefined, detail: `${ours.readyAtEnd}/${n} routes Available` });
  }
  return {
    figures,
    result: {
      suite: "convergence",
      title: `Cold convergence: empty table -> N routes (L = ${timing.latencyMs} ms per call, P = ${timing.pendingMs} ms Pending)`,
      columns: ["N", "strategy", "lower bound s", "time s", "time / bound", "vs ours", "write calls", "read calls", "API calls", "calls vs ours"],
      rows,
      checks,
      notes: [
        "lower bound = ceil(N/50) x (L + P): one batch write at a time per VPC, each waiting for the previous one to settle",
        "peers not converged within their time box show '>box (ready/N)'; their ratios use the rate seen in the box extrapolated to N (optimistic for them)",
      ],
    },
  };
}

export async function runEventSuite(options: { quick: boolean }): Promise<SuiteResult> {
  const timing = DEFAULT_TIMING;
  const n = 200;
  const samples = options.quick ? 2 : 7;
  const aggregationMs = 1000;
  const rows: Record<string, Cell>[] = [];
  const targetMs = aggregationMs + 2 * timing.latencyMs + timing.pendingMs + 250;
  const checks: Check[] = [];
  let oursP50: number | undefined;
  for (const strategy of STRATEGIES) {
    const f = await eventToRoute(strategy, n, timing, samples, aggregationMs);
    const sorted = [...f.samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    if (strategy === "ours") oursP50 = p50;
    rows.push({ strategy, samples: sorted.length, "p50 ms": round(p50, 0), "p99 ms": round(percentile(sorted, 99), 0), "max ms": round(sorted[sorted.length - 1]!, 0), "target ms": targetMs, "p50 vs ours": ratio(p50, oursP50), "write calls": f.writes, "read calls": f.reads });
    process.stderr.write(`event-to-route ${strategy}: p50 ${round(p50, 0)} ms\n`);
  }
  if (!options.quick) checks.push({ name: `ours: event-to-route p50 <= ${targetMs} ms`, ok: (oursP50 ?? Infinity) <= targetMs, detail: `p50 ${round(oursP50 ?? NaN, 0)} ms (a timing: reported, not gating CI)` });
  return {
    suite: "event",
    title: `Event to route: one Node added to a converged cluster of ${n} (L = ${timing.latencyMs} ms, P = ${timing.pendingMs} ms, aggregation ${aggregationMs} ms)`,
    columns: ["strategy", "samples", "p50 ms", "p99 ms", "max ms", "target ms", "p50 vs ours", "write calls", "read calls"],
    rows,
    checks,
    notes: [
      "target = aggregation window + 2L + P + 250 ms; measured until the fake reports the entry Available",
      "ours = the aggregation window, then one PassRunner pass (tables discovered from the VPC id); ccm = 1 s aggregation then list + batch create; generic = its next 10 s pass",
      `p99 of ${samples} samples is their maximum`,
    ],
  };
}

export async function runSteadySuite(options: { quick: boolean }): Promise<SuiteResult> {
  const sizes = options.quick ? [120] : [200, 1000, 5000];
  const timing = options.quick ? { latencyMs: 0, pendingMs: 0 } : DEFAULT_TIMING;
  const rows: Record<string, Cell>[] = [];
  const checks: Check[] = [];
  for (const n of sizes) {
    const f = await steadyPass(n, timing);
    const exactReads = Math.ceil(n / 100); // R = n: RouteEntryType=Custom leaves the system route out
    const beforeReads = Math.ceil(n / 100) + 12; // per next-hop type: Instance pages + 12 other types
    rows.push({
      N: n,
      "DescribeRouteEntryList": f.entryReads,
      "DescribeRouteTableList": f.tableReads,
      "write calls": f.writes,
      "before: entry reads": beforeReads,
      "generic per pass": Math.ceil(n / 100),
      "ccm per resync": Math.ceil(n / 100),
      "CPU ms": round(f.cpuMs, 1),
      "wall ms": round(f.wallMs, 0),
    });
    checks.push({ name: `steady pass, N=${n}: ceil(R/100) = ${exactReads} entry reads, 1 table read, no write`, ok: f.entryReads === exactReads && f.tableReads === 1 && f.writes === 0, detail: `${f.entryReads} entry reads, ${f.tableReads} table reads, ${f.writes} writes` });
  }
  return {
    suite: "steady",
    title: `Steady pass over a converged table (L = ${timing.latencyMs} ms)`,
    columns: ["N", "DescribeRouteEntryList", "DescribeRouteTableList", "write calls", "before: entry reads", "generic per pass", "ccm per resync", "CPU ms", "wall ms"],
    rows,
    checks,
    notes: [
      "R = entries the unfiltered read returns (the N routes; RouteEntryType=Custom leaves the system route out); tables discovered from the VPC id: 1 DescribeRouteTableList (ceil(T/50), T = 1)",
      "before = the per-next-hop-type listing this change removed (13 types: ceil(N/100) Instance pages + 12 calls)",
      "generic: ListRoutes every 10 s (one page per 100 entries); ccm: one list per table per 5-min resync, plus one per 50-Node batch",
      "CPU ms = user + system CPU of the whole process during the pass (the fake VPC runs in the same process)",
    ],
  };
}

/** Heap (after full GC) across many steady passes of one PassRunner: growth means a leak on the pass path. */
export async function runResyncSuite(options: { quick: boolean }): Promise<SuiteResult> {
  const n = options.quick ? 200 : 5000;
  const passes = options.quick ? 50 : 1000;
  const nodes = nodeFacts(makeNodes(n, { skippedShare: 0 }));
  // The fake keeps every request's signature nonce for its 15-minute replay window, as the real API
  // does: ~300-600 B of this process's heap per call, 51 calls per pass here. That is the fake's
  // memory, not the pass path's (the 12.8 MiB of issue 19): the replay check is off for this suite.
  const vpc = await convergedVpc(n, { latencyMs: 0, pendingMs: 0 }, nodes, { replayWindowMs: 0 });
  const rows: Record<string, Cell>[] = [];
  try {
    // Unthrottled: this measures the heap of the pass path, not the API budget.
    const syncer = reconcileSyncer(vpc, 10_000);
    const marks = new Set([10, Math.round(passes / 10), Math.round(passes / 2), passes]);
    const t0 = performance.now();
    for (let pass = 1; pass <= passes; pass++) {
      const result = await syncer.run({ nodes, allowDeletes: true, dryRun: false });
      if (result.outcome !== "in-sync") throw new Error(`resync ${pass}: outcome ${result.outcome}`);
      if (marks.has(pass)) {
        (globalThis as { gc?: () => void }).gc?.();
        (globalThis as { gc?: () => void }).gc?.();
        const m = process.memoryUsage();
        rows.push({ pass, "heap used MiB": round(m.heapUsed / 2 ** 20, 1), "RSS MiB": round(m.rss / 2 ** 20, 1), "s so far": round((performance.now() - t0) / 1000, 0) });
      }
      vpc.resetRequests();
    }
  } finally {
    await vpc.close();
  }
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const growth = (last["heap used MiB"] as number) - (first["heap used MiB"] as number);
  return {
    suite: "resync",
    title: `Heap across ${passes} steady passes over ${n} Nodes (one PassRunner, fake VPC in process, L = P = 0)`,
    columns: ["pass", "heap used MiB", "RSS MiB", "s so far"],
    rows,
    checks: [{ name: `heap growth from pass 10 to pass ${passes} under 2 MiB`, ok: growth < 2, detail: `${round(growth, 2)} MiB` }],
    notes: ["heap after two full GCs (node --expose-gc); RSS of the whole bench process, the fake VPC included; the fake's replay check (nonces kept 15 min) is off"],
  };
}
