// `npm run soak -- [--duration 60m] [--nodes 200] [--resync 5s] ...`: `vpc-route-sync run` (the
// built CLI, the image's NODE_OPTIONS) as its own process against the fakes in another process
// (bench/soak-fakes.ts: Node churn and injected faults on their own timers), for a given time with
// an accelerated resync. Every sample records the controller's RSS (/proc), heap after a full GC,
// event-loop delay (bench/soak-probe.ts, preloaded), open file descriptors and sockets
// (/proc/PID/fd), CPU seconds and the mean pass duration since the last sample (its /metrics).
// Results: samples.jsonl, summary.md and soak.svg in --out; with --doc FILE the summary and the
// chart also replace the `<!-- bench:soak -->` block of that page (docs/performance.md) and
// docs/performance-soak.svg beside it. See docs/performance.md "Soak".
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_PATH, assertCliBuilt, cliEnv, freePort, metricSum, processCpuSeconds, processMemory, scrape, stopChild } from "./child-process.js";
import { BENCH_CLUSTER_CIDR_V4, BENCH_CLUSTER_NAME, BENCH_REGION_ID } from "./fixtures.js";
import { CONTAINER_NODE_OPTIONS } from "./controller-bench.js";
import { replaceBlock } from "./performance-doc.js";
import { formatTable, type Cell } from "./report.js";
import type { SoakFakesConfig, SoakFakesReady, SoakStats } from "./soak-fakes.js";
import { soakChart } from "./soak-chart.js";

const HERE = dirname(fileURLToPath(import.meta.url));

interface SoakArgs {
  readonly durationMs: number;
  readonly sampleMs: number;
  readonly resync: string;
  readonly warmupMs: number;
  readonly out: string;
  readonly doc: string | undefined;
  readonly fakes: SoakFakesConfig;
}

const USAGE = `usage: npm run soak -- [--duration 60m] [--nodes 200] [--resync 5s] [--sample 30s] [--warmup 5m]
       [--churn 3s] [--faults 45s] [--latency 100ms] [--pending 2s] [--seed 1] [--out DIR] [--doc FILE]
  --duration  how long the controller runs (s, m or h)             --resync   its --resync-period (>= 5s)
  --churn     one Node change this often (0: none)                 --faults   one injected fault this often (0: none)
  --warmup    samples before this are left out of the growth checks
  --out DIR   samples.jsonl, summary.md, soak.svg (default bench/results/soak-<time>)
  --doc FILE  also write the summary and chart into FILE's <!-- bench:soak --> block (docs/performance.md)
  --from DIR  no run: the summary and chart of the run in DIR again (with --doc: into that page too)`;

export function parseDuration(text: string): number {
  if (text === "0") return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (m === null) throw new Error(`not a duration: ${JSON.stringify(text)} (expected e.g. 500ms, 5s, 10m, 1h)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
}

function parseArgs(argv: readonly string[]): SoakArgs | string {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return USAGE;
    const value = argv[i + 1];
    if (!arg.startsWith("--") || value === undefined) return `${arg}: expected --name value\n${USAGE}`;
    values.set(arg.slice(2), value);
    i += 1;
  }
  const known = new Set(["duration", "nodes", "resync", "sample", "warmup", "churn", "faults", "latency", "pending", "seed", "out", "doc"]);
  for (const key of values.keys()) if (!known.has(key)) return `unknown option --${key}\n${USAGE}`;
  try {
    const nodes = Number(values.get("nodes") ?? "200");
    if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a positive integer, got ${values.get("nodes")}`);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const doc = values.get("doc");
    return {
      durationMs: parseDuration(values.get("duration") ?? "60m"),
      sampleMs: parseDuration(values.get("sample") ?? "30s"),
      resync: values.get("resync") ?? "5s",
      warmupMs: parseDuration(values.get("warmup") ?? "5m"),
      out: resolve(values.get("out") ?? join(HERE, "..", "..", "bench", "results", `soak-${stamp}`)),
      doc: doc === undefined ? undefined : resolve(doc),
      fakes: {
        nodes,
        latencyMs: parseDuration(values.get("latency") ?? "100ms"),
        pendingMs: parseDuration(values.get("pending") ?? "2s"),
        churnMs: parseDuration(values.get("churn") ?? "3s"),
        faultMs: parseDuration(values.get("faults") ?? "45s"),
        seed: Number(values.get("seed") ?? "1"),
      },
    };
  } catch (error) {
    return `${(error as Error).message}\n${USAGE}`;
  }
}

/** Messages from the fakes' process, one at a time. */
class FakesProcess {
  readonly child: ChildProcess;
  #waiting: ((message: { op: string; [k: string]: unknown }) => void)[] = [];

  constructor() {
    this.child = fork(join(HERE, "soak-fakes.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (message: { op: string; [k: string]: unknown }) => this.#waiting.shift()?.(message));
  }

  ask(message: object): Promise<{ op: string; [k: string]: unknown }> {
    return new Promise((resolveAnswer, reject) => {
      this.#waiting.push((answer) => (answer.op === "error" ? reject(new Error(String(answer.message))) : resolveAnswer(answer)));
      this.child.send(message);
    });
  }
}

function gitHead(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: join(HERE, "..", ".."), encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** Open descriptors of a process and how many of them are sockets (Linux /proc). */
function descriptors(pid: number): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      fds += 1;
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) sockets += 1;
      } catch {
        // closed between readdir and readlink
      }
    }
  } catch {
    return { fds: Number.NaN, sockets: Number.NaN };
  }
  return { fds, sockets };
}

function lastProbe(file: string): Record<string, number> | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1] ?? "") as Record<string, number>;
  } catch {
    return undefined;
  }
}

export interface SoakSample {
  readonly elapsedS: number;
  readonly passes: number;
  readonly rssMiB: number;
  readonly heapAfterGcMiB: number;
  readonly heapLimitMiB: number;
  readonly eldP99Ms: number;
  readonly eldMaxMs: number;
  readonly fds: number;
  readonly sockets: number;
  /** Mean duration of the passes that ended since the previous sample (NaN: none ended). */
  readonly passMeanMs: number;
  readonly cpuS: number;
  readonly vpcCalls: number;
  readonly nodes: number;
  readonly routedNodes: number;
}

/** `--from DIR`: the summary and chart of a finished (or interrupted) run again, from its files. */
function resummarize(dir: string, doc: string | undefined): number {
  const header = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as Record<string, unknown> & { args: Omit<SoakArgs, "out" | "doc"> };
  const samples = readFileSync(join(dir, "samples.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as SoakSample);
  const last = samples[samples.length - 1];
  const endedAt = last === undefined ? header.started : new Date(Date.parse(String(header.started)) + last.elapsedS * 1000).toISOString();
  writeOutputs(samples, { ...header.args, out: dir, doc }, { ...header, endedAt, exitedEarly: false });
  return 0;
}

function writeOutputs(samples: readonly SoakSample[], args: SoakArgs, header: Record<string, unknown>): string {
  const summary = summarize(samples, args, header);
  writeFileSync(join(args.out, "summary.md"), `${summary}\n`);
  const svg = soakChart(samples);
  writeFileSync(join(args.out, "soak.svg"), svg);
  if (args.doc !== undefined) {
    const chartPath = join(dirname(args.doc), "performance-soak.svg");
    writeFileSync(chartPath, svg);
    writeFileSync(args.doc, replaceBlock(readFileSync(args.doc, "utf8"), "soak", `${summary}\n\n![Soak: memory, event-loop delay, descriptors and pass duration over time](performance-soak.svg)`));
  }
  return summary;
}

async function main(argv: readonly string[]): Promise<number> {
  const from = argv.indexOf("--from");
  if (from >= 0) {
    const docAt = argv.indexOf("--doc");
    return resummarize(resolve(argv[from + 1] ?? "."), docAt >= 0 && argv[docAt + 1] !== undefined ? resolve(argv[docAt + 1]!) : undefined);
  }
  const args = parseArgs(argv);
  if (typeof args === "string") {
    (args === USAGE ? process.stdout : process.stderr).write(`${args}\n`);
    return args === USAGE ? 0 : 2;
  }
  assertCliBuilt();
  mkdirSync(args.out, { recursive: true });
  const samplesFile = join(args.out, "samples.jsonl");
  const probeFile = join(args.out, "probe.jsonl");
  const fakes = new FakesProcess();
  const ready = (await fakes.ask({ op: "start", config: args.fakes })).ready as SoakFakesReady;
  const healthPort = await freePort();
  const metricsPort = await freePort();
  // The commit the built files came from (npm run soak builds from the work tree; a copy of the build
  // run elsewhere passes SOAK_COMMIT).
  const commit = process.env.SOAK_COMMIT ?? gitHead();
  const controllerArgs = [
    "--expose-gc",
    "--import", join(HERE, "soak-probe.js"),
    CLI_PATH, "run",
    "--region", BENCH_REGION_ID,
    "--vpc-id", ready.vpcId,
    "--cluster-name", BENCH_CLUSTER_NAME,
    "--cluster-cidr", BENCH_CLUSTER_CIDR_V4,
    "--vpc-endpoint", ready.vpcUrl,
    "--kubeconfig", ready.kubeconfigPath,
    "--resync-period", args.resync,
    "--leader-election-namespace", "default",
    "--health-probe-bind-address", `127.0.0.1:${healthPort}`,
    "--metrics-bind-address", `127.0.0.1:${metricsPort}`,
    "--log-level", "warn",
  ];
  const controller = spawn(process.execPath, controllerArgs, {
    // SOAK_NODE_OPTIONS adds flags for a look inside (e.g. --cpu-prof --cpu-prof-dir=DIR).
    env: { ...cliEnv(), NODE_OPTIONS: `${CONTAINER_NODE_OPTIONS} ${process.env.SOAK_NODE_OPTIONS ?? ""}`.trim(), SOAK_PROBE_FILE: probeFile, SOAK_PROBE_MS: String(Math.max(1000, args.sampleMs - 2000)) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let logTail = "";
  controller.stderr?.setEncoding("utf8").on("data", (d: string) => (logTail = (logTail + d).slice(-20_000)));
  const pid = controller.pid ?? 0;
  const header = {
    started: new Date().toISOString(),
    commit,
    controllerPid: pid,
    fakesPid: fakes.child.pid,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
    nodeOptions: CONTAINER_NODE_OPTIONS,
    args: { ...args, out: undefined, doc: undefined },
  };
  writeFileSync(join(args.out, "run.json"), `${JSON.stringify(header, null, 2)}\n`);
  process.stdout.write(`soak: controller pid ${pid}, fakes pid ${String(fakes.child.pid)}, ${args.durationMs / 60_000} min, results in ${args.out}\n`);

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  const t0 = Date.now();
  const samples: SoakSample[] = [];
  let previous = { sum: 0, count: 0 };
  let exitedEarly = false;
  let stopping = false;
  controller.once("exit", () => {
    exitedEarly = !stopping;
    stop.abort();
  });
  while (!stop.signal.aborted && Date.now() - t0 < args.durationMs) {
    await new Promise<void>((r) => {
      const timer = setTimeout(r, args.sampleMs);
      stop.signal.addEventListener("abort", () => (clearTimeout(timer), r()), { once: true });
    });
    if (controller.exitCode !== null) break;
    const text = (await scrape(`http://127.0.0.1:${metricsPort}/metrics`)) ?? "";
    const sum = metricSum(text, "vpc_route_sync_reconcile_duration_seconds_sum");
    const count = metricSum(text, "vpc_route_sync_reconcile_duration_seconds_count");
    const stats = (await fakes.ask({ op: "stats" })).stats as SoakStats;
    const probe = lastProbe(probeFile);
    const sample: SoakSample = {
      elapsedS: Math.round((Date.now() - t0) / 1000),
      passes: metricSum(text, "vpc_route_sync_reconcile_total"),
      rssMiB: processMemory(pid)?.rssMiB ?? Number.NaN,
      heapAfterGcMiB: probe?.heapAfterGcMiB ?? Number.NaN,
      heapLimitMiB: probe?.heapLimitMiB ?? Number.NaN,
      eldP99Ms: probe?.eldP99Ms ?? Number.NaN,
      eldMaxMs: probe?.eldMaxMs ?? Number.NaN,
      ...descriptors(pid),
      passMeanMs: count > previous.count ? Number((((sum - previous.sum) / (count - previous.count)) * 1000).toFixed(1)) : Number.NaN,
      cpuS: processCpuSeconds(pid) ?? Number.NaN,
      vpcCalls: stats.vpcRequests,
      nodes: stats.nodes,
      routedNodes: stats.routedNodes,
    };
    previous = { sum, count };
    samples.push(sample);
    appendFileSync(samplesFile, `${JSON.stringify({ ...sample, churn: stats.churn, faults: stats.faults, fakesCpuS: stats.cpuSeconds })}\n`);
  }
  const endedAt = new Date().toISOString();
  stopping = true;
  await stopChild(controller);
  await fakes.ask({ op: "stop" }).catch(() => undefined);
  writeFileSync(join(args.out, "controller.log"), logTail);
  const summary = writeOutputs(samples, args, { ...header, endedAt, exitedEarly });
  process.stdout.write(`${summary}\n`);
  if (exitedEarly) {
    process.stderr.write(`soak: the controller exited early (code ${String(controller.exitCode)}); log tail in ${join(args.out, "controller.log")}\n`);
    return 1;
  }
  return 0;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const ok = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (ok.length < 2) return Number.NaN;
  const mx = ok.reduce((s, [x]) => s + x, 0) / ok.length;
  const my = ok.reduce((s, [, y]) => s + y, 0) / ok.length;
  const num = ok.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = ok.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}

function summarize(samples: readonly SoakSample[], args: SoakArgs, header: Record<string, unknown>): string {
  const settled = samples.filter((s) => s.elapsedS * 1000 >= args.warmupMs);
  const first = settled[0];
  const last = settled[settled.length - 1];
  const rows: Record<string, Cell>[] = [];
  const step = Math.max(1, Math.ceil(samples.length / 12));
  for (let i = 0; i < samples.length; i++) {
    if (i % step !== 0 && i !== samples.length - 1) continue;
    const s = samples[i]!;
    rows.push({
      "min": Number((s.elapsedS / 60).toFixed(1)),
      passes: s.passes,
      "RSS MiB": s.rssMiB,
      "heap after GC MiB": s.heapAfterGcMiB,
      "loop delay p99 ms": s.eldP99Ms,
      "loop delay max ms": s.eldMaxMs,
      fds: s.fds,
      sockets: s.sockets,
      "pass mean ms": Number.isFinite(s.passMeanMs) ? s.passMeanMs : null,
      "CPU s": s.cpuS,
      "VPC calls": s.vpcCalls,
      "Nodes routed": `${s.routedNodes}/${s.nodes}`,
    });
  }
  const lines = [
    `Soak run ${String(header.started)} to ${String(header.endedAt)}: commit ${String(header.commit)}, ${String(header.cpus)} CPUs (${String(header.cpuModel)}), Node ${String(header.node)}, load average at start ${(header.loadAverage as number[]).join(" ")}.`,
    `${args.fakes.nodes} Nodes, --resync-period ${args.resync}, NODE_OPTIONS \`${CONTAINER_NODE_OPTIONS}\`; fake VPC: every call ${args.fakes.latencyMs} ms late, new entries Pending ${args.fakes.pendingMs} ms; one Node change every ${args.fakes.churnMs / 1000} s (add, delete, new pod CIDR, instance replaced), one injected fault every ${args.fakes.faultMs / 1000} s.`,
    "",
    formatTable(Object.keys(rows[0] ?? { min: 0 }), rows),
  ];
  if (first !== undefined && last !== undefined && last !== first) {
    const perKPass = (f: (s: SoakSample) => number): number => slope(settled.map((s) => [s.passes, f(s)] as const)) * 1000;
    const heapGrowth = perKPass((s) => s.heapAfterGcMiB);
    // Descriptors come and go with calls in flight: compare the medians of the first and the last
    // quarter after warm-up, not two single samples.
    const quarter = Math.max(1, Math.floor(settled.length / 4));
    const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const early = (f: (s: SoakSample) => number): number => median(settled.slice(0, quarter).map(f));
    const late = (f: (s: SoakSample) => number): number => median(settled.slice(-quarter).map(f));
    const fdGrowth = late((s) => s.fds) - early((s) => s.fds);
    const socketGrowth = late((s) => s.sockets) - early((s) => s.sockets);
    const cpuPerPassMs = ((last.cpuS - first.cpuS) / Math.max(1, last.passes - first.passes)) * 1000;
    lines.push(
      "",
      `After warm-up (${args.warmupMs / 60_000} min; ${last.passes - first.passes} passes):`,
      `- ${heapGrowth < 1 ? "ok  " : "FAIL"} heap after GC: ${heapGrowth.toFixed(2)} MiB per 1,000 passes (least-squares slope; target < 1), ${first.heapAfterGcMiB} -> ${last.heapAfterGcMiB} MiB, limit ${last.heapLimitMiB} MiB`,
      `- ${fdGrowth <= 0 ? "ok  " : "FAIL"} file descriptors, median of the first and last quarter: ${early((s) => s.fds)} -> ${late((s) => s.fds)}; ${socketGrowth <= 0 ? "ok  " : "FAIL"} sockets ${early((s) => s.sockets)} -> ${late((s) => s.sockets)} (max ${Math.max(...settled.map((s) => s.sockets))})`,
      `- RSS ${first.rssMiB} -> ${last.rssMiB} MiB (max ${Math.max(...settled.map((s) => s.rssMiB))}); CPU ${cpuPerPassMs.toFixed(1)} ms per pass (churn and faults included)`,
    );
  }
  if (header.exitedEarly === true) lines.push("", "FAIL the controller exited before the end of the run");
  return lines.join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
