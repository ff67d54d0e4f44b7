// Every eligible Node needs a usable pod CIDR of its own: present, canonical (a network address),
// not overlapping another Node's, and one Node per ECS instance. Uses the controller's own
// eligibility (without cluster CIDRs: their check is separate, see pod-cidrs-in-cluster-cidr.ts).
import { count, fail, nodeObject, pass, type Check, type CheckObject } from "../check.js";

const CIDR_REASONS = new Set(["no-pod-cidr", "invalid-pod-cidr", "overlapping-cidr"]);

export const podCidrsCheck: Check = {
  id: "pod-cidrs",
  area: "nodes",
  title: "pod CIDRs present, canonical, unique",
  run({ analysis }) {
    const { skipped, eligible } = analysis.eligibility;
    const objects: CheckObject[] = skipped.filter((s) => CIDR_REASONS.has(s.reason)).map((s) => nodeObject(s.nodeName, s.message));
    const byInstance = new Map<string, string[]>();
    for (const node of eligible) byInstance.set(node.instanceId, [...(byInstance.get(node.instanceId) ?? []), node.nodeName]);
    for (const [instanceId, names] of byInstance) {
      if (names.length < 2) continue;
      for (const name of names) {
        objects.push(nodeObject(name, `instance ${instanceId} is also claimed by ${names.filter((n) => n !== name).join(", ")}`));
      }
    }
    if (objects.length === 0) return pass(`${count(eligible.length, "eligible Node")}, each with its own pod CIDR`);
    return fail(
      `${count(new Set(objects.map((o) => o.name)).size, "Node")} with a missing, malformed or shared pod CIDR or instance`,
      objects,
      "let kube-controller-manager allocate pod CIDRs (--allocate-node-cidrs --cluster-cidr=...) or fix spec.podCIDR(s) of the Nodes named; one Node object per ECS instance",
    );
  },
};
