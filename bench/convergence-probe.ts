// `node build-bench/bench/convergence-probe.js STRATEGY N`: one cold convergence (L 100 ms, P 2 s),
// for checking a change without the whole suite.
import { coldConvergence, DEFAULT_TIMING, type Strategy } from "./convergence-bench.js";

const strategy = (process.argv[2] ?? "ours") as Strategy;
const n = Number(process.argv[3] ?? 200);
const f = await coldConvergence(strategy, n, DEFAULT_TIMING, 600_000);
process.stdout.write(`${JSON.stringify({ ...f, ratio: f.ms === undefined ? null : Number((f.ms / f.lowerBoundMs).toFixed(3)) })}\n`);
