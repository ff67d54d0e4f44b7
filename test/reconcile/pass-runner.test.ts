import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRouteTable } from "../contract/memory-route-table.js";
import { MemoryVpcNetwork } from "../contract/memory-vpc-network.js";
import { CloudError } from "../../src/cloud/errors.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { PASS_SETTINGS } from "./fixtures.js";
import { buildJsonReport, formatTextReport } from "../../src/reconcile/report.js";
import { exitCodeFor } from "../../src/error-policy.js";
import { nodeFacts } from "../support/nodes.js";

const settings = PASS_SETTINGS;


function world() {
  const table = new MemoryRouteTable({
    vpcs: [
      {
        vpcId: "vpc-test0001",
        routeTables: [
          {
            routeTableId: "vtb-main0001",
            entries: [
              { destinationCidr: "192.168.0.0/24", type: "System", nextHops: [{ nextHopType: "local", nextHopId: "" }] },
              { destinationCidr: "172.16.0.0/12", nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-abc" }] },
              {
                destinationCidr: "10.244.9.0/24",
                nextHops: [{ nextHopType: "Instance", nextHopId: "i-gone0001" }],
                ...routeMarker("prod", "node-gone", PASS_SETTINGS.clusterUid),
              },
            ],
          },
        ],
      },
    ],
  });
  const runner = new PassRunner({ routeTable: table, settings, logger: pino({ level: "silent" }) });
  return { table, runner };
}

const nodes = [
  nodeFacts("node-a", { instance: "i-aaaa0001", podCidrs: ["10.244.0.0/24"] }),
  nodeFacts("node-b", { instance: "i-bbbb0001", podCidrs: ["10.244.1.0/24"] }),
  nodeFacts("vk", { instance: "i-vvvv0001", podCidrs: ["10.244.5.0/24"], labels: { type: "virtual-kubelet" } }),
  nodeFacts("fresh", { instance: "i-ffff0001", podCidrs: [] }),
];

describe("PassRunner.run", () => {
  it("discovers the tables, creates missing routes, deletes stale owned ones, leaves foreign ones", async () => {
    const { table, runner } = world();
    const result = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(result.outcome).toBe("applied");
    expect(result.routeTableIds).toEqual(["vtb-main0001"]);
    const entries = table.entries("vtb-main0001").map((e) => `${e.destinationCidr}>${e.nextHops.map((h) => h.nextHopId).join("+")}`);
    expect(entries.sort()).toEqual(["10.244.0.0/24>i-aaaa0001", "10.244.1.0/24>i-bbbb0001", "172.16.0.0/12>vpn-abc", "192.168.0.0/24>"]);
    expect(result.nodeRoutes.get("node-a")).toEqual({ state: "available" });
    expect([...result.plan.skipped.map((s) => s.reason)].sort()).toEqual(["no-pod-cidr", "virtual-kubelet"]);

    const second = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(second.outcome).toBe("in-sync");
    expect(exitCodeFor({ outcome: second.outcome, detailedExitcode: true })).toBe(0);
  });

  it("a dry run writes nothing and reports the pending changes", async () => {
    const { table, runner } = world();
    const before = table.entries("vtb-main0001");
    const result = await runner.run({ nodes, allowDeletes: true, dryRun: true });
    expect(table.writeCalls()).toHaveLength(0);
    expect(table.entries("vtb-main0001")).toEqual(before);
    expect(result.outcome).toBe("changes-pending");
    expect(exitCodeFor({ outcome: result.outcome, detailedExitcode: true })).toBe(3);
    expect(exitCodeFor({ outcome: result.outcome, detailedExitcode: false })).toBe(0);
    const report = buildJsonReport(result, nodes, true);
    expect(report.actions.map((a) => [a.kind, a.destinationCidr, a.reason, a.result])).toEqual([
      ["delete", "10.244.9.0/24", "stale", "planned"],
      ["create", "10.244.0.0/24", "missing", "planned"],
      ["create", "10.244.1.0/24", "missing", "planned"],
    ]);
    const text = formatTextReport(report);
    expect(text).toContain("dry run");
    expect(text).toContain("virtual-kubelet");
  });

  it("does not delete before the Node cache has synced", async () => {
    const { table, runner } = world();
    const result = await runner.run({ nodes, allowDeletes: false, dryRun: false });
    expect(table.entries("vtb-main0001").some((e) => e.destinationCidr === "10.244.9.0/24")).toBe(true);
    expect(result.plan.held.deletes).toHaveLength(1);
  });

  it("reports a per-entry failure as a failed pass with the error on the Node", async () => {
    const { table, runner } = world();
    table.seedEntry("vtb-main0001", { destinationCidr: "10.244.1.0/24", nextHops: [{ nextHopType: "RouterInterface", nextHopId: "ri-x" }] });
    const result = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(result.plan.conflicts.map((c) => c.nodeName)).toEqual(["node-b"]);
    expect(result.nodeRoutes.get("node-b")).toMatchObject({ state: "failed", code: "RouteConflict" });
    expect(result.nodeRoutes.get("node-a")).toEqual({ state: "available" });
  });

  it("names the missing configuration when neither tables nor VPC are given", async () => {
    const runner = new PassRunner({
      routeTable: new MemoryRouteTable(),
      settings: { ...settings, vpcId: undefined },
      logger: pino({ level: "silent" }),
    });
    await expect(runner.run({ nodes, allowDeletes: true, dryRun: false })).rejects.toThrow(/--route-table-ids or --vpc-id/);
  });

  it("a route still pointing at a replaced instance is not reported available while its re-pointing is held back", async () => {
    const { table, runner } = world();
    table.seedEntry("vtb-main0001", {
      destinationCidr: "10.244.0.0/24",
      nextHops: [{ nextHopType: "Instance", nextHopId: "i-old00001" }],
      ...routeMarker("prod", "node-a", PASS_SETTINGS.clusterUid),
    });
    const held = await runner.run({ nodes, allowDeletes: false, dryRun: false });
    expect(held.nodeRoutes.get("node-a")).toMatchObject({ state: "pending" });
    const applied = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(applied.deletes.map((d) => [d.action.destinationCidr, d.action.reason])).toContainEqual(["10.244.0.0/24", "next-hop-changed"]);
    expect(applied.nodeRoutes.get("node-a")).toEqual({ state: "available" });
  });
});


describe("PassRunner with the VPC's network", () => {
  const network = { vpcId: "vpc-test0001", vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: ["192.168.0.0/24", "10.244.1.0/26"] };
  const routed = (table: MemoryRouteTable): string[] =>
    table.entries("vtb-main0001").filter((e) => e.destinationCidr.startsWith("10.244.")).map((e) => e.destinationCidr).sort();

  it("reads the network each pass: a pod CIDR containing a vSwitch is a conflict, the other Node is routed", async () => {
    const { table } = world();
    const source = new MemoryVpcNetwork(network);
    const runner = new PassRunner({ routeTable: table, vpcNetwork: source, settings, logger: pino({ level: "silent" }) });
    const result = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(result.plan.conflicts.map((c) => `${c.reason} ${c.nodeName}`)).toEqual(["overlaps-vpc-network node-b"]);
    expect(result.nodeRoutes.get("node-b")).toMatchObject({ state: "failed", code: "RouteConflict" });
    expect(routed(table)).toEqual(["10.244.0.0/24"]);
    await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(source.reads).toBe(2);
  });

  it("fails closed when the network cannot be read: no create, deletes of stale routes still run, outcome failed and retryable", async () => {
    const { table } = world();
    const denied = new CloudError("throttled", { code: "Throttling.User", kind: "throttled", retryable: true });
    const runner = new PassRunner({ routeTable: table, vpcNetwork: new MemoryVpcNetwork(denied), settings, logger: pino({ level: "silent" }) });
    const result = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(result.networkFailure?.code).toBe("Throttling.User");
    expect(result.outcome).toBe("failed");
    expect(result.retryable).toBe(true);
    expect(result.creates).toEqual([]);
    expect(routed(table)).toEqual([]);
    const report = formatTextReport(buildJsonReport(result, nodes, false));
    expect(report).toContain("could not be read, so no route was created: Throttling.User");
  });

  it("words an unreadable network for a dry run: what a real run would do, not what was done", async () => {
    const { table } = world();
    const denied = new CloudError("throttled", { code: "Throttling.User", kind: "throttled", retryable: true });
    const runner = new PassRunner({ routeTable: table, vpcNetwork: new MemoryVpcNetwork(denied), settings, logger: pino({ level: "silent" }) });
    const report = formatTextReport(buildJsonReport(await runner.run({ nodes, allowDeletes: true, dryRun: true }), nodes, true));
    expect(report).toContain("could not be read, so a real run would create no route either: Throttling.User");
    expect(report).not.toContain("no route was created");
  });
});
