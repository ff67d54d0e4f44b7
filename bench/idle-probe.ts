// `node build-bench/bench/idle-probe.js [SECONDS] [NODES] [NODE_OPTIONS]`: the CPU of an idle leader
// between passes (controller-bench.ts idleCpu); add `--cpu-prof --cpu-prof-dir=DIR` to NODE_OPTIONS
// for a profile.
import { CONTAINER_NODE_OPTIONS, idleCpu } from "./controller-bench.js";

const row = await idleCpu(Number(process.argv[3] ?? 200), Number(process.argv[2] ?? 40), process.argv[4] ?? CONTAINER_NODE_OPTIONS);
process.stdout.write(`${JSON.stringify(row)}\n`);
process.exit(0);
