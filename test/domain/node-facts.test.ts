import { describe, expect, it } from "vitest";
import { nodeFactsFrom, type NodeLike } from "../../src/domain/node-facts.js";

describe("nodeFactsFrom", () => {
  it("reads name, uid, providerID, labels, deletion and dual-stack pod CIDRs", () => {
    const node: NodeLike = {
      metadata: {
        name: "node-a",
        uid: "0b7c-uid",
        labels: { "kubernetes.io/os": "linux" },
        deletionTimestamp: new Date("2026-01-01T00:00:00Z"),
      },
      spec: { providerID: "cn-shanghai.i-abcdefgh", podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24", "fd00:10:244:1::/64"] },
    };
    expect(nodeFactsFrom(node)).toEqual({
      nodeName: "node-a",
      uid: "0b7c-uid",
      providerId: "cn-shanghai.i-abcdefgh",
      podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"],
      labels: { "kubernetes.io/os": "linux" },
      deleting: true,
    });
  });

  it.each<[string, NodeLike, string[]]>([
    ["podCIDRs wins", { spec: { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.1.0/24"] } }, ["10.0.1.0/24"]],
    ["falls back to podCIDR", { spec: { podCIDR: "10.0.0.0/24" } }, ["10.0.0.0/24"]],
    ["falls back to podCIDR when podCIDRs is empty", { spec: { podCIDR: "10.0.0.0/24", podCIDRs: [] } }, ["10.0.0.0/24"]],
    ["empty podCIDR means none", { spec: { podCIDR: "" } }, []],
    ["no spec", {}, []],
    ["malformed values are kept for eligibility to report", { spec: { podCIDRs: ["bogus", ""] } }, ["bogus", ""]],
  ])("pod CIDRs: %s", (_name, node, expected) => {
    expect(nodeFactsFrom(node).podCidrs).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ["null metadata", { metadata: null, spec: null }],
    ["labels with non-string values", { metadata: { name: "n", labels: { a: 1, b: "x" } } }],
    ["array spec", { spec: [] }],
    ["string node", "node"],
    ["podCIDRs not a list", { spec: { podCIDRs: "10.0.0.0/24" } }],
  ])("tolerates %s", (_name, node) => {
    const facts = nodeFactsFrom(node as NodeLike);
    expect(typeof facts.nodeName).toBe("string");
    expect(Array.isArray(facts.podCidrs)).toBe(true);
    expect(facts.deleting).toBe(false);
    for (const v of Object.values(facts.labels)) expect(typeof v).toBe("string");
  });

  it.each([
    [undefined, false],
    [null, false],
    ["2026-01-01T00:00:00Z", true],
  ])("deletionTimestamp %j -> deleting %s", (ts, deleting) => {
    expect(nodeFactsFrom({ metadata: { name: "n", deletionTimestamp: ts } }).deleting).toBe(deleting);
  });
});
