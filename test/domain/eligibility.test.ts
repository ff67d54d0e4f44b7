import { describe, expect, it } from "vitest";
import { classifyNodes, parseClusterCidrs, type EligibilityOptions } from "../../src/domain/eligibility.js";
import type { NodeFacts, SkipReason } from "../../src/domain/types.js";
import { cidrs, instance, node, REGION } from "./fixtures.js";

const opts: EligibilityOptions = { regionId: REGION, clusterCidrs: parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"]) };

describe("classifyNodes: one reason per skipped Node", () => {
  it.each<[string, Partial<NodeFacts>, SkipReason, RegExp]>([
    ["virtual node", { labels: { type: "virtual-kubelet" } }, "virtual-kubelet", /type=virtual-kubelet/],
    ["exclude label (alibabacloud)", { labels: { "service.alibabacloud.com/exclude-node": "true" } }, "excluded", /exclude-node/],
    ["exclude label (beta), empty value", { labels: { "service.beta.kubernetes.io/exclude-node": "" } }, "excluded", /service\.beta/],
    ["exclude label with value false still excludes", { labels: { "service.alibabacloud.com/exclude-node": "false" } }, "excluded", /present/],
    ["hybrid node", { providerId: "ack-hybrid://cn-shanghai.edge-1" }, "hybrid", /ACK hybrid/],
    ["deleting", { deleting: true }, "deleting", /being deleted/],
    ["no providerID", { providerId: undefined }, "no-provider-id", /not set/],
    ["empty providerID", { providerId: "" }, "no-provider-id", /not set/],
    ["garbage providerID", { providerId: "cn-shanghai/i-abcdef" }, "invalid-provider-id", /no "\."/],
    ["other region", { providerId: "cn-beijing.i-abcdefgh" }, "other-region", /cn-beijing/],
    ["no pod CIDR", { podCidrs: [] }, "no-pod-cidr", /empty/],
    ["unparsable pod CIDR", { podCidrs: ["10.244.1.0"] }, "invalid-pod-cidr", /no prefix length/],
    ["empty pod CIDR string", { podCidrs: [""] }, "invalid-pod-cidr", /empty/],
    ["host bits set", { podCidrs: ["10.244.1.1/24"] }, "invalid-pod-cidr", /network address is 10\.244\.1\.0\/24/],
    ["second CIDR invalid", { podCidrs: ["10.244.1.0/24", "fd00:10:244:1::1/64"] }, "invalid-pod-cidr", /fd00:10:244:1::\/64/],
    ["own CIDRs overlap", { podCidrs: ["10.244.1.0/24", "10.244.1.0/25"] }, "invalid-pod-cidr", /of the same Node overlap/],
    ["outside cluster CIDR", { podCidrs: ["10.245.1.0/24"] }, "outside-cluster-cidr", /outside the cluster CIDR 10\.244\.0\.0\/16/],
    ["IPv6 outside cluster CIDR", { podCidrs: ["10.244.1.0/24", "fd00:99::/64"] }, "outside-cluster-cidr", /fd00:10:244::\/48/],
    ["wider than the cluster CIDR", { podCidrs: ["10.0.0.0/8"] }, "outside-cluster-cidr", /10\.0\.0\.0\/8/],
  ])("%s -> %s", (_name, overrides, reason, message) => {
    const r = classifyNodes([node("node-1", overrides)], opts);
    expect(r.eligible).toEqual([]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatchObject({ nodeName: "node-1", reason });
    expect(r.skipped[0]!.message).toMatch(message);
  });

  it.each<[string, Partial<NodeFacts>, SkipReason]>([
    ["virtual before everything", { labels: { type: "virtual-kubelet", "service.alibabacloud.com/exclude-node": "" }, providerId: "junk", deleting: true, podCidrs: [] }, "virtual-kubelet"],
    ["excluded before hybrid", { labels: { "service.beta.kubernetes.io/exclude-node": "" }, providerId: "ack-hybrid://x" }, "excluded"],
    ["hybrid before deleting", { providerId: "ack-hybrid://x", deleting: true }, "hybrid"],
    ["deleting before providerID", { providerId: "junk", deleting: true }, "deleting"],
    ["providerID before pod CIDR", { providerId: "junk", podCidrs: [] }, "invalid-provider-id"],
    ["region before pod CIDR", { providerId: "cn-beijing.i-abcdefgh", podCidrs: ["bad"] }, "other-region"],
    ["invalid before outside", { podCidrs: ["10.245.0.0/24", "bad"] }, "invalid-pod-cidr"],
  ])("order: %s", (_name, overrides, reason) => {
    expect(classifyNodes([node("node-1", overrides)], opts).skipped[0]?.reason).toBe(reason);
  });
});

describe("classifyNodes: eligible Nodes", () => {
  it("parses identity, canonicalises CIDRs and strips alicloud://", () => {
    const r = classifyNodes(
      [
        node("node-2", { providerId: `alicloud://${REGION}.${instance("node-2")}` }),
        node("node-1", { podCidrs: ["10.244.1.0/24", "FD00:10:244:1:0::/64"] }),
      ],
      opts,
    );
    expect(r.skipped).toEqual([]);
    expect(r.eligible).toEqual([
      { nodeName: "node-1", instanceId: instance("node-1"), regionId: REGION, podCidrs: cidrs("10.244.1.0/24", "fd00:10:244:1::/64") },
      { nodeName: "node-2", instanceId: instance("node-2"), regionId: REGION, podCidrs: cidrs("10.244.2.0/24") },
    ]);
  });

  it("a family that has no cluster CIDR gets no route: the Node is skipped", () => {
    const r = classifyNodes([node("node-1", { podCidrs: ["10.244.1.0/24", "2001:db8:1::/64"] })], {
      regionId: REGION,
      clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
    });
    expect(r.eligible).toEqual([]);
    expect(r.skipped[0]).toMatchObject({ reason: "outside-cluster-cidr" });
  });

  it("does not check anything without cluster CIDRs", () => {
    const r = classifyNodes([node("node-1", { podCidrs: ["192.168.7.0/24"] })], { regionId: REGION, clusterCidrs: [] });
    expect(r.eligible).toHaveLength(1);
  });

  it("accepts a pod CIDR inside any of several cluster CIDRs", () => {
    const r = classifyNodes([node("node-1", { podCidrs: ["172.16.3.0/24"] })], {
      regionId: REGION,
      clusterCidrs: parseClusterCidrs(["10.244.0.0/16", "172.16.0.0/16"]),
    });
    expect(r.eligible).toHaveLength(1);
  });

  it("collapses a pod CIDR listed twice into one", () => {
    const r = classifyNodes([node("node-1", { podCidrs: ["10.244.1.0/24", "10.244.1.0/24"] })], opts);
    expect(r.eligible[0]?.podCidrs.map((c) => c.text)).toEqual(["10.244.1.0/24"]);
  });

  it("accepts IPv6-only Nodes", () => {
    const r = classifyNodes([node("node-1", { podCidrs: ["fd00:10:244:1::/64"] })], opts);
    expect(r.eligible[0]?.podCidrs.map((c) => c.text)).toEqual(["fd00:10:244:1::/64"]);
  });
});

describe("classifyNodes: overlapping pod CIDRs", () => {
  it("two Nodes with the same CIDR: both skipped, one conflict each", () => {
    const r = classifyNodes([node("node-1"), node("node-2", { podCidrs: ["10.244.1.0/24"] }), node("node-3")], opts);
    expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-3"]);
    expect(r.skipped.map((s) => [s.nodeName, s.reason])).toEqual([
      ["node-1", "overlapping-cidr"],
      ["node-2", "overlapping-cidr"],
    ]);
    expect(r.conflicts).toEqual([
      { reason: "overlapping-pod-cidr", destinationCidr: "10.244.1.0/24", nodeName: "node-1", message: "pod CIDR 10.244.1.0/24 overlaps 10.244.1.0/24 of node node-2" },
      { reason: "overlapping-pod-cidr", destinationCidr: "10.244.1.0/24", nodeName: "node-2", message: "pod CIDR 10.244.1.0/24 overlaps 10.244.1.0/24 of node node-1" },
    ]);
  });

  it("one wide CIDR containing two others: the broader one is the suspect", () => {
    const r = classifyNodes(
      [
        node("node-1", { podCidrs: ["10.244.0.0/20"] }),
        node("node-2", { podCidrs: ["10.244.2.0/24"] }),
        node("node-3", { podCidrs: ["10.244.3.0/24"] }),
        node("node-4", { podCidrs: ["10.244.16.0/24"] }),
      ],
      opts,
    );
    expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-2", "node-3", "node-4"]);
    expect(r.skipped.map((s) => s.nodeName)).toEqual(["node-1"]);
    expect(r.conflicts.map((c) => [c.nodeName, c.destinationCidr])).toEqual([["node-1", "10.244.0.0/20"]]);
    expect(r.conflicts[0]!.message).toBe("pod CIDR 10.244.0.0/20 overlaps 10.244.2.0/24 of node node-2, 10.244.3.0/24 of node node-3");
  });

  it("three Nodes with the same CIDR", () => {
    const r = classifyNodes(["node-1", "node-2", "node-3"].map((n) => node(n, { podCidrs: ["10.244.9.0/24"] })), opts);
    expect(r.eligible).toEqual([]);
    expect(r.conflicts).toHaveLength(3);
    expect(r.skipped.every((s) => s.reason === "overlapping-cidr")).toBe(true);
  });

  it("dual-stack: an IPv6 overlap skips the whole Node, only the overlapping CIDR is a conflict", () => {
    const r = classifyNodes(
      [
        node("node-1", { podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"] }),
        node("node-2", { podCidrs: ["10.244.2.0/24", "fd00:10:244:1::/64"] }),
      ],
      opts,
    );
    expect(r.eligible).toEqual([]);
    expect(r.conflicts.map((c) => [c.nodeName, c.destinationCidr])).toEqual([
      ["node-1", "fd00:10:244:1::/64"],
      ["node-2", "fd00:10:244:1::/64"],
    ]);
  });

  it("IPv4 and IPv6 CIDRs with equal numbers do not overlap", () => {
    const r = classifyNodes(
      [node("node-1", { podCidrs: ["0.0.0.0/24"] }), node("node-2", { podCidrs: ["::/120"] })],
      { regionId: REGION, clusterCidrs: [] },
    );
    expect(r.eligible).toHaveLength(2);
  });

  it("only Nodes that passed the other checks take part", () => {
    const r = classifyNodes([node("node-1"), node("node-2", { podCidrs: ["10.244.1.0/24"], deleting: true })], opts);
    expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-1"]);
    expect(r.conflicts).toEqual([]);
  });

  it("caps the list of partners in messages", () => {
    const nodes = [node("node-0", { podCidrs: ["10.244.0.0/16"] })];
    for (let i = 1; i <= 10; i++) nodes.push(node(`node-${i}`));
    const r = classifyNodes(nodes, opts);
    const wide = r.conflicts.find((c) => c.nodeName === "node-0");
    expect(wide?.message).toMatch(/and 7 more$/);
    // One oversized CIDR does not take the ten Nodes inside it down.
    expect(r.eligible).toHaveLength(10);
    expect(r.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-0 overlapping-cidr"]);
  });
});

describe("classifyNodes: untrusted Node objects", () => {
  it.each([
    ["0.0.0.0/0", undefined],
    ["::/0", undefined],
  ])("a default-route pod CIDR %s never gets a route, even without a cluster CIDR", (cidr) => {
    for (const clusterCidrs of [[], parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"])]) {
      const r = classifyNodes([node("node-1", { podCidrs: [cidr] }), node("node-2")], { ...opts, clusterCidrs });
      expect(r.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 unsafe-pod-cidr"]);
      expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-2"]);
    }
  });

  it("two Node objects with one name are both skipped", () => {
    const r = classifyNodes([node("node-1"), node("node-1", { podCidrs: ["10.244.7.0/24"] }), node("node-2")], opts);
    expect(r.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 duplicate-node-name", "node-1 duplicate-node-name"]);
    expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-2"]);
  });

  it("two Nodes on one instance are both skipped, naming each other", () => {
    const shared = node("node-1").providerId;
    const r = classifyNodes([node("node-1"), node("node-2", { providerId: shared }), node("node-3")], opts);
    expect(r.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 shared-instance", "node-2 shared-instance"]);
    expect(r.skipped[0]!.message).toContain("node-2");
    expect(r.eligible.map((n) => n.nodeName)).toEqual(["node-3"]);
  });
});

describe("classifyNodes at scale", () => {
  it("handles 5,000 dual-stack Nodes with a few overlaps, sorted by name", () => {
    const nodes: NodeFacts[] = [];
    for (let i = 0; i < 5000; i++) {
      const third = i >> 8;
      const fourth = i & 0xff;
      nodes.push({
        nodeName: `node-${String(4999 - i).padStart(5, "0")}`,
        providerId: `${REGION}.i-bp${String(i).padStart(18, "0")}`,
        podCidrs: [`10.${100 + third}.${fourth}.0/24`, `fd00:10:${(i + 1).toString(16)}::/64`],
        labels: {},
        deleting: false,
      });
    }
    nodes.push(node("dup-a", { podCidrs: ["10.100.0.0/24"] }));
    const r = classifyNodes(nodes, { regionId: REGION, clusterCidrs: parseClusterCidrs(["10.0.0.0/8", "fd00::/16"]) });
    expect(r.eligible).toHaveLength(4999);
    expect(r.skipped.map((s) => s.nodeName)).toEqual(["dup-a", "node-04999"]);
    const names = r.eligible.map((n) => n.nodeName);
    expect(names).toEqual([...names].sort());
  });
});
