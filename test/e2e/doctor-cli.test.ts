// End-to-end: the built CLI's `doctor` against the fake Kubernetes API and the fake VPC API. A
// clean cluster passes every check; a cluster seeded with one instance of every problem trips every
// check; the JSON report follows the schema in the code; offline dumps work; nothing is written.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ALL_CHECKS } from "../../src/doctor/all-checks.js";
import { doctorReportSchema, type DoctorReport } from "../../src/doctor/report.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { startFakeKube, type FakeKubeOptions, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcOptions, type FakeVpcServer, type SeedEntry, type SeedVSwitch } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv, runCli, type CliResult } from "../support/cli.js";
import { nodeObject } from "../support/nodes.js";

const REGION = "cn-hangzhou";
const VPC = "vpc-doctor0001";
const TABLE = "vtb-doctor0001";
const CLUSTER = "doctor-test";
const CLUSTER_CIDR = "10.244.0.0/16";
const WRITE_ACTIONS = new Set(["CreateRouteEntry", "CreateRouteEntries", "DeleteRouteEntry", "DeleteRouteEntries", "ModifyRouteEntry"]);
const READ_ONLY_KEY = "LTAI5tDOCTORREADONLY01";
/** The fake cluster's kube-system UID: its identity in the markers of its routes. */
const CLUSTER_UID = "0d0c7a5e-3b1f-4c2d-9e8a-7f6b5c4d3e2f";

const instance = (n: number): string => `i-bp1doctor000000${n}`;

const VIRTUAL_NODE = nodeObject("virtual-kubelet-cn-hangzhou-k", {
  podCidrs: [],
  labels: { type: "virtual-kubelet" },
  taints: [{ key: "virtual-kubelet.io/provider", value: "alibabacloud", effect: "NoSchedule" }],
});

function pod(namespace: string, name: string, nodeName: string, ip: string, spec: object = {}): object {
  return { metadata: { namespace, name }, spec: { nodeName, containers: [{ name: "app", image: "nginx:1.27" }], ...spec }, status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } };
}

function daemonSet(name: string, podSpec: object): object {
  return {
    metadata: { namespace: "kube-system", name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }], ...podSpec } } },
  };
}

function deployment(name: string, image: string): object {
  return {
    metadata: { namespace: "kube-system", name },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } } },
  };
}

const ownRoute = (cidr: string, nodeName: string, instanceId: string): SeedEntry => ({
  destinationCidr: cidr,
  nextHopType: "Instance",
  nextHopId: instanceId,
  ...routeMarker(CLUSTER, nodeName, CLUSTER_UID),
});

const NAS_VOLUME = { name: "data", nfs: { server: "0a1b2c3d4e-abc12.cn-hangzhou.nas.aliyuncs.com", path: "/share" } };
const KEEP_OFF_VIRTUAL = {
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "type", operator: "NotIn", values: ["virtual-kubelet"] }] }] } } },
  tolerations: [{ operator: "Exists" }],
};

interface World {
  readonly kube: FakeKubeOptions;
  readonly pods: object[];
  readonly daemonSets: object[];
  readonly deployments: object[];
  readonly entries: SeedEntry[];
  /** The VPC's vSwitches (with CidrBlock 192.168.0.0/16); absent: the fake's default network. */
  readonly vSwitches?: SeedVSwitch[];
}

function cleanWorld(): World {
  return {
    kube: {
      nodes: [
        nodeObject("node-1", { instance: instance(1), podCidrs: ["10.244.1.0/24"], networkUnavailable: "False" }),
        nodeObject("node-2", { instance: instance(2), podCidrs: ["10.244.2.0/24"], networkUnavailable: "False" }),
        VIRTUAL_NODE,
      ],
    },
    pods: [
      pod("default", "web-1", "node-1", "10.244.1.5"),
      pod("kube-system", "kube-proxy-1", "node-1", "192.168.0.10", { hostNetwork: true }),
      pod("default", "eci-job", "virtual-kubelet-cn-hangzhou-k", "192.168.0.50", {
        volumes: [NAS_VOLUME],
        securityContext: { fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" },
      }),
    ],
    daemonSets: [daemonSet("kube-proxy", KEEP_OFF_VIRTUAL), daemonSet("node-exporter", {})],
    deployments: [deployment("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.5.2")],
    entries: [ownRoute("10.244.1.0/24", "node-1", instance(1)), ownRoute("10.244.2.0/24", "node-2", instance(2))],
  };
}

/** One instance of every problem doctor knows. */
function troubledWorld(): World {
  const clean = cleanWorld();
  return {
    kube: {
      serverVersion: { major: "1", minor: "15", gitVersion: "v1.15.12" },
      nodes: [
        // NetworkUnavailable=False, but its route is missing from the table.
        nodeObject("node-1", { instance: instance(1), podCidrs: ["10.244.1.0/24"], networkUnavailable: "False" }),
        nodeObject("node-2", { instance: instance(2), podCidrs: ["10.244.2.0/24"], networkUnavailable: "False" }),
        VIRTUAL_NODE,
        nodeObject("no-provider", { providerId: "i-notaproviderid", podCidrs: ["10.244.5.0/24"] }),
        // Two Node objects for one ECS instance.
        nodeObject("twin-a", { instance: instance(5), podCidrs: ["10.244.6.0/24"] }),
        nodeObject("twin-b", { instance: instance(5), podCidrs: ["10.244.8.0/24"] }),
        nodeObject("outside", { instance: instance(7), podCidrs: ["10.250.0.0/24"] }),
        // Its pod CIDR is a vSwitch's block (vSwitches below): the controller never routes it.
        nodeObject("in-vswitch", { instance: instance(8), podCidrs: ["10.244.12.0/24"] }),
      ],
    },
    vSwitches: [
      { vSwitchId: "vsw-bp1doctor0000001", cidrBlock: "192.168.0.0/24" },
      { vSwitchId: "vsw-bp1doctor0000002", cidrBlock: "10.244.12.0/24" },
    ],
    pods: [
      ...clean.pods.slice(0, 2),
      pod("default", "misaddressed", "node-2", "10.99.0.5"),
      pod("default", "eci-job", "virtual-kubelet-cn-hangzhou-k", "192.168.0.50", { volumes: [NAS_VOLUME], securityContext: { fsGroup: 1000 } }),
    ],
    daemonSets: [daemonSet("kube-proxy", KEEP_OFF_VIRTUAL), daemonSet("calico-node", { tolerations: [{ operator: "Exists" }] })],
    deployments: [deployment("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2")],
    entries: [
      // node-2's destination is held by a VPN route; a route of a Node that is gone.
      { destinationCidr: "10.244.2.0/24", nextHopType: "VpnGateway", nextHopId: "vpn-bp1doctor0000001", routeEntryName: "office-vpn" },
      ownRoute("10.244.9.0/24", "gone", instance(9)),
    ],
  };
}

let kube: FakeKubeServer | undefined;
let vpc: FakeVpcServer | undefined;
let dir: string | undefined;

afterEach(async () => {
  await Promise.all([kube?.close(), vpc?.close(), dir ? rm(dir, { recursive: true, force: true }) : undefined]);
  kube = vpc = dir = undefined;
});

async function start(world: World, vpcOptions: FakeVpcOptions = {}): Promise<{ kube: FakeKubeServer; vpc: FakeVpcServer }> {
  kube = await startFakeKube({ namespaceUids: { "kube-system": CLUSTER_UID }, ...world.kube });
  for (const p of world.pods) kube.createObject("pods", (p as { metadata: { namespace: string } }).metadata.namespace, p);
  for (const d of world.daemonSets) kube.createObject("daemonsets", "kube-system", d);
  for (const d of world.deployments) kube.createObject("deployments", "kube-system", d);
  kube.clearRequests();
  vpc = await startFakeVpc({
    regionId: REGION,
    vpcs: [
      {
        vpcId: VPC,
        ...(world.vSwitches ? { cidrBlock: "192.168.0.0/16", vSwitches: world.vSwitches } : {}),
        tables: [{ routeTableId: TABLE, entries: [{ destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" }, ...world.entries] }],
      },
    ],
    credentials: {
      [FAKE_ACCESS_KEY_ID]: { secret: FAKE_ACCESS_KEY_SECRET },
      [READ_ONLY_KEY]: { secret: FAKE_ACCESS_KEY_SECRET, allowedActions: ["DescribeRouteTableList", "DescribeRouteEntryList", "DescribeVpcAttribute", "DescribeVSwitches"] },
    },
    ...vpcOptions,
  });
  return { kube, vpc };
}

function doctor(extra: readonly string[], options: { keyId?: string; secret?: string; stdin?: string; kubeconfig?: boolean } = {}): Promise<CliResult> {
  return runCli(
    [
      "doctor",
      "--region",
      REGION,
      "--vpc-id",
      VPC,
      "--cluster-name",
      CLUSTER,
      "--vpc-endpoint",
      vpc!.url,
      ...(options.kubeconfig === false ? [] : ["--kubeconfig", kube!.kubeconfigPath]),
      "--api-qps",
      "50",
      "--log-level",
      "silent",
      ...extra,
    ],
    {
      env: baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: options.keyId ?? FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: options.secret ?? FAKE_ACCESS_KEY_SECRET }),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    },
  );
}

function parse(result: CliResult): DoctorReport {
  const parsed = doctorReportSchema.safeParse(JSON.parse(result.stdout));
  if (!parsed.success) throw new Error(`report does not match the schema: ${parsed.error.message}\n${result.stdout}`);
  return parsed.data;
}

const statuses = (report: DoctorReport): Record<string, string> => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

/** Nothing was written: only GETs to Kubernetes, only reads or DryRun writes to the VPC. */
function expectReadOnly(): void {
  const kubeWrites = kube!.requests().filter((r) => r.method !== "GET");
  expect(kubeWrites).toEqual([]);
  const vpcWrites = vpc!.requests().filter((r) => WRITE_ACTIONS.has(r.action) && r.params["DryRun"] !== "true");
  expect(vpcWrites).toEqual([]);
  expect(vpc!.requests().some((r) => r.action === "CreateRouteEntries" && r.params["DryRun"] === "true")).toBe(true);
}

describe("vpc-route-sync doctor", () => {
  it("passes every check on a clean cluster and exits 0", async () => {
    await start(cleanWorld());
    const before = vpc!.entries(TABLE);
    const result = await doctor(["--cluster-cidr", CLUSTER_CIDR, "--output", "json"]);
    const report = parse(result);
    expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
    expect(report).toMatchObject({ result: "pass", exitCode: 0, summary: { pass: ALL_CHECKS.length, warn: 0, fail: 0 }, source: { cluster: "api", routeTableIds: [TABLE] } });
    expect(result.code).toBe(0);
    expect(vpc!.entries(TABLE)).toEqual(before);
    expectReadOnly();
  });

  it("trips every check on a troubled cluster, exits 1, and still writes nothing", async () => {
    await start(troubledWorld());
    const before = vpc!.entries(TABLE);
    const result = await doctor(
      ["--cluster-cidr", CLUSTER_CIDR, "--route-table-ids", `${TABLE},vtb-doctormissing`, "--route-table-quota", "1", "--output", "json"],
      { keyId: READ_ONLY_KEY },
    );
    const report = parse(result);
    expect(statuses(report)).toEqual({
      "cluster-identity": "pass",
      "provider-id": "fail",
      "pod-cidrs": "fail",
      "pod-cidrs-in-cluster-cidr": "fail",
      "network-unavailable": "fail",
      "pod-ips": "fail",
      "daemonsets-on-virtual-nodes": "warn",
      "metrics-server": "warn",
      "nas-fsgroup": "warn",
      "cluster-version": "warn",
      "cloud-credentials": "pass",
      "route-tables": "fail",
      "write-permission": "fail",
      quota: "fail",
      "foreign-routes": "fail",
      "vpc-network": "fail",
      "orphan-routes": "warn",
      "unclaimed-routes": "pass",
      plan: "warn",
    });
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get("provider-id")?.objects.map((o) => o.name)).toEqual(["no-provider"]);
    expect(byId.get("provider-id")?.fix).toContain("--provider-id");
    expect(byId.get("pod-cidrs")?.objects.map((o) => o.name)).toEqual(["twin-a", "twin-b"]);
    expect(byId.get("cluster-identity")?.summary).toBe(`cluster ${CLUSTER}, kube-system UID ${CLUSTER_UID}`);
    expect(byId.get("pod-ips")?.objects).toEqual([expect.objectContaining({ kind: "Pod", namespace: "default", name: "misaddressed" })]);
    expect(byId.get("pod-ips")?.summary).toContain("node-2");
    expect(byId.get("daemonsets-on-virtual-nodes")?.objects.map((o) => o.name)).toEqual(["calico-node"]);
    expect(byId.get("daemonsets-on-virtual-nodes")?.fix).toContain("NotIn");
    expect(byId.get("nas-fsgroup")?.fix).toContain("OnRootMismatch");
    expect(byId.get("write-permission")?.objects[0]?.detail).toContain("Forbidden.RAM");
    expect(byId.get("route-tables")?.objects.map((o) => o.name)).toEqual(["vtb-doctormissing"]);
    expect(byId.get("orphan-routes")?.objects[0]?.detail).toContain(instance(9));
    // The controller's VPC-network read and conflict (overlaps-vpc-network): no create planned for it.
    expect(byId.get("vpc-network")?.objects.map((o) => o.name)).toEqual(["in-vswitch"]);
    expect(byId.get("plan")?.objects.map((o) => o.detail).join("\n")).not.toContain("in-vswitch");
    expect(vpc!.requests().map((r) => r.action)).toEqual(expect.arrayContaining(["DescribeVpcAttribute", "DescribeVSwitches"]));
    for (const check of report.checks.filter((c) => c.status !== "pass")) expect(check.fix, check.id).toEqual(expect.any(String));
    expect(report).toMatchObject({ result: "fail", exitCode: 1 });
    expect(result.code).toBe(1);
    expect(vpc!.entries(TABLE)).toEqual(before);
    expectReadOnly();
  });

  it("reports unusable credentials as a failed check and skips what needs the VPC", async () => {
    await start(cleanWorld());
    const result = await doctor(["--cluster-cidr", CLUSTER_CIDR, "--output", "json"], { secret: "not-the-secret" });
    const report = parse(result);
    expect(statuses(report)).toMatchObject({ "cloud-credentials": "fail", "route-tables": "fail", "write-permission": "warn", plan: "warn" });
    expect(report.checks.find((c) => c.id === "cloud-credentials")?.summary).toContain("SignatureDoesNotMatch");
    expect(result.code).toBe(1);
  });

  it("warns without --cluster-cidr (exit 0), and --strict turns the warning into exit 1; text is grouped by area", async () => {
    await start(cleanWorld());
    const relaxed = await doctor([]);
    expect(relaxed.stdout).toMatch(/^Nodes\n/);
    for (const area of ["Pods", "Virtual nodes", "Cloud (VPC API)", "Routes"]) expect(relaxed.stdout).toContain(`\n${area}\n`);
    expect(relaxed.stdout).toContain("WARN  pod CIDRs inside the cluster CIDR: skipped: no --cluster-cidr");
    expect(relaxed.stdout).toContain(`${ALL_CHECKS.length - 1} passed, 1 warned, 0 failed`);
    expect(relaxed.code).toBe(0);
    const strict = await doctor(["--strict", "--output", "json"]);
    expect(parse(strict)).toMatchObject({ strict: true, result: "warn", exitCode: 1 });
    expect(strict.code).toBe(1);
  });

  it("skips, with the reason, the checks whose objects RBAC forbids listing", async () => {
    await start(cleanWorld());
    kube!.faults.failRequests({ status: 403, path: /^\/api\/v1\/pods$/, reason: "Forbidden", message: 'pods is forbidden: User "system:serviceaccount:kube-system:vpc-route-sync" cannot list resource "pods"' });
    const result = await doctor(["--cluster-cidr", CLUSTER_CIDR, "--output", "json"]);
    const report = parse(result);
    const notPassed = report.checks.filter((c) => c.status !== "pass");
    expect(notPassed.map((c) => [c.id, c.status])).toEqual([
      ["pod-ips", "warn"],
      ["nas-fsgroup", "warn"],
    ]);
    expect(notPassed[0]?.summary).toMatch(/^skipped: cannot read pods: .*forbidden/i);
    expect(notPassed[0]?.fix).toContain("deploy/kustomize/base/doctor-rbac.yaml");
    expect(result.code).toBe(0);
  });

  it("reads kubectl dumps offline (one of them from stdin) without touching the Kubernetes API", async () => {
    await start(cleanWorld());
    dir = await mkdtemp(join(tmpdir(), "doctor-dumps-"));
    const asList = (kind: string, items: object[]): string => JSON.stringify({ apiVersion: "v1", kind: "List", items: items.map((i) => ({ kind, ...i })) });
    const nodesFile = join(dir, "nodes.json");
    const dsFile = join(dir, "ds.json");
    const deployFile = join(dir, "deploy.json");
    await writeFile(nodesFile, asList("Node", kube!.listNodes()));
    await writeFile(dsFile, asList("DaemonSet", kube!.listObjects("daemonsets")));
    await writeFile(deployFile, asList("Deployment", kube!.listObjects("deployments")));
    kube!.clearRequests();
    const result = await doctor(
      ["--cluster-cidr", CLUSTER_CIDR, "--nodes-file", nodesFile, "--pods-file", "-", "--daemonsets-file", dsFile, "--deployments-file", deployFile, "--output", "json"],
      { stdin: asList("Pod", kube!.listObjects("pods")), kubeconfig: false },
    );
    const report = parse(result);
    expect(report.source.cluster).toBe("files");
    // Everything passes but the version check, which needs /version (virtual nodes are present).
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => [c.id, c.summary])).toEqual([["cluster-version", "skipped: offline (dumps carry no /version)"]]);
    expect(result.code).toBe(0);
    expect(kube!.requests()).toEqual([]);
  });

  it("exits 2 on usage errors: two dumps from stdin, an unusable dump", async () => {
    await start(cleanWorld());
    const twoStdin = await doctor(["--nodes-file", "-", "--pods-file", "-"]);
    expect(twoStdin.stderr).toContain("--nodes-file and --pods-file");
    expect(twoStdin.code).toBe(2);
    const bad = await doctor(["--nodes-file", "-"], { stdin: "{not json" });
    expect(bad.stderr).toContain("--nodes-file standard input is not valid JSON");
    expect(bad.stderr).not.toContain("{not json");
    expect(bad.code).toBe(2);
    const missing = await doctor(["--pods-file", "/nonexistent/pods.json"]);
    expect(missing.stderr).toContain("--nodes-file is required");
    expect(missing.code).toBe(2);
  });
});
