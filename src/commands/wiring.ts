// Builds the runtime pieces a command needs from the frozen Config: the logger (with the
// credentials' secret values scrubbed), the VPC adapter, the sync settings and the Node source.
// Shared by `reconcile`, `run` and `demo`, so the demo exercises exactly the production wiring.
import { describeJsonError } from "../util/safe-parse-error.js";
import { readFile } from "node:fs/promises";
import { createAlibabaRouteTable, type AlibabaRouteTable, type AlibabaRouteTableOptions } from "../cloud/alibaba/alibaba-route-table.js";
import { secretsOf } from "../cloud/alibaba/credentials.js";
import { AlibabaVpcNetwork } from "../cloud/alibaba/vpc-network.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
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

/** The VPC endpoint URL the configuration names, or undefined for the SDK's regional default. */
export function vpcEndpointUrl(config: CommonConfig): string | undefined {
  return config.vpcEndpoint ? `${config.vpcEndpoint.protocol}://${config.vpcEndpoint.host}` : undefined;
}

/**
 * Adapter timings a test may shorten (test/model/ runs hundreds of passes); production passes none.
 * @internal exported for tests
 */
export type AdapterTuning = Pick<
  AlibabaRouteTableOptions,
  "qps" | "callDeadlineMs" | "connectTimeoutMs" | "readTimeoutMs" | "writeDeadlineMs" | "pollIntervalMs" | "firstPollMs" | "retry"
>;

export function createRouteTable(config: CommonConfig, logger: Logger, observer?: CloudCallObserver, tuning: AdapterTuning = {}): AlibabaRouteTable {
  return createAlibabaRouteTable({
    regionId: config.regionId,
    endpoint: vpcEndpointUrl(config),
    credential: config.credentials,
    qps: config.apiQps,
    // IPv6 entries are read explicitly when IPv6 routes may be desired (an omitted IpVersion may mean IPv4 only).
    listIpv6: config.clusterCidrs.length === 0 || config.clusterCidrs.some((cidr) => cidr.family === 6),
    logger: logger.child({ component: "vpc" }),
    observer,
    ...tuning,
  });
}

/** Reads the VPC's and its vSwitches' CIDR blocks each pass, through the route table adapter's plumbing. */
export function createVpcNetwork(routeTable: AlibabaRouteTable): VpcNetworkSource {
  return new AlibabaVpcNetwork(routeTable);
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

/**
 * A configuration file (kubeconfig) that cannot be used: a configuration error (exit 2), told
 * without its content. The class lives in kube/kube-config.ts, loaded on demand.
 */
export function isKubeConfigError(error: unknown): boolean {
  return error instanceof Error && error.name === "KubeConfigError";
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

/** Error for a `--nodes-file` (or another dump file) that cannot be used; the message names the file and the problem. */
export class NodesFileError extends ConfigurationError {
  override readonly name: string = "NodesFileError";
}

/**
 * Reads Nodes from `kubectl get nodes -o json` output (a List with `items`), a single Node, or
 * a JSON array of Nodes. `-` reads standard input.
 */
export async function readNodesFile(path: string, io: CommandIo): Promise<NodeFacts[]> {
  const label = path === "-" ? "standard input" : path;
  const items = await readObjectsFile(path, { flag: "nodes-file", kind: "Node", plural: "nodes" }, io);
  return items.map((item, i) => {
    const facts = nodeFactsFrom(item);
    if (!facts.nodeName) throw new NodesFileError(`--nodes-file ${label}: item ${i} has no metadata.name`);
    return facts;
  });
}

/**
 * The objects of a `kubectl get <plural> [-A] -o json` dump (a List with `items`), of a single
 * object of `kind`, or of a JSON array. `-` reads standard input. Every item is an object.
 */
export async function readObjectsFile(
  path: string,
  what: { readonly flag: string; readonly kind: string; readonly plural: string },
  io: CommandIo,
): Promise<Record<string, unknown>[]> {
  const label = path === "-" ? "standard input" : path;
  let text: string;
  try {
    text = path === "-" ? await readStream(io.stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new NodesFileError(`cannot read --${what.flag} ${label}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Never the parser's message: V8 quotes the input there, and a dump may hold secrets
    // (annotations, labels, env values); the position is enough to find the problem.
    throw new NodesFileError(
      `--${what.flag} ${label} is ${describeJsonError(error as SyntaxError, text)}; expected the output of 'kubectl get ${what.plural} -o json'`,
    );
  }
  const items = listItems(parsed, what.kind);
  if (!items) {
    throw new NodesFileError(
      `--${what.flag} ${label} holds no ${what.kind}s: expected a ${what.kind}List/List with "items", a ${what.kind}, or an array of ${what.kind}s`,
    );
  }
  return items.map((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new NodesFileError(`--${what.flag} ${label}: item ${i} is not an object`);
    }
    return item as Record<string, unknown>;
  });
}

function listItems(parsed: unknown, kind: string): unknown[] | undefined {
  if (Array.isArray(parsed)) return parsed as unknown[];
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const obj = parsed as { kind?: unknown; items?: unknown };
  if (Array.isArray(obj.items)) return obj.items as unknown[];
  if (obj.kind === kind) return [parsed];
  return undefined;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
