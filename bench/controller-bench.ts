// Suite "controller": `vpc-route-sync run` as users deploy it (the built CLI in its own process,
// leader election on) against the fake Kubernetes API and the fake VPC API in this process.
//   - footprint: RSS and heap of the controller once 5,000 Nodes are cached and in sync;
//   - burst: 300 Nodes created at once in a synced cluster of 100: time from the creation of the
//     last Node until every new route is Available, passes run and CreateRouteEntries calls.
import type { ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { NodeInformer } from "../src/kube/node-informer.js";
import { loadKubeConfig } from "../src/kube/kube-config.js";
import { startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import {
  BENCH_CLUSTER_CIDR_V4,
  BENCH_CLUSTER_NAME,
  BENCH_REGION_ID,
  makeNodes,
  makeTableSeed,
} from "./fixtures.js";
import { freePort, metricSum, processCpuSeconds, processMemory, scrape, startCli, stopChild } from "./child-process.js";
import { collectGarbage, heapNow, round, waitFor } from "./measure.js";
import type { Cell, Check, SuiteResult } from "./report.js";

const VPC_ID = "vpc-bp1bench000000002";
const ROUTE_TABLE_ID = "vtb-bp1bench000000002";

interface World {
  readonly kube: FakeKubeServer;
  readonly vpc: FakeVpcServer;
}

async function startWorld(nodeCount: number, quota: number): Promise<World> {
  const kube = await startFakeKube({ nodes: makeNodes(nodeCount, { skippedShare: 0 }) });
  // Steady state: every Node's route is already there (as after an earlier run of the operator).
  const entries = makeTableSeed(nodeCount, false, { satisfied: 1, unmarked: 0, foreignHeld: 0, stale: 0, foreignOther: 5, skippedShare: 0 });
  const vpc = await startFakeVpc({
    regionId: BENCH_REGION_ID,
    quotaPerTable: quota,
    vpcs: [{ vpcId: VPC_ID, tables: [{ routeTableId: ROUTE_TABLE_ID, routeTableType: "System", entries }] }],
  });
  return { kube, vpc };
}

interface Controller {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly readyUrl: string;
  /** The last lines of its log (stderr), for error messages. */
  logTail(): string;
}

/** What the image (Dockerfile) sets for the manifests' 256 MiB memory limit (docs/performance.md "Memory"). */
export const CONTAINER_NODE_OPTIONS = "--max-old-space-size=128 --max-semi-space-size=4";

async function startController(world: World, qps: number, env: Record<string, string> = {}): Promise<Controller> {
  const healthPort = await freePort();
  const metricsPort = await freePort();
  const child = startCli([
    "run",
    "--region", BENCH_REGION_ID,
    "--vpc-id", VPC_ID,
    "--cluster-name", BENCH_CLUSTER_NAME,
    "--cluster-cidr", BENCH_CLUSTER_CIDR_V4,
    "--vpc-endpoint", world.vpc.url,
    "--kubeconfig", world.kube.kubeconfigPath,
    "--api-qps", String(qps),
    "--leader-election-namespace", "default",
    "--health-probe-bind-address", `127.0.0.1:${healthPort}`,
    "--metrics-bind-address", `127.0.0.1:${metricsPort}`,
    "--log-level", "warn",
  ], env);
  let tail = "";
  child.stdout?.resume();
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (tail = (tail + d).slice(-4_000)));
  return {
    child,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    readyUrl: `http://127.0.0.1:${healthPort}/readyz`,
    logTail: () => tail,
  };
}

const isRouted = (node: { status?: unknown } | undefined): boolean =>
  ((node?.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []).some(
    (c) => c.type === "NetworkUnavailable" && c.status === "False",
  );

/**
 * Counts Nodes with NetworkUnavailable=False, re-reading only those not yet routed: copying every
 * Node out of the fake on each poll would make the benchmark itself the bottleneck at 5,000 Nodes.
 */
function routedTracker(kube: FakeKubeServer): () => number {
  let waiting: string[] | undefined;
  let routed = 0;
  return () => {
    if (waiting === undefined) {
      const all = kube.listNodes();
      waiting = all.filter((n) => !isRouted(n)).map((n) => String((n.metadata as { name?: string } | undefined)?.name));
      routed = all.length - waiting.length;
      return routed;
    }
    const still: string[] = [];
    for (const name of waiting) {
      if (isRouted(kube.getNode(name))) routed += 1;
      else still.push(name);
    }
    waiting = still;
    return routed;
  };
}

function availableRoutes(vpc: FakeVpcServer): number {
  return vpc.entries(ROUTE_TABLE_ID).filter((e) => e.type === "Custom" && e.status === "Available" && e.nextHops[0]?.nextHopType === "Instance").length;
}

async function until(
  controller: Controller,
  what: string,
  condition: () => boolean | Promise<boolean>,
  deadlineMs: number,
  pollMs = 20,
): Promise<number> {
  try {
    return await waitFor(async () => {
      if (controller.child.exitCode !== null) throw new Error(`the controller exited with code ${controller.child.exitCode}`);
      return condition();
    }, deadlineMs, pollMs);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}\n--- controller log (tail) ---\n${controller.logTail()}`, { cause: error });
  }
}

async function passesRun(controller: Controller): Promise<number> {
  const text = await scrape(controller.metricsUrl);
  return text === undefined ? 0 : metricSum(text, "vpc_route_sync_reconcile_total");
}

export async function footprint(nodeCount: number, qps: number, nodeOptions = ""): Promise<Record<string, Cell>> {
  const world = await startWorld(nodeCount, nodeCount + 100);
  const t0 = performance.now();
  const fakesCpu0 = process.cpuUsage();
  const controller = await startController(world, qps, nodeOptions === "" ? {} : { NODE_OPTIONS: nodeOptions });
  try {
    const ready = await until(controller, "readyz", async () => (await scrape(controller.readyUrl)) !== undefined, 120_000);
    const firstPass = await until(controller, "first pass", async () => (await passesRun(controller)) >= 1, 300_000);
    const routed = routedTracker(world.kube);
    const statused = await until(controller, "Node conditions", () => routed() === nodeCount, 300_000, 200);
    // Let the status patches' responses and timers settle before reading memory.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const text = (await scrape(controller.metricsUrl)) ?? "";
    const memory = processMemory(controller.child.pid ?? 0);
    const operatorCpu = processCpuSeconds(controller.child.pid ?? 0);
    const fakesCpu = process.cpuUsage(fakesCpu0);
    return {
      nodes: nodeCount,
      NODE_OPTIONS: nodeOptions === "" ? "-" : nodeOptions,
      "api-qps": qps,
      "ready s": round((ready - t0) / 1000, 2),
      "first pass done s": round((firstPass - t0) / 1000, 2),
      "all Nodes routed s": round((statused - t0) / 1000, 2),
      "RSS MiB": memory?.rssMiB ?? null,
      "peak RSS MiB": memory?.peakRssMiB ?? null,
      "heap used MiB": round(metricSum(text, "nodejs_heap_size_used_bytes") / (1024 * 1024), 1),
      "heap total MiB": round(metricSum(text, "nodejs_heap_size_total_bytes") / (1024 * 1024), 1),
      passes: metricSum(text, "vpc_route_sync_reconcile_total"),
      "operator CPU s": operatorCpu === undefined ? null : round(operatorCpu, 1),
      "fake APIs CPU s": round((fakesCpu.user + fakesCpu.system) / 1e6, 1),
    };
  } finally {
    await stopChild(controller.child);
    await Promise.all([world.kube.close(), world.vpc.close()]);
  }
}

/**
 * CPU of an idle leader: `vpc-route-sync run` over N routed Nodes, measured over `seconds` that
 * begin 5 s after its first pass (the default 60 s resync period puts no pass inside a window of up
 * to ~50 s). What is left is the Lease renewals, the informer's watch and timers. `nodeOptions` may
 * add `--cpu-prof --cpu-prof-dir=DIR` for a profile of the whole run (written at exit).
 */
export async function idleCpu(nodeCount: number, seconds: number, nodeOptions = CONTAINER_NODE_OPTIONS): Promise<Record<string, Cell>> {
  const world = await startWorld(nodeCount, nodeCount + 100);
  const controller = await startController(world, 50, { NODE_OPTIONS: nodeOptions });
  try {
    await until(controller, "first pass", async () => (await passesRun(controller)) >= 1, 300_000);
    const routed = routedTracker(world.kube);
    await until(controller, "Node conditions", () => routed() === nodeCount, 300_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const pid = controller.child.pid ?? 0;
    const passes0 = await passesRun(controller);
    const cpu0 = processCpuSeconds(pid) ?? 0;
    const kubeRequests0 = world.kube.requests().length;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu1 = processCpuSeconds(pid) ?? 0;
    const passes = (await passesRun(controller)) - passes0;
    return {
      nodes: nodeCount,
      "idle s": seconds,
      "passes in window": passes,
      "CPU ms": round((cpu1 - cpu0) * 1000, 0),
      "CPU ms per s": round(((cpu1 - cpu0) * 1000) / seconds, 2),
      "Kubernetes requests": world.kube.requests().length - kubeRequests0,
      "RSS MiB": processMemory(pid)?.rssMiB ?? null,
    };
  } finally {
    await stopChild(controller.child);
    await Promise.all([world.kube.close(), world.vpc.close()]);
  }
}

async function burst(base: number, added: number, qps: number): Promise<{ row: Record<string, Cell>; check: Check }> {
  const world = await startWorld(base, base + added + 100);
  const controller = await startController(world, qps);
  try {
    const initial = routedTracker(world.kube);
    await until(controller, "initial sync", () => initial() === base, 120_000, 200);
    // The initial pass is done once every Node is routed; a quiet moment makes the next pass ours.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const passesBefore = await passesRun(controller);
    world.vpc.resetRequests();
    for (const node of makeNodes(added, { skippedShare: 0, offset: base })) world.kube.createNode(node);
    const lastCreated = performance.now();
    const allAvailable = await until(controller, "burst routes", () => availableRoutes(world.vpc) === base + added, 300_000);
    const routed = routedTracker(world.kube);
    const allRouted = await until(controller, "burst Node conditions", () => routed() === base + added, 300_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let a trailing pass (if any) show up
    const text = (await scrape(controller.metricsUrl)) ?? "";
    const counters = world.vpc.counters();
    const creates = counters.CreateRouteEntries?.requests ?? 0;
    const passes = metricSum(text, "vpc_route_sync_reconcile_total") - passesBefore;
    return {
      row: {
        "cluster": `${base} + ${added}`,
        "api-qps": qps,
        "routes Available s": round((allAvailable - lastCreated) / 1000, 2),
        "Nodes routed s": round((allRouted - lastCreated) / 1000, 2),
        passes,
        CreateRouteEntries: creates,
        DescribeRouteEntryList: counters.DescribeRouteEntryList?.requests ?? 0,
        "API calls": Object.values(counters).reduce((n, c) => n + c.requests, 0),
      },
      check: {
        name: `burst of ${added} Nodes at qps ${qps}: coalesced into ceil(${added}/50) create calls`,
        ok: creates === Math.ceil(added / 50),
        detail: `${creates} CreateRouteEntries calls over ${passes} passes`,
      },
    };
  } finally {
    await stopChild(controller.child);
    await Promise.all([world.kube.close(), world.vpc.close()]);
  }
}

/**
 * Heap retained by the Node informer's cache, measured in this process after full GCs: the fake
 * holds its Nodes before the first reading, so the difference is the informer (cache, watch).
 */
async function informerCache(nodeCount: number): Promise<Record<string, Cell>> {
  const kube = await startFakeKube({ nodes: makeNodes(nodeCount, { skippedShare: 0 }) });
  const informer = new NodeInformer({ kubeConfig: loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }) });
  try {
    collectGarbage();
    const before = heapNow();
    const t0 = performance.now();
    await informer.start();
    await waitFor(() => informer.synced, 120_000);
    const syncedAt = performance.now();
    collectGarbage();
    const after = heapNow();
    const cached = informer.list().length;
    return {
      nodes: nodeCount,
      cached,
      "list + watch ready s": round((syncedAt - t0) / 1000, 2),
      "cache heap MiB": round(after.heapUsedMiB - before.heapUsedMiB, 1),
      "KiB per Node": round(((after.heapUsedMiB - before.heapUsedMiB) * 1024) / nodeCount, 1),
    };
  } finally {
    await informer.stop();
    await kube.close();
  }
}

export async function runControllerBench(options: { quick: boolean }): Promise<SuiteResult[]> {
  const cacheRows: Record<string, Cell>[] = [];
  for (const nodeCount of options.quick ? [500] : [500, 5_000]) cacheRows.push(await informerCache(nodeCount));
  const footprintRows: Record<string, Cell>[] = [];
  for (const nodeCount of options.quick ? [500] : [500, 5_000]) {
    footprintRows.push(await footprint(nodeCount, 50));
    footprintRows.push(await footprint(nodeCount, 50, CONTAINER_NODE_OPTIONS));
  }
  const burstRows: Record<string, Cell>[] = [];
  const checks: Check[] = [];
  for (const qps of options.quick ? [50] : [5, 50]) {
    const { row, check } = await burst(100, 300, qps);
    burstRows.push(row);
    checks.push(check);
  }
  return [
    {
      suite: "controller",
      title: "Node informer cache (in process, heap after full GC)",
      columns: ["nodes", "cached", "list + watch ready s", "cache heap MiB", "KiB per Node"],
      rows: cacheRows,
      checks: cacheRows.map((r) => ({ name: `informer caches all ${String(r.nodes)} Nodes`, ok: r.cached === r.nodes, detail: `${String(r.cached)} cached` })),
      notes: ["Nodes as kubelets report them (labels, conditions, addresses, capacity, nodeInfo): about 1 KiB of JSON each"],
    },
    {
      suite: "controller",
      title: "Controller footprint: `vpc-route-sync run` (child process) with N Nodes cached, steady state",
      columns: ["nodes", "NODE_OPTIONS", "api-qps", "ready s", "first pass done s", "all Nodes routed s", "RSS MiB", "peak RSS MiB", "heap used MiB", "heap total MiB", "passes", "operator CPU s", "fake APIs CPU s"],
      rows: footprintRows,
      checks: footprintRows
        .filter((r) => r.nodes === 5_000 && r.NODE_OPTIONS !== "-")
        .map((r) => ({ name: "RSS <= 200 MiB at 5,000 Nodes with the container's NODE_OPTIONS (target)", ok: typeof r["RSS MiB"] === "number" && r["RSS MiB"] <= 200, detail: `RSS ${String(r["RSS MiB"])} MiB, peak ${String(r["peak RSS MiB"])} MiB` })),
      notes: [
        "times from process spawn; 'all Nodes routed' = every Node has NetworkUnavailable=False (one status patch per Node on the first pass; polled every 200 ms)",
        "RSS from /proc/<pid>/status; heap from the operator's own /metrics (prom-client, not after a forced GC)",
        "the fake Kubernetes and VPC APIs run in the benchmark process, not in the measured one; CPU seconds of both sides show which one bounds the status-patch phase",
      ],
    },
    {
      suite: "controller",
      title: "Controller burst: 300 Nodes created at once in a synced cluster of 100 (aggregation window 1 s)",
      columns: ["cluster", "api-qps", "routes Available s", "Nodes routed s", "passes", "CreateRouteEntries", "DescribeRouteEntryList", "API calls"],
      rows: burstRows,
      checks,
      notes: [
        "latency measured from the creation of the last Node; new entries are Available at once in the fake (real VPCs take seconds per batch)",
        "passes = increase of vpc_route_sync_reconcile_total; API calls counted by the fake VPC server",
      ],
    },
  ];
}
