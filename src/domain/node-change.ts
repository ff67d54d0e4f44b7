// Whether the domain's view of a Node changed: the NodeFacts that eligibility and the desired
// routes read (uid, providerID, pod CIDRs, the labels eligibility checks, deletion). The watch
// (kube/node-relevance.ts) asks this, so a label or field the domain starts to read is relevant
// at once, with no second list to keep in step.
import { ELIGIBILITY_LABEL_KEYS } from "./eligibility.js";
import type { NodeFacts } from "./types.js";

export type NodeFactsChange = "uid-changed" | "pod-cidr-changed" | "provider-id-changed" | "eligibility-label-changed" | "deletion-started";

/** The first NodeFacts difference that can change the plan, or undefined when the plan reads the same. */
export function nodeFactsChange(before: NodeFacts, after: NodeFacts): NodeFactsChange | undefined {
  if ((before.uid ?? "") !== (after.uid ?? "")) return "uid-changed";
  if (!sameList(before.podCidrs, after.podCidrs)) return "pod-cidr-changed";
  if ((before.providerId ?? "") !== (after.providerId ?? "")) return "provider-id-changed";
  for (const key of ELIGIBILITY_LABEL_KEYS) {
    if (before.labels[key] !== after.labels[key]) return "eligibility-label-changed";
  }
  if (before.deleting !== after.deleting) return "deletion-started";
  return undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
