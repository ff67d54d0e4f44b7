// Builds the runtime pieces a command needs from the frozen Config: the logger (with the
// credentials' secret values scrubbed), the VPC adapter, the sync settings and the Node source.
// Shared by `reconcile`, `run` and `demo`, so the demo exercises exactly the production wiring.
import { readFile } from "node:fs/promises";
import { createAlibabaRouteTable, type AlibabaRouteTable } from "../cloud/alibaba/alibaba-route-table.js";
import { secretsOf } from "../cloud/alibaba/credentials.js";
import type { CloudCallObserver } from "../cloud/observer.js";
import type { CommandIo, CommonConfig, LogFormat, LogLevel } from "../config/index.js";
import { nodeFactsFrom, type NodeLike } from "../domain/node-facts.js";
import type { NodeFacts } from "../domain/types.js";
import type { KubeConfig } from "@kubernetes/client-node";
import { createLogger, type LogContext, type Logger } from "../observability/logger.js";
import type { PassSettings } from "../reconcile/pass-runner.js";
import { ConfigurationError } from "../errors.js";

export function createCommandLogger(
  config: { readonly logLevel: LogLevel; readonly logFormat?: LogFormat; readonly credentials?: CommonConfig["credentials"] },
  io: CommandIo,
  base?: Record<string, unknown>,
  context?: LogContext,
  /** stderr by default: commands with results (reconcile, demo) keep stdout for them. */
  stream: "stdout" | "stderr" = "stderr",
): Logger {
  const credentials = config.credentials;
  return createLogger({
    ...(context ? { context } : {}),
    level: config.logLevel,
    format: config.logFormat ?? "auto",
    isTTY: stream === "stdout" ? io.stdoutIsTTY : io.stderrIsTTY,
    destination: stream === "stdout" ? io.stdout : io.stderr,
    secrets: () => (credentials ? secretsOf(credentials) : []),
    ...(base ? { base } : {}),
  });
}

export function createRouteTable(config: CommonConfig, logger: Logger, observer?: CloudCallObserver): AlibabaRouteTable {
  const endpoint = config.vpcEndpoint ? `${config.vpcEndpoint.protocol}://${config.vpcEndpoint.host}` : undefined;
  return createAlibabaRouteTable({
    regionId: config.regionId,
    endpoint,
    credential: config.credentials,
    qps: config.apiQps,
    logger: logger.child({ component: "vpc" }),
    observer,
  });
}

export function passSettingsFrom(
  config: CommonConfig & { readonly approveDeletions?: readonly string[] | undefined },
  clusterUid?: string,
): PassSettings {
  return {
    clusterUid,
    approveDeletions: config.approveDeletions,
    regionId: config.regionId,
    vpcId: config.vpcId,
    routeTableIds: config.routeTableIds,
    clusterName: config.clusterName,
    clusterCidrs: config.clusterCidrs,
    adoptUnmarked: config.adoptUnmarked,
    maxDeletions: config.maxDeletions,
  };
}

/**
 * The kubeconfig named by the configuration (--kubeconfig or KUBECONFIG), else the in-cluster
 * service account (the kubelet sets KUBERNETES_SERVICE_HOST/PORT), else ~/.kube/config as kubectl does.
 */
export async function kubeConfigFor(config: CommonConfig, io: CommandIo): Promise<KubeConfig> {
  // Loaded on demand: `reconcile --nodes-file` never needs the Kubernetes client (about 1 s to import).
  const { loadKubeConfig } = await import("../kube/kube-config.js");
  return loadKubeConfig({
    kubeconfigPath: config.kubeconfig,
    inCluster: { serviceHost: io.env.KUBERNETES_SERVICE_HOST, servicePort: io.env.KUBERNETES_SERVICE_PORT },
    homeDir: io.env.HOME,
  });
}

export async function listNodesFromApi(config: CommonConfig, io: CommandIo): Promise<NodeFacts[]> {
  const [{ CoreV1Api }, { listAllNodes }, kubeConfig] = await Promise.all([
    import("@kubernetes/client-node"),
    import("../kube/node-lister.js"),
    kubeConfigFor(config, io),
  ]);
  const { items } = await listAllNodes(kubeConfig.makeApiClient(CoreV1Api));
  return items.map((n) => nodeFactsFrom(n as NodeLike));
}

/** The kube-system namespace UID: this cluster's identity in the route marker. */
export async function readClusterUidFromApi(config: CommonConfig, io: CommandIo, kubeConfig?: KubeConfig): Promise<string> {
  const [{ CoreV1Api }, { readClusterUid }, kc] = await Promise.all([
    import("@kubernetes/client-node"),
    import("../kube/cluster-identity.js"),
    kubeConfig ?? kubeConfigFor(config, io),
  ]);
  return readClusterUid(kc.makeApiClient(CoreV1Api));
}

/** Error for a `--nodes-file` that cannot be used; the message names the file and the problem. */
export class NodesFileError extends ConfigurationError {
  override readonly name: string = "NodesFileError";
}

/**
 * Reads Nodes from `kubectl get nodes -o json` output (a List with `items`), a single Node, or
 * a JSON array of Nodes. `-` reads standard input.
 */
export async function readNodesFile(path: string, io: CommandIo): Promise<NodeFacts[]> {
  const label = path === "-" ? "standard input" : path;
  let text: string;
  try {
    text = path === "-" ? await readStream(io.stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new NodesFileError(`cannot read --nodes-file ${label}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new NodesFileError(
      `--nodes-file ${label} is not JSON (${(error as Error).message}); expected the output of 'kubectl get nodes -o json'`,
      { cause: error },
    );
  }
  const items = nodeItems(parsed);
  if (!items) {
    throw new NodesFileError(
      `--nodes-file ${label} holds no Nodes: expected a NodeList/List with "items", a Node, or an array of Nodes`,
    );
  }
  return items.map((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new NodesFileError(`--nodes-file ${label}: item ${i} is not an object`);
    }
    const facts = nodeFactsFrom(item);
    if (!facts.nodeName) throw new NodesFileError(`--nodes-file ${label}: item ${i} has no metadata.name`);
    return facts;
  });
}

function nodeItems(parsed: unknown): unknown[] | undefined {
  if (Array.isArray(parsed)) return parsed as unknown[];
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const obj = parsed as { kind?: unknown; items?: unknown };
  if (Array.isArray(obj.items)) return obj.items as unknown[];
  if (obj.kind === "Node") return [parsed];
  return undefined;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
