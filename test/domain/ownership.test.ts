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
    expect(readMarker({ description: m.description }, "prod-sh")).toEqual({ owned: true, nodeName: "node-a" });
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
    expect(readMarker(m, cluster)).toEqual({ owned: true, nodeName: markerKey(node) });
  });

  it("properties: within limits, read back as ours, distinct nodes get distinct keys", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (cluster, a, b) => {
        const ma = routeMarker(cluster, a);
        expect(ma.routeEntryName.length).toBeLessThanOrEqual(MAX_ROUTE_ENTRY_NAME);
        expect(ma.description.length).toBeLessThanOrEqual(256);
        expect(readMarker(ma, cluster)).toEqual({ owned: true, nodeName: markerKey(a) });
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
    ["our marker", "managed-by=vpc-route-sync cluster=prod node=node-a", { owned: true, nodeName: "node-a" }],
    ["extra words and spacing", "  note=x  managed-by=vpc-route-sync   node=node-a cluster=prod ", { owned: true, nodeName: "node-a" }],
    ["another cluster", "managed-by=vpc-route-sync cluster=staging node=node-a", { owned: false, marked: true, otherCluster: "staging" }],
    ["a cluster whose name extends ours", "managed-by=vpc-route-sync cluster=prod2 node=n", { owned: false, marked: true, otherCluster: "prod2" }],
    ["no cluster", "managed-by=vpc-route-sync node=node-a", { owned: false, marked: true }],
    ["two clusters", "managed-by=vpc-route-sync cluster=prod cluster=x node=n", { owned: false, marked: true }],
    ["no node", "managed-by=vpc-route-sync cluster=prod", { owned: false, marked: true }],
    ["empty node", "managed-by=vpc-route-sync cluster=prod node=", { owned: false, marked: true }],
    ["another operator", "managed-by=route-sync cluster=prod node=node-a", { owned: false, marked: false }],
    ["hand-written description", "pods of node a", { owned: false, marked: false }],
    ["empty description", "", { owned: false, marked: false }],
    ["no description", undefined, { owned: false, marked: false }],
  ])("%s", (_name, description, expected) => {
    expect(readMarker({ description }, "prod")).toEqual(expected);
  });

  it("ignores the route entry name (hand edits of the name do not change ownership)", () => {
    const m = routeMarker("prod", "node-a");
    expect(readMarker({ ...m, routeEntryName: "renamed by hand" } as { description: string }, "prod")).toEqual({
      owned: true,
      nodeName: "node-a",
    });
    expect(readMarker({ routeEntryName: m.routeEntryName } as { description?: string }, "prod")).toEqual({ owned: false, marked: false });
  });
});
