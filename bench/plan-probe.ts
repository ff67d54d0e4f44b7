// `node build-bench/bench/plan-probe.js [nodes]`: median wall and CPU time of buildPlan for N IPv4
// Nodes x ~N entries in one table (the planner target of docs/performance.md), without the rest of
// the plan suite.
import { planAsPassDoes, planInput } from "./plan-bench.js";
import { timeRepeated, round } from "./measure.js";

const nodes = Number(process.argv[2] ?? 10_000);
const input = planInput(nodes, false, 1);
const samples = await timeRepeated(() => planAsPassDoes(input), { warmup: 5, minIterations: 15, maxIterations: 60, budgetMs: 4000 });
process.stdout.write(`buildPlan ${nodes} IPv4 Nodes x ${input.actual.values().next().value?.length ?? 0} entries: median ${round(samples.medianMs)} ms, p95 ${round(samples.p95Ms)} ms, CPU median ${round(samples.cpuMedianMs ?? NaN)} ms, runs ${samples.iterations}\n`);
