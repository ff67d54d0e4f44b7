// Runs the built CLI (dist/cli.js, what users install) as a child process for the controller and
// start-up suites, and reads what a user would look at: exit code, RSS from /proc, /metrics.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET } from "@vpc-route-sync/fake-alibaba-vpc";

/** bench/ compiles to build-bench/bench/; the CLI is built separately into dist/. */
export const CLI_PATH = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run 'npm run build' (npm run bench does)`);
}

/** A clean environment with the fake VPC's keys: nothing leaks in from the caller's shell. */
export function cliEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
    ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET,
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startCli(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  assertCliBuilt();
  return spawn(process.execPath, [CLI_PATH, ...args], { env: { ...cliEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the CLI to completion; kills it (by its own pid) after `timeoutMs`. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<CliRun> {
  assertCliBuilt();
  return runNode([CLI_PATH, ...args], timeoutMs);
}

/** Runs this Node.js binary with `argv` to completion; kills it (by its own pid) after `timeoutMs`. */
export function runNode(argv: readonly string[], timeoutMs = 60_000): Promise<CliRun> {
  const child = spawn(process.execPath, argv, { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${argv.join(" ")} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port that was free a moment ago (the operator's bind addresses need a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size and its peak (VmHWM) of a process, MiB, from /proc (Linux). */
export function processMemory(pid: number): { rssMiB: number; peakRssMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rssMiB: Number((kib("VmRSS") / 1024).toFixed(1)), peakRssMiB: Number((kib("VmHWM") / 1024).toFixed(1)) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used, from /proc/<pid>/stat (Linux; clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Sum of every sample of `name` (all label sets) in a Prometheus text exposition. */
export function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export async function scrape(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM and waits for the exit (the controller shuts down gracefully); SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}
