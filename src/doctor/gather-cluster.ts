// Gathers the cluster facts doctor checks, read-only: from the Kubernetes API (list Nodes, Pods,
// DaemonSets, Deployments; GET /version) or from `kubectl get <kind> -A -o json` dumps. A kind that
// cannot be read (no dump given offline, or RBAC forbids it) is recorded as unavailable and the
// checks that need it say so; only the Nodes are required.
import type { CommandIo, DoctorConfig } from "../config/index.js";
import { KubernetesError } from "../errors.js";
import { NodesFileError, readObjectsFile } from "../inputs/dump-files.js";
import { kubeConfigFor } from "../inputs/kube-api.js";
import type { ClusterFacts, DoctorNode, PodFacts, ServerVersion, Unavailable, WorkloadFacts } from "./facts.js";
import { doctorNodeFrom, podFactsFrom, workloadFactsFrom } from "./kube-objects.js";

type Kind = "pods" | "daemonsets" | "deployments";

const KINDS: Readonly<Record<Kind, { readonly flag: string; readonly kind: string; readonly plural: string }>> = {
  pods: { flag: "pods-file", kind: "Pod", plural: "pods" },
  daemonsets: { flag: "daemonsets-file", kind: "DaemonSet", plural: "daemonsets" },
  deployments: { flag: "deployments-file", kind: "Deployment", plural: "deployments" },
};

/** Offline as soon as any dump is given: then nothing is read from the API. */
export function isOffline(config: DoctorConfig): boolean {
  return [config.nodesFile, config.podsFile, config.daemonsetsFile, config.deploymentsFile].some((f) => f !== undefined);
}

export async function gatherClusterFromFiles(config: DoctorConfig, io: CommandIo): Promise<ClusterFacts> {
  const unavailable: Unavailable[] = [{ kind: "version", reason: "offline (dumps carry no /version)" }];
  if (config.nodesFile === undefined) throw new NodesFileError("--nodes-file is required when other dumps are given: doctor reads either the API or dumps");
  const nodes = (await readObjectsFile(config.nodesFile, { flag: "nodes-file", kind: "Node", plural: "nodes" }, io)).map((item, i) => {
    const node = doctorNodeFrom(item);
    if (!node.nodeName) throw new NodesFileError(`--nodes-file ${config.nodesFile === "-" ? "standard input" : config.nodesFile}: item ${i} has no metadata.name`);
    return node;
  });
  const read = async <T>(kind: Kind, path: string | undefined, extract: (item: unknown) => T): Promise<T[] | undefined> => {
    if (path === undefined) {
      unavailable.push({ kind, reason: `no --${KINDS[kind].flag}` });
      return undefined;
    }
    return (await readObjectsFile(path, KINDS[kind], io)).map(extract);
  };
  const pods = await read("pods", config.podsFile, podFactsFrom);
  const daemonSets = await read("daemonsets", config.daemonsetsFile, workloadFactsFrom);
  const deployments = await read("deployments", config.deploymentsFile, workloadFactsFrom);
  return { source: "files", nodes, pods, daemonSets, deployments, unavailable };
}

interface Page {
  readonly items: unknown[];
  readonly metadata?: { readonly _continue?: string | undefined } | undefined;
}

/** Every page of a list (500 per page, as kubectl). */
async function listAll(fetch: (params: { limit: number; _continue?: string }) => Promise<Page>): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await fetch({ limit: 500, ...(token ? { _continue: token } : {}) });
    items.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}

export async function gatherClusterFromApi(config: DoctorConfig, io: CommandIo): Promise<ClusterFacts> {
  const [{ AppsV1Api, CoreV1Api, VersionApi }, ours, { listAllNodes }, { describeKubeError }, { readClusterUid }, connection] = await Promise.all([
    import("@kubernetes/client-node"),
    import("../kube/kube-apis.js"),
    import("../kube/node-lister.js"),
    import("../kube/api-error.js"),
    import("../kube/cluster-identity.js"),
    kubeConfigFor(config, io),
  ]);
  // Nodes and the cluster identity as `run` reads them; the rest through client-node's wider API.
  const nodeApi = connection.makeApiClient(ours.CoreV1Api);
  const kubeConfig = await connection.clientNodeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const unavailable: Unavailable[] = [];
  const optional = async <T>(kind: Unavailable["kind"], read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      const why = error instanceof KubernetesError ? error.message : describeKubeError(error);
      unavailable.push({ kind, reason: `cannot read ${kind}: ${why}` });
      return undefined;
    }
  };
  const nodes: DoctorNode[] = (await listAllNodes(nodeApi)).items.map(doctorNodeFrom);
  const pods: PodFacts[] | undefined = await optional("pods", async () =>
    (await listAll((p) => core.listPodForAllNamespaces(p))).map(podFactsFrom),
  );
  const daemonSets: WorkloadFacts[] | undefined = await optional("daemonsets", async () =>
    (await listAll((p) => apps.listDaemonSetForAllNamespaces(p))).map(workloadFactsFrom),
  );
  const deployments: WorkloadFacts[] | undefined = await optional("deployments", async () =>
    (await listAll((p) => apps.listDeploymentForAllNamespaces(p))).map(workloadFactsFrom),
  );
  const serverVersion: ServerVersion | undefined = await optional("version", async () => {
    const info = await kubeConfig.makeApiClient(VersionApi).getCode();
    return { major: info.major, minor: info.minor, gitVersion: info.gitVersion };
  });
  const clusterUid = await optional("identity", () => readClusterUid(nodeApi));
  return { source: "api", nodes, pods, daemonSets, deployments, serverVersion, clusterUid, unavailable };
}
