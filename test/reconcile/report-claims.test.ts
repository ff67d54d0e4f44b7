// The plan output says which Nodes an unclaimed route (e.g. the CCM's) would leave blocked if their
// Node went, and what resolves it: in a dry run (the claim is planned, not written) and without the
// cluster identity (--nodes-file: no claim possible). Issue 21.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import type { NodeFacts } from "../../src/domain/types.js";
import type { PassSettings } from "../../src/domain/settings.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { buildJsonReport, formatTextReport } from "../../src/reconcile/report.js";
import { PASS_SETTINGS } from "./fixtures.js";

const UID = "0f6bd2c4-3b1e-4d61-9d53-7a3c2e8b1f00";
const nodes: NodeFacts[] = [
  { nodeName: "node-a", providerId: "cn-hangzhou.i-aaaa0001", podCidrs: ["10.244.0.0/24"], labels: {}, deleting: false },
  { nodeName: "node-b", providerId: "cn-hangzhou.i-bbbb0001", podCidrs: ["10.244.1.0/24"], labels: {}, deleting: false },
];

function runner(settings: PassSettings): { table: MemoryRouteTable; runner: PassRunner } {
  const table = new MemoryRouteTable({
    vpcs: [{ vpcId: "vpc-test0001", routeTables: [{ routeTableId: "vtb-main0001", entries: [{ destinationCidr: "10.244.0.0/24", nextHops: [{ nextHopType: "Instance", nextHopId: "i-aaaa0001" }] }] }] }],
  });
  return { table, runner: new PassRunner({ routeTable: table, settings, logger: pino({ level: "silent" }) }) };
}

describe("plan output for routes not claimed yet", () => {
  it("a dry run lists the Nodes whose route it would claim, and the command that does it", async () => {
    const { table, runner: r } = runner({ ...PASS_SETTINGS, clusterUid: UID });
    const result = await r.run({ nodes, allowDeletes: true, dryRun: true });
    expect(table.writeCalls()).toHaveLength(0);
    const text = formatTextReport(buildJsonReport(result, nodes, true));
    expect(text).toContain("Not claimed yet (dry run)");
    expect(text).toMatch(/node-a\s+10\.244\.0\.0\/24\s+vtb-main0001/);
    expect(text).toContain('"vpc-route-sync reconcile" (without --dry-run)');
    expect(text).not.toMatch(/node-b\s+10\.244\.1\.0\/24\s+vtb-main0001\s+rte/);
  });

  it("without the cluster identity nothing is claimed; the report lists the route as unclaimed with the Node it would block", async () => {
    const { table, runner: r } = runner({ ...PASS_SETTINGS, clusterUid: undefined });
    const result = await r.run({ nodes, allowDeletes: true, dryRun: false });
    expect(table.writeCalls().filter((c) => c.action === "ModifyRouteEntry")).toHaveLength(0);
    const report = buildJsonReport(result, nodes, false);
    expect(report.unclaimed).toEqual([expect.objectContaining({ nodeName: "node-a", destinationCidr: "10.244.0.0/24", instanceId: "i-aaaa0001" })]);
    const text = formatTextReport(report);
    expect(text).toContain("Cannot claim without the cluster identity");
    expect(text).toContain("with access to the Kubernetes API");
  });

  it("a real run with the identity claims it and lists nothing more", async () => {
    const { runner: r } = runner({ ...PASS_SETTINGS, clusterUid: UID });
    const applied = await r.run({ nodes, allowDeletes: true, dryRun: false });
    expect(applied.marks.map((m) => [m.action.reason, m.outcome.ok])).toEqual([["claim", true]]);
    const again = await r.run({ nodes, allowDeletes: true, dryRun: true });
    expect(again.plan.marks).toEqual([]);
    expect(formatTextReport(buildJsonReport(again, nodes, true))).not.toContain("Not claimed yet");
  });
});
