// The simulated cluster and VPC of `npm run demo`: a realistic mixed cluster (ECS nodes,
// an ECI virtual node, a malformed providerID, another region, a Node without pod CIDR, an
// excluded Node) and a route table with system, VPN, Express Connect, stale and CCM-made routes.
import { routeMarker } from "../src/domain/ownership.js";
import type { SeedVpc } from "@vpc-route-sync/fake-alibaba-vpc";

export const DEMO_REGION_ID = "cn-hangzhou";
export const DEMO_VPC_ID = "vpc-bp1demo0000000001";
export const DEMO_ROUTE_TABLE_ID = "vtb-bp1demo0000000001";
export const DEMO_CLUSTER_NAME = "demo";
export const DEMO_CLUSTER_CIDR = "10.244.0.0/16";

const instance = (n: number): string => `i-bp1demo${String(n).padStart(12, "0")}`;

interface DemoNodeSpec {
  name: string;
  providerID?: string;
  podCIDR?: string;
  labels?: Record<string, string>;
}

const NODES: DemoNodeSpec[] = [
  { name: "cn-hangzhou.192.168.0.11", providerID: `${DEMO_REGION_ID}.${instance(1)}`, podCIDR: "10.244.0.0/24" },
  { name: "cn-hangzhou.192.168.0.12", providerID: `alicloud://${DEMO_REGION_ID}.${instance(2)}`, podCIDR: "10.244.1.0/24" },
  { name: "cn-hangzhou.192.168.0.13", providerID: `${DEMO_REGION_ID}.${instance(3)}`, podCIDR: "10.244.2.0/24" },
  // Its route was made by a cloud controller manager before: matched exactly, left as it is.
  { name: "cn-hangzhou.192.168.0.14", providerID: `${DEMO_REGION_ID}.${instance(4)}`, podCIDR: "10.244.3.0/24" },
  {
    name: "virtual-kubelet-cn-hangzhou-k",
    providerID: "",
    podCIDR: "10.244.100.0/24",
    labels: { type: "virtual-kubelet", "kubernetes.io/role": "agent" },
  },
  { name: "onprem-gpu-1", providerID: "cn-hangzhou/i-bp1demo000000000005", podCIDR: "10.244.5.0/24" },
  { name: "cn-shanghai.192.168.8.16", providerID: `cn-shanghai.i-uf6demo000000000006`, podCIDR: "10.244.6.0/24" },
  { name: "cn-hangzhou.192.168.0.17", providerID: `${DEMO_REGION_ID}.${instance(7)}` },
  {
    name: "cn-hangzhou.192.168.0.18",
    providerID: `${DEMO_REGION_ID}.${instance(8)}`,
    podCIDR: "10.244.8.0/24",
    labels: { "service.alibabacloud.com/exclude-node": "true" },
  },
];

/** V1Node-like objects for the fake Kubernetes API. */
export function demoNodes(): object[] {
  return NODES.map((n) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", ...n.labels },
    },
    spec: {
      ...(n.providerID !== undefined ? { providerID: n.providerID } : {}),
      ...(n.podCIDR ? { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] } : {}),
    },
    status: {
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }],
      nodeInfo: { kubeletVersion: "v1.32.4" },
    },
  }));
}

/**
 * The VPC: one route table with routes the operator must leave alone, one stale and one CCM route.
 * `clusterUid`: the fake cluster's kube-system UID, so the stale route is provably this cluster's.
 */
export function demoVpcs(clusterUid?: string): SeedVpc[] {
  return [
    {
      vpcId: DEMO_VPC_ID,
      tables: [
        {
          routeTableId: DEMO_ROUTE_TABLE_ID,
          routeTableType: "System",
          routeTableName: "demo-vpc-default",
          entries: [
            { destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" },
            { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "" },
            // Office network over VPN, and the on-premises data centre over Express Connect.
            { destinationCidr: "172.16.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-bp1demo00000001", routeEntryName: "office-vpn" },
            { destinationCidr: "10.10.0.0/16", nextHopType: "RouterInterface", nextHopId: "ri-bp1demo00000001", routeEntryName: "idc-express-connect" },
            // Left behind by a Node deleted while the operator was not running.
            {
              destinationCidr: "10.244.9.0/24",
              nextHopType: "Instance",
              nextHopId: instance(9),
              ...routeMarker(DEMO_CLUSTER_NAME, "cn-hangzhou.192.168.0.19", clusterUid),
            },
            // Created earlier by a cloud controller manager: no marker, but exactly right.
            { destinationCidr: "10.244.3.0/24", nextHopType: "Instance", nextHopId: instance(4) },
          ],
        },
      ],
    },
  ];
}
