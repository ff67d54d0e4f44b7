// A cluster and a VPC for controller end-to-end tests: the fake Kubernetes API and the fake VPC
// API in process, Node objects as a cloud controller manager would make them, the `run` flags
// that point the built CLI at both fakes with short timings, and readers of the fakes' final state
// (routes per table, Node conditions, writes per AccessKey) to assert on.
import { routeMarker } from "../../src/domain/ownership.js";
import { startFakeKube, type FakeKubeOptions, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { startFakeVpc, type FakeVpcOptions, type FakeVpcServer, type SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv } from "./cli.js";
import { backendKind, FakeKubeBackend, RealKubeBackend, type KubeBackend, type NodeEvent } from "./kube-backend.js";
import { ControllerProcess } from "./controller-process.js";
import { waitFor } from "./wait-for.js";
import { nodeObject as buildNode } from "./nodes.js";

export const REGION_ID = "cn-hangzhou";
export const VPC_ID = "vpc-bp1ctl0000000000001";
export const ROUTE_TABLE_ID = "vtb-bp1ctl0000000000001";
export const CLUSTER_NAME = "e2e";
export const CLUSTER_CIDR = "10.0.0.0/8";
export const LEASE_NAMESPACE = "vpc-route-sync";
export const LEASE_NAME = "vpc-route-sync";

/** One AccessKey pair per replica, so the fake VPC's request log says which process made a call. */
export const ACCESS_KEYS = {
  a: { id: "LTAI5tCTLREPLICAA00001", secret: "replica-a-secret-0000000000001" },
  b: { id: "LTAI5tCTLREPLICAB00001", secret: "replica-b-secret-0000000000001" },
} as const;
export type Replica = keyof typeof ACCESS_KEYS;

export const WRITE_ACTIONS: ReadonlySet<string> = new Set([
  "CreateRouteEntry",
  "CreateRouteEntries",
  "DeleteRouteEntry",
  "DeleteRouteEntries",
  "ModifyRouteEntry",
]);

/** A valid ECS instance id (`i-` + lower-case alphanumerics) for a number. */
export function instanceId(n: number, prefix = "bp1ctl"): string {
  return `i-${prefix}${String(n).padStart(12, "0")}`;
}

export interface NodeSpec {
  readonly name: string;
  readonly instanceId: string;
  readonly podCIDR?: string;
  readonly labels?: Record<string, string>;
}

/** A NodeSpec's Node as the kubelet and a cloud controller manager leave it (test/support/nodes.ts): providerID, pod CIDR, Ready. */
export function nodeObject(spec: NodeSpec): object {
  return buildNode(spec.name, {
    region: REGION_ID,
    instance: spec.instanceId,
    podCidrs: spec.podCIDR ? [spec.podCIDR] : [],
    labels: { "kubernetes.io/os": "linux", ...spec.labels },
  });
}

/** `count` Nodes named `${prefix}-N` with instance N and pod CIDR 10.(100+N/256).(N%256).0/24. */
export function nodeSpecs(count: number, prefix = "node", first = 0): NodeSpec[] {
  return Array.from({ length: count }, (_, k) => {
    const n = first + k;
    return { name: `${prefix}-${n}`, instanceId: instanceId(n), podCIDR: podCidr(n) };
  });
}

export function podCidr(n: number): string {
  return `10.${100 + Math.floor(n / 256)}.${n % 256}.0/24`;
}

/** The fake cluster's kube-system namespace UID: the identity in the markers of its routes. */
export const CLUSTER_UID = "5e2a6c1d-0b7f-4e8a-9c3d-2f1e0a9b8c7d";

/** A route this cluster's operator made earlier (marked as owned), as a seed or hand-added entry. */
export function ownedEntry(destinationCidr: string, nextHopId: string, nodeName: string): SeedEntry {
  return { destinationCidr, nextHopType: "Instance", nextHopId, ...routeMarker(CLUSTER_NAME, nodeName, CLUSTER_UID) };
}

/** `entry` with the marker's `uid=CLUSTER_UID` replaced by `uid` (the real server's kube-system UID). */
function withClusterUid(entry: SeedEntry, uid: string): SeedEntry {
  const description = (entry as { description?: string }).description;
  if (description === undefined || uid === CLUSTER_UID) return entry;
  return { ...entry, description: description.replace(`uid=${CLUSTER_UID}`, `uid=${uid}`) };
}

/** The route each Node should have, in the format of `routes()`. */
export function expectedRoutes(specs: readonly NodeSpec[]): string[] {
  return specs.filter((s) => s.podCIDR).map((s) => `${s.podCIDR}>${s.instanceId}`).sort();
}

export interface WorldOptions {
  readonly nodes?: readonly NodeSpec[];
  /** Extra custom entries in the table at start (e.g. a stale owned route). */
  readonly entries?: readonly SeedEntry[];
  readonly kube?: Partial<FakeKubeOptions>;
  readonly vpc?: Partial<FakeVpcOptions>;
  /**
   * Point the controller at this kubeconfig; the caller then manages the Kubernetes side itself
   * (the world neither makes Nodes there nor cleans up).
   */
  readonly kubeconfigPath?: string;
  /** Namespace of the leader-election Lease. @default LEASE_NAMESPACE */
  readonly leaseNamespace?: string;
}

export interface ControllerTimings {
  readonly resyncPeriod?: string;
  readonly aggregationWindow?: string;
  readonly leaseDuration?: string;
  readonly renewDeadline?: string;
  readonly retryPeriod?: string;
  readonly shutdownTimeout?: string;
}

export class ControllerWorld {
  /** The fake API server (started in every world; the controller uses it only when `cluster.kind` is "fake"). */
  readonly kube: FakeKubeServer;
  /** The API server the controller uses: the fake, or the real tier's (see kube-backend.ts). */
  readonly cluster: KubeBackend;
  readonly vpc: FakeVpcServer;
  /** The kubeconfig the controller uses: the fake's, or the one WorldOptions named. */
  readonly kubeconfigPath: string;
  readonly leaseNamespace: string;
  readonly #processes: ControllerProcess[] = [];

  private constructor(kube: FakeKubeServer, vpc: FakeVpcServer, cluster: KubeBackend, options: WorldOptions) {
    this.kube = kube;
    this.vpc = vpc;
    this.cluster = cluster;
    this.kubeconfigPath = options.kubeconfigPath ?? cluster.kubeconfigPath;
    this.leaseNamespace = options.leaseNamespace ?? cluster.leaseNamespace;
  }

  static async start(options: WorldOptions = {}): Promise<ControllerWorld> {
    const real = backendKind() === "real" && options.kubeconfigPath === undefined;
    const nodes = (options.nodes ?? []).map(nodeObject);
    const namespaceUids = { "kube-system": CLUSTER_UID, ...options.kube?.namespaceUids };
    const kube = await startFakeKube({ ...options.kube, namespaceUids, nodes: real ? [] : nodes });
    const cluster = real ? await RealKubeBackend.start(nodes) : new FakeKubeBackend(kube, LEASE_NAMESPACE, namespaceUids["kube-system"]);
    // Routes seeded as this operator's carry the identity of the API server the controller uses.
    const entries = (options.entries ?? []).map((e) => withClusterUid(e, cluster.clusterUid));
    const vpc = await startFakeVpc({
      regionId: REGION_ID,
      pendingMs: 100,
      credentials: {
        [ACCESS_KEYS.a.id]: { secret: ACCESS_KEYS.a.secret },
        [ACCESS_KEYS.b.id]: { secret: ACCESS_KEYS.b.secret },
      },
      vpcs: [
        {
          vpcId: VPC_ID,
          tables: [
            {
              routeTableId: ROUTE_TABLE_ID,
              routeTableType: "System",
              routeTableName: "e2e-vpc-default",
              entries: [
                { destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" },
                { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "" },
                // Not the operator's: must survive every pass untouched.
                { destinationCidr: "172.16.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-bp1ctl00000001", routeEntryName: "office-vpn" },
                ...entries,
              ],
            },
          ],
        },
      ],
      ...options.vpc,
    });
    return new ControllerWorld(kube, vpc, cluster, options);
  }

  /** `run` arguments pointing at both fakes, leader election in LEASE_NAMESPACE, ports chosen by the OS. */
  args(identity: string, timings: ControllerTimings = {}, extra: readonly string[] = []): string[] {
    return [
      "--region", REGION_ID,
      "--vpc-id", VPC_ID,
      "--route-table-ids", ROUTE_TABLE_ID,
      "--cluster-name", CLUSTER_NAME,
      "--cluster-cidr", CLUSTER_CIDR,
      "--vpc-endpoint", this.vpc.url,
      "--kubeconfig", this.kubeconfigPath,
      "--api-qps", "50",
      "--log-format", "json",
      "--identity", identity,
      "--leader-election-namespace", this.leaseNamespace,
      "--leader-election-id", LEASE_NAME,
      "--health-probe-bind-address", "127.0.0.1:0",
      "--metrics-bind-address", "127.0.0.1:0",
      "--resync-period", timings.resyncPeriod ?? "10m",
      "--aggregation-window", timings.aggregationWindow ?? "200ms",
      "--lease-duration", timings.leaseDuration ?? "3s",
      "--renew-deadline", timings.renewDeadline ?? "2s",
      "--retry-period", timings.retryPeriod ?? "500ms",
      "--shutdown-timeout", timings.shutdownTimeout ?? "10s",
      ...extra,
    ];
  }

  env(replica: Replica): Record<string, string> {
    return baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEYS[replica].id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEYS[replica].secret });
  }

  /** Starts `vpc-route-sync run` with identity `replica-<replica>` and that replica's AccessKey. */
  async startController(
    replica: Replica = "a",
    timings: ControllerTimings = {},
    extra: readonly string[] = [],
    options: { readonly wrapper?: readonly string[] } = {},
  ): Promise<ControllerProcess> {
    const identity = `replica-${replica}`;
    const proc = await ControllerProcess.start({ args: this.args(identity, timings, extra), env: this.env(replica), name: identity, ...options });
    this.#processes.push(proc);
    return proc;
  }

  /** Custom routes of the table as `destination>nextHop`, sorted; system and foreign routes left out. */
  routes(): string[] {
    return this.vpc
      .entries(ROUTE_TABLE_ID)
      .filter((e) => e.type === "Custom" && e.nextHops.every((h) => h.nextHopType === "Instance"))
      .map((e) => `${e.destinationCidr}>${e.nextHops.map((h) => h.nextHopId).join("+")}`)
      .sort();
  }

  /** True when every Instance route of the table is Available and they are exactly `expected`. */
  routesAre(expected: readonly string[]): boolean {
    const entries = this.vpc.entries(ROUTE_TABLE_ID).filter((e) => e.nextHops.some((h) => h.nextHopType === "Instance"));
    if (entries.some((e) => e.status !== "Available")) return false;
    const actual = this.routes();
    return actual.length === expected.length && [...expected].sort().every((r, i) => r === actual[i]);
  }

  /** Waits until the table's instance routes are exactly `expected` and Available. */
  waitForRoutes(expected: readonly string[], what = "routes to converge", timeoutMs = 30_000): Promise<true> {
    return waitFor(what, () => this.routesAre(expected), {
      timeoutMs,
      describe: () => {
        const actual = this.routes();
        const missing = expected.filter((r) => !actual.includes(r));
        const extra = actual.filter((r) => !expected.includes(r));
        return `missing: ${JSON.stringify(missing.slice(0, 10))} (${missing.length})\nunexpected: ${JSON.stringify(extra.slice(0, 10))} (${extra.length})\n${this.#processes.map((p) => p.output(15)).join("\n")}`;
      },
    });
  }

  /** The Node's condition of `type`, or undefined. */
  condition(nodeName: string, type = "NetworkUnavailable"): { status?: string; reason?: string; message?: string } | undefined {
    const node = this.kube.getNode(nodeName) as { status?: { conditions?: { type: string; status?: string; reason?: string; message?: string }[] } } | undefined;
    return node?.status?.conditions?.find((c) => c.type === type);
  }

  /** VPC API calls made with a replica's AccessKey (optionally only `action`s). */
  callsBy(replica: Replica, actions?: ReadonlySet<string>): number {
    return this.vpc.requests().filter((r) => r.accessKeyId === ACCESS_KEYS[replica].id && (!actions || actions.has(r.action))).length;
  }

  /** Successful write calls made with a replica's AccessKey. */
  writesBy(replica: Replica): number {
    return this.vpc.requests().filter((r) => r.accessKeyId === ACCESS_KEYS[replica].id && WRITE_ACTIONS.has(r.action) && r.status === 200).length;
  }

  /** Events recorded about a Node (core/v1 shape), any namespace. */
  nodeEvents(nodeName: string): { reason?: string; message?: string; type?: string }[] {
    return (this.kube.events() as { involvedObject?: { kind?: string; name?: string }; reason?: string; message?: string; type?: string }[]).filter(
      (e) => e.involvedObject?.kind === "Node" && e.involvedObject.name === nodeName,
    );
  }

  /** The Node's condition of `type` on the world's API server (fake or real). */
  async nodeCondition(nodeName: string, type = "NetworkUnavailable"): Promise<{ status?: string; reason?: string; message?: string } | undefined> {
    const node = (await this.cluster.getNode(nodeName)) as { status?: { conditions?: { type: string; status?: string; reason?: string; message?: string }[] } } | undefined;
    return node?.status?.conditions?.find((c) => c.type === type);
  }

  /** Events about a Node on the world's API server (fake or real). */
  eventsAbout(nodeName: string): Promise<NodeEvent[]> {
    return this.cluster.nodeEvents(nodeName);
  }

  /** Every Event the controller wrote on the world's API server (fake or real). */
  allEvents(): Promise<NodeEvent[]> {
    return this.cluster.events();
  }

  /** The leader-election Lease on the world's API server (fake or real). */
  async lease(): Promise<{ spec?: { holderIdentity?: string; leaseTransitions?: number } } | undefined> {
    return (await this.cluster.getLease(this.leaseNamespace, LEASE_NAME));
  }

  /** The Lease's holder on the world's API server ("" when released or missing). */
  async holder(): Promise<string> {
    return (await this.lease())?.spec?.holderIdentity ?? "";
  }

  /** The leader-election Lease's holder on the fake ("" when released or missing). */
  leaseHolder(): string {
    const lease = this.kube.getLease(LEASE_NAMESPACE, LEASE_NAME) as { spec?: { holderIdentity?: string } } | undefined;
    return lease?.spec?.holderIdentity ?? "";
  }

  /** Stops every controller still running (SIGKILL after a graceful attempt), then both fakes. */
  async close(): Promise<void> {
    await Promise.all(
      this.#processes.map(async (p) => {
        if (p.result) return;
        const timer = setTimeout(() => p.child.kill("SIGKILL"), 15_000);
        try {
          await p.stop("SIGTERM");
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    await Promise.all([this.kube.close(), this.vpc.close(), this.cluster.close()]);
  }
}
