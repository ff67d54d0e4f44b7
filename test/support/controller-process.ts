// The built `vpc-route-sync run` as a child process, for end-to-end tests of controller mode: keeps
// its JSON log lines (stdout, and stderr), learns the health and metrics ports from the "controller starting"
// line (tests bind to 127.0.0.1:0), probes /healthz, /readyz and /metrics, and stops it with a
// signal. Every wait is a condition with a deadline, never a sleep.
import type { ChildProcess } from "node:child_process";
import { collect, startCli, type CliResult } from "./cli.js";
import { waitFor } from "./wait-for.js";

export interface LogLine {
  readonly msg?: string;
  readonly level?: number | string;
  readonly [key: string]: unknown;
}

export interface StartControllerOptions {
  /** Arguments after `run`. */
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** A name for failure messages (e.g. the --identity). */
  readonly name?: string;
  /** Deadline for the "controller starting" line. @default 20000 */
  readonly startTimeoutMs?: number;
  /** Run the CLI under this command (see CliOptions.wrapper). */
  readonly wrapper?: readonly string[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export class ControllerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly exited: Promise<CliResult>;
  readonly #rest = { stdout: "", stderr: "" };
  #outputText = "";
  #result: CliResult | undefined;
  #healthPort: number | undefined;
  #metricsPort: number | undefined;

  private constructor(child: ChildProcess, name: string) {
    this.child = child;
    this.name = name;
    // `run` logs to stdout; stderr carries fatal messages. Both are kept, JSON lines are parsed.
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => this.#onOutput("stdout", chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.#onOutput("stderr", chunk));
    // collect() also consumes stdout/stderr; our own listeners above keep the parsed lines.
    this.exited = collect(child, { timeoutMs: 10 * 60_000 }).then((result) => {
      this.#result = result;
      return result;
    });
  }

  static async start(options: StartControllerOptions): Promise<ControllerProcess> {
    const child = startCli(["run", ...options.args], { env: options.env, ...(options.wrapper ? { wrapper: options.wrapper } : {}) });
    const proc = new ControllerProcess(child, options.name ?? "controller");
    let started = false;
    const exitedEarly = proc.exited.then((r) => {
      if (started) return undefined;
      throw new Error(`${proc.name} exited (${r.code ?? r.signal}) before "controller starting"\n${proc.output()}`);
    });
    const starting = await Promise.race([
      waitFor(`${proc.name}: "controller starting" log line`, () => proc.logs.find((l) => l.msg === "controller starting"), {
        timeoutMs: options.startTimeoutMs ?? 20_000,
        describe: () => proc.output(),
      }),
      exitedEarly,
    ])
      .catch((error: unknown) => {
        child.kill("SIGKILL");
        throw error;
      })
      .finally(() => {
        started = true;
      });
    if (starting === undefined) throw new Error(`${proc.name} exited before "controller starting"`);
    if (typeof starting.healthPort !== "number") throw new Error(`${proc.name}: "controller starting" has no healthPort\n${proc.output()}`);
    proc.#healthPort = starting.healthPort;
    proc.#metricsPort = typeof starting.metricsPort === "number" ? starting.metricsPort : undefined;
    return proc;
  }

  get healthPort(): number {
    if (this.#healthPort === undefined) throw new Error(`${this.name}: not started`);
    return this.#healthPort;
  }

  get metricsPort(): number {
    if (this.#metricsPort === undefined) throw new Error(`${this.name}: started without a metrics server`);
    return this.#metricsPort;
  }

  /** Exit result once the process has ended (undefined while it runs). */
  get result(): CliResult | undefined {
    return this.#result;
  }

  /** Log lines whose `msg` equals `msg`. */
  logged(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  /** Waits for a log line matching `predicate` (already logged or future). */
  waitForLog(what: string, predicate: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return waitFor(`${this.name}: log line ${what}`, () => this.logs.find(predicate), { timeoutMs, describe: () => this.output() });
  }

  async get(port: number, path: string): Promise<HttpAnswer> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.text() };
  }

  healthz(): Promise<HttpAnswer> {
    return this.get(this.healthPort, "/healthz");
  }

  readyz(): Promise<HttpAnswer> {
    return this.get(this.healthPort, "/readyz");
  }

  async metrics(): Promise<string> {
    const answer = await this.get(this.metricsPort, "/metrics");
    if (answer.status !== 200) throw new Error(`${this.name}: /metrics answered ${answer.status}`);
    return answer.body;
  }

  /** The value of one sample (`name{labels}` exactly as exposed, labels in exposition order), or undefined. */
  async metric(series: string): Promise<number | undefined> {
    const text = await this.metrics();
    for (const line of text.split("\n")) {
      if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
    }
    return undefined;
  }

  /** Sends `signal` and resolves with the exit result. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<CliResult> {
    if (this.#result) return this.#result;
    this.child.kill(signal);
    return this.exited;
  }

  /** The last lines of output, for failure messages. */
  output(lines = 40): string {
    const tail = this.#outputText.split("\n").slice(-lines).join("\n");
    return `--- ${this.name} (exit ${this.#result ? `${this.#result.code ?? this.#result.signal}` : "running"}) output tail ---\n${tail}`;
  }

  #onOutput(stream: "stdout" | "stderr", chunk: string): void {
    this.#outputText += chunk;
    if (this.#outputText.length > 2_000_000) this.#outputText = this.#outputText.slice(-1_000_000);
    const text = this.#rest[stream] + chunk;
    const lines = text.split("\n");
    this.#rest[stream] = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line (e.g. a Node.js warning); it stays in the raw output.
      }
    }
  }
}
