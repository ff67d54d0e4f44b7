// Entry of `npm run bench [-- <suite>... ] [-- --quick] [-- --out FILE]`: runs the selected
// benchmark suites (all by default), prints a table per suite and writes every figure with the
// machine's description to a JSON file (default bench/results/latest.json). See docs/performance.md.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runVsCcmSuite } from "./ccm-bench.js";
import { runCliBench } from "./cli-bench.js";
import { runControllerBench } from "./controller-bench.js";
import { runConvergenceSuite, runEventSuite, runResyncSuite, runSteadySuite } from "./convergence-bench.js";
import { writeChart, writePerformanceDoc } from "./performance-doc.js";
import { collectGarbage } from "./measure.js";
import { runPlanBench } from "./plan-bench.js";
import { runReconcileBench } from "./reconcile-bench.js";
import { formatSuite, type SuiteResult } from "./report.js";

type SuiteRunner = (options: { quick: boolean }) => Promise<SuiteResult | SuiteResult[]>;

let convergenceFigures: Awaited<ReturnType<typeof runConvergenceSuite>>["figures"] = [];

const SUITES: Readonly<Record<string, { readonly description: string; readonly run: SuiteRunner }>> = {
  convergence: {
    description: "cold convergence of 200/1,000/5,000 routes: ours, the CCM model and the generic controller (L 100 ms, P 2 s)",
    run: async (options) => {
      const { result, figures } = await runConvergenceSuite(options);
      convergenceFigures = figures;
      return result;
    },
  },
  event: { description: "event to route: one Node added to a converged cluster of 200, three strategies", run: runEventSuite },
  steady: { description: "steady pass over 200/1,000/5,000 routes: exact calls and CPU time", run: runSteadySuite },
  resync: { description: "heap across 1,000 steady passes over 5,000 Nodes (leak check)", run: runResyncSuite },
  plan: { description: "buildPlan for 500/2,000/5,000 Nodes, IPv4 and dual-stack, 1 and 3 tables", run: runPlanBench },
  reconcile: { description: "one reconcile pass through the Alibaba adapter against the fake VPC (200 routes, qps 5 and 50)", run: runReconcileBench },
  controller: { description: "`vpc-route-sync run`: memory with 5,000 Nodes, latency of a 300-Node burst", run: runControllerBench },
  cli: { description: "CLI start-up: --version and reconcile --dry-run --nodes-file", run: runCliBench },
  "vs-ccm": { description: "beside the real Alibaba CCM (skipped without its binary): 200 Nodes, real kube-apiserver, fake VPC", run: runVsCcmSuite },
};

/** bench/ compiles to build-bench/bench/: results go to the source tree's bench/results/. */
const DEFAULT_OUT = fileURLToPath(new URL("../../bench/results/latest.json", import.meta.url));

const USAGE = `usage: npm run bench -- [${Object.keys(SUITES).join("|")}]... [--quick] [--out FILE]
  (no suite: all of them)
${Object.entries(SUITES)
  .map(([name, s]) => `  ${name.padEnd(11)} ${s.description}`)
  .join("\n")}
  --quick      fewer iterations and sizes (a smoke run, not for recording)
  --out FILE   where to write the JSON results (default bench/results/latest.json)`;

interface Args {
  readonly suites: string[];
  readonly quick: boolean;
  readonly out: string;
}

function parseArgs(argv: readonly string[]): Args | string {
  const suites: string[] = [];
  let quick = false;
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return USAGE;
    if (arg === "--quick") quick = true;
    else if (arg === "--out") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("-")) return `--out needs a file name\n${USAGE}`;
      out = resolve(value);
    } else if (arg in SUITES) {
      if (!suites.includes(arg)) suites.push(arg);
    } else {
      return `unknown benchmark suite or option: ${JSON.stringify(arg)}\n${USAGE}`;
    }
  }
  return { suites: suites.length > 0 ? suites : Object.keys(SUITES), quick, out };
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    const isHelp = args === USAGE;
    (isHelp ? process.stdout : process.stderr).write(`${args}\n`);
    return isHelp ? 0 : 2;
  }
  if (!collectGarbage()) {
    process.stderr.write("bench: run with node --expose-gc (npm run bench does) so heap figures are taken after a full GC\n");
    return 2;
  }
  const started = machine();
  process.stdout.write(
    `vpc-route-sync benchmarks: ${args.suites.join(", ")}${args.quick ? " (quick)" : ""}\n` +
      `node ${String(started.node)}, ${String(started.cpus)} CPUs (${String(started.cpuModel)}), load average ${(started.loadAverage as number[]).join(" ")}\n\n`,
  );
  const results: SuiteResult[] = [];
  const timings: Record<string, number> = {};
  for (const name of args.suites) {
    const t0 = Date.now();
    const produced = await SUITES[name]!.run({ quick: args.quick });
    timings[name] = Math.round((Date.now() - t0) / 1000);
    for (const result of Array.isArray(produced) ? produced : [produced]) {
      results.push(result);
      process.stdout.write(`${formatSuite(result)}\n\n`);
    }
  }
  const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok));
  const finished = machine();
  const report = {
    schemaVersion: 1,
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`,
    quick: args.quick,
    machine: { ...started, loadAverageAtEnd: finished.loadAverage },
    suiteSeconds: timings,
    results,
  };
  if (!args.quick) {
    const chart = convergenceFigures.length > 0 ? await writeChart(convergenceFigures) : undefined;
    const doc = await writePerformanceDoc(results, report.machine, chart);
    process.stdout.write(`performance figures written to ${doc}${chart !== undefined ? ` and ${chart}` : ""}\n`);
  }
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `load average at the end: ${(finished.loadAverage as number[]).join(" ")}; suite seconds: ${JSON.stringify(timings)}\n` +
      `results written to ${args.out}\n`,
  );
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} check(s) failed:\n${failed.map((c) => `  ${c.name}: ${c.detail}`).join("\n")}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
