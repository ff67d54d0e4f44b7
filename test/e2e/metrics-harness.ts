// Helpers of the end-to-end metrics and logging tests: the built `vpc-route-sync run` as a child
// process whose output is readable while it runs, scraping and parsing its /metrics, and awaiting
// a condition with a deadline (polling, never a fixed sleep).
import type { ChildProcess } from "node:child_process";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { startCli, type CliResult } from "../support/cli.js";

/** How long a test waits for the controller to reach a state before it fails with a diagnosis. */
export const DEADLINE_MS = 40_000;

const POLL_MS = 50;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `deadlineMs` with
 * `what` and the last state `describe` gives (so a timeout says what was seen, not only "timeout").
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { readonly deadlineMs?: number; readonly describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? DEADLINE_MS);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = options.describe?.() ?? (lastError instanceof Error ? lastError.message : "");
      throw new Error(`timed out waiting for ${what}${detail ? `\n${detail}` : ""}`);
    }
    await pause(POLL_MS);
  }
}

/** A running CLI process whose stdout and stderr are collected as they arrive. */
export class RunningCli {
  readonly #child: ChildProcess;
  readonly #exited: Promise<CliResult>;
  #stdout = "";
  #stderr = "";

  constructor(args: readonly string[], env: Record<string, string>) {
    this.#child = startCli(args, { env });
    this.#child.stdout?.setEncoding("utf8").on("data", (d: string) => (this.#stdout += d));
    this.#child.stderr?.setEncoding("utf8").on("data", (d: string) => (this.#stderr += d));
    this.#child.stdin?.end();
    this.#exited = new Promise((resolve, reject) => {
      this.#child.on("error", reject);
      this.#child.on("close", (code, signal) => resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr }));
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The JSON log records written so far (lines that are not JSON are skipped). */
  records(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    // `run` logs to stdout, `reconcile` to stderr: read both.
    for (const line of `${this.#stdout}\n${this.#stderr}`.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line still being written
      }
    }
    return records;
  }

  /** Resolves once the output so far (stdout, then stderr) satisfies `match`. */
  waitForOutput(what: string, match: (output: string) => boolean, deadlineMs = DEADLINE_MS): Promise<true> {
    return until(`${what} in the output`, () => (match(`${this.#stdout}\n${this.#stderr}`) ? true : undefined), {
      deadlineMs,
      describe: () => this.tail(),
    });
  }

  /** The port of /metrics, from the JSON "controller starting" log line (the flag asks for port 0). */
  async metricsPort(): Promise<number> {
    return until(
      "the controller starting log line",
      () => {
        const port = this.records().find((r) => r.msg === "controller starting")?.metricsPort;
        return typeof port === "number" ? port : undefined;
      },
      { describe: () => this.tail() },
    );
  }

  /** SIGTERM (a graceful stop) and the complete output. */
  async stop(): Promise<CliResult> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGTERM");
    const timeout = setTimeout(() => this.#child.kill("SIGKILL"), DEADLINE_MS);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timeout);
    }
  }

  exited(): Promise<CliResult> {
    return this.#exited;
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    return `--- stdout ---\n${this.#stdout.split("\n").slice(-lines).join("\n")}\n--- stderr ---\n${this.#stderr.split("\n").slice(-lines).join("\n")}`;
  }
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;

/** One exposition sample line; throws on anything that is not `name{labels} value`. */
function parseSampleLine(line: string): Sample {
  const match = SAMPLE_LINE.exec(line);
  if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
  const labels: Record<string, string> = {};
  const text = match[2] ?? "";
  // Sticky and global: each pair must start where the previous one ended.
  const pairs = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
  let consumed = 0;
  for (let pair = pairs.exec(text); pair; pair = pairs.exec(text)) {
    labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    consumed = pairs.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`bad labels in ${JSON.stringify(line)}`);
  const value = match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3]);
  if (Number.isNaN(value) && match[3] !== "NaN") throw new Error(`bad value in ${JSON.stringify(line)}`);
  return { name: match[1]!, labels, value };
}

/**
 * A parsed /metrics scrape. Families (name, type, help) come from parse-prometheus-text-format;
 * sample values are read line by line, because that parser folds the series of a labelled
 * histogram into one object without labels or count.
 */
export class Scrape {
  readonly text: string;
  readonly families: ReadonlyMap<string, ParsedFamily>;
  readonly samples: readonly Sample[];

  constructor(text: string) {
    this.text = text;
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    this.samples = text
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map(parseSampleLine);
  }

  /** The value of the sample `name` whose labels include `labels`; undefined when absent. */
  value(name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
    return this.samples.find((s) => s.name === name && matches(s.labels, labels))?.value;
  }

  /** Like {@link value}, absent counting as 0 (counters that have not been incremented yet). */
  valueOr0(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.value(name, labels) ?? 0;
  }

  /** The observation count of a histogram series (0 when absent). */
  histogramCount(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.valueOr0(`${name}_count`, labels);
  }

  /** Sum of every sample `name` whose labels include `labels`. */
  sum(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.samples.filter((s) => s.name === name && matches(s.labels, labels)).reduce((total, s) => total + s.value, 0);
  }

  /** The samples of a family: `name` itself and, for histograms, its `_bucket`, `_count` and `_sum`. */
  familySamples(name: string): Sample[] {
    const names = new Set([name, `${name}_bucket`, `${name}_count`, `${name}_sum`]);
    return this.samples.filter((s) => names.has(s.name));
  }
}

function matches(have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

export async function scrape(port: number): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.startsWith("text/plain")) throw new Error(`/metrics content-type is ${contentType}`);
  return new Scrape(await response.text());
}
