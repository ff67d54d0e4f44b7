import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markerKey, readMarker, routeMarker, MAX_ROUTE_ENTRY_NAME } from "../../src/domain/ownership.js";

describe("routeMarker", () => {
  it("writes a readable name and a description naming operator, cluster and node", () => {
    expect(routeMarker("prod-sh", "cn-shanghai.10.0.1.23")).toEqual({
      routeEntryName: "vrs-prod-sh-cn-shanghai.10.0.1.23",
      description: "managed-by=vpc-route-sync cluster=prod-sh node=cn-shanghai.10.0.1.23",
    });
  });

  it("is read back as owned by the same cluster, with the node name", () => {
    const m = routeMarker("prod-sh", "node-a");
    expect(readMarker({ description: m.description }, "prod-sh")).toMatchObject({ owned: true, nodeName: "node-a" });
  });

  it.each([
    ["long node name", "c1", `node-${"x".repeat(250)}`],
    ["long cluster name", "c".repeat(200), "node-a"],
    ["odd characters", "Prod Cluster=1", "Node A/B"],
    ["empty names", "", ""],
    ["http-like names", "http://evil", "https://x"],
    ["unicode", "集群", "节点-1"],
  ])("stays within API limits for %s, deterministically", (_name, cluster, node) => {
    const m = routeMarker(cluster, node);
    expect(m).toEqual(routeMarker(cluster, node));
    expect(m.routeEntryName.length).toBeGreaterThanOrEqual(1);
    expect(m.routeEntryName.length).toBeLessThanOrEqual(MAX_ROUTE_ENTRY_NAME);
    expect(m.description.length).toBeLessThanOrEqual(170);
    expect(m.routeEntryName).not.toMatch(/^https?:\/\//);
    expect(m.description).not.toMatch(/^https?:\/\//);
    expect(m.description).toMatch(/^[a-z0-9=. _-]+$/);
    expect(readMarker(m, cluster)).toMatchObject({ owned: true, nodeName: markerKey(node) });
  });

  it("properties: within limits, read back as ours, distinct nodes get distinct keys", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (cluster, a, b) => {
        const ma = routeMarker(cluster, a);
        expect(ma.routeEntryName.length).toBeLessThanOrEqual(MAX_ROUTE_ENTRY_NAME);
        expect(ma.description.length).toBeLessThanOrEqual(256);
        expect(readMarker(ma, cluster)).toMatchObject({ owned: true, nodeName: markerKey(a) });
        if (a !== b) expect(markerKey(a)).not.toBe(markerKey(b));
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps DNS names of up to 63 characters verbatim and hashes longer ones to 64", () => {
    const name63 = `a${"b".repeat(62)}`;
    expect(markerKey(name63)).toBe(name63);
    const long = `a${"b".repeat(63)}`;
    expect(markerKey(long)).toHaveLength(64);
    expect(markerKey(long)).not.toBe(markerKey(`${long}c`));
  });

  it("keeps a 50-entry batch URL reasonable for typical names", () => {
    const m = routeMarker("prod-cluster-01", "cn-hangzhou.192.168.100.200");
    expect(m.routeEntryName.length).toBeLessThanOrEqual(60);
    expect(m.description.length).toBeLessThanOrEqual(100);
  });
});

describe("readMarker", () => {
  it.each([
    ["our marker", "managed-by=vpc-route-sync cluster=prod node=node-a", { owned: true, nodeName: "node-a", legacy: true, held: false, renamed: false }],
    ["extra words and spacing", "  note=x  managed-by=vpc-route-sync   node=node-a cluster=prod ", { owned: true, nodeName: "node-a", legacy: true, held: false, renamed: false }],
    ["held by the deletion guard", "managed-by=vpc-route-sync cluster=prod node=node-a hold=deletion", { owned: true, nodeName: "node-a", legacy: true, held: true, renamed: false }],
    ["our words in another letter case: damaged", "Managed-By=VPC-Route-Sync cluster=prod node=node-a", { owned: false, marked: true }],
    ["our cluster in upper case: damaged, not another cluster", "managed-by=vpc-route-sync cluster=PROD node=node-a", { owned: false, marked: true }],
    ["a node key in upper case: damaged", "managed-by=vpc-route-sync cluster=prod node=Node-A", { owned: false, marked: true }],
    ["a uid that is not a UID: damaged", "managed-by=vpc-route-sync cluster=prod uid=xyz node=node-a", { owned: false, marked: true }],
    ["another cluster", "managed-by=vpc-route-sync cluster=staging node=node-a", { owned: false, marked: true, otherCluster: "staging" }],
    ["a cluster whose name extends ours", "managed-by=vpc-route-sync cluster=prod2 node=n", { owned: false, marked: true, otherCluster: "prod2" }],
    ["no cluster", "managed-by=vpc-route-sync node=node-a", { owned: false, marked: true }],
    ["two clusters", "managed-by=vpc-route-sync cluster=prod cluster=x node=n", { owned: false, marked: true }],
    ["no node", "managed-by=vpc-route-sync cluster=prod", { owned: false, marked: true }],
    ["empty node", "managed-by=vpc-route-sync cluster=prod node=", { owned: false, marked: true }],
    ["another operator", "managed-by=route-sync cluster=prod node=node-a", { owned: false, marked: true, otherTool: "route-sync" }],
    ["another tool", "managed-by=terraform stack=network", { owned: false, marked: true, otherTool: "terraform" }],
    ["ours beside another tool's: ambiguous, damaged", "managed-by=vpc-route-sync managed-by=terraform cluster=prod node=node-a", { owned: false, marked: true }],
    ["hand-written description", "pods of node a", { owned: false, marked: false }],
    ["empty description", "", { owned: false, marked: false }],
    ["no description", undefined, { owned: false, marked: false }],
  ])("%s", (_name, description, expected) => {
    expect(readMarker({ description }, "prod")).toEqual(expected);
  });

  it("ignores the route entry name (hand edits of the name do not change ownership)", () => {
    const m = routeMarker("prod", "node-a");
    expect(readMarker({ ...m, routeEntryName: "renamed by hand" } as { description: string }, "prod")).toMatchObject({
      owned: true,
      nodeName: "node-a",
    });
    expect(readMarker({ routeEntryName: m.routeEntryName } as { description?: string }, "prod")).toEqual({ owned: false, marked: false });
  });
});

describe("cluster identity", () => {
  const UID_A = "3f1c2b6e-8d4a-4c1e-9b2f-0a1b2c3d4e5f";
  const UID_B = "9e8d7c6b-5a49-4382-a716-151413121110";

  it("writes the kube-system UID into the marker, within the Description limit", () => {
    const m = routeMarker("x".repeat(200), "n".repeat(300), UID_A, true);
    expect(m.description).toContain(`uid=${UID_A}`);
    expect(m.description.length).toBeLessThanOrEqual(256);
  });

  it("two clusters with one --cluster-name do not own each other's routes", () => {
    const theirs = routeMarker("kubernetes", "node-a", UID_B);
    expect(readMarker(theirs, "kubernetes", UID_A)).toEqual({ owned: false, marked: true, otherCluster: `kubernetes (uid ${UID_B}; another kube-system uid)` });
    expect(readMarker(routeMarker("kubernetes", "node-a", UID_A), "kubernetes", UID_A)).toEqual({ owned: true, nodeName: "node-a", legacy: false, held: false, renamed: false });
  });

  it("a marker without a uid is legacy whether ours is known or not (--nodes-file): a name alone proves nothing", () => {
    const legacy = routeMarker("kubernetes", "node-a");
    expect(readMarker(legacy, "kubernetes", UID_A)).toMatchObject({ owned: true, legacy: true });
    expect(readMarker(legacy, "kubernetes")).toMatchObject({ owned: true, legacy: true });
  });
});
