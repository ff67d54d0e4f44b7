// Which Node changes can change the route plan. Kubelets update status (heartbeats, images,
// conditions) constantly; reconciling on each would waste cloud API quota, so only changes of the
// inputs of eligibility and desired routes pass. Note the upstream Alibaba predicate compared the
// old podCIDRs with themselves (prior-art §1.2) and so missed podCIDRs-only changes: this one is
// tested field by field.

import type { V1Node } from "@kubernetes/client-node";
import { podCidrsOf } from "./node-object.js";

/** Labels that decide whether a Node is skipped (see DESIGN "Inputs and what makes a Node eligible"). */
export const ELIGIBILITY_LABELS: readonly string[] = [
  "type",
  "service.alibabacloud.com/exclude-node",
  "service.beta.kubernetes.io/exclude-node",
];

export type RelevantChange =
  | "added"
  | "deleted"
  | "uid-changed"
  | "pod-cidr-changed"
  | "provider-id-changed"
  | "eligibility-label-changed"
  | "deletion-started";

/**
 * Why the change from `oldNode` to `newNode` can affect routes, or undefined when it cannot.
 * `oldNode` undefined means the Node was added; `newNode` undefined means it was deleted.
 */
export function relevantChange(oldNode: V1Node | undefined, newNode: V1Node | undefined): RelevantChange | undefined {
  if (oldNode === undefined && newNode === undefined) return undefined;
  if (oldNode === undefined) return "added";
  if (newNode === undefined) return "deleted";
  if ((oldNode.metadata?.uid ?? "") !== (newNode.metadata?.uid ?? "")) return "uid-changed";
  if (
    (oldNode.spec?.podCIDR ?? "") !== (newNode.spec?.podCIDR ?? "") ||
    !sameList(podCidrsOf(oldNode), podCidrsOf(newNode))
  ) {
    return "pod-cidr-changed";
  }
  if ((oldNode.spec?.providerID ?? "") !== (newNode.spec?.providerID ?? "")) return "provider-id-changed";
  const oldLabels = oldNode.metadata?.labels ?? {};
  const newLabels = newNode.metadata?.labels ?? {};
  for (const key of ELIGIBILITY_LABELS) {
    if (oldLabels[key] !== newLabels[key]) return "eligibility-label-changed";
  }
  const wasDeleting = Boolean(oldNode.metadata?.deletionTimestamp);
  const isDeleting = Boolean(newNode.metadata?.deletionTimestamp);
  if (wasDeleting !== isDeleting) return "deletion-started";
  return undefined;
}

/** True when the change can affect routes: see relevantChange for the reason. */
export function relevant(oldNode: V1Node | undefined, newNode: V1Node | undefined): boolean {
  return relevantChange(oldNode, newNode) !== undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
