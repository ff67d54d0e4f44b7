// Which Node changes can change the route plan. Kubelets update status (heartbeats, images,
// conditions) constantly; reconciling on each would waste cloud API quota, so only a change of the
// domain's view of the Node passes: its NodeFacts (domain/node-facts.ts) as far as eligibility and
// the desired routes read them (domain/node-change.ts). One home for that rule: a label the domain
// starts to read triggers passes without an edit here. (The upstream Alibaba CCM route predicate
// compared a Node's old podCIDRs with themselves and so missed podCIDRs-only changes; this one
// compares NodeFacts field by field, tested in test/kube/node-relevance.test.ts.)

import type { V1Node } from "@kubernetes/client-node";
import { ELIGIBILITY_LABEL_KEYS } from "../domain/eligibility.js";
import { nodeFactsChange, type NodeFactsChange } from "../domain/node-change.js";
import { nodeFactsFrom } from "../domain/node-facts.js";

/** Labels that decide whether a Node is skipped: the domain's list (domain/eligibility.ts). */
export const ELIGIBILITY_LABELS: readonly string[] = ELIGIBILITY_LABEL_KEYS;

export type RelevantChange = "added" | "deleted" | NodeFactsChange;

/**
 * Why the change from `oldNode` to `newNode` can affect routes, or undefined when it cannot.
 * `oldNode` undefined means the Node was added; `newNode` undefined means it was deleted.
 */
export function relevantChange(oldNode: V1Node | undefined, newNode: V1Node | undefined): RelevantChange | undefined {
  if (oldNode === undefined && newNode === undefined) return undefined;
  if (oldNode === undefined) return "added";
  if (newNode === undefined) return "deleted";
  return nodeFactsChange(nodeFactsFrom(oldNode), nodeFactsFrom(newNode));
}

/** True when the change can affect routes: see relevantChange for the reason. */
export function relevant(oldNode: V1Node | undefined, newNode: V1Node | undefined): boolean {
  return relevantChange(oldNode, newNode) !== undefined;
}
