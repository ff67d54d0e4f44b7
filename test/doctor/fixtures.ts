// Builders of doctor facts for the table-driven check tests.
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import type { DoctorSettings } from "../../src/doctor/check.js";
import type { CloudFacts, ClusterFacts, DoctorNode, PodFacts, WorkloadFacts } from "../../src/doctor/facts.js";
import type { RouteEntry } from "../../src/domain/types.js";
import { routeMarker } from "../../src/domain/ownership.js";

export const REGION = "cn-hangzhou";
export const TABLE = "vtb-test0001";
export const CLUSTER_UID = "4f9c1b2e-7d3a-4c5b-9e8f-0a1b2c3d4e5f";

export const settings = (extra: Partial<DoctorSettings> = {}): DoctorSettings => ({
  regionId: REGION,
  vpcId: "vpc-test0001",
  clusterName: "test",
  clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
  adoptUnmarked: false,
  maxDeletions: { kind: "percent", value: 50 },
  routeTableQuota: 200,
  ...extra,
});

export function ecsNode(name: string, n: number, extra: Partial<DoctorNode> = {}): DoctorNode {
  return {
    nodeName: name,
    providerId: `${REGION}.i-bp1test00000${n}`,
    podCidrs: [`10.244.${n}.0/24`],
    labels: {},
    deleting: false,
    taints: [],
    networkUnavailable: { status: "False", reason: "RouteCreated" },
    ...extra,
  };
}

export function virtualNode(name: string, extra: Partial<DoctorNode> = {}): DoctorNode {
  return {
    nodeName: name,
    podCidrs: [],
    labels: { type: "virtual-kubelet" },
    deleting: false,
    taints: [{ key: "virtual-kubelet.io/provider", value: "alibabacloud", effect: "NoSchedule" }],
    ...extra,
  };
}

export function pod(name: string, nodeName: string, ip: string, extra: Partial<PodFacts> = {}): PodFacts {
  return { namespace: "default", name, nodeName, hostNetwork: false, podIps: [ip], nasVolumes: [], ...extra };
}

export function workload(name: string, extra: Partial<WorkloadFacts> = {}): WorkloadFacts {
  return { namespace: "kube-system", name, images: [`${name}:1.0`], placement: { nodeSelector: {}, tolerations: [] }, ...extra };
}

export function cluster(extra: Partial<ClusterFacts> = {}): ClusterFacts {
  return { source: "api", nodes: [], pods: [], daemonSets: [], deployments: [], serverVersion: { major: "1", minor: "32", gitVersion: "v1.32.0" }, clusterUid: CLUSTER_UID, unavailable: [], ...extra };
}

export function ownEntry(id: string, cidr: string, nodeName: string, n: number, status = "Available"): RouteEntry {
  return {
    routeTableId: TABLE,
    routeEntryId: id,
    destinationCidr: cidr,
    type: "Custom",
    status,
    nextHops: [{ nextHopType: "Instance", nextHopId: `i-bp1test00000${n}` }],
    ...routeMarker("test", nodeName, CLUSTER_UID),
  };
}

export function cloud(entries: RouteEntry[] | undefined, extra: Partial<CloudFacts> = {}): CloudFacts {
  return {
    access: { ok: true, action: "DescribeRouteTableList" },
    vpcTableIds: [TABLE],
    routeTableIds: [TABLE],
    tables: [entries === undefined ? { routeTableId: TABLE, error: { code: "Forbidden.RAM", kind: "permission", message: "no" } } : { routeTableId: TABLE, entries }],
    writeProbes: [
      { action: "CreateRouteEntries", routeTableId: TABLE, outcome: "allowed", code: "DryRunOperation", message: "" },
      { action: "DeleteRouteEntries", routeTableId: TABLE, outcome: "allowed", code: "DryRunOperation", message: "" },
    ],
    vpcNetwork: { networks: [{ vpcId: "vpc-test", vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: ["192.168.1.0/24"] }] },
    ...extra,
  };
}
