#!/usr/bin/env node
// The vpc-route-sync entry point. It only dispatches: parse the configuration once, print
// help/version, otherwise load the chosen command, hand it the frozen Config and the process's
// streams, and exit with the code the command returns. A ConfigError from parsing ends the
// process like every other error, through src/error-policy.ts (one line, exit 2).
// This is the only module of the product that reads process.argv/process.env; the process
// plumbing (streams, signals, exit) is src/process-entry.ts. The developer commands (`demo`,
// `fake-vpc`) have their own entry point, dev/cli.ts, outside the product.

import { parseConfig, unknownEnvWarnings, type CommandIo, type Config } from "./config/index.js";
import { processCommandIo, runEntryPoint } from "./process-entry.js";

async function main(): Promise<number> {
  // Before parsing: a mistyped variable is often why parsing then fails ("missing --region").
  for (const warning of unknownEnvWarnings(process.env)) process.stderr.write(`vpc-route-sync: warning: ${warning}\n`);
  const outcome = parseConfig(process.argv.slice(2), process.env);
  if (outcome.kind !== "config") {
    process.stdout.write(outcome.text);
    return 0;
  }
  return dispatch(outcome.config, processCommandIo());
}

/** Loads only the chosen command, so `reconcile --nodes-file` does not pay for what `run` needs. */
async function dispatch(config: Config, io: CommandIo): Promise<number> {
  switch (config.command) {
    case "reconcile":
      return (await import("./commands/reconcile.js")).runReconcileCommand(config, io);
    case "run":
      return (await import("./commands/run.js")).runRunCommand(config, io);
    case "doctor":
      return (await import("./commands/doctor.js")).runDoctorCommand(config, io);
  }
}

runEntryPoint(main);
