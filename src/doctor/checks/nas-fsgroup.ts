// Pods on virtual nodes that mount NAS/NFS with an fsGroup: without
// fsGroupChangePolicy: OnRootMismatch the kubelet changes the group of every file on each mount,
// which on a large NAS volume outlasts the mount timeout (Alibaba Cloud ECI FAQ).
import { isVirtualNode } from "../analysis.js";
import { count, notRead, pass, warn, type Check, type CheckObject } from "../check.js";

export const nasFsGroupCheck: Check = {
  id: "nas-fsgroup",
  area: "virtual-nodes",
  title: "NAS/NFS mounts with fsGroup on virtual nodes",
  run({ cluster, analysis }) {
    if (analysis.virtualNodes.length === 0) return pass("no virtual nodes");
    if (cluster.pods === undefined) return notRead(cluster, "pods");
    const virtual = new Set(cluster.nodes.filter(isVirtualNode).map((n) => n.nodeName));
    const objects: CheckObject[] = cluster.pods
      .filter((p) => p.nodeName !== undefined && virtual.has(p.nodeName) && p.nasVolumes.length > 0 && p.fsGroup !== undefined)
      .filter((p) => p.fsGroupChangePolicy !== "OnRootMismatch")
      .map((p) => ({
        kind: "Pod",
        namespace: p.namespace,
        name: p.name,
        detail: `fsGroup ${p.fsGroup} on NAS volume${p.nasVolumes.length === 1 ? "" : "s"} ${p.nasVolumes.join(", ")} without fsGroupChangePolicy: OnRootMismatch (virtual node ${p.nodeName})`,
      }));
    if (objects.length === 0) return pass("no Pod on a virtual node chowns a NAS volume on every mount");
    return warn(
      `${count(objects.length, "Pod")} on virtual nodes may time out mounting NAS`,
      objects,
      "set spec.securityContext.fsGroupChangePolicy: OnRootMismatch in the Pods' templates",
    );
  },
};
