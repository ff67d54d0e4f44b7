// Decides which Nodes get routes. Every Node ends up in exactly one of `eligible` or `skipped`,
// with one stable reason; a skip is not an error (the sync goes on for the other Nodes).
//
// Checks run in this order and the first that fails names the reason, so a virtual node with a
// garbage providerID is reported as `virtual-kubelet`, not as `invalid-provider-id`:
//   1. virtual-kubelet      label type=virtual-kubelet (ECI virtual nodes are not ECS instances)
//   2. excluded             label key service.alibabacloud.com/exclude-node or
//                           service.beta.kubernetes.io/exclude-node is present (any value)
//   3. hybrid               spec.providerID starts with ack-hybrid://
//   4. deleting             metadata.deletionTimestamp is set
//   5. no-provider-id / invalid-provider-id / other-region   (see provider-id.ts)
//   6. no-pod-cidr          neither spec.podCIDRs nor spec.podCIDR
//   7. invalid-pod-cidr     a pod CIDR does not parse, has host bits set, or two of the Node's
//                           own pod CIDRs overlap
//   8. outside-cluster-cidr a pod CIDR lies outside every cluster CIDR of its IP family, or its
//                           family has no configured cluster CIDR (skipped only when no cluster
//                           CIDR is configured at all: a dry run's preview, never written)
//   8b. unsafe-pod-cidr     a pod CIDR is a default route (0.0.0.0/0, ::/0): it would capture all
//                           traffic; checked even when no cluster CIDR is configured (dry run)
//   9. duplicate-node-name  two Node objects with one name (a hand-edited nodes-file): both skipped
//  10. shared-instance      two Nodes name the same ECS instance: both skipped (one of them lies)
//  11. overlapping-cidr     among Nodes that passed 1-10, a pod CIDR overlaps a pod CIDR of another
//                           Node: the Node with the BROADER CIDR is the suspect and is skipped (one
//                           oversized CIDR must not take every Node inside it down); Nodes with the
//                           same CIDR are all skipped. A conflict is reported for each suspect
//                           CIDR. Never resolved by picking a winner among equals.
// Output is sorted by nodeName. Cost is O(n log n): overlaps are found by sorting CIDRs.
import { compareCidrs, contains, equals, isDefaultRoute, lastAddress, overlaps, parseCidr, quote, type Cidr } from "./cidr.js";
import { listOr } from "./guards.js";
import { isHybridProviderId, parseProviderId } from "./provider-id.js";
import type { PlanSettings } from "./settings.js";
import type { Conflict, EligibleNode, NodeFacts, SkippedNode } from "./types.js";

export const VIRTUAL_KUBELET_LABEL_KEY = "type";
export const VIRTUAL_KUBELET_LABEL_VALUE = "virtual-kubelet";
export const EXCLUDE_NODE_LABELS: readonly string[] = [
  "service.alibabacloud.com/exclude-node",
  "service.beta.kubernetes.io/exclude-node",
];
/** Every label key the checks below read: a change of any other label cannot change eligibility. */
export const ELIGIBILITY_LABEL_KEYS: readonly string[] = [VIRTUAL_KUBELET_LABEL_KEY, ...EXCLUDE_NODE_LABELS];

/** The settings eligibility reads: the region (Nodes of other regions are skipped) and the cluster CIDRs. */
export type EligibilityOptions = Pick<PlanSettings, "regionId" | "clusterCidrs">;

export interface EligibilityResult {
  readonly eligible: EligibleNode[];
  readonly skipped: SkippedNode[];
  readonly conflicts: Conflict[];
}

/** Parses cluster CIDRs, dropping the ones that do not parse (config reports those). */
export function parseClusterCidrs(clusterCidrs: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const text of listOr(clusterCidrs)) {
    const r = parseCidr(text);
    if (r.ok) out.push(r.cidr);
  }
  return out;
}

/**
 * Why `cidr` lies outside the pod network, or undefined when a configured cluster CIDR of its family
 * contains it. A family with no configured cluster CIDR is outside (an IPv4-only --cluster-cidr
 * routes no IPv6 at all). With no cluster CIDR at all (a dry run's preview) nothing is outside:
 * such a plan is never written (the write gate refuses every write without a cluster CIDR).
 * The one statement of the pod-network rule: eligibility, the planner's leftovers, the write gate
 * and doctor ask it.
 */
export function outsideClusterCidrs(cidr: Cidr, clusterCidrs: readonly Cidr[]): string | undefined {
  if (clusterCidrs.length === 0) return undefined;
  const sameFamily = clusterCidrs.filter((c) => c.family === cidr.family);
  if (sameFamily.length === 0) {
    return `pod CIDR ${cidr.text} is IPv${cidr.family} and no IPv${cidr.family} cluster CIDR is configured (--cluster-cidr ${clusterCidrs.map((c) => c.text).join(", ")})`;
  }
  if (sameFamily.some((c) => contains(c, cidr))) return undefined;
  return `pod CIDR ${cidr.text} is outside the cluster CIDR${sameFamily.length > 1 ? "s" : ""} ${sameFamily.map((c) => c.text).join(", ")}`;
}

/**
 * A Node's pod CIDRs as eligibility reads them: every one that parses (a prefix listed twice counts
 * once: harmless, one route), and the first reason they are unusable (one does not parse, or two
 * of them overlap), if any. Doctor's Pod IP check reads a Node's pod CIDRs through it too.
 */
export function readPodCidrs(texts: readonly string[]): { readonly cidrs: Cidr[]; readonly problem?: string | undefined } {
  const cidrs: Cidr[] = [];
  let problem: string | undefined;
  for (const text of listOr(texts)) {
    const r = parseCidr(text);
    if (!r.ok) {
      problem ??= `pod CIDR: ${r.message}`;
      continue;
    }
    if (cidrs.some((c) => equals(c, r.cidr))) continue;
    const clash = cidrs.find((c) => overlaps(c, r.cidr));
    if (clash) problem ??= `pod CIDRs ${clash.text} and ${r.cidr.text} of the same Node overlap`;
    cidrs.push(r.cidr);
  }
  return { cidrs, problem };
}

type Check =
  | { readonly ok: true; readonly node: EligibleNode }
  | { readonly ok: false; readonly skip: SkippedNode };

function skip(nodeName: string, reason: SkippedNode["reason"], message: string): Check {
  return { ok: false, skip: { nodeName, reason, message } };
}

function checkNode(facts: NodeFacts, regionId: string, clusterCidrs: readonly Cidr[]): Check {
  const { nodeName } = facts;
  const labels = facts.labels ?? {};
  if (labels[VIRTUAL_KUBELET_LABEL_KEY] === VIRTUAL_KUBELET_LABEL_VALUE) {
    return skip(nodeName, "virtual-kubelet", `label ${VIRTUAL_KUBELET_LABEL_KEY}=${VIRTUAL_KUBELET_LABEL_VALUE}: virtual nodes are not ECS instances`);
  }
  for (const key of EXCLUDE_NODE_LABELS) {
    if (Object.prototype.hasOwnProperty.call(labels, key)) {
      return skip(nodeName, "excluded", `label ${key} is present`);
    }
  }
  if (isHybridProviderId(facts.providerId)) {
    return skip(nodeName, "hybrid", `providerID ${quote(facts.providerId ?? "")} is an ACK hybrid node, not an ECS instance`);
  }
  if (facts.deleting) return skip(nodeName, "deleting", "the Node is being deleted");

  const id = parseProviderId(facts.providerId, regionId);
  if (!id.ok) return skip(nodeName, id.reason, id.message);

  if (listOr(facts.podCidrs).length === 0) return skip(nodeName, "no-pod-cidr", "spec.podCIDRs and spec.podCIDR are empty");
  const { cidrs, problem } = readPodCidrs(facts.podCidrs);
  if (problem !== undefined) return skip(nodeName, "invalid-pod-cidr", problem);

  const unsafe = cidrs.find(isDefaultRoute);
  if (unsafe) {
    return skip(nodeName, "unsafe-pod-cidr", `pod CIDR ${unsafe.text} is a default route: it would send all traffic to this Node`);
  }

  for (const cidr of cidrs) {
    const outside = outsideClusterCidrs(cidr, clusterCidrs);
    if (outside !== undefined) return skip(nodeName, "outside-cluster-cidr", outside);
  }

  return {
    ok: true,
    node: { nodeName, instanceId: id.instanceId, regionId: id.regionId, podCidrs: cidrs },
  };
}

/** Two Node objects with one name, or two Nodes on one instance: every one of them is skipped. */
function findDuplicates(checks: readonly Check[]): Map<EligibleNode, SkippedNode> {
  const out = new Map<EligibleNode, SkippedNode>();
  const byName = new Map<string, number>();
  for (const c of checks) {
    const name = c.ok ? c.node.nodeName : c.skip.nodeName;
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  const byInstance = new Map<string, string[]>();
  for (const c of checks) {
    if (!c.ok) continue;
    const list = byInstance.get(c.node.instanceId);
    if (list) list.push(c.node.nodeName);
    else byInstance.set(c.node.instanceId, [c.node.nodeName]);
  }
  for (const c of checks) {
    if (!c.ok) continue;
    const { nodeName, instanceId } = c.node;
    const count = byName.get(nodeName) ?? 0;
    const sharing = byInstance.get(instanceId) ?? [];
    if (count > 1) {
      out.set(c.node, { nodeName, reason: "duplicate-node-name", message: `${count} Node objects are named ${nodeName}; none of them gets a route` });
    } else if (sharing.length > 1) {
      const others = sharing.filter((n) => n !== nodeName).sort();
      out.set(c.node, {
        nodeName,
        reason: "shared-instance",
        instanceId,
        message: `instance ${instanceId} is also the providerID of Node ${others.join(", ")}; none of them gets a route until one is fixed`,
      });
    }
  }
  return out;
}

interface Claim {
  readonly nodeIndex: number;
  readonly cidr: Cidr;
  readonly last: bigint;
  /** Other claims this one overlaps (first few, for messages) and how many in total. */
  readonly partners: Claim[];
  partnerCount: number;
}

const MAX_PARTNERS_SHOWN = 3;

function addPartner(a: Claim, b: Claim): void {
  a.partnerCount++;
  if (a.partners.length < MAX_PARTNERS_SHOWN) a.partners.push(b);
}

/**
 * Finds claims that overlap a claim of another Node. CIDRs are laminar (two CIDRs either nest or
 * are disjoint), so after sorting by (family, network, prefix) the claims that contain the
 * current one are exactly the stack of open intervals: O(n log n + n * depth), depth <= 129.
 */
function findOverlaps(claims: Claim[]): void {
  claims.sort((a, b) => compareCidrs(a.cidr, b.cidr) || a.nodeIndex - b.nodeIndex);
  const stack: Claim[] = [];
  for (const claim of claims) {
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.cidr.family === claim.cidr.family && claim.cidr.network <= top.last) break;
      stack.pop();
    }
    for (const ancestor of stack) {
      if (ancestor.nodeIndex === claim.nodeIndex) continue;
      // The broader CIDR is the suspect; equal CIDRs are both suspects.
      addPartner(ancestor, claim);
      if (ancestor.cidr.prefix === claim.cidr.prefix) addPartner(claim, ancestor);
    }
    stack.push(claim);
  }
}

const byName = (a: { nodeName: string }, b: { nodeName: string }): number =>
  a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : 0;

/** Sorts Nodes into eligible and skipped (with reasons) and reports pod-CIDR overlaps. */
export function classifyNodes(nodes: readonly NodeFacts[], options: EligibilityOptions): EligibilityResult {
  const clusterCidrs = listOr(options.clusterCidrs);
  const skipped: SkippedNode[] = [];
  const passed: { node: EligibleNode; claims: Claim[] }[] = [];
  const checks = listOr(nodes).map((facts) => checkNode(facts, options.regionId, clusterCidrs));
  const duplicates = findDuplicates(checks);
  for (const check of checks) {
    if (!check.ok) {
      skipped.push(check.skip);
      continue;
    }
    const duplicate = duplicates.get(check.node);
    if (duplicate) {
      skipped.push(duplicate);
      continue;
    }
    const nodeIndex = passed.length;
    passed.push({
      node: check.node,
      claims: check.node.podCidrs.map((cidr) => ({ nodeIndex, cidr, last: lastAddress(cidr), partners: [], partnerCount: 0 })),
    });
  }

  findOverlaps(passed.flatMap((p) => p.claims));

  const eligible: EligibleNode[] = [];
  const conflicts: Conflict[] = [];
  for (const { node, claims } of passed) {
    const overlapping = claims.filter((c) => c.partnerCount > 0);
    if (overlapping.length === 0) {
      eligible.push(node);
      continue;
    }
    const messages: string[] = [];
    for (const claim of overlapping) {
      const shown = claim.partners.map((p) => `${p.cidr.text} of node ${passed[p.nodeIndex]!.node.nodeName}`);
      const more = claim.partnerCount - claim.partners.length;
      const message = `pod CIDR ${claim.cidr.text} overlaps ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
      messages.push(message);
      conflicts.push({ reason: "overlapping-pod-cidr", destinationCidr: claim.cidr.text, nodeName: node.nodeName, message });
    }
    skipped.push({ nodeName: node.nodeName, reason: "overlapping-cidr", message: messages.join("; ") });
  }

  eligible.sort(byName);
  skipped.sort(byName);
  conflicts.sort((a, b) => byName(a, b) || (a.destinationCidr < b.destinationCidr ? -1 : a.destinationCidr > b.destinationCidr ? 1 : 0));
  return { eligible, skipped, conflicts };
}
