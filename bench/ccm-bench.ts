// Suite "vs-ccm": the real Alibaba cloud-controller-manager (route controller only) and
// `vpc-route-sync run`, one after the other, each as its own process on the same N Nodes in the same
// real kube-apiserver (+ etcd) and against the same fake VPC setup (every call L ms late, new
// entries Pending P ms; a fresh table for each). Measured per peer: cold fill (start -> every route
// Available, VPC calls), steady state (VPC calls and passes in a window at each one's default
// period, CPU seconds from /proc/PID/stat, RSS), one Node added (write sent / route Available,
// calls) and one deleted (delete sent / route gone, calls).
// Needs two binaries this repository does not build in CI: the CCM (built from its source by the
// helper in docs/performance.md; found at $VRS_REAL_CCM or ~/.cache/vpc-route-sync/real-ccm/ccm-manager)
// and kube-apiserver + etcd (test/real-kube/build.sh). Without either, the suite says so and is skipped;
// the CCM *model* (bench/peers.ts, suites convergence and event) stays what CI runs.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startFakeVpc, FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { apiRequest, RealKube, KUBE_VERSION, ETCD_VERSION } from "../test/real-kube/real-kube.js";
import { CLI_PATH, runNode, freePort, metricSum, processCpuSeconds, processMemory, scrape, startCli, stopChild } from "./child-process.js";
import { BENCH_CLUSTER_CIDR_V4, BENCH_CLUSTER_NAME, BENCH_REGION_ID, makeNodes, nodeNameOf, podCidrV4 } from "./fixtures.js";
import { round } from "./measure.js";
import type { Cell, Check, SuiteResult } from "./report.js";

const VPC_ID = "vpc-bp1ccmbench0000001";
const TABLE_ID = "vtb-bp1ccmbench0000001";
const WRITE_ACTIONS = new Set(["CreateRouteEntries", "CreateRouteEntry"]);
const DELETE_ACTIONS = new Set(["DeleteRouteEntries", "DeleteRouteEntry"]);

export function ccmBinary(): string | undefined {
  const path = process.env.VRS_REAL_CCM ?? join(os.homedir(), ".cache", "vpc-route-sync", "real-ccm", "ccm-manager");
  return existsSync(path) ? path : undefined;
}

export function realKubeBinDir(): string | undefined {
  const cache = process.env.VRS_REAL_KUBE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(os.homedir(), ".cache"), "vpc-route-sync", "real-kube");
  const dir = join(cache, `k8s-v${KUBE_VERSION}-etcd-v${ETCD_VERSION}`);
  return existsSync(join(dir, "bin", "kube-apiserver")) && existsSync(join(dir, "bin", "etcd")) ? dir : undefined;
}

interface Options {
  readonly n: number;
  readonly latencyMs: number;
  readonly pendingMs: number;
  /** Steady-state window after the fill. */
  readonly steadyMs: number;
  readonly eventSamples: number;
}

type PeerName = "real CCM" | "vpc-route-sync";

interface Peer {
  readonly name: PeerName;
  readonly child: ChildProcess;
  /** Periodic passes seen so far (its own log or /metrics). */
  passes(): Promise<number>;
  /** The default full-pass period this peer was started with, seconds. */
  readonly periodS: number;
  logTail(): string;
}

interface EventFigures {
  readonly sentMs: number;
  readonly doneMs: number;
  readonly calls: number;
  /** The VPC calls the event cost, in order (e.g. "CreateRouteEntries, DescribeRouteEntryList"). */
  readonly actions: string;
}

export interface PeerFigures {
  readonly name: PeerName;
  readonly fillS: number;
  readonly fillCalls: number;
  readonly fillWrites: number;
  readonly steadyWindowS: number;
  readonly steadyCalls: number;
  readonly steadyPasses: number;
  readonly steadyCpuS: number;
  readonly callsPerHour: number;
  readonly periodS: number;
  readonly rssMiB: number;
  readonly add: EventFigures;
  readonly del: EventFigures;
}

/** A stand-in for the ECS metadata service (the CCM may ask it; with vpcid and vswitchid set it should not). */
function startMetadata(vpcId: string, vSwitchId: string): Promise<{ server: Server; url: string }> {
  const data: Record<string, string> = { "region-id": BENCH_REGION_ID, "zone-id": `${BENCH_REGION_ID}-h`, "vpc-id": vpcId, "vswitch-id": vSwitchId, "instance-id": "i-bp1ccmbenchhost" };
  const server = createServer((req, res) => {
    const key = /^\/latest\/meta-data\/(.+)$/.exec(req.url ?? "")?.[1];
    const value = key === undefined ? undefined : data[key];
    res.writeHead(value === undefined ? 404 : 200, { "content-type": "text/plain" }).end(value ?? "not found");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

async function freshVpc(options: Options): Promise<FakeVpcServer> {
  return startFakeVpc({
    regionId: BENCH_REGION_ID,
    quotaPerTable: options.n + 100,
    latencyMs: options.latencyMs,
    pendingMs: options.pendingMs,
    requestLogLimit: 100_000,
    // A system route table holds at least its vSwitch's System route, as every real one does; a listing
    // that shows it tells the operator the API lists every route type (no per-create type lookups).
    vpcs: [{ vpcId: VPC_ID, tables: [{ routeTableId: TABLE_ID, routeTableType: "System", entries: [{ destinationCidr: "10.0.0.0/16", type: "System", nextHopType: "local", nextHopId: "" }] }] }],
  });
}

async function kubeCall(kube: RealKube, method: string, path: string, body?: unknown): Promise<void> {
  const answer = await apiRequest(kube.info, kube.info.token, method, path, body);
  if (answer.status >= 300 && !(method === "DELETE" && answer.status === 404)) throw new Error(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
}

async function createNodes(kube: RealKube, nodes: readonly object[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 20) await Promise.all(nodes.slice(i, i + 20).map((n) => kubeCall(kube, "POST", "/api/v1/nodes", n)));
}

async function deleteAllNodes(kube: RealKube, count: number): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, k) => kubeCall(kube, "DELETE", `/api/v1/nodes/${nodeNameOf(i + k)}`)));
  }
}

function instanceRoutes(vpc: FakeVpcServer): { available: Set<string>; present: Set<string> } {
  const available = new Set<string>();
  const present = new Set<string>();
  for (const e of vpc.entries(TABLE_ID)) {
    if (e.type !== "Custom" || e.nextHops[0]?.nextHopType !== "Instance") continue;
    present.add(e.destinationCidr);
    if (e.status === "Available") available.add(e.destinationCidr);
  }
  return { available, present };
}

const totalCalls = (vpc: FakeVpcServer): number => Object.values(vpc.counters()).reduce((s, c) => s + c.requests, 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(peer: Peer, what: string, condition: () => boolean, deadlineMs: number): Promise<number> {
  const limit = performance.now() + deadlineMs;
  for (;;) {
    if (condition()) return performance.now();
    if (peer.child.exitCode !== null) throw new Error(`${peer.name} exited (${peer.child.exitCode}) waiting for ${what}\n${peer.logTail()}`);
    if (performance.now() > limit) throw new Error(`${peer.name}: ${what} not within ${deadlineMs} ms\n${peer.logTail()}`);
    await sleep(10);
  }
}

async function startCcm(binary: string, kube: RealKube, vpc: FakeVpcServer, dir: string, metadataUrl: string): Promise<Peer> {
  const vSwitchId = vpc.vpcNetwork(VPC_ID)?.vSwitches[0]?.vSwitchId ?? "vsw-none";
  const cloudConfig = join(dir, "cloud-config.json");
  await writeFile(
    cloudConfig,
    JSON.stringify({ Global: { region: BENCH_REGION_ID, vpcid: VPC_ID, vswitchid: vSwitchId, zoneid: `${BENCH_REGION_ID}-h`, routeTableIDs: TABLE_ID, clusterID: BENCH_CLUSTER_NAME } }),
  );
  const endpoint = `127.0.0.1:${vpc.port}`;
  const child = spawn(
    binary,
    [
      `--cloud-config=${cloudConfig}`, `--kubeconfig=${kube.info.kubeconfigPath}`, "--controllers=route", "--configure-cloud-routes=true",
      `--cluster-cidr=${BENCH_CLUSTER_CIDR_V4}`, `--cluster-name=${BENCH_CLUSTER_NAME}`, "--route-reconciliation-period=5m",
      "--metrics-bind-addr=0", "--health-probe-bind-addr=0", "--pprof-bind-addr=0", "--leader-elect=true", "--v=2",
    ],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, KUBECONFIG: kube.info.kubeconfigPath,
        ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET, ALICLOUD_CLIENT_SCHEME: "HTTP",
        VPC_ENDPOINT: endpoint, ECS_ENDPOINT: endpoint, SLB_ENDPOINT: endpoint, NLB_ENDPOINT: endpoint, EFLO_CONTROLLER_ENDPOINT: endpoint,
        METADATA_ENDPOINT: metadataUrl,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let tail = "";
  let passes = 0;
  const onData = (d: string): void => {
    tail = (tail + d).slice(-6_000);
    passes += d.split("sync route tables successfully").length - 1;
  };
  child.stdout?.setEncoding("utf8").on("data", onData);
  child.stderr?.setEncoding("utf8").on("data", onData);
  return { name: "real CCM", child, periodS: 300, passes: () => Promise.resolve(passes), logTail: () => tail };
}

async function startOurs(kube: RealKube, vpc: FakeVpcServer): Promise<Peer> {
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const child = startCli([
    "run", "--region", BENCH_REGION_ID, "--vpc-id", VPC_ID, "--route-table-ids", TABLE_ID,
    "--cluster-name", BENCH_CLUSTER_NAME, "--cluster-cidr", BENCH_CLUSTER_CIDR_V4, "--vpc-endpoint", vpc.url,
    "--kubeconfig", kube.info.kubeconfigPath, "--leader-election-namespace", "default",
    "--health-probe-bind-address", `127.0.0.1:${healthPort}`, "--metrics-bind-address", `127.0.0.1:${metricsPort}`, "--log-level", "warn",
  ], { NODE_OPTIONS: "--max-old-space-size=128 --max-semi-space-size=4" });
  let tail = "";
  child.stdout?.resume();
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (tail = (tail + d).slice(-6_000)));
  const passes = async (): Promise<number> => metricSum((await scrape(`http://127.0.0.1:${metricsPort}/metrics`)) ?? "", "vpc_route_sync_reconcile_total");
  return { name: "vpc-route-sync", child, periodS: 60, passes, logTail: () => tail };
}

/** One Node added, then deleted: times of the first write / delete call and of the route's Available / gone. */
async function nodeEvent(peer: Peer, kube: RealKube, vpc: FakeVpcServer, index: number): Promise<{ add: EventFigures; del: EventFigures }> {
  const cidr = podCidrV4(index);
  const firstCallAfter = (t0Wall: number, actions: ReadonlySet<string>): number | undefined => vpc.requests().find((r) => r.time >= t0Wall && actions.has(r.action))?.time;
  const actionsSince = (t0Wall: number): string =>
    vpc
      .requests()
      .filter((r) => r.time >= t0Wall)
      .map((r) => (r.code === "" ? r.action : `${r.action}:${r.code}`))
      .join(", ");
  // Quiet before the event: no call in flight from a pass.
  await sleep(2_500);
  let calls0 = totalCalls(vpc);
  let wall0 = Date.now();
  let t0 = performance.now();
  await kubeCall(kube, "POST", "/api/v1/nodes", makeNodes(1, { skippedShare: 0, offset: index })[0]);
  const available = await until(peer, `route ${cidr} Available`, () => instanceRoutes(vpc).available.has(cidr), 120_000);
  await sleep(3_000); // confirmation reads that follow the write belong to the event
  const addCalls = totalCalls(vpc) - calls0;
  const addSent = firstCallAfter(wall0, WRITE_ACTIONS);
  const add = { sentMs: addSent === undefined ? Number.NaN : addSent - wall0, doneMs: available - t0, calls: addCalls, actions: actionsSince(wall0) };
  calls0 = totalCalls(vpc);
  wall0 = Date.now();
  t0 = performance.now();
  await kubeCall(kube, "DELETE", `/api/v1/nodes/${nodeNameOf(index)}`);
  const gone = await until(peer, `route ${cidr} gone`, () => !instanceRoutes(vpc).present.has(cidr), 120_000);
  await sleep(3_000);
  const delSent = firstCallAfter(wall0, DELETE_ACTIONS);
  return { add, del: { sentMs: delSent === undefined ? Number.NaN : delSent - wall0, doneMs: gone - t0, calls: totalCalls(vpc) - calls0, actions: actionsSince(wall0) } };
}

async function measurePeer(name: PeerName, start: (vpc: FakeVpcServer) => Promise<Peer>, kube: RealKube, options: Options): Promise<PeerFigures> {
  const vpc = await freshVpc(options);
  await createNodes(kube, makeNodes(options.n, { skippedShare: 0 }));
  const t0 = performance.now();
  const peer = await start(vpc);
  try {
    const pid = peer.child.pid ?? 0;
    const filled = await until(peer, `all ${options.n} routes Available`, () => instanceRoutes(vpc).available.size >= options.n, 600_000);
    const fillCalls = totalCalls(vpc);
    const fillWrites = (vpc.counters().CreateRouteEntries?.requests ?? 0) + (vpc.counters().CreateRouteEntry?.requests ?? 0);
    // Steady: a window at the default period, started once the fill's trailing calls are over.
    await sleep(5_000);
    const calls0 = totalCalls(vpc);
    const passes0 = await peer.passes();
    const cpu0 = processCpuSeconds(pid) ?? Number.NaN;
    await sleep(options.steadyMs);
    const steadyCalls = totalCalls(vpc) - calls0;
    const steadyPasses = (await peer.passes()) - passes0;
    const steadyCpuS = (processCpuSeconds(pid) ?? Number.NaN) - cpu0;
    const rssMiB = processMemory(pid)?.rssMiB ?? Number.NaN;
    const events: { add: EventFigures; del: EventFigures }[] = [];
    for (let k = 0; k < options.eventSamples; k++) events.push(await nodeEvent(peer, kube, vpc, options.n + k));
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const pick = (f: (e: { add: EventFigures; del: EventFigures }) => EventFigures): EventFigures => ({
      sentMs: median(events.map((e) => f(e).sentMs)),
      doneMs: median(events.map((e) => f(e).doneMs)),
      calls: median(events.map((e) => f(e).calls)),
      actions: events.map((e) => f(e).actions).join(" | "),
    });
    const callsPerPass = steadyPasses > 0 ? steadyCalls / steadyPasses : Number.NaN;
    return {
      name,
      fillS: (filled - t0) / 1000,
      fillCalls,
      fillWrites,
      steadyWindowS: options.steadyMs / 1000,
      steadyCalls,
      steadyPasses,
      steadyCpuS,
      callsPerHour: callsPerPass * (3600 / peer.periodS),
      periodS: peer.periodS,
      rssMiB,
      add: pick((e) => e.add),
      del: pick((e) => e.del),
    };
  } finally {
    await stopChild(peer.child);
    await vpc.close();
    await deleteAllNodes(kube, options.n + options.eventSamples);
    await sleep(1_000);
  }
}

const fmtS = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "-");

/** The table: one row per measure, a column per peer, and ours / CCM. */
export function comparisonRows(ccm: PeerFigures, ours: PeerFigures): Record<string, Cell>[] {
  const ratio = (a: number, b: number): Cell => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? round(a / b, 2) : null);
  const row = (measure: string, c: string, o: string, r: Cell): Record<string, Cell> => ({ measure, "real CCM": c, "vpc-route-sync": o, "ours / CCM": r });
  const scale = 600 / ours.steadyWindowS;
  return [
    row(`cold fill: start -> all ${"routes"} Available, s`, fmtS(ccm.fillS * 1000), fmtS(ours.fillS * 1000), ratio(ours.fillS, ccm.fillS)),
    row("cold fill: VPC calls (writes)", `${ccm.fillCalls} (${ccm.fillWrites})`, `${ours.fillCalls} (${ours.fillWrites})`, ratio(ours.fillCalls, ccm.fillCalls)),
    row(
      "steady: VPC calls per hour at each default period",
      `${round(ccm.callsPerHour, 1)} (${ccm.periodS / 60} min; ${ccm.steadyCalls} calls / ${ccm.steadyPasses} passes)`,
      `${round(ours.callsPerHour, 1)} (${ours.periodS / 60} min; ${ours.steadyCalls} calls / ${ours.steadyPasses} passes)`,
      ratio(ours.callsPerHour, ccm.callsPerHour),
    ),
    row(`steady: CPU s in 600 s (measured ${ours.steadyWindowS} s, scaled)`, round(ccm.steadyCpuS * scale, 2).toString(), round(ours.steadyCpuS * scale, 2).toString(), ratio(ours.steadyCpuS, ccm.steadyCpuS)),
    row("add Node -> write sent / Available, s (calls)", `${fmtS(ccm.add.sentMs)} / ${fmtS(ccm.add.doneMs)} (${ccm.add.calls})`, `${fmtS(ours.add.sentMs)} / ${fmtS(ours.add.doneMs)} (${ours.add.calls})`, ratio(ours.add.doneMs, ccm.add.doneMs)),
    row("delete Node -> delete sent / route gone, s (calls)", `${fmtS(ccm.del.sentMs)} / ${fmtS(ccm.del.doneMs)} (${ccm.del.calls})`, `${fmtS(ours.del.sentMs)} / ${fmtS(ours.del.doneMs)} (${ours.del.calls})`, ratio(ours.del.doneMs, ccm.del.doneMs)),
    row("RSS, steady, MiB", String(ccm.rssMiB), String(ours.rssMiB), ratio(ours.rssMiB, ccm.rssMiB)),
  ];
}

export async function runVsCcmSuite(options: { quick: boolean }): Promise<SuiteResult> {
  const opts: Options = {
    n: 200,
    latencyMs: 100,
    pendingMs: 2000,
    steadyMs: Number(process.env.VRS_VS_CCM_STEADY_S ?? (options.quick ? "30" : "330")) * 1000,
    eventSamples: options.quick ? 1 : 3,
  };
  const columns = ["measure", "real CCM", "vpc-route-sync", "ours / CCM"];
  const title = `Beside the real Alibaba CCM: ${opts.n} Nodes, real kube-apiserver, fake VPC (L = ${opts.latencyMs} ms, P = ${opts.pendingMs / 1000} s)`;
  const binary = ccmBinary();
  const binDir = realKubeBinDir();
  if (binary === undefined || binDir === undefined) {
    const missing = [
      binary === undefined ? "the CCM binary (set VRS_REAL_CCM or build it into ~/.cache/vpc-route-sync/real-ccm/ccm-manager; docs/performance.md)" : "",
      binDir === undefined ? "kube-apiserver and etcd (test/real-kube/build.sh)" : "",
    ].filter((s) => s !== "");
    return { suite: "vs-ccm", title, columns, rows: [], checks: [], notes: [`skipped: missing ${missing.join(" and ")}; the CCM model (suites convergence, event) is what runs without them`] };
  }
  const dir = await mkdtemp(join(os.tmpdir(), "vrs-vs-ccm-"));
  const kube = await RealKube.start({ binDir, logDir: dir });
  const metadata = await startMetadata(VPC_ID, "vsw-unused");
  try {
    const ccm = await measurePeer("real CCM", (vpc) => startCcm(binary, kube, vpc, dir, metadata.url), kube, opts);
    const ours = await measurePeer("vpc-route-sync", (vpc) => startOurs(kube, vpc), kube, opts);
    const checks: Check[] = [
      { name: "cold fill: exactly ceil(N/50) writes", ok: ours.fillWrites === Math.ceil(opts.n / 50), detail: `${ours.fillWrites}` },
      { name: "cold fill at least 2x faster than the CCM", ok: ours.fillS * 2 <= ccm.fillS, detail: `${round(ccm.fillS / ours.fillS, 2)}x` },
      { name: "add Node: at most 2 VPC calls", ok: ours.add.calls <= 2, detail: `${ours.add.calls}` },
      { name: "delete Node: at most 2 VPC calls", ok: ours.del.calls <= 2, detail: `${ours.del.calls}` },
      { name: "RSS at most 2x the CCM's", ok: ours.rssMiB <= 2 * ccm.rssMiB, detail: `${ours.rssMiB} vs ${ccm.rssMiB} MiB` },
    ];
    return {
      suite: "vs-ccm",
      title,
      columns,
      rows: comparisonRows(ccm, ours),
      checks,
      notes: [
        `one peer at a time on the same real kube-apiserver ${KUBE_VERSION}; a fresh fake VPC table for each; ${opts.eventSamples} add/delete samples each (median)`,
        "CPU seconds from /proc/PID/stat (user + system) of the peer's process; steady calls per hour = calls per pass in the window x passes per hour at the peer's default period",
        `calls per event, in order (each sample): CCM add: ${ccm.add.actions}; ours add: ${ours.add.actions}; CCM delete: ${ccm.del.actions}; ours delete: ${ours.del.actions}`,
        `SDK packages the run command's modules load (checked by importing them with a resolve hook): ${(await sdkPackagesOfRun()).join(", ") || "none"} - of ${WATCHED_SDKS.join(", ")}`,
        `machine: ${os.cpus().length} CPUs, load average at the end ${os.loadavg().map((n) => n.toFixed(1)).join(" ")}: wall-clock times are taken under that load`,
      ],
    };
  } finally {
    await new Promise((r) => metadata.server.close(r));
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The SDK packages whose import cost RSS before issue 19 (docs/performance.md, "Memory"). */
const WATCHED_SDKS = ["@kubernetes/client-node", "@alicloud/vpc20160428", "@alicloud/openapi-core", "@alicloud/credentials", "@darabonba/typescript", "undici"];

/** Which of WATCHED_SDKS the built `run` command and controller import (statically). */
async function sdkPackagesOfRun(): Promise<string[]> {
  const dist = join(CLI_PATH, "..");
  const script = `
    import { registerHooks } from "node:module";
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { seen.add(specifier); return next(specifier, context); } });
    await import(${JSON.stringify(join(dist, "commands/run.js"))});
    await import(${JSON.stringify(join(dist, "controller/controller.js"))});
    process.stdout.write(JSON.stringify([...seen]));
  `;
  const run = await runNode(["--input-type=module", "-e", script], 30_000);
  const specifiers = JSON.parse(run.stdout || "[]") as string[];
  return WATCHED_SDKS.filter((sdk) => specifiers.some((s) => s === sdk || s.startsWith(`${sdk}/`)));
}
