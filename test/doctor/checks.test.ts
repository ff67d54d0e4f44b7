// Each doctor check is a pure function of the gathered facts: tables of facts -> status.
import { describe, expect, it } from "vitest";
import { runChecks } from "../../src/doctor/all-checks.js";
import { schedulesOnto } from "../../src/doctor/checks/daemonsets-on-virtual-nodes.js";
import { metricsServerVersion } from "../../src/doctor/checks/metrics-server.js";
import { versionNumbers } from "../../src/doctor/checks/cluster-version.js";
import type { CloudFacts, ClusterFacts, Placement } from "../../src/doctor/facts.js";
import type { DoctorSettings } from "../../src/doctor/check.js";
import { cloud, cluster, ecsNode, ownEntry, pod, settings, virtualNode, workload } from "./fixtures.js";

function status(id: string, c: ClusterFacts, v: CloudFacts, s: DoctorSettings = settings()): { status: string; summary: string; names: string[] } {
  const result = runChecks(s, c, v).find((r) => r.id === id);
  if (!result) throw new Error(`no check ${id}`);
  return { status: result.status, summary: result.summary, names: result.objects.map((o) => o.name) };
}

const inSync = (): CloudFacts => cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1), ownEntry("rte-2", "10.244.2.0/24", "n2", 2)]);
const twoNodes = (): ClusterFacts => cluster({ nodes: [ecsNode("n1", 1), ecsNode("n2", 2)] });

describe("a clean cluster", () => {
  it("passes every check", () => {
    const results = runChecks(settings(), twoNodes(), inSync());
    expect(results.filter((r) => r.status !== "pass")).toEqual([]);
  });
});

describe("provider-id", () => {
  it.each([
    ["missing", { providerId: undefined }, "fail"],
    ["malformed", { providerId: "i-bp1test000001" }, "fail"],
    ["other region", { providerId: "cn-beijing.i-bp1test000001" }, "warn"],
    ["alicloud:// prefix", { providerId: "alicloud://cn-hangzhou.i-bp1test000001" }, "pass"],
    ["virtual node without one", { providerId: undefined, labels: { type: "virtual-kubelet" } }, "pass"],
    ["excluded node without one", { providerId: undefined, labels: { "service.beta.kubernetes.io/exclude-node": "" } }, "pass"],
  ])("%s -> %s", (_name, extra, expected) => {
    expect(status("provider-id", cluster({ nodes: [ecsNode("n1", 1, extra)] }), inSync()).status).toBe(expected);
  });
});

describe("pod-cidrs and pod-cidrs-in-cluster-cidr", () => {
  it.each([
    ["no pod CIDR", [ecsNode("n1", 1, { podCidrs: [] })], "fail", ["n1"]],
    ["host bits set", [ecsNode("n1", 1, { podCidrs: ["10.244.1.1/24"] })], "fail", ["n1"]],
    // The broader of two overlapping CIDRs is the suspect (the controller's rule).
    ["overlapping", [ecsNode("n1", 1), ecsNode("n2", 2, { podCidrs: ["10.244.1.0/25"] })], "fail", ["n1"]],
    ["a default route", [ecsNode("n1", 1, { podCidrs: ["0.0.0.0/0"] })], "fail", ["n1"]],
    ["one instance, two Nodes", [ecsNode("n1", 1), ecsNode("n2", 2, { providerId: "cn-hangzhou.i-bp1test000001" })], "fail", ["n1", "n2"]],
    ["distinct", [ecsNode("n1", 1), ecsNode("n2", 2)], "pass", []],
  ])("%s -> %s", (_name, nodes, expected, names) => {
    const r = status("pod-cidrs", cluster({ nodes }), inSync());
    expect([r.status, r.names]).toEqual([expected, names]);
  });

  it("fails a pod CIDR outside --cluster-cidr, warns (skipped) without --cluster-cidr", () => {
    const nodes = cluster({ nodes: [ecsNode("n1", 1), ecsNode("n9", 9, { podCidrs: ["10.250.0.0/24"] })] });
    expect(status("pod-cidrs-in-cluster-cidr", nodes, inSync())).toMatchObject({ status: "fail", names: ["n9"] });
    expect(status("pod-cidrs-in-cluster-cidr", nodes, inSync(), settings({ clusterCidrs: [] }))).toMatchObject({
      status: "warn",
      summary: "skipped: no --cluster-cidr",
    });
  });

  it("fails an IPv6 pod CIDR when only an IPv4 --cluster-cidr is set (eligibility's family rule)", () => {
    const nodes = cluster({ nodes: [ecsNode("n1", 1), ecsNode("n6", 6, { podCidrs: ["10.244.6.0/24", "2000::/3"] })] });
    expect(status("pod-cidrs-in-cluster-cidr", nodes, inSync())).toMatchObject({ status: "fail", names: ["n6"] });
  });
});

describe("pod-ips", () => {
  const nodes = [ecsNode("n1", 1), ecsNode("n2", 2), virtualNode("vk")];
  it.each([
    ["inside", pod("p", "n1", "10.244.1.7"), "pass"],
    ["outside", pod("p", "n1", "10.244.2.7"), "fail"],
    ["host network", pod("p", "n1", "192.168.0.9", { hostNetwork: true }), "pass"],
    ["on a virtual node", pod("p", "vk", "192.168.0.9"), "pass"],
    ["not scheduled", pod("p", "", "", { nodeName: undefined, podIps: [] }), "pass"],
    ["IPv6 on an IPv4-only Node", pod("p", "n1", "fd00::5"), "pass"],
  ])("%s -> %s", (_name, p, expected) => {
    expect(status("pod-ips", cluster({ nodes, pods: [p] }), inSync()).status).toBe(expected);
  });

  it("warns (skipped) when Pods could not be read", () => {
    const r = status("pod-ips", cluster({ nodes, pods: undefined, unavailable: [{ kind: "pods", reason: "no --pods-file" }] }), inSync());
    expect(r).toMatchObject({ status: "warn", summary: "skipped: no --pods-file" });
  });
});

describe("DaemonSet placement on virtual nodes", () => {
  const vk = virtualNode("vk");
  const notVirtual = { matchExpressions: [{ key: "type", operator: "NotIn", values: ["virtual-kubelet"] }], matchFields: [] };
  const tolerateAll = [{ operator: "Exists" }];
  it.each<[string, Placement, boolean]>([
    ["no tolerations: the taint keeps it off", { nodeSelector: {}, tolerations: [] }, false],
    ["tolerates everything", { nodeSelector: {}, tolerations: tolerateAll }, true],
    ["tolerates the provider taint by key", { nodeSelector: {}, tolerations: [{ key: "virtual-kubelet.io/provider", operator: "Exists" }] }, true],
    ["tolerates another effect only", { nodeSelector: {}, tolerations: [{ operator: "Exists", effect: "NoExecute" }] }, false],
    ["NotIn virtual-kubelet", { nodeSelector: {}, requiredTerms: [notVirtual], tolerations: tolerateAll }, false],
    ["nodeSelector for Linux nodes only (virtual nodes match too)", { nodeSelector: { type: "virtual-kubelet" }, tolerations: tolerateAll }, true],
    ["nodeSelector another label", { nodeSelector: { "node-role": "worker" }, tolerations: tolerateAll }, false],
    ["DoesNotExist type", { nodeSelector: {}, requiredTerms: [{ matchExpressions: [{ key: "type", operator: "DoesNotExist", values: [] }], matchFields: [] }], tolerations: tolerateAll }, false],
    ["two terms, one matches", { nodeSelector: {}, requiredTerms: [notVirtual, { matchExpressions: [{ key: "type", operator: "Exists", values: [] }], matchFields: [] }], tolerations: tolerateAll }, true],
    ["empty list of terms", { nodeSelector: {}, requiredTerms: [], tolerations: tolerateAll }, false],
    ["matchFields on another name", { nodeSelector: {}, requiredTerms: [{ matchExpressions: [], matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }], tolerations: tolerateAll }, false],
  ])("%s -> lands: %s", (_name, placement, lands) => {
    expect(schedulesOnto(placement, vk)).toBe(lands);
  });

  it("warns and names the DaemonSet; passes without virtual nodes", () => {
    const ds = [workload("calico-node", { placement: { nodeSelector: {}, tolerations: tolerateAll } })];
    expect(status("daemonsets-on-virtual-nodes", cluster({ nodes: [ecsNode("n1", 1), vk], daemonSets: ds }), inSync())).toMatchObject({ status: "warn", names: ["calico-node"] });
    expect(status("daemonsets-on-virtual-nodes", cluster({ nodes: [ecsNode("n1", 1)], daemonSets: ds }), inSync()).status).toBe("pass");
  });
});

describe("metrics-server", () => {
  it.each([
    ["registry.k8s.io/metrics-server/metrics-server:v0.6.0", [0, 6, 0]],
    ["registry-vpc.cn-hangzhou.aliyuncs.com/acs/metrics-server:v0.3.8.5-307cf45-aliyun", [0, 3, 8]],
    ["bitnami/metrics-server:0.7.1-debian-12-r1", [0, 7, 1]],
    ["k8s.gcr.io/metrics-server-amd64:v0.3.6", [0, 3, 6]],
    ["nginx:1.27", undefined],
    ["metrics-server-exporter:v1.0.0", undefined],
  ])("%s -> %j", (image, expected) => {
    expect(metricsServerVersion(image)).toEqual(expected);
  });

  it.each([
    ["v0.6.0 with virtual nodes", "metrics-server:v0.6.0", true, "warn"],
    ["v0.5.2 with virtual nodes", "metrics-server:v0.5.2", true, "pass"],
    ["v0.7.2 without virtual nodes", "metrics-server:v0.7.2", false, "pass"],
  ])("%s -> %s", (_name, image, virtual, expected) => {
    const nodes = virtual ? [ecsNode("n1", 1), virtualNode("vk")] : [ecsNode("n1", 1)];
    const deployments = [workload("metrics-server", { images: [image] })];
    expect(status("metrics-server", cluster({ nodes, deployments }), inSync()).status).toBe(expected);
  });
});

describe("nas-fsgroup", () => {
  const nodes = [ecsNode("n1", 1), virtualNode("vk")];
  it.each([
    ["NAS + fsGroup, no policy, virtual node", pod("p", "vk", "192.168.0.9", { nasVolumes: ["data"], fsGroup: 1000 }), "warn"],
    ["NAS + fsGroup + OnRootMismatch", pod("p", "vk", "192.168.0.9", { nasVolumes: ["data"], fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" }), "pass"],
    ["NAS + fsGroup on an ECS Node", pod("p", "n1", "10.244.1.9", { nasVolumes: ["data"], fsGroup: 1000 }), "pass"],
    ["no fsGroup", pod("p", "vk", "192.168.0.9", { nasVolumes: ["data"] }), "pass"],
  ])("%s -> %s", (_name, p, expected) => {
    expect(status("nas-fsgroup", cluster({ nodes, pods: [p] }), inSync()).status).toBe(expected);
  });
});

describe("cluster-version", () => {
  it.each([
    [{ major: "1", minor: "15", gitVersion: "v1.15.12" }, [1, 15]],
    [{ major: "1", minor: "16+", gitVersion: "v1.16.9-aliyun.1" }, [1, 16]],
    [{ major: "", minor: "", gitVersion: "v1.14.8" }, [1, 14]],
    [{ major: "", minor: "", gitVersion: "unknown" }, undefined],
  ])("%j -> %j", (version, expected) => {
    expect(versionNumbers(version)).toEqual(expected);
  });

  it("warns below 1.16 with virtual nodes only", () => {
    const old = { major: "1", minor: "15", gitVersion: "v1.15.12" };
    expect(status("cluster-version", cluster({ nodes: [virtualNode("vk")], serverVersion: old }), inSync()).status).toBe("warn");
    expect(status("cluster-version", cluster({ nodes: [ecsNode("n1", 1)], serverVersion: old }), inSync()).status).toBe("pass");
  });
});

describe("network-unavailable", () => {
  it.each([
    ["route Available, condition False", "Available", { status: "False", reason: "RouteCreated" }, "pass"],
    ["route Available, condition not set", "Available", undefined, "pass"],
    ["route Available, condition True", "Available", { status: "True", reason: "NoRouteCreated" }, "warn"],
    ["route Pending, condition False", "Pending", { status: "False", reason: "RouteCreated" }, "fail"],
    ["route Pending, condition True", "Pending", { status: "True", reason: "NoRouteCreated" }, "pass"],
    ["route Pending, condition not set", "Pending", undefined, "warn"],
  ])("%s -> %s", (_name, routeStatus, condition, expected) => {
    const nodes = cluster({ nodes: [ecsNode("n1", 1, { networkUnavailable: condition })] });
    expect(status("network-unavailable", nodes, cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1, routeStatus)])).status).toBe(expected);
  });

  it("fails a Node marked available whose route is missing", () => {
    expect(status("network-unavailable", twoNodes(), cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1)]))).toMatchObject({ status: "fail", names: ["n2"] });
  });
});

describe("cluster-identity", () => {
  it.each([
    ["read from the API", cluster(), "pass"],
    ["offline", cluster({ source: "files", clusterUid: undefined }), "pass"],
    ["unreadable (RBAC)", cluster({ clusterUid: undefined, unavailable: [{ kind: "identity", reason: "cannot read identity: forbidden" }] }), "warn"],
  ])("%s -> %s", (_name, c, expected) => {
    expect(status("cluster-identity", { ...c, nodes: twoNodes().nodes }, inSync()).status).toBe(expected);
  });
});

describe("cloud checks", () => {
  it("fails on denied credentials; skips what needs the route tables", () => {
    const denied = cloud(undefined, {
      access: { ok: false, action: "DescribeRouteTableList", error: { code: "InvalidAccessKeyId.NotFound", kind: "credentials", message: "no key" } },
      writeProbes: [],
    });
    const results = Object.fromEntries(runChecks(settings(), twoNodes(), denied).map((r) => [r.id, r.status]));
    expect(results).toMatchObject({ "cloud-credentials": "fail", "route-tables": "fail", "write-permission": "warn", quota: "warn", plan: "warn", "network-unavailable": "warn" });
  });

  it.each([
    ["allowed", "allowed", "pass"],
    ["denied", "denied", "fail"],
    ["not confirmed", "unknown", "warn"],
  ] as const)("write permission %s -> %s", (_name, outcome, expected) => {
    const probes = cloud([], { writeProbes: [{ action: "CreateRouteEntries", routeTableId: "vtb-test0001", outcome, code: "X", message: "" }] });
    expect(status("write-permission", twoNodes(), probes).status).toBe(expected);
  });

  it.each([
    [200, "pass"],
    [2, "warn"],
    [1, "fail"],
  ])("quota %i for 2 routes -> %s", (quota, expected) => {
    expect(status("quota", twoNodes(), inSync(), settings({ routeTableQuota: quota })).status).toBe(expected);
  });

  it("warns about routes of another controller that serve Nodes until they are claimed, naming the Nodes and the command (issue 21)", () => {
    const ccm = { routeTableId: "vtb-test0001", routeEntryId: "rte-ccm", destinationCidr: "10.244.2.0/24", type: "Custom", status: "Available", nextHops: [{ nextHopType: "Instance", nextHopId: "i-bp1test000002" }] };
    const world = cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1), ccm]);
    const withApi = status("unclaimed-routes", twoNodes(), world);
    expect(withApi).toMatchObject({ status: "warn", names: ["n2"] });
    expect(status("plan", twoNodes(), world).summary).toContain("0 creates, 0 deletes");
    const nodesFile = status("unclaimed-routes", cluster({ nodes: twoNodes().nodes, clusterUid: undefined, source: "files" }), world);
    expect(nodesFile).toMatchObject({ status: "warn", names: ["n2"] });
    expect(status("unclaimed-routes", twoNodes(), inSync()).status).toBe("pass");
  });

  it("fails a desired destination held by a foreign route and warns about routes of gone Nodes", () => {
    const vpn = { routeTableId: "vtb-test0001", routeEntryId: "rte-vpn", destinationCidr: "10.244.2.0/24", type: "Custom", status: "Available", nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-1" }] };
    const world = cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1), vpn, ownEntry("rte-9", "10.244.9.0/24", "gone", 9)]);
    expect(status("foreign-routes", twoNodes(), world)).toMatchObject({ status: "fail", names: ["rte-vpn"] });
    expect(status("orphan-routes", twoNodes(), world)).toMatchObject({ status: "warn", names: ["rte-9"] });
    expect(status("plan", twoNodes(), world)).toMatchObject({ status: "warn", summary: "a reconcile would make 0 creates, 1 delete, 1 in place" });
  });

  it("never counts an unmarked route to an instance no Node names as this cluster's, even with --adopt-unmarked (as the planner)", () => {
    const unmarked = { routeTableId: "vtb-test0001", routeEntryId: "rte-ccm", destinationCidr: "10.244.7.0/24", type: "Custom", status: "Available", nextHops: [{ nextHopType: "Instance", nextHopId: "i-bp1test000007" }] };
    const world = cloud([...inSync().tables[0]!.entries!, unmarked]);
    expect(status("orphan-routes", twoNodes(), world).status).toBe("pass");
    expect(status("orphan-routes", twoNodes(), world, settings({ adoptUnmarked: true })).status).toBe("pass");
  });

  it("fails a pod CIDR inside the VPC's network and plans no route for it, as the controller would", () => {
    const world = cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1)], {
      vpcNetwork: { networks: [{ vpcId: "vpc-test", vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: ["10.244.2.0/24"] }] },
    });
    expect(status("vpc-network", twoNodes(), world)).toMatchObject({ status: "fail", names: ["n2"] });
    expect(status("plan", twoNodes(), world)).toMatchObject({ status: "pass", summary: "in sync: 0 creates, 0 deletes, 1 in place" });
    expect(status("vpc-network", twoNodes(), inSync()).status).toBe("pass");
  });

  it("fails when the VPC's network cannot be read (no create is planned); warns when it was not read", () => {
    const unreadable = cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1)], {
      vpcNetwork: { error: { code: "Forbidden.RAM", kind: "permission", message: "no DescribeVSwitches" } },
    });
    expect(status("vpc-network", twoNodes(), unreadable)).toMatchObject({ status: "fail" });
    expect(status("vpc-network", twoNodes(), unreadable).summary).toContain("Forbidden.RAM");
    expect(status("plan", twoNodes(), unreadable).summary).toContain("0 creates");
    expect(status("vpc-network", twoNodes(), cloud([...inSync().tables[0]!.entries!], { vpcNetwork: undefined })).status).toBe("warn");
  });

  it("fails the plan when max-deletions would refuse it", () => {
    const world = cloud([ownEntry("rte-1", "10.244.1.0/24", "n1", 1), ownEntry("rte-8", "10.244.8.0/24", "g8", 8), ownEntry("rte-9", "10.244.9.0/24", "g9", 9)]);
    const r = status("plan", cluster({ nodes: [ecsNode("n1", 1)] }), world, settings({ maxDeletions: { kind: "count", value: 1 } }));
    expect(r.status).toBe("fail");
  });
});
