// Which routes are this cluster's: the marker names --cluster-name and, read from the API, the
// kube-system namespace UID, which tells two clusters of one name apart. Doctor judges ownership
// (orphan routes, the plan) the way the controller does, so it needs the same identity.
import { notRead, pass, type Check } from "../check.js";

export const clusterIdentityCheck: Check = {
  id: "cluster-identity",
  area: "nodes",
  title: "cluster identity for route ownership",
  run({ cluster, settings }) {
    if (cluster.clusterUid !== undefined) return pass(`cluster ${settings.clusterName}, kube-system UID ${cluster.clusterUid}`);
    if (cluster.source === "files") return pass(`offline: --cluster-name ${settings.clusterName} alone identifies this cluster's routes`);
    return notRead(cluster, "identity");
  },
};
