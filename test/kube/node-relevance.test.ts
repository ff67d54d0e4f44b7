import type { V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { relevant, relevantChange } from "../../src/kube/node-informer.js";
import { ELIGIBILITY_LABEL_KEYS } from "../../src/domain/eligibility.js";
import { nodeObject } from "../support/nodes.js";

const base = nodeObject("n1", { uid: "uid-n1", resourceVersion: "10", podCidrs: ["10.244.1.0/24"], providerId: "cn-shanghai.i-abc", labels: { type: "ecs" } });

function edit(change: (copy: V1Node) => void): V1Node {
  const copy = structuredClone(base);
  copy.metadata!.resourceVersion = "11";
  change(copy);
  return copy;
}

describe("relevantChange", () => {
  it.each<[string, V1Node | undefined, V1Node | undefined, string | undefined]>([
    ["added", undefined, base, "added"],
    ["deleted", base, undefined, "deleted"],
    ["replaced (uid changed)", base, edit((n) => (n.metadata!.uid = "other")), "uid-changed"],
    // The API keeps podCIDR equal to podCIDRs[0] when both are set: both change together.
    ["podCIDR changed", base, edit((n) => ((n.spec!.podCIDR = "10.244.2.0/24"), (n.spec!.podCIDRs = ["10.244.2.0/24"]))), "pod-cidr-changed"],
    ["podCIDR changed on a Node without podCIDRs", edit((n) => delete n.spec!.podCIDRs), edit((n) => ((n.spec!.podCIDR = "10.244.2.0/24"), delete n.spec!.podCIDRs)), "pod-cidr-changed"],
    ["podCIDRs changed only (upstream predicate bug)", base, edit((n) => (n.spec!.podCIDRs = ["10.244.1.0/24", "fd00::/64"])), "pod-cidr-changed"],
    ["podCIDR assigned later", nodeObject("n1", { uid: "uid-n1", resourceVersion: "1", podCidrs: [], providerId: "" }), edit(() => undefined), "pod-cidr-changed"],
    ["providerID set later", edit((n) => delete n.spec!.providerID), base, "provider-id-changed"],
    ["providerID changed", base, edit((n) => (n.spec!.providerID = "alicloud://cn-shanghai.i-abc")), "provider-id-changed"],
    ["type label became virtual-kubelet", base, edit((n) => (n.metadata!.labels!["type"] = "virtual-kubelet")), "eligibility-label-changed"],
    ["type label removed", base, edit((n) => delete n.metadata!.labels!["type"]), "eligibility-label-changed"],
    ["exclude label added", base, edit((n) => (n.metadata!.labels!["service.alibabacloud.com/exclude-node"] = "true")), "eligibility-label-changed"],
    ["beta exclude label added with empty value", base, edit((n) => (n.metadata!.labels!["service.beta.kubernetes.io/exclude-node"] = "")), "eligibility-label-changed"],
    ["deletion started", base, edit((n) => (n.metadata!.deletionTimestamp = new Date())), "deletion-started"],
    ["heartbeat only", base, edit((n) => (n.status!.conditions = [{ type: "Ready", status: "True", lastHeartbeatTime: new Date() }])), undefined],
    ["NetworkUnavailable flipped", base, edit((n) => (n.status!.conditions = [{ type: "NetworkUnavailable", status: "False", reason: "RouteCreated" }])), undefined],
    ["other label added", base, edit((n) => (n.metadata!.labels!["team"] = "payments")), undefined],
    ["annotation added", base, edit((n) => (n.metadata!.annotations = { a: "b" })), undefined],
    ["taint added", base, edit((n) => (n.spec!.taints = [{ key: "k", effect: "NoSchedule" }])), undefined],
    ["unschedulable", base, edit((n) => (n.spec!.unschedulable = true)), undefined],
    ["nothing at all", base, base, undefined],
  ])("%s", (_name, oldNode, newNode, expected) => {
    expect(relevantChange(oldNode, newNode)).toBe(expected);
    expect(relevant(oldNode, newNode)).toBe(expected !== undefined);
  });

  it("follows the domain's view: a label the eligibility rules read is relevant, any other is not", () => {
    for (const key of ELIGIBILITY_LABEL_KEYS) {
      expect(relevantChange(base, edit((n) => (n.metadata!.labels![key] = "changed")))).toBe("eligibility-label-changed");
    }
  });

  it("treats a podCIDRs list equal to the single podCIDR as no change", () => {
    const withoutList = edit((n) => delete n.spec!.podCIDRs);
    const withList = edit((n) => (n.spec!.podCIDRs = ["10.244.1.0/24"]));
    expect(relevantChange(withoutList, withList)).toBeUndefined();
  });
});
