// The fakes of `npm run soak` in their own process (forked by bench/soak.ts, driven over IPC): the
// fake Kubernetes API with N kubelet-shaped Nodes and the fake VPC (every call L ms late, new
// entries Pending P ms), plus the churn and the faults, on their own seeded timers:
//   churn (every churnMs): add a Node, delete one, re-register one with a new pod CIDR, or replace
//     its instance (same name, new provider ID) - the Node count stays near N;
//   faults (every faultMs): one VPC fault rule (throttling, 5xx, a call held open, a dropped
//     connection, a write applied but unanswered) or a Kubernetes one (every watch dropped, a few
//     failing Node requests).
// The parent asks for `stats` (what is routed, requests served, this process's CPU) when it samples.
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { startFakeVpc, type FakeVpcServer, type Fault } from "@vpc-route-sync/fake-alibaba-vpc";
import { BENCH_REGION_ID, instanceIdOf, makeNodes, podCidrV4, seededRandom } from "./fixtures.js";

export interface SoakFakesConfig {
  readonly nodes: number;
  readonly latencyMs: number;
  readonly pendingMs: number;
  readonly churnMs: number;
  readonly faultMs: number;
  readonly seed: number;
}

export interface SoakFakesReady {
  readonly kubeconfigPath: string;
  readonly vpcUrl: string;
  readonly vpcId: string;
  readonly routeTableId: string;
}

export interface SoakStats {
  readonly nodes: number;
  readonly routedNodes: number;
  readonly instanceRoutes: number;
  readonly vpcRequests: number;
  readonly churn: Readonly<Record<string, number>>;
  readonly faults: number;
  readonly cpuSeconds: number;
}

export const SOAK_VPC_ID = "vpc-bp1soak0000000001";
export const SOAK_ROUTE_TABLE_ID = "vtb-bp1soak0000000001";

type Message = { readonly op: "start"; readonly config: SoakFakesConfig } | { readonly op: "stats" } | { readonly op: "stop" };

const VPC_FAULTS: readonly { readonly action?: string; readonly count: number; readonly fault: Fault }[] = [
  { count: 3, fault: { type: "throttling", retryAfterMs: 500 } },
  { count: 2, fault: { type: "internal-error" } },
  { count: 2, fault: { type: "service-unavailable" } },
  { count: 1, fault: { type: "timeout", ms: 3000 } },
  { count: 1, fault: { type: "drop" } },
  { action: "CreateRouteEntries", count: 1, fault: { type: "apply-then-drop" } },
  { action: "DeleteRouteEntries", count: 1, fault: { type: "operation-conflict" } },
];

class Fakes {
  readonly #kube: FakeKubeServer;
  readonly #vpc: FakeVpcServer;
  readonly #random: () => number;
  readonly #config: SoakFakesConfig;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #churn: Record<string, number> = { add: 0, delete: 0, "pod-cidr": 0, "instance-replaced": 0 };
  #faults = 0;
  /** Next unused fixture index: new Nodes, new pod CIDRs and new instances come from it. */
  #next: number;

  private constructor(kube: FakeKubeServer, vpc: FakeVpcServer, config: SoakFakesConfig) {
    this.#kube = kube;
    this.#vpc = vpc;
    this.#config = config;
    this.#random = seededRandom(config.seed);
    this.#next = config.nodes;
  }

  static async start(config: SoakFakesConfig): Promise<Fakes> {
    const kube = await startFakeKube({ nodes: makeNodes(config.nodes, { skippedShare: 0 }), requestLogLimit: 1000 });
    const vpc = await startFakeVpc({
      regionId: BENCH_REGION_ID,
      quotaPerTable: config.nodes * 2 + 100,
      latencyMs: config.latencyMs,
      pendingMs: config.pendingMs,
      requestLogLimit: 1000,
      seed: config.seed,
      // A system route table holds at least its vSwitch's System route, as every real one does; a listing
      // that shows it tells the operator the API lists every route type (no per-create type lookups).
      vpcs: [{ vpcId: SOAK_VPC_ID, tables: [{ routeTableId: SOAK_ROUTE_TABLE_ID, routeTableType: "System", entries: [{ destinationCidr: "10.0.0.0/16", type: "System", nextHopType: "local", nextHopId: "" }] }] }],
    });
    const fakes = new Fakes(kube, vpc, config);
    if (config.churnMs > 0) fakes.#timers.push(setInterval(() => fakes.#churnOnce(), config.churnMs));
    if (config.faultMs > 0) fakes.#timers.push(setInterval(() => fakes.#faultOnce(), config.faultMs));
    return fakes;
  }

  ready(): SoakFakesReady {
    return { kubeconfigPath: this.#kube.kubeconfigPath, vpcUrl: this.#vpc.url, vpcId: SOAK_VPC_ID, routeTableId: SOAK_ROUTE_TABLE_ID };
  }

  #names(): string[] {
    return this.#kube.listNodes().map((n) => String((n.metadata as { name?: string } | undefined)?.name));
  }

  /** A Node named `name` whose pod CIDR and instance come from fixture index `index`. */
  #nodeAt(name: string, index: number): object {
    const node = makeNodes(1, { skippedShare: 0, offset: index })[0] as { metadata: { name: string; labels: Record<string, string> } };
    node.metadata.name = name;
    node.metadata.labels["kubernetes.io/hostname"] = name;
    return node;
  }

  #churnOnce(): void {
    const names = this.#names();
    const pick = (): string => names[Math.floor(this.#random() * names.length)]!;
    const r = this.#random();
    let kind: string;
    if (names.length < this.#config.nodes - 5 || (names.length <= this.#config.nodes + 5 && r < 0.3)) kind = "add";
    else if (names.length > this.#config.nodes + 5 || r < 0.6) kind = "delete";
    else kind = r < 0.8 ? "pod-cidr" : "instance-replaced";
    try {
      if (kind === "add") {
        const index = this.#next++;
        this.#kube.createNode(makeNodes(1, { skippedShare: 0, offset: index })[0]!);
      } else if (kind === "delete") {
        this.#kube.deleteNode(pick());
      } else if (kind === "pod-cidr") {
        // A pod CIDR cannot change in place: the Node is deleted and registers again with another.
        const name = pick();
        this.#kube.deleteNode(name);
        this.#kube.createNode(this.#nodeAt(name, this.#next++));
      } else {
        // Instance replacement: same Node name and pod CIDR, a new instance behind it.
        const name = pick();
        const old = this.#kube.getNode(name) as { spec?: { podCIDR?: string } } | undefined;
        this.#kube.deleteNode(name);
        const node = this.#nodeAt(name, this.#next) as { spec: { providerID: string; podCIDR: string; podCIDRs: string[] } };
        node.spec.providerID = `${BENCH_REGION_ID}.${instanceIdOf(this.#next++)}`;
        const cidr = old?.spec?.podCIDR ?? podCidrV4(this.#next);
        node.spec.podCIDR = cidr;
        node.spec.podCIDRs = [cidr];
        this.#kube.createNode(node);
      }
      this.#churn[kind] = (this.#churn[kind] ?? 0) + 1;
    } catch (error) {
      process.stderr.write(`soak-fakes: churn ${kind} failed: ${(error as Error).message}\n`);
    }
  }

  #faultOnce(): void {
    this.#faults += 1;
    const k = Math.floor(this.#random() * (VPC_FAULTS.length + 2));
    if (k < VPC_FAULTS.length) {
      const rule = VPC_FAULTS[k]!;
      this.#vpc.addFault({ ...(rule.action === undefined ? {} : { action: rule.action }), count: rule.count, fault: rule.fault });
    } else if (k === VPC_FAULTS.length) {
      this.#kube.faults.dropWatches();
    } else {
      const id = this.#kube.faults.failRequests({ status: 500, path: "^/api/v1/nodes", times: 2 });
      setTimeout(() => this.#kube.faults.clearErrors(id), 10_000).unref();
    }
  }

  stats(): SoakStats {
    const nodes = this.#kube.listNodes();
    const routed = nodes.filter((n) =>
      ((n.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "NetworkUnavailable" && c.status === "False"),
    ).length;
    const counters = this.#vpc.counters();
    const usage = process.cpuUsage();
    return {
      nodes: nodes.length,
      routedNodes: routed,
      instanceRoutes: this.#vpc.entries(SOAK_ROUTE_TABLE_ID).filter((e) => e.type === "Custom" && e.nextHops[0]?.nextHopType === "Instance").length,
      vpcRequests: Object.values(counters).reduce((sum, c) => sum + c.requests, 0),
      churn: { ...this.#churn },
      faults: this.#faults,
      cpuSeconds: (usage.user + usage.system) / 1e6,
    };
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await Promise.all([this.#kube.close(), this.#vpc.close()]);
  }
}

let fakes: Fakes | undefined;

process.on("message", (message: Message) => {
  void (async () => {
    try {
      if (message.op === "start") {
        fakes = await Fakes.start(message.config);
        process.send?.({ op: "ready", ready: fakes.ready() });
      } else if (message.op === "stats") {
        process.send?.({ op: "stats", stats: fakes?.stats() });
      } else {
        await fakes?.stop();
        process.send?.({ op: "stopped" });
        process.disconnect?.();
      }
    } catch (error) {
      process.send?.({ op: "error", message: (error as Error).stack ?? String(error) });
    }
  })();
});
// The parent going away ends this process too.
process.on("disconnect", () => {
  void fakes?.stop().finally(() => process.exit(0));
});
