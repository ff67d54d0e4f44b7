// With virtual nodes, Kubernetes older than 1.16 cannot schedule to them by label (the ECI FAQ
// asks for 1.16 or later).
import { notRead, pass, skipped, warn, type Check } from "../check.js";
import type { ServerVersion } from "../facts.js";

/** major.minor of /version; `minor` may carry a suffix such as "16+". *
 * @internal exported for tests
 */
export function versionNumbers(version: ServerVersion): [number, number] | undefined {
  const major = /^(\d+)/.exec(version.major)?.[1];
  const minor = /^(\d+)/.exec(version.minor)?.[1];
  if (major !== undefined && minor !== undefined) return [Number(major), Number(minor)];
  const git = /^v?(\d+)\.(\d+)/.exec(version.gitVersion);
  return git ? [Number(git[1]), Number(git[2])] : undefined;
}

export const clusterVersionCheck: Check = {
  id: "cluster-version",
  area: "virtual-nodes",
  title: "Kubernetes 1.16+ with virtual nodes",
  run({ cluster, analysis }) {
    if (analysis.virtualNodes.length === 0) return pass("no virtual nodes");
    if (cluster.serverVersion === undefined) return notRead(cluster, "version");
    const numbers = versionNumbers(cluster.serverVersion);
    const shown = cluster.serverVersion.gitVersion || `${cluster.serverVersion.major}.${cluster.serverVersion.minor}`;
    if (numbers === undefined) return skipped(`cannot read the version ${JSON.stringify(shown)}`, "check the cluster version by hand (kubectl version)");
    const [major, minor] = numbers;
    if (major > 1 || (major === 1 && minor >= 16)) return pass(`Kubernetes ${shown}`);
    return warn(
      `Kubernetes ${shown} is older than 1.16: label-based scheduling to virtual nodes fails`,
      [{ kind: "Cluster", name: "kubernetes", detail: `/version says ${shown}` }],
      "upgrade the cluster to Kubernetes 1.16 or later",
    );
  },
};
