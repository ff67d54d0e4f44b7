// Runs the built CLI (dist/cli.js) as a user would: a child process with its own environment.
// `npm test` builds first; the environment is explicit so nothing leaks in from the developer's shell.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLI_PATH = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
/** The developer entry point (demo, fake-vpc), outside the product: `npm run build:dev` (npm test does). */
export const DEV_CLI_PATH = fileURLToPath(new URL("../../build-dev/dev/cli.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>;
  readonly stdin?: string;
  readonly timeoutMs?: number;
  /** The script to run: CLI_PATH (the default) or DEV_CLI_PATH. */
  readonly script?: string;
  /** A command the CLI runs under, e.g. a namespace wrapper: `[...wrapper, node, script, ...args]`. */
  readonly wrapper?: readonly string[];
}

/** A minimal environment: no ALIBABA_CLOUD_* or KUBECONFIG from the caller's shell. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    // Never consult the ECS metadata service (100.100.100.200) from tests.
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  const script = options.script ?? CLI_PATH;
  if (!existsSync(script)) throw new Error(`${script} is missing: run 'npm run build' and 'npm run build:dev' (npm test does)`);
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  return spawn(command, [...prefix, script, ...args], {
    env: options.env ?? baseEnv(),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child, options);
}

export function collect(child: ChildProcess, options: CliOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not exit within ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
