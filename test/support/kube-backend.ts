// The Kubernetes side of a controller end-to-end world, behind one interface so the same scenario
// runs against the fake API server (project "fake") and against the real kube-apiserver + etcd
// (project "real", whose global setup provides `realKube`). On the real server the controller runs
// with a ServiceAccount token bound to the roles of deploy/kustomize/base/rbac.yaml, in a namespace of its own;
// the world owns every Node (the real project runs its files one at a time).
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { manifestObjects, RealCluster, realKube, tempDir, writeKubeconfig, type KubeObject } from "../real-kube/support.js";

export interface NodeEvent {
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
}

export interface KubeBackend {
  readonly kind: "fake" | "real";
  /** The kubeconfig the controller runs with. */
  readonly kubeconfigPath: string;
  /** Namespace of the leader-election Lease. */
  readonly leaseNamespace: string;
  /**
   * The kube-system namespace UID: the cluster identity the controller puts in route markers, so
   * routes seeded as "made earlier by this operator" must carry it (the fake's is fixed, the real
   * server's is read from it).
   */
  readonly clusterUid: string;
  createNode(node: object): Promise<void>;
  /** Read-modify-write of a Node's metadata and spec. */
  updateNode(name: string, edit: (node: Record<string, unknown>) => void): Promise<void>;
  /**
   * Changes a Node's pod CIDR and/or providerID. The fake changes them in place; the real API server
   * forbids changing either once set ("node updates may not change podCIDR except from \"\" to
   * valid"), so there the Node is deleted and made again under the same name, as in a real cluster.
   */
  reassignNode(name: string, change: { readonly podCIDR?: string; readonly providerID?: string }): Promise<void>;
  deleteNode(name: string): Promise<void>;
  getNode(name: string): Promise<Record<string, unknown> | undefined>;
  /** Events about a Node (core/v1 shape), any namespace. */
  nodeEvents(name: string): Promise<NodeEvent[]>;
  /** Every Event this world's controller could have written: about Nodes and about its Lease or Pod. */
  events(): Promise<NodeEvent[]>;
  getLease(namespace: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** Read-modify-write of a Lease's spec, as `kubectl edit lease` would. */
  editLease(namespace: string, name: string, edit: (spec: Record<string, unknown>) => void): Promise<void>;
  deleteLease(namespace: string, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Which backend this test file runs against: the real server when the real project provided one. */
export function backendKind(): "fake" | "real" {
  return realKube === undefined ? "fake" : "real";
}

type Spec = { podCIDR?: string; podCIDRs?: string[]; providerID?: string };

function applyChange(node: Record<string, unknown>, change: { podCIDR?: string; providerID?: string }): void {
  const spec = (node["spec"] ??= {}) as Spec;
  if (change.podCIDR !== undefined) {
    spec.podCIDR = change.podCIDR;
    spec.podCIDRs = [change.podCIDR];
  }
  if (change.providerID !== undefined) spec.providerID = change.providerID;
}

export class FakeKubeBackend implements KubeBackend {
  readonly kind = "fake";
  readonly #fake: FakeKubeServer;
  readonly leaseNamespace: string;
  readonly clusterUid: string;

  constructor(fake: FakeKubeServer, leaseNamespace: string, clusterUid: string) {
    this.#fake = fake;
    this.leaseNamespace = leaseNamespace;
    this.clusterUid = clusterUid;
  }

  get kubeconfigPath(): string {
    return this.#fake.kubeconfigPath;
  }

  createNode(node: object): Promise<void> {
    this.#fake.createNode(node);
    return Promise.resolve();
  }

  updateNode(name: string, edit: (node: Record<string, unknown>) => void): Promise<void> {
    this.#fake.updateNode(name, (node) => edit(node));
    return Promise.resolve();
  }

  reassignNode(name: string, change: { podCIDR?: string; providerID?: string }): Promise<void> {
    return this.updateNode(name, (node) => applyChange(node, change));
  }

  deleteNode(name: string): Promise<void> {
    this.#fake.deleteNode(name);
    return Promise.resolve();
  }

  getNode(name: string): Promise<Record<string, unknown> | undefined> {
    return Promise.resolve(this.#fake.getNode(name));
  }

  nodeEvents(name: string): Promise<NodeEvent[]> {
    const events = this.#fake.events() as { involvedObject?: { kind?: string; name?: string }; reason?: string; message?: string; type?: string }[];
    return Promise.resolve(events.filter((e) => e.involvedObject?.kind === "Node" && e.involvedObject.name === name));
  }

  events(): Promise<NodeEvent[]> {
    return Promise.resolve(this.#fake.events() as NodeEvent[]);
  }

  getLease(namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    return Promise.resolve(this.#fake.getLease(namespace, name));
  }

  editLease(namespace: string, name: string, edit: (spec: Record<string, unknown>) => void): Promise<void> {
    this.#fake.updateLease(namespace, name, (lease) => {
      edit((lease["spec"] ??= {}) as Record<string, unknown>);
    });
    return Promise.resolve();
  }

  deleteLease(namespace: string, name: string): Promise<void> {
    this.#fake.deleteLease(namespace, name);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const RBAC_MANIFEST = fileURLToPath(new URL("../../deploy/kustomize/base/rbac.yaml", import.meta.url));

export class RealKubeBackend implements KubeBackend {
  readonly kind = "real";
  readonly cluster: RealCluster;
  readonly kubeconfigPath: string;
  readonly leaseNamespace: string;
  readonly clusterUid: string;
  readonly #removeTemp: () => Promise<void>;

  private constructor(cluster: RealCluster, kubeconfigPath: string, leaseNamespace: string, clusterUid: string, removeTemp: () => Promise<void>) {
    this.cluster = cluster;
    this.kubeconfigPath = kubeconfigPath;
    this.leaseNamespace = leaseNamespace;
    this.clusterUid = clusterUid;
    this.#removeTemp = removeTemp;
  }

  /**
   * An empty cluster (no Nodes, no Node Events) and a fresh namespace holding the manifest's
   * ServiceAccount and Role; its ClusterRole and binding get the namespace's name, so nothing is
   * shared with another world. The controller's kubeconfig carries that ServiceAccount's token.
   */
  static async start(nodes: readonly object[]): Promise<RealKubeBackend> {
    if (realKube === undefined) throw new Error("no real API server in this project");
    const cluster = new RealCluster(realKube);
    const namespace = `vrs-e2e-${randomBytes(4).toString("hex")}`;
    await cluster.deleteAllNodes();
    await cluster.call("DELETE", "/api/v1/namespaces/default/events");
    const kubeSystem = await cluster.call<{ metadata?: { uid?: string } }>("GET", "/api/v1/namespaces/kube-system");
    const clusterUid = kubeSystem.metadata?.uid;
    if (clusterUid === undefined || clusterUid === "") throw new Error("the real API server's kube-system namespace has no metadata.uid");
    await cluster.ensureNamespace(namespace);
    for (const o of await manifestObjects(RBAC_MANIFEST)) {
      const obj: KubeObject = structuredClone(o);
      if (obj.kind === "ClusterRole" || obj.kind === "ClusterRoleBinding") obj.metadata = { ...obj.metadata, name: namespace };
      if (obj.kind === "ClusterRoleBinding") {
        (obj as { roleRef: { name: string } }).roleRef.name = namespace;
        for (const s of (obj as { subjects?: { namespace?: string }[] }).subjects ?? []) s.namespace = namespace;
      }
      await cluster.apply(obj, namespace);
    }
    for (const node of nodes) await cluster.createNode(node);
    const temp = await tempDir("vrs-e2e-");
    const kubeconfigPath = await writeKubeconfig(realKube, temp.path, "controller", await cluster.serviceAccountToken(namespace, "vpc-route-sync"));
    return new RealKubeBackend(cluster, kubeconfigPath, namespace, clusterUid, temp.remove);
  }

  async createNode(node: object): Promise<void> {
    await this.cluster.createNode(node);
  }

  async updateNode(name: string, edit: (node: Record<string, unknown>) => void): Promise<void> {
    await this.cluster.updateNode(name, (node) => edit(node));
  }

  async reassignNode(name: string, change: { podCIDR?: string; providerID?: string }): Promise<void> {
    const node = await this.cluster.getNode(name);
    if (!node) throw new Error(`no Node ${name}`);
    const fresh = { apiVersion: "v1", kind: "Node", metadata: { name, labels: node.metadata?.labels ?? {} }, spec: { ...(node["spec"] as Spec) }, status: node["status"] } as Record<string, unknown>;
    delete (fresh["spec"] as { taints?: unknown }).taints;
    applyChange(fresh, change);
    await this.cluster.deleteNode(name);
    await this.cluster.createNode(fresh);
  }

  async deleteNode(name: string): Promise<void> {
    await this.cluster.deleteNode(name);
  }

  async getNode(name: string): Promise<Record<string, unknown> | undefined> {
    return (await this.cluster.getNode(name));
  }

  nodeEvents(name: string): Promise<NodeEvent[]> {
    return this.cluster.nodeEvents(name);
  }

  /** Node Events live in "default" (emptied when the world starts), the others in the world's namespace. */
  async events(): Promise<NodeEvent[]> {
    const lists = await Promise.all(
      ["default", this.leaseNamespace].map((ns) => this.cluster.call<{ items: NodeEvent[] }>("GET", `/api/v1/namespaces/${ns}/events`)),
    );
    return lists.flatMap((l) => l.items);
  }

  async getLease(namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    return this.cluster.maybe<Record<string, unknown>>("GET", `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
  }

  async editLease(namespace: string, name: string, edit: (spec: Record<string, unknown>) => void): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
    const lease = await this.cluster.call<Record<string, unknown>>("GET", path);
    edit((lease["spec"] ??= {}) as Record<string, unknown>);
    await this.cluster.call("PUT", path, lease);
  }

  async deleteLease(namespace: string, name: string): Promise<void> {
    await this.cluster.call("DELETE", `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
  }

  async close(): Promise<void> {
    await this.cluster.deleteAllNodes();
    await this.#removeTemp();
  }
}
