// End-to-end: `npm run demo` (dev/cli.ts demo), the README's first command, as a user runs it.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { baseEnv, collect, DEV_CLI_PATH, runCli, startCli } from "../support/cli.js";
import { waitFor } from "../support/wait-for.js";

describe("npm run demo", () => {
  it("converges the simulated VPC in pass 1 and finds nothing to do in pass 2", async () => {
    const result = await runCli(["demo"], { env: baseEnv(), script: DEV_CLI_PATH });
    expect(result.code).toBe(0);
    const [pass1, pass2] = result.stdout.split("== Pass 2");
    expect(pass1).toContain("Result: applied");
    expect(pass1).toMatch(/delete +vtb-\S+ +10\.244\.9\.0\/24 .* stale +succeeded/);
    expect(pass1).toContain("virtual-kubelet");
    expect(pass2).toContain("no changes");
    expect(pass2).toContain("Result: in-sync");
  });

  it("--output json prints both passes as JSON reports", async () => {
    const result = await runCli(["demo", "--output", "json"], { env: baseEnv(), script: DEV_CLI_PATH });
    expect(result.code).toBe(0);
    const { passes } = JSON.parse(result.stdout) as { passes: Array<{ result: string; summary: { creates: number } }> };
    expect(passes.map((p) => p.result)).toEqual(["applied", "in-sync"]);
    expect(passes[0]!.summary.creates).toBe(3);
  });

  it("--keep-running leaves both fakes up until SIGTERM, then exits 0", async () => {
    const child = startCli(["demo", "--keep-running", "--output", "json"], { env: baseEnv(), script: DEV_CLI_PATH });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const endpoints = await waitFor(
      "the demo to print its endpoints",
      () => {
        const line = stderr.split("\n").find((l) => l.includes('"vpcEndpoint"'));
        return line ? (JSON.parse(line) as { kubeconfig: string; vpcEndpoint: string }) : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(existsSync(endpoints.kubeconfig)).toBe(true);
    const state = (await (await fetch(`${endpoints.vpcEndpoint}/__fake/state`)).json());
    expect(JSON.stringify(state)).toContain("10.244.0.0/24");
    const done = collect(child);
    child.kill("SIGTERM");
    expect((await done).code).toBe(0);
  });
});
