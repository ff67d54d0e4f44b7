// DaemonSets whose Pods would be placed on virtual nodes, where they stay Pending (a virtual node
// runs no per-node agents). A DaemonSet lands on a Node when its nodeSelector and required node
// affinity match the Node's labels and it tolerates the Node's NoSchedule/NoExecute taints.
import { count, notRead, pass, warn, type Check, type CheckObject } from "../check.js";
import type { DoctorNode, NodeSelectorRequirement, Placement, Taint, Toleration } from "../facts.js";

/** The requirement to add to every nodeSelectorTerm (docs/doctor.md shows the full YAML). */
export const KEEP_OFF_VIRTUAL_NODES = "{key: type, operator: NotIn, values: [virtual-kubelet]}";

export const daemonSetsOnVirtualNodesCheck: Check = {
  id: "daemonsets-on-virtual-nodes",
  area: "virtual-nodes",
  title: "DaemonSets kept off virtual nodes",
  run({ cluster, analysis }) {
    if (analysis.virtualNodes.length === 0) return pass("no virtual nodes");
    if (cluster.daemonSets === undefined) return notRead(cluster, "daemonsets");
    const objects: CheckObject[] = [];
    for (const ds of cluster.daemonSets) {
      const landsOn = analysis.virtualNodes.filter((node) => schedulesOnto(ds.placement, node));
      if (landsOn.length === 0) continue;
      objects.push({
        kind: "DaemonSet",
        namespace: ds.namespace,
        name: ds.name,
        detail: `its Pods would stay Pending on virtual node${landsOn.length === 1 ? "" : "s"} ${landsOn.map((n) => n.nodeName).join(", ")}`,
      });
    }
    if (objects.length === 0) return pass(`${count(cluster.daemonSets.length, "DaemonSet")}, none placed on virtual nodes`);
    return warn(
      `${count(objects.length, "DaemonSet")} without a node affinity keeping them off virtual nodes`,
      objects,
      `add to spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms (every term) the matchExpression ${KEEP_OFF_VIRTUAL_NODES}`,
    );
  },
};

/** Whether a DaemonSet with this placement gets a Pod on `node` (taints, selector, required affinity). *
 * @internal exported for tests
 */
export function schedulesOnto(placement: Placement, node: DoctorNode): boolean {
  for (const [key, value] of Object.entries(placement.nodeSelector)) if (node.labels[key] !== value) return false;
  if (placement.requiredTerms !== undefined) {
    // An empty list of terms matches nothing (as in the scheduler).
    const matches = placement.requiredTerms.some(
      (term) =>
        (term.matchExpressions.length > 0 || term.matchFields.length > 0) &&
        term.matchExpressions.every((r) => matchesLabel(r, node.labels)) &&
        term.matchFields.every((r) => matchesField(r, node.nodeName)),
    );
    if (!matches) return false;
  }
  return node.taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute").every((t) => tolerated(t, placement.tolerations));
}

function matchesLabel(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[r.key];
  switch (r.operator) {
    case "In":
      return value !== undefined && r.values.includes(value);
    case "NotIn":
      return value === undefined || !r.values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const [bound] = r.values;
      if (value === undefined || bound === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(bound)) return false;
      return r.operator === "Gt" ? Number(value) > Number(bound) : Number(value) < Number(bound);
    }
    default:
      return false;
  }
}

function matchesField(r: NodeSelectorRequirement, nodeName: string): boolean {
  if (r.key !== "metadata.name") return false;
  if (r.operator === "In") return r.values.includes(nodeName);
  if (r.operator === "NotIn") return !r.values.includes(nodeName);
  return false;
}

function tolerated(taint: Taint, tolerations: readonly Toleration[]): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === taint.value;
  });
}
