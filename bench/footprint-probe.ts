// `node build-bench/bench/footprint-probe.js N [NODE_OPTIONS]`: one footprint row of the controller
// suite (vpc-route-sync run with N Nodes), for checking a memory setting without the whole suite.
import { footprint } from "./controller-bench.js";

const row = await footprint(Number(process.argv[2] ?? 5000), 50, process.argv[3] ?? "");
process.stdout.write(`${JSON.stringify(row)}\n`);
process.exit(0);
