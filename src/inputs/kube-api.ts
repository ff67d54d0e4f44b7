// The Kubernetes API as the commands and doctor reach it: the kubeconfig the configuration names,
// the Node list and the cluster identity. Shared by commands/ and doctor/ (docs/architecture.md);
// the Kubernetes client is loaded on demand, so `reconcile --nodes-file` never pays for it.
import type { KubeConnection } from "../kube/kube-connection.js";
import type { CommandIo, CommonConfig } from "../config/index.js";
import { nodeFactsFrom, type NodeLike } from "../domain/node-facts.js";
import type { NodeFacts } from "../domain/types.js";

/**
 * The kubeconfig named by the configuration (--kubeconfig or KUBECONFIG), else the in-cluster
 * service account (the kubelet sets KUBERNETES_SERVICE_HOST/PORT), else ~/.kube/config as kubectl does.
 */
export async function kubeConfigFor(config: CommonConfig, io: CommandIo): Promise<KubeConnection> {
  // Loaded on demand: `reconcile --nodes-file` never needs the Kubernetes client.
  const { loadKubeConfig } = await import("../kube/kube-config.js");
  return loadKubeConfig({
    kubeconfigPath: config.kubeconfig,
    inCluster: { serviceHost: io.env.KUBERNETES_SERVICE_HOST, servicePort: io.env.KUBERNETES_SERVICE_PORT },
    homeDir: io.env.HOME,
  });
}

export async function listNodesFromApi(config: CommonConfig, io: CommandIo): Promise<NodeFacts[]> {
  const [{ CoreV1Api }, { listAllNodes }, kubeConfig] = await Promise.all([
    import("../kube/kube-apis.js"),
    import("../kube/node-lister.js"),
    kubeConfigFor(config, io),
  ]);
  const { items } = await listAllNodes(kubeConfig.makeApiClient(CoreV1Api));
  return items.map((n) => nodeFactsFrom(n as NodeLike));
}

/** The kube-system namespace UID: this cluster's identity in the route marker. */
export async function readClusterUidFromApi(config: CommonConfig, io: CommandIo, kubeConfig?: KubeConnection): Promise<string> {
  const [{ CoreV1Api }, { readClusterUid }, kc] = await Promise.all([
    import("../kube/kube-apis.js"),
    import("../kube/cluster-identity.js"),
    kubeConfig ?? kubeConfigFor(config, io),
  ]);
  return readClusterUid(kc.makeApiClient(CoreV1Api));
}
