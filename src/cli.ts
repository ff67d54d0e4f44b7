#!/usr/bin/env node
// The vpc-route-sync entry point. It only dispatches: parse the configuration once, print
// help/version or the one-line ConfigError (exit 2), otherwise load the chosen command, hand
// it the frozen Config and the process's streams, and exit with the code the command returns.
// This is the only module that reads process.argv/process.env or calls process.exit.

import { hostname } from "node:os";
import { ConfigError, parseConfig, type CommandIo, type Config } from "./config/index.js";

async function main(): Promise<number> {
  let config: Config;
  try {
    const outcome = parseConfig(process.argv.slice(2), process.env);
    if (outcome.kind !== "config") {
      process.stdout.write(outcome.text);
      return 0;
    }
    config = outcome.config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }

  const io: CommandIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    hostname: hostname(),
    signal: shutdownSignal(),
  };
  return dispatch(config, io);
}

/** Loads only the chosen command, so `fake-vpc` does not pay for the Kubernetes client. */
async function dispatch(config: Config, io: CommandIo): Promise<number> {
  switch (config.command) {
    case "reconcile":
      return (await import("./commands/reconcile.js")).runReconcileCommand(config, io);
    case "run":
      return (await import("./commands/run.js")).runRunCommand(config, io);
    case "doctor":
      return (await import("./commands/doctor.js")).runDoctorCommand(config, io);
    case "demo":
      return (await import("./commands/demo.js")).runDemoCommand(config, io);
    case "fake-vpc":
      return (await import("./commands/fake-vpc.js")).runFakeVpcCommand(config, io);
  }
}

/**
 * The first SIGTERM/SIGINT asks the command to stop (it releases the Lease and returns);
 * a second one exits at once with the conventional 128 + signal number.
 */
function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    controller.abort(new Error(`received ${signal}`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return controller.signal;
}

/** Resolves once everything written so far has been handed to the OS (pipes are asynchronous). */
function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write("", () => resolve());
  });
}

function describeError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && messages.length < 5) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages.join(": ") : String(error);
}

async function exit(code: number): Promise<never> {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  // Explicit exit: SDK keep-alive sockets and timers must not keep a finished command alive.
  process.exit(code);
}

void main().then(exit, async (error: unknown) => {
  process.stderr.write(`vpc-route-sync: ${describeError(error)}\n`);
  await exit(1);
});
