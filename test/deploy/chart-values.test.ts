// The chart's values as a user meets them: values.schema.json and the templates refuse, at
// `helm template`/`helm install` time, what would otherwise render and fail later in the cluster
// (each message names the value), and the values users of well-kept charts expect are there and do
// what they say. The leader-election Role reaches only its own Lease. Skipped, with the reason,
// when helm is unavailable (scripts/build-helm.sh needs Go or a cached build).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { COMMAND_FLAGS } from "../../src/config/index.js";
import { CHART_DIR, CHART_REQUIRED_VALUES, helmBinary, KUSTOMIZE_DIR, renderChart } from "../support/renderings.js";

/* eslint-disable @typescript-eslint/no-unsafe-return -- rendered YAML is untyped data */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const objects = (yaml: string): Obj[] => parseAllDocuments(yaml).map((d): Obj => d.toJS()).filter((o) => o !== null);
const byKind = (all: Obj[], kind: string): Obj[] => all.filter((o) => o.kind === kind);

const helm = await helmBinary();
if (helm.helm === undefined) console.warn(`test/deploy/chart-values: skipped: ${helm.reason ?? ""}`);
const render = async (values: string[]): Promise<Obj[]> => objects(await renderChart(helm.helm!, [...CHART_REQUIRED_VALUES, ...values]));

/** `run` flags the chart sets through values of its own, and so refuses in extraSettings. */
const SET_BY_THE_CHART = [
  "region", "vpc-id", "route-table-ids", "cluster-name", "cluster-cidr", "vpc-endpoint-type", "log-level", "log-format",
  "cloud-config", "leader-elect", "leader-election-id", "metrics-secure", "metrics-cert-dir", "health-probe-bind-address",
  "metrics-bind-address", "identity",
  // In-cluster configuration; and the Role the chart grants covers Leases of the release namespace only.
  "kubeconfig", "leader-election-namespace",
];

const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as {
  properties: { extraSettings: { properties: Record<string, unknown> } };
};

describe("values.schema.json", () => {
  it("allows in extraSettings exactly the flags of `run` that have no value of their own (a new flag goes into one list or the other)", () => {
    const runFlags = COMMAND_FLAGS.run.map((f) => f.name).sort();
    const allowed = Object.keys(schema.properties.extraSettings.properties);
    expect([...allowed, ...SET_BY_THE_CHART].sort()).toEqual(runFlags);
    // values.yaml lists them for the reader.
    const values = readFileSync(join(CHART_DIR, "values.yaml"), "utf8");
    for (const flag of allowed) expect(values, flag).toContain(flag);
  });
});

describe.skipIf(helm.helm === undefined)("the chart refuses at install time, naming the value", () => {
  it.each([
    ["a cluster CIDR as a plain string", ["clusterCidr=10.244.0.0/16"], "at '/clusterCidr': got string, want array"],
    ["an IPv4 cluster CIDR with host bits", ["clusterCidr={10.244.1.0/16}"], 'clusterCidr "10.244.1.0/16": bits are set after the /16 prefix'],
    ["host bits inside the boundary octet", ["clusterCidr={10.244.8.0/20}"], 'clusterCidr "10.244.8.0/20": bits are set after the /20 prefix'],
    ["an IPv6 cluster CIDR with host bits", ["clusterCidr={10.244.0.0/16,fd00:10:244:80::/56}"], 'clusterCidr "fd00:10:244:80::/56": bits are set after the /56 prefix'],
    ["an IPv6 address for a network", ["clusterCidr={fd00::1/64}"], 'clusterCidr "fd00::1/64": bits are set after the /64 prefix'],
    ["two IPv4 cluster CIDRs", ["clusterCidr={10.244.0.0/16,10.245.0.0/16}"], 'clusterCidr "10.245.0.0/16": a second IPv4 CIDR'],
    ["a prefix length out of range", ["clusterCidr={10.244.0.0/33}"], "at '/clusterCidr/0'"],
    ["all of IPv4", ["clusterCidr={0.0.0.0/0}"], "at '/clusterCidr/0'"],
    ["a cluster name that is not a DNS label", ["clusterName=Prod_HZ"], "at '/clusterName': 'Prod_HZ' does not match pattern"],
    ["a zone for a region", ["region=cn-hangzhou-h"], "at '/region': 'cn-hangzhou-h' does not match pattern"],
    ["an endpoint for a region", ["region=vpc.cn-hangzhou.aliyuncs.com"], "at '/region': 'vpc.cn-hangzhou.aliyuncs.com' does not match pattern"],
    ["an unknown extraSettings key", ["extraSettings.max-deletion=3"], "at '/extraSettings': additional properties 'max-deletion' not allowed"],
    ["a setting the chart owns, in extraSettings", ["extraSettings.cluster-name=other"], "at '/extraSettings': additional properties 'cluster-name' not allowed"],
    ["a metrics reader without a namespace", ["metrics.secure.enabled=true", "metrics.secure.readers[0].name=prometheus-k8s"], "at '/metrics/secure/readers/0': missing property 'namespace'"],
    ["two replicas with leader election off", ["leaderElection.enabled=false"], "at '/replicaCount': maximum: got 2, want 1"],
    ["a misspelt top-level value", ["clusterCIDR={10.0.0.0/16}"], "at '': additional properties 'clusterCIDR' not allowed"],
  ])("%s", async (_case, values, message) => {
    await expect(renderChart(helm.helm!, [...CHART_REQUIRED_VALUES, ...values])).rejects.toThrow(message);
  });

  it("accepts the forms the controller accepts: region ids, dual-stack networks, one replica without leader election", async () => {
    for (const region of ["cn-hangzhou", "ap-southeast-1", "cn-shanghai-finance-1", "cn-north-2-gov-1"]) await render([`region=${region}`]);
    const dual = await render(["clusterCidr={10.244.0.0/14,fd00:10:244:100::/56}"]);
    expect(byKind(dual, "ConfigMap")[0].data.VPC_ROUTE_SYNC_CLUSTER_CIDR).toBe("10.244.0.0/14,fd00:10:244:100::/56");
    const single = await render(["leaderElection.enabled=false", "replicaCount=1"]);
    expect(byKind(single, "Deployment")[0].spec.replicas).toBe(1);
  });

  it("refuses two writers even with the schema skipped: the template checks too", async () => {
    const helmArgs = [...CHART_REQUIRED_VALUES, "leaderElection.enabled=false", "replicaCount=3"];
    const args = ["template", "x", CHART_DIR, "--skip-schema-validation", ...helmArgs.flatMap((v) => ["--set", v])];
    await expect(promisify(execFile)(helm.helm!, args)).rejects.toThrow("replicaCount 3 with leaderElection.enabled=false");
  });
});

describe.skipIf(helm.helm === undefined)("the values well-kept charts offer", () => {
  it("nameOverride, fullnameOverride and commonLabels reach every object", async () => {
    const named = await render(["fullnameOverride=routes", "commonLabels.team=network"]);
    for (const o of named) {
      expect(String(o.metadata.name), o.kind).toMatch(/^routes/);
      expect(o.metadata.labels.team, `${o.kind} ${o.metadata.name}`).toBe("network");
    }
    expect(byKind(named, "Deployment")[0].spec.template.metadata.labels.team).toBe("network");
    const renamed = await render(["nameOverride=vrs"]);
    expect(byKind(renamed, "Deployment")[0].metadata.name).toBe("vpc-route-sync-vrs");
    expect(byKind(renamed, "Deployment")[0].spec.selector.matchLabels["app.kubernetes.io/name"]).toBe("vrs");
  });

  it("security contexts, probes' timing, affinity, spread, env, volumes and args are the user's to change", async () => {
    const [deployment] = byKind(
      await render([
        "podSecurityContext.runAsUser=1000",
        "securityContext.readOnlyRootFilesystem=false",
        "livenessProbe.periodSeconds=20",
        "readinessProbe.failureThreshold=6",
        "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight=1",
        "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey=kubernetes.io/hostname",
        "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight=5",
        "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key=pool",
        "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].operator=Exists",
        "topologySpreadConstraints[0].maxSkew=1",
        "topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
        "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway",
        "env[0].name=HTTPS_PROXY",
        "env[0].value=http://proxy:3128",
        "extraVolumes[0].name=ca",
        "extraVolumes[0].configMap.name=corp-ca",
        "extraVolumeMounts[0].name=ca",
        "extraVolumeMounts[0].mountPath=/etc/ssl/corp",
        "extraArgs={--resync-period=10m}",
      ]),
      "Deployment",
    );
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ["ALL"] } });
    expect(container.livenessProbe).toMatchObject({ httpGet: { host: "127.0.0.1", path: "/healthz" }, periodSeconds: 20, failureThreshold: 3 });
    expect(container.readinessProbe).toMatchObject({ httpGet: { host: "127.0.0.1", path: "/readyz" }, failureThreshold: 6 });
    expect(pod.affinity).toEqual({
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: "pool", operator: "Exists" }] } }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: "kubernetes.io/hostname" } }] },
    });
    expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }]);
    expect(container.env).toContainEqual({ name: "HTTPS_PROXY", value: "http://proxy:3128" });
    expect(pod.volumes).toContainEqual({ name: "ca", configMap: { name: "corp-ca" } });
    expect(container.volumeMounts).toContainEqual({ name: "ca", mountPath: "/etc/ssl/corp" });
    expect(container.args.at(-1)).toBe("--resync-period=10m");
  });

  it("keeps the chart's placement where affinity does not say otherwise (ecsRamRole's control-plane requirement too)", async () => {
    const [deployment] = byKind(await render(["credentials.mode=ecsRamRole", "affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution=[]"]), "Deployment");
    const affinity = deployment.spec.template.spec.affinity;
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe("node-role.kubernetes.io/control-plane");
    expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
  });

  it("PodDisruptionBudget: maxUnavailable by default, minAvailable instead, or none", async () => {
    expect(byKind(await render([]), "PodDisruptionBudget")[0].spec).toMatchObject({ maxUnavailable: 1 });
    const min = byKind(await render(["podDisruptionBudget.minAvailable=1", "podDisruptionBudget.maxUnavailable=null"]), "PodDisruptionBudget")[0].spec;
    expect(min.minAvailable).toBe(1);
    expect(min.maxUnavailable).toBeUndefined();
    expect(byKind(await render(["podDisruptionBudget.enabled=false"]), "PodDisruptionBudget")).toEqual([]);
  });

  it("rbac.create=false leaves every role and binding to the user", async () => {
    const all = await render(["rbac.create=false", "metrics.secure.enabled=true"]);
    expect(all.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind))).toEqual([]);
    expect(byKind(all, "ServiceAccount")).toHaveLength(1);
  });

  it("ServiceMonitor: relabelings, metricRelabelings, and authorization from the user's Secret", async () => {
    const all = await render([
      "metrics.serviceMonitor.enabled=true",
      "metrics.secure.enabled=true",
      "metrics.serviceMonitor.relabelings[0].targetLabel=cluster",
      "metrics.serviceMonitor.relabelings[0].replacement=prod-hz-1",
      "metrics.serviceMonitor.metricRelabelings[0].action=drop",
      "metrics.serviceMonitor.metricRelabelings[0].regex=nodejs_.*",
      "metrics.serviceMonitor.metricRelabelings[0].sourceLabels={__name__}",
      "metrics.serviceMonitor.authorization.secretName=prometheus-token",
      "metrics.serviceMonitor.authorization.key=jwt",
    ]);
    const [endpoint] = byKind(all, "ServiceMonitor")[0].spec.endpoints;
    expect(endpoint.relabelings).toEqual([{ targetLabel: "cluster", replacement: "prod-hz-1" }]);
    expect(endpoint.metricRelabelings).toEqual([{ action: "drop", regex: "nodejs_.*", sourceLabels: ["__name__"] }]);
    expect(endpoint.authorization).toEqual({ type: "Bearer", credentials: { name: "prometheus-token", key: "jwt" } });
    // The user's Secret: the chart makes no scraper identity of its own.
    expect(byKind(all, "Secret")).toEqual([]);
  });
});

describe("the leader-election Role reaches its own Lease only", () => {
  const leaseRules = (all: Obj[]): Obj[] => byKind(all, "Role").flatMap((r) => r.rules).filter((r: Obj) => r.resources.includes("leases"));
  const expectOwnLease = (rules: Obj[], lease: string): void => {
    expect(rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [lease], verbs: ["get", "update"] },
      // RBAC sees no name on a create: resourceNames would deny it, so create stands alone.
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    ]);
  };

  it("deploy/kustomize: get/update of the --leader-election-id default, create unrestricted", () => {
    const leaseId = COMMAND_FLAGS.run.find((f) => f.name === "leader-election-id")?.default;
    expectOwnLease(leaseRules(objects(readFileSync(join(KUSTOMIZE_DIR, "base/rbac.yaml"), "utf8"))), leaseId!);
  });

  it.skipIf(helm.helm === undefined)("the chart: get/update of leaderElection.leaseName, which the controller is given", async () => {
    const all = await render(["leaderElection.leaseName=routes-leader"]);
    expectOwnLease(leaseRules(all), "routes-leader");
    expect(byKind(all, "ConfigMap")[0].data.VPC_ROUTE_SYNC_LEADER_ELECTION_ID).toBe("routes-leader");
  });
});
