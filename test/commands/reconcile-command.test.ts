// The reconcile command with an in-memory route table: progress on a terminal, quiet otherwise.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import { runReconcileCommand } from "../../src/commands/reconcile.js";
import type { CommandIo, ReconcileConfig } from "../../src/config/index.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";

function nodesFile(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "vrs-nodes-"));
  const items = Array.from({ length: count }, (_, i) => ({
    metadata: { name: `node-${i}` },
    spec: { providerID: `cn-hangzhou.i-node${String(i).padStart(6, "0")}`, podCIDR: `10.244.${i}.0/24` },
  }));
  const path = join(dir, "nodes.json");
  writeFileSync(path, JSON.stringify({ kind: "List", items }));
  return path;
}

function io(stderrIsTTY: boolean): { io: CommandIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return {
    io: {
      stdout,
      stderr,
      stdin: new PassThrough(),
      stdoutIsTTY: false,
      stderrIsTTY,
      env: {},
      hostname: "test",
      signal: new AbortController().signal,
    },
    out: () => out,
    err: () => err,
  };
}

function config(nodes: string, extra: Partial<ReconcileConfig> = {}): ReconcileConfig {
  return {
    command: "reconcile",
    approveDeletions: [],
    regionId: "cn-hangzhou",
    routeTableIds: ["vtb-test0001"],
    clusterName: "prod",
    clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
    adoptUnmarked: false,
    maxDeletions: { kind: "percent", value: 50 },
    apiQps: 5,
    logLevel: "silent",
    logFormat: "json",
    credentials: { kind: "default-chain" },
    nodesFile: nodes,
    dryRun: false,
    output: "text",
    detailedExitcode: false,
    progress: true,
    ...extra,
  };
}

function table(): MemoryRouteTable {
  return new MemoryRouteTable({ vpcs: [{ vpcId: "vpc-test0001", routeTables: [{ routeTableId: "vtb-test0001" }] }] });
}

describe("reconcile command", () => {
  it("shows progress on a terminal while applying", async () => {
    const t = io(true);
    const code = await runReconcileCommand(config(nodesFile(120)), t.io, { logger: pino({ level: "silent" }), routeTable: table() });
    expect(code).toBe(0);
    expect(t.err()).toContain("applying: 120/120 route changes");
    expect(t.out()).toContain("Result: applied");
  });

  it.each([
    ["stderr is not a terminal", false, {}],
    ["--no-progress", true, { progress: false }],
    ["--output json", true, { output: "json" as const }],
  ])("is quiet when %s", async (_name, tty, extra) => {
    const t = io(tty);
    const code = await runReconcileCommand(config(nodesFile(3), extra), t.io, { logger: pino({ level: "silent" }), routeTable: table() });
    expect(code).toBe(0);
    expect(t.err()).not.toContain("applying");
  });

  it("an unusable --nodes-file is a usage error naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vrs-bad-"));
    const path = join(dir, "nodes.json");
    writeFileSync(path, "{not json");
    const t = io(false);
    const code = await runReconcileCommand(config(path), t.io, { logger: pino({ level: "silent" }), routeTable: table() });
    expect(code).toBe(2);
    expect(t.err()).toContain(path);
    expect(t.err()).toContain("kubectl get nodes -o json");
  });
});
