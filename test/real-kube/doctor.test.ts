// `vpc-route-sync doctor` against the real API server: Nodes, Pods and DaemonSets seeded
// on a real kube-apiserver, the fake VPC on loopback, and the built CLI run with a ServiceAccount
// token bound to the controller's roles plus the doctor's ClusterRole (deploy/kustomize/base/
// rbac.yaml + doctor-rbac.yaml), not as admin. The audit log shows that it only read, and that RBAC
// denied nothing. Skipped with the tier.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeVpc, FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, type FakeVpcServer, type SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { doctorReportSchema, type DoctorReport } from "../../src/doctor/report.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { baseEnv, runCli } from "../support/cli.js";
import { waitFor } from "../support/wait-for.js";
import { auditEvents, manifestObjects, permissionOf, RealCluster, realKube, skipReason, tempDir, writeKubeconfig, type KubeObject } from "./support.js";
import { nodeObject } from "../support/nodes.js";

const NS = "vrs-doctor";
const SA = "vpc-route-sync";
const USER = `system:serviceaccount:${NS}:${SA}`;
const BASE = join(import.meta.dirname, "..", "..", "deploy", "kustomize", "base");
const REGION = "cn-hangzhou";
const VPC = "vpc-realdoctor01";
const TABLE = "vtb-realdoctor01";
const CLUSTER = "real-doctor";
const instance = (n: number): string => `i-bp1realdoc0000${n}`;

function daemonSet(name: string, podSpec: object): object {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1.0` }], ...podSpec } } },
  };
}

/** The controller's and the doctor's roles, bound to NS's ServiceAccount. */
async function rbacObjects(): Promise<KubeObject[]> {
  const objects = [...(await manifestObjects(join(BASE, "rbac.yaml"))), ...(await manifestObjects(join(BASE, "doctor-rbac.yaml")))];
  for (const o of objects) {
    if (o.kind === "ClusterRoleBinding") for (const s of (o as { subjects?: { namespace?: string }[] }).subjects ?? []) s.namespace = NS;
  }
  return objects;
}

describe.skipIf(realKube === undefined)(`vpc-route-sync doctor on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cluster: RealCluster;
  let vpc: FakeVpcServer | undefined;
  let kubeconfigPath: string;
  let removeTemp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    cluster = new RealCluster(realKube!);
    await cluster.deleteAllNodes();
    await cluster.ensureNamespace(NS);
    for (const o of await rbacObjects()) await cluster.apply(o, NS);
    // Pods need their ServiceAccount to exist (no controller-manager here creates "default").
    await cluster.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } }, NS);
    await cluster.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SA } }, NS);
    await waitFor("RBAC to let the ServiceAccount list pods and daemonsets", async () => {
      for (const [group, resource] of [["", "pods"], ["apps", "daemonsets"], ["", "nodes"]] as const) {
        const review = await cluster.call<{ status: { allowed?: boolean } }>("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: { user: USER, groups: ["system:serviceaccounts", `system:serviceaccounts:${NS}`, "system:authenticated"], resourceAttributes: { group, resource, verb: "list" } },
        });
        if (review.status.allowed !== true) return false;
      }
      return true;
    });
    const temp = await tempDir("vrs-doctor-");
    removeTemp = temp.remove;
    kubeconfigPath = await writeKubeconfig(realKube!, temp.path, "doctor", await cluster.serviceAccountToken(NS, SA));

    // doc-1 is in place; doc-2's Pod has an address outside its pod CIDR; doc-bad has no usable providerID.
    await cluster.createNode(nodeObject("doc-1", { region: REGION, instance: instance(1), podCidrs: ["10.244.1.0/24"] }));
    await cluster.createNode(nodeObject("doc-2", { region: REGION, instance: instance(2), podCidrs: ["10.244.2.0/24"] }));
    await cluster.createNode(nodeObject("doc-bad", { providerId: "i-notaproviderid", podCidrs: ["10.244.3.0/24"] }));
    await cluster.createNode(
      nodeObject("doc-virtual", { podCidrs: [], labels: { type: "virtual-kubelet" }, taints: [{ key: "virtual-kubelet.io/provider", value: "alibabacloud", effect: "NoSchedule" }] }),
    );
    for (const [name, nodeName, ip] of [["web-1", "doc-1", "10.244.1.5"], ["misaddressed", "doc-2", "10.99.0.5"]] as const) {
      // Nothing schedules or runs them: the Node is set, and the address posted as a kubelet would.
      await cluster.call("POST", `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { nodeName, automountServiceAccountToken: false, containers: [{ name: "app", image: "nginx:1.27" }] },
      });
      await cluster.call("PATCH", `/api/v1/namespaces/${NS}/pods/${name}/status`, { status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } }, "application/merge-patch+json");
    }
    await cluster.call("POST", `/apis/apps/v1/namespaces/${NS}/daemonsets`, daemonSet("calico-node", { tolerations: [{ operator: "Exists" }] }));
    await cluster.call(
      "POST",
      `/apis/apps/v1/namespaces/${NS}/daemonsets`,
      daemonSet("kube-proxy", {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "type", operator: "NotIn", values: ["virtual-kubelet"] }] }] } } },
        tolerations: [{ operator: "Exists" }],
      }),
    );

    const clusterUid = (await cluster.call<{ metadata: { uid: string } }>("GET", "/api/v1/namespaces/kube-system")).metadata.uid;
    const own = (cidr: string, nodeName: string, instanceId: string): SeedEntry => ({ destinationCidr: cidr, nextHopType: "Instance", nextHopId: instanceId, ...routeMarker(CLUSTER, nodeName, clusterUid) });
    vpc = await startFakeVpc({
      regionId: REGION,
      vpcs: [
        {
          vpcId: VPC,
          tables: [
            {
              routeTableId: TABLE,
              entries: [{ destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" }, own("10.244.1.0/24", "doc-1", instance(1)), own("10.244.2.0/24", "doc-2", instance(2))],
            },
          ],
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await vpc?.close();
    await cluster?.deleteAllNodes();
    await cluster?.maybe("DELETE", `/api/v1/namespaces/${NS}/pods`);
    await cluster?.maybe("DELETE", `/apis/apps/v1/namespaces/${NS}/daemonsets`);
    await removeTemp?.();
  });

  it("finds the Pod outside its Node's pod CIDR, the bad providerID and the DaemonSet on the virtual node, reading only", async () => {
    const since = (await auditEvents(realKube!, USER)).length;
    const before = vpc!.entries(TABLE);
    const result = await runCli(
      ["doctor", "--region", REGION, "--vpc-id", VPC, "--cluster-name", CLUSTER, "--vpc-endpoint", vpc!.url, "--kubeconfig", kubeconfigPath, "--cluster-cidr", "10.244.0.0/16", "--log-level", "silent", "--output", "json"],
      { env: baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET }) },
    );
    const parsed = doctorReportSchema.safeParse(JSON.parse(result.stdout));
    if (!parsed.success) throw new Error(`report does not match the schema: ${parsed.error.message}\n${result.stdout}\n${result.stderr}`);
    const report: DoctorReport = parsed.data;
    const byId = new Map(report.checks.map((c) => [c.id, c]));

    expect(byId.get("cluster-identity")?.status).toBe("pass");
    expect(byId.get("provider-id")).toMatchObject({ status: "fail", objects: [expect.objectContaining({ kind: "Node", name: "doc-bad" })] });
    expect(byId.get("pod-ips")).toMatchObject({ status: "fail", objects: [expect.objectContaining({ kind: "Pod", namespace: NS, name: "misaddressed" })] });
    expect(byId.get("daemonsets-on-virtual-nodes")).toMatchObject({ status: "warn", objects: [expect.objectContaining({ kind: "DaemonSet", name: "calico-node" })] });
    expect(byId.get("vpc-network")?.status).toBe("pass");
    expect(report).toMatchObject({ result: "fail", exitCode: 1, source: { cluster: "api", routeTableIds: [TABLE] } });
    expect(result.code).toBe(1);

    // Read-only: the VPC unchanged, and on the API server only reads by the ServiceAccount, none denied.
    expect(vpc!.entries(TABLE)).toEqual(before);
    const calls = (await auditEvents(realKube!, USER)).slice(since);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((e) => !["get", "list"].includes(e.verb)).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
    expect(calls.filter((e) => e.responseStatus?.code === 403).map((e) => `${permissionOf(e)} ${e.requestURI}`)).toEqual([]);
    for (const listed of ["list /nodes", "list /pods", "list apps/daemonsets"]) expect(calls.map((e) => permissionOf(e)), listed).toContain(listed);
  });
});
