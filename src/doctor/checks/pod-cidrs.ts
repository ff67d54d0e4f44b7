// Every eligible Node needs a usable pod CIDR of its own: present, canonical (a network address),
// not a default route, not overlapping another Node's, and one Node object per name and per ECS
// instance. The controller's own eligibility decides (without cluster CIDRs: their check is
// separate, see pod-cidrs-in-cluster-cidr.ts).
import type { SkipReason } from "../../domain/types.js";
import { count, fail, nodeObject, pass, type Check } from "../check.js";

const CIDR_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  "no-pod-cidr",
  "invalid-pod-cidr",
  "unsafe-pod-cidr",
  "overlapping-cidr",
  "shared-instance",
  "duplicate-node-name",
]);

export const podCidrsCheck: Check = {
  id: "pod-cidrs",
  area: "nodes",
  title: "pod CIDRs present, canonical, unique",
  run({ analysis }) {
    const { skipped, eligible } = analysis.eligibility;
    const objects = skipped.filter((s) => CIDR_REASONS.has(s.reason)).map((s) => nodeObject(s.nodeName, s.message));
    if (objects.length === 0) return pass(`${count(eligible.length, "eligible Node")}, each with its own pod CIDR`);
    return fail(
      `no route for ${count(objects.length, "Node")} with a missing, malformed or shared pod CIDR, name or instance`,
      objects,
      "let kube-controller-manager allocate pod CIDRs (--allocate-node-cidrs --cluster-cidr=...) or fix spec.podCIDR(s) of the Nodes named; one Node object per name and per ECS instance",
    );
  },
};
