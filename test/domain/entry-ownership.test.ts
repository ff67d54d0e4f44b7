import { describe, expect, it } from "vitest";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { classifyEntry, type NotOwnedReason, type OwnershipContext } from "../../src/domain/entry-ownership.js";
import type { RouteEntry } from "../../src/domain/types.js";
import { CLUSTER, CLUSTER_UID, entry, owned } from "./fixtures.js";

const strict: OwnershipContext = { clusterName: CLUSTER, clusterUid: CLUSTER_UID, clusterCidrs: parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"]), adoptUnmarked: false };
const adopting: OwnershipContext = { ...strict, adoptUnmarked: true, adoptable: (instanceId) => instanceId === "i-abcdefgh" };

describe("classifyEntry: never ours", () => {
  it.each<[string, RouteEntry, NotOwnedReason]>([
    ["system route", owned("10.244.1.0/24", "i-abcdefgh", "node-1", { type: "System" }), "not-custom"],
    ["BGP route", owned("10.244.1.0/24", "i-abcdefgh", "node-1", { type: "BGP" }), "not-custom"],
    ["CEN route", entry("10.244.1.0/24", "i-abcdefgh", { type: "CEN" }), "not-custom"],
    ["VPN gateway next hop", owned("10.244.1.0/24", "vpn-1", "node-1", { hops: [["VpnGateway", "vpn-1"]] }), "next-hop-type"],
    ["router interface (VBR)", entry("10.244.1.0/24", "ri-1", { hops: [["RouterInterface", "ri-1"]] }), "next-hop-type"],
    ["NAT gateway", entry("10.244.1.0/24", "ngw-1", { hops: [["NatGateway", "ngw-1"]] }), "next-hop-type"],
    ["HaVip", entry("10.244.1.0/24", "havip-1", { hops: [["HaVip", "havip-1"]] }), "next-hop-type"],
    ["ENI", entry("10.244.1.0/24", "eni-1", { hops: [["NetworkInterface", "eni-1"]] }), "next-hop-type"],
    [
      "ECMP of instances, even marked",
      owned("10.244.1.0/24", "i-a", "node-1", { hops: [["Instance", "i-aaaaaaaa"], ["Instance", "i-bbbbbbbb"]] }),
      "ecmp",
    ],
    ["no next hop", owned("10.244.1.0/24", "", "node-1", { hops: [] }), "no-next-hop"],
    ["empty next hop id", owned("10.244.1.0/24", "", "node-1"), "no-next-hop"],
    ["0.0.0.0/0, even marked", owned("0.0.0.0/0", "i-abcdefgh", "node-1"), "default-route"],
    ["::/0", entry("::/0", "i-abcdefgh"), "default-route"],
    ["another cluster's marker", owned("10.244.1.0/24", "i-abcdefgh", "node-1", { cluster: "staging" }), "other-cluster"],
    ["damaged marker", entry("10.244.1.0/24", "i-abcdefgh", { description: "managed-by=vpc-route-sync node=x" }), "damaged-marker"],
    ["unparsable destination", owned("10.244.1.0", "i-abcdefgh", "node-1"), "invalid-destination"],
  ])("%s", (_name, e, why) => {
    for (const ctx of [strict, adopting]) {
      expect(classifyEntry(e, ctx)).toMatchObject({ owned: false, why });
    }
  });
});

describe("classifyEntry: unmarked entries", () => {
  it.each<[string, RouteEntry, OwnershipContext, boolean | NotOwnedReason]>([
    ["inside cluster CIDR, adoption off", entry("10.244.1.0/24", "i-abcdefgh"), strict, "unmarked"],
    ["inside cluster CIDR, adoption on", entry("10.244.1.0/24", "i-abcdefgh"), adopting, true],
    ["IPv6 inside cluster CIDR, adoption on", entry("fd00:10:244:1::/64", "i-abcdefgh"), adopting, true],
    ["outside cluster CIDR, adoption on", entry("192.168.0.0/24", "i-abcdefgh"), adopting, "outside-cluster-cidr"],
    ["wider than the cluster CIDR, adoption on", entry("10.0.0.0/8", "i-abcdefgh"), adopting, "outside-cluster-cidr"],
    ["adoption on without cluster CIDRs", entry("10.244.1.0/24", "i-abcdefgh"), { ...adopting, clusterCidrs: [] }, "unmarked"],
    ["description by hand, adoption on", entry("10.244.1.0/24", "i-abcdefgh", { description: "pods of node a" }), adopting, true],
    ["to an instance no Node names, adoption on", entry("10.244.1.0/24", "i-handmade1"), adopting, "unrelated-instance"],
    ["adoption on without the adoptable rule: nothing adopted", entry("10.244.1.0/24", "i-abcdefgh"), { ...adopting, adoptable: undefined }, "unrelated-instance"],
  ])("%s", (_name, e, ctx, expected) => {
    const r = classifyEntry(e, ctx);
    if (expected === true) expect(r).toMatchObject({ owned: true, via: "adopted", instanceId: "i-abcdefgh" });
    else expect(r).toMatchObject({ owned: false, why: expected });
  });
});

describe("classifyEntry: marked entries", () => {
  it("is ours in any status, outside the cluster CIDR too, with the recorded node", () => {
    for (const status of ["Available", "Pending", "Modifying", "Deleting"]) {
      expect(classifyEntry(owned("192.168.5.0/24", "i-abcdefgh", "node-1", { status }), strict)).toMatchObject({
        owned: true,
        via: "marker",
        nodeKey: "node-1",
        instanceId: "i-abcdefgh",
        destination: { text: "192.168.5.0/24" },
      });
    }
  });

  it("tolerates garbage entries without throwing", () => {
    const junk = [
      {},
      { nextHops: null },
      { destinationCidr: 5, type: "Custom", nextHops: [null] },
      { destinationCidr: "10.244.1.0/24", type: "Custom", nextHops: [{}] },
      { destinationCidr: "10.244.1.0/24", type: "Custom", nextHops: [{ nextHopType: "Instance", nextHopId: 7 }] },
    ] as unknown as RouteEntry[];
    for (const e of junk) expect(classifyEntry(e, adopting).owned).toBe(false);
  });
});
