// Pod CIDRs must lie inside --cluster-cidr: routes outside it are never written (a Node object is
// not trusted input). Without --cluster-cidr the check cannot run, which is a warning.
import { outsideClusterCidrs } from "../../domain/eligibility.js";
import { count, fail, nodeObject, pass, skipped, type Check, type CheckObject } from "../check.js";

export const podCidrsInClusterCidrCheck: Check = {
  id: "pod-cidrs-in-cluster-cidr",
  area: "nodes",
  title: "pod CIDRs inside the cluster CIDR",
  run({ analysis, settings }) {
    if (settings.clusterCidrs.length === 0) {
      return skipped("no --cluster-cidr", "pass --cluster-cidr (the cluster's pod network, as given to kube-controller-manager)");
    }
    const clusterCidrs = settings.clusterCidrs;
    const objects: CheckObject[] = [];
    for (const node of analysis.eligibility.eligible) {
      for (const cidr of node.podCidrs) {
        // Eligibility's own rule (a family with no cluster CIDR is outside too), not a restatement.
        const outside = outsideClusterCidrs(cidr, clusterCidrs);
        if (outside !== undefined) objects.push(nodeObject(node.nodeName, outside));
      }
    }
    if (objects.length === 0) return pass(`every pod CIDR lies inside ${settings.clusterCidrs.map((c) => c.text).join(", ")}`);
    return fail(
      `no route for ${count(objects.length, "pod CIDR")} outside the cluster CIDR`,
      objects,
      "make --cluster-cidr match kube-controller-manager's --cluster-cidr, or re-create the Nodes named so they get pod CIDRs inside it",
    );
  },
};
