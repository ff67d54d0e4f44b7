// `npm run fuzz -- --runs N --seed S [--commands M] [--strict] [--tolerate id,id] [--path P]`: the
// model-based suite for longer than `npm test` runs it. Prints how many histories, commands, passes
// and API calls it covered, the tolerated known defects it met, and the shrunk failing history.
import { parseArgs } from "node:util";
import { checkHistories } from "./history.js";
import { OPEN_DEFECTS } from "./invariants.js";

const options = {
  runs: { type: "string", default: "200" },
  seed: { type: "string", default: String(Date.now() % 1_000_000) },
  commands: { type: "string", default: "30" },
  strict: { type: "boolean", default: false },
  tolerate: { type: "string", default: "" },
  path: { type: "string" },
} as const;

function flags() {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    process.stderr.write(`fuzz: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
const values = flags();

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} must be a whole number, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
};

const started = Date.now();
const summary = await checkHistories({
  seed: number("seed", values.seed),
  runs: number("runs", values.runs),
  maxCommands: number("commands", values.commands),
  strict: values.strict,
  tolerate: values.tolerate.split(",").filter((s) => s !== ""),
  path: values.path,
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `model-based suite: ${summary.histories} histories, ${summary.steps} commands, ${summary.passes} passes, ${summary.apiCalls} API calls in ${seconds} s (seed ${values.seed})\n`,
);
process.stdout.write(`tolerated (OPEN_DEFECTS${values.strict ? " ignored: --strict" : ` = ${JSON.stringify(OPEN_DEFECTS)}`}): `);
process.stdout.write(summary.toleratedById.size === 0 ? "none met\n" : `${[...summary.toleratedById].map(([id, n]) => `${id} in ${n} histories`).join(", ")}\n`);
if (summary.failure) {
  process.stdout.write(`${summary.failure}\n`);
  process.exit(1);
}
process.stdout.write("every invariant held\n");
