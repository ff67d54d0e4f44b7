// Deterministic cluster and route-table fixtures for the benchmarks: Nodes as the Kubernetes API
// returns them and route tables as a long-running cluster has them (most routes in place, a few
// stale, a few foreign, a few Nodes the operator must skip). Same seed, same world.
import { routeMarker } from "../src/domain/ownership.js";
import { nodeFactsFrom, type NodeLike } from "../src/domain/node-facts.js";
import type { NodeFacts, RouteEntry } from "../src/domain/types.js";
import type { SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";

export const BENCH_REGION_ID = "cn-hangzhou";
export const BENCH_CLUSTER_NAME = "bench";
export const BENCH_CLUSTER_CIDR_V4 = "10.128.0.0/10";
/** A kube-system uid for markers and plans that carry one (a marker without it is never deleted automatically). */
export const BENCH_CLUSTER_UID = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

/** mulberry32: small, fast and good enough to pick fixture variants reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const nodeNameOf = (i: number): string => `cn-hangzhou.10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
export const instanceIdOf = (i: number): string => `i-bp1bench${String(i).padStart(10, "0")}`;

/** The i-th /24 inside 10.128.0.0/10 (room for 16,384 Nodes). */
export function podCidrV4(i: number): string {
  return `10.${128 + Math.floor(i / 256)}.${i % 256}.0/24`;
}

/** The i-th /64 under fd00:1000::/32 (inside the dual-stack cluster CIDR fd00::/16). */
export function podCidrV6(i: number): string {
  return `fd00:${(0x1000 + Math.floor(i / 65536)).toString(16)}:${(i % 65536).toString(16)}::/64`;
}

export const BENCH_CLUSTER_CIDRS_DUAL: readonly string[] = [BENCH_CLUSTER_CIDR_V4, "fd00::/16"];

export interface NodeOptions {
  readonly dualStack?: boolean;
  /** Share of Nodes the operator must skip (virtual-kubelet, other region, excluded). @default 0.02 */
  readonly skippedShare?: number;
  readonly seed?: number;
  /** First Node index (to add Nodes to an existing cluster). @default 0 */
  readonly offset?: number;
}

/** Every (1/share)-th Node is one the operator must skip; its route never existed. */
function isSkippedIndex(i: number, share: number): boolean {
  if (!(share > 0)) return false;
  const period = Math.max(1, Math.round(1 / share));
  return i % period === period - 1;
}

/** `count` V1Node-like objects as `kubectl get nodes -o json` lists them. */
export function makeNodes(count: number, options: NodeOptions = {}): object[] {
  const random = seededRandom(options.seed ?? 42);
  const skippedShare = options.skippedShare ?? 0.02;
  const offset = options.offset ?? 0;
  const nodes: object[] = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k;
    const name = nodeNameOf(i);
    const labels: Record<string, string> = {
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "node.kubernetes.io/instance-type": "ecs.g7.2xlarge",
      "topology.kubernetes.io/region": BENCH_REGION_ID,
      "topology.kubernetes.io/zone": `${BENCH_REGION_ID}-${"hijk"[i % 4]}`,
    };
    let providerID = `${BENCH_REGION_ID}.${instanceIdOf(i)}`;
    if (isSkippedIndex(i, skippedShare)) {
      const variant = Math.floor(random() * 3);
      if (variant === 0) labels.type = "virtual-kubelet";
      else if (variant === 1) providerID = `cn-shanghai.${instanceIdOf(i)}`;
      else labels["service.alibabacloud.com/exclude-node"] = "true";
    }
    const podCIDRs = options.dualStack ? [podCidrV4(i), podCidrV6(i)] : [podCidrV4(i)];
    nodes.push({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels, annotations: { "node.alpha.kubernetes.io/ttl": "0" } },
      spec: { providerID, podCIDR: podCIDRs[0], podCIDRs },
      status: {
        conditions: [
          { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
          { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
        ],
        addresses: [
          { type: "InternalIP", address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` },
          { type: "Hostname", address: name },
        ],
        nodeInfo: { kubeletVersion: "v1.32.4", containerRuntimeVersion: "containerd://1.7.27", osImage: "Alibaba Cloud Linux 3" },
        capacity: { cpu: "8", memory: "32612100Ki", pods: "64" },
      },
    });
  }
  return nodes;
}

export function nodeFacts(nodes: readonly object[]): NodeFacts[] {
  return nodes.map((n) => nodeFactsFrom(n as NodeLike));
}

export interface RouteMix {
  /** Share of desired routes already present and marked. @default 0.9 */
  readonly satisfied?: number;
  /** Share of desired routes present but unmarked (left by a CCM), still satisfying. @default 0.03 */
  readonly unmarked?: number;
  /** Share of destinations held by a foreign route (conflict). @default 0.005 */
  readonly foreignHeld?: number;
  /** Owned routes of deleted Nodes, as a share of the Node count. @default 0.03 */
  readonly stale?: number;
  /** Share of Nodes skipped, as given to makeNodes: they have no route. @default 0.02 */
  readonly skippedShare?: number;
  /** Unrelated foreign routes (VPN, Express Connect, NAT). @default 20 */
  readonly foreignOther?: number;
  readonly seed?: number;
  /** The cluster uid our markers carry. @default none (name-only markers, as before cluster identity) */
  readonly clusterUid?: string;
}

/**
 * The entries of one route table for a cluster of `count` Nodes (indices 0..count-1, as made by
 * makeNodes with the same dual-stack setting): mostly satisfied, the rest missing, plus stale
 * owned routes, foreign routes and the table's system routes. Returns the fake-VPC seed form.
 */
export function makeTableSeed(count: number, dualStack: boolean, mix: RouteMix = {}): SeedEntry[] {
  const random = seededRandom(mix.seed ?? 7);
  const satisfied = mix.satisfied ?? 0.9;
  const unmarked = mix.unmarked ?? 0.03;
  const foreignHeld = mix.foreignHeld ?? 0.005;
  const entries: SeedEntry[] = [
    { destinationCidr: "10.0.0.0/16", type: "System", nextHopType: "local", nextHopId: "" },
    { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "" },
  ];
  for (let i = 0; i < count; i++) {
    if (isSkippedIndex(i, mix.skippedShare ?? 0.02)) continue;
    const cidrs = dualStack ? [podCidrV4(i), podCidrV6(i)] : [podCidrV4(i)];
    for (const destinationCidr of cidrs) {
      const r = random();
      if (r < satisfied) {
        entries.push({ destinationCidr, nextHopType: "Instance", nextHopId: instanceIdOf(i), ...routeMarker(BENCH_CLUSTER_NAME, nodeNameOf(i), mix.clusterUid) });
      } else if (r < satisfied + unmarked) {
        entries.push({ destinationCidr, nextHopType: "Instance", nextHopId: instanceIdOf(i) });
      } else if (r < satisfied + unmarked + foreignHeld) {
        entries.push({ destinationCidr, nextHopType: "HaVip", nextHopId: `havip-bp1bench${String(i).padStart(8, "0")}` });
      }
      // else: missing, the plan creates it
    }
  }
  const stale = Math.round(count * (mix.stale ?? 0.03));
  for (let k = 0; k < stale; k++) {
    const i = 16_000 - k; // far above any Node index in use: Nodes that were deleted
    entries.push({ destinationCidr: podCidrV4(i), nextHopType: "Instance", nextHopId: instanceIdOf(i), ...routeMarker(BENCH_CLUSTER_NAME, nodeNameOf(i), mix.clusterUid) });
  }
  const foreignOther = mix.foreignOther ?? 20;
  const kinds = ["VpnGateway", "RouterInterface", "NatGateway"] as const;
  for (let k = 0; k < foreignOther; k++) {
    const nextHopType = kinds[k % kinds.length]!;
    entries.push({ destinationCidr: `172.${16 + k}.0.0/16`, nextHopType, nextHopId: `${nextHopType.toLowerCase()}-bp1bench${k}`, routeEntryName: `office-${k}` });
  }
  return entries;
}

/** The same entries as DescribeRouteEntryList returns them, for the pure planner. */
export function seedToEntries(routeTableId: string, seed: readonly SeedEntry[]): RouteEntry[] {
  return seed.map((e, n) => ({
    routeTableId,
    routeEntryId: `rte-bench${String(n).padStart(12, "0")}`,
    destinationCidr: e.destinationCidr,
    type: e.type ?? "Custom",
    status: "Available",
    nextHops: [{ nextHopType: e.nextHopType ?? "Instance", nextHopId: e.nextHopId ?? "" }],
    routeEntryName: e.routeEntryName,
    description: e.description,
  }));
}
