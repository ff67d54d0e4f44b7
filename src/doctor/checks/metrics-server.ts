// metrics-server v0.6.0 and later scrape each kubelet's /metrics/resource, which virtual nodes do
// not serve: every scrape of a virtual node fails and its Pods have no metrics (HPA, kubectl top).
import { notRead, pass, warn, type Check, type CheckObject } from "../check.js";

/** `registry/metrics-server:v0.6.4`, `.../metrics-server/metrics-server:v0.7.1@sha256:...` → [0, 6, 4]. *
 * @internal exported for tests
 */
export function metricsServerVersion(image: string): [number, number, number] | undefined {
  const match = /(?:^|\/)metrics-server(?:-(?:amd64|arm64|arm|ppc64le|s390x))?:v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(image);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

const atLeast = (v: readonly number[], min: readonly number[]): boolean => {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  return true;
};

export const metricsServerCheck: Check = {
  id: "metrics-server",
  area: "virtual-nodes",
  title: "metrics-server and virtual nodes",
  run({ cluster, analysis }) {
    if (analysis.virtualNodes.length === 0) return pass("no virtual nodes");
    if (cluster.deployments === undefined) return notRead(cluster, "deployments");
    const objects: CheckObject[] = [];
    for (const deployment of cluster.deployments) {
      for (const image of deployment.images) {
        const version = metricsServerVersion(image);
        if (version === undefined || !atLeast(version, [0, 6, 0])) continue;
        objects.push({
          kind: "Deployment",
          namespace: deployment.namespace,
          name: deployment.name,
          detail: `runs ${image}, which scrapes /metrics/resource, not served by virtual nodes (${analysis.virtualNodes.map((n) => n.nodeName).join(", ")})`,
        });
      }
    }
    if (objects.length === 0) return pass("no metrics-server v0.6.0 or later");
    return warn(
      "metrics-server v0.6.0+ cannot scrape virtual nodes",
      objects,
      "start metrics-server with --node-selector=type!=virtual-kubelet (releases that have the flag), or run a release before v0.6.0",
    );
  },
};
