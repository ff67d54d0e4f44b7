// The process side of an entry point (src/cli.ts, and dev/cli.ts for the developer commands):
// the CommandIo of this process, the shutdown signal, and an exit that waits for stdout/stderr.
// Only entry points import this module; commands receive a CommandIo and never touch `process`.

import { hostname } from "node:os";
import type { CommandIo } from "./config/index.js";
import { endWithError } from "./error-policy.js";

/** The real process's streams, environment and shutdown signal, as commands receive them. */
export function processCommandIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    hostname: hostname(),
    signal: shutdownSignal(),
  };
}

/**
 * Runs `main` and exits with its code once stdout and stderr are flushed; a throw (a ConfigError
 * from parsing, or a bug) ends the process through the error policy: one line, its exit code.
 */
export function runEntryPoint(main: () => Promise<number>): void {
  void main().then(exit, (error: unknown) => exit(endWithError(error, process.stderr)));
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

async function exit(code: number): Promise<never> {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  // Explicit exit: SDK keep-alive sockets and timers must not keep a finished command alive.
  process.exit(code);
}
