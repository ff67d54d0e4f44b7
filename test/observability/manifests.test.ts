import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { COMMAND_FLAGS } from "../../src/config/flags.js";
import { exportedSeriesNames, PROMQL_FUNCTIONS, promqlReferences } from "./promql-names.js";

const MANIFESTS = join(import.meta.dirname, "../../deploy/kustomize/base");
const DOCS_METRICS = join(import.meta.dirname, "../../docs/metrics.md");

// Parsed YAML is untyped data; the tests below walk it with optional chaining and explicit expectations.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any };

function loadYaml(file: string): K8sObject[] {
  const docs = parseAllDocuments(readFileSync(join(MANIFESTS, file), "utf8"));
  for (const doc of docs) expect(doc.errors, file).toEqual([]);
  return docs.map((d) => d.toJS() as K8sObject);
}

/** Applied on their own, on purpose not part of the default kustomization. */
const OPTIONAL_FILES = new Set(["doctor-rbac.yaml"]);
const YAML_FILES = readdirSync(MANIFESTS).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml" && !OPTIONAL_FILES.has(f));

let known: Set<string>;
beforeAll(async () => {
  known = await exportedSeriesNames();
});

function expectKnownReferences(where: string, expr: string): void {
  const refs = promqlReferences(expr);
  expect(refs.metrics.size, `${where}: no metric in ${expr}`).toBeGreaterThan(0);
  for (const name of refs.metrics) expect(known.has(name), `${where}: unknown metric ${name} in ${expr}`).toBe(true);
  for (const fn of refs.functions) expect(PROMQL_FUNCTIONS.has(fn), `${where}: unknown function ${fn} in ${expr}`).toBe(true);
}

describe("promqlReferences", () => {
  it.each([
    ['sum by (job) (rate(a_total{x="y"}[5m])) / b > 0.9', ["a_total", "b"], ["sum", "rate"]],
    ["time() - max(c) > 600", ["c"], ["time", "max"]],
    ["x == 1 and on (instance) y == 1", ["x", "y"], []],
    ['histogram_quantile(0.9, sum by (le) (rate(h_bucket{job=~"$job"}[$__rate_interval])))', ["h_bucket"], ["histogram_quantile", "sum", "rate"]],
    ["absent(z) or vector(1e3)", ["z"], ["absent", "vector"]],
  ])("reads %s", (expr, metrics, functions) => {
    const refs = promqlReferences(expr);
    expect([...refs.metrics].sort()).toEqual([...metrics].sort());
    expect([...refs.functions].sort()).toEqual([...functions].sort());
  });
});

describe("Kubernetes manifests", () => {
  it.each(YAML_FILES)("%s holds valid, namespace-agnostic objects", (file) => {
    for (const object of loadYaml(file)) {
      expect(object.apiVersion, file).toMatch(/^[\w.]+\/v\d\w*$|^v1$/);
      expect(object.kind, file).toMatch(/^[A-Z]\w+$/);
      expect(object.metadata.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(object.metadata.namespace, `${file} ${object.kind} must not pin a namespace`).toBeUndefined();
      expect(object.metadata.labels?.["app.kubernetes.io/name"], `${file} ${object.kind}`).toBe("vpc-route-sync");
    }
  });

  it("kustomization.yaml lists every manifest", () => {
    const [kustomization] = parseAllDocuments(readFileSync(join(MANIFESTS, "kustomization.yaml"), "utf8")).map((d) => d.toJS() as { resources: string[] });
    expect([...kustomization!.resources].sort()).toEqual([...YAML_FILES].sort());
  });

  it("deployment.yaml runs 2 hardened replicas with loopback probes on :10282 and metrics on :10281", () => {
    const deployment = loadYaml("deployment.yaml").find((o) => o.kind === "Deployment")!;
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe("vpc-route-sync");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual({ metrics: 10281, health: 10282 });
    expect(container.livenessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/healthz", port: 10282 });
    expect(container.readinessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/readyz", port: 10282 });
    // Metrics on the node's own address (the downward API's status.hostIP), not on every interface.
    expect(container.args).toContain("--metrics-bind-address=$(HOST_IP):10281");
    expect(container.env).toContainEqual({ name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } });
    expect(container.args).toContain("--health-probe-bind-address=127.0.0.1:10282");
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
  });

  it("deployment.yaml passes only flags that `run` accepts, and no placeholders", () => {
    const container = loadYaml("deployment.yaml").find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0];
    const runFlags = new Set(COMMAND_FLAGS.run.map((f) => f.name));
    expect(container.args[0]).toBe("run");
    for (const arg of container.args.slice(1) as string[]) {
      const name = /^--([a-z-]+)(?:=|$)/.exec(arg)?.[1];
      expect(name !== undefined && runFlags.has(name), `unknown flag ${arg}`).toBe(true);
      // $(POD_NAME) and $(HOST_IP) are expanded by the kubelet from the env; nothing else is left for the user to fill in.
      expect(arg.replace("$(POD_NAME)", "").replace("$(HOST_IP)", "").match(/\b[A-Z][A-Z_]{3,}\b/g), `placeholder in ${arg}`).toBeNull();
    }
  });

  it("rbac.yaml grants what the controller needs and nothing more", () => {
    const objects = loadYaml("rbac.yaml");
    const clusterRole = objects.find((o) => o.kind === "ClusterRole") as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const role = objects.find((o) => o.kind === "Role") as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const grants = (rules: typeof clusterRole.rules): string[] =>
      rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || "core"}/${res}:${v}`)))).sort();
    expect(grants(clusterRole.rules)).toEqual(
      [
        "core/nodes:get", "core/nodes:list", "core/nodes:watch",
        // test/real-kube/rbac.test.ts proves on a real API server that each rule is needed.
        "core/nodes/status:get", "core/nodes/status:patch",
        "core/events:create", "core/events:patch",
        "core/namespaces:get",
      ].sort(),
    );
    // Namespaces: only kube-system, only get (its UID is the cluster identity).
    expect(clusterRole.rules.find((r) => r.resources.includes("namespaces"))).toMatchObject({ resourceNames: ["kube-system"], verbs: ["get"] });
    expect(grants(role.rules)).toEqual(["coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:update"]);
    // get/update only of its own Lease (test/deploy/chart-values.test.ts checks the name).
    expect(role.rules.filter((r) => !r.verbs.includes("create")).every((r) => (r as { resourceNames?: string[] }).resourceNames?.length === 1)).toBe(true);
    expect(objects.map((o) => o.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"]);
  });

  it("doctor-rbac.yaml only lets the controller's ServiceAccount list what doctor reads", () => {
    const objects = loadYaml("doctor-rbac.yaml");
    const role = objects.find((o) => o.kind === "ClusterRole") as unknown as { metadata: { name: string }; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const grants = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || "core"}/${res}:${v}`)))).sort();
    expect(grants).toEqual(["apps/daemonsets:list", "apps/deployments:list", "core/pods:list"]);
    const binding = objects.find((o) => o.kind === "ClusterRoleBinding") as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string }[] };
    expect(binding.roleRef.name).toBe(role.metadata.name);
    const serviceAccount = loadYaml("rbac.yaml").find((o) => o.kind === "ServiceAccount")!;
    expect(binding.subjects).toEqual([expect.objectContaining({ kind: "ServiceAccount", name: serviceAccount.metadata.name })]);
  });

  it("the ServiceMonitor selects the metrics Service, which targets the metrics port", () => {
    const [service] = loadYaml("service.yaml");
    const [monitor] = loadYaml("../components/prometheus-operator/servicemonitor.yaml");
    const deployment = loadYaml("deployment.yaml").find((o) => o.kind === "Deployment")!;
    expect(service!.metadata.labels).toMatchObject(monitor!.spec.selector.matchLabels);
    expect(monitor!.spec.endpoints[0].port).toBe(service!.spec.ports[0].name);
    expect(service!.spec.ports[0].targetPort).toBe("metrics");
    expect(deployment.spec.template.metadata.labels).toMatchObject(service!.spec.selector);
  });
});

describe("prometheusrule.yaml", () => {
  const [rule] = loadYaml("../components/prometheus-operator/prometheusrule.yaml") as unknown as { spec: { groups: { rules: { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[] } }[];
  const alerts = rule!.spec.groups.flatMap((g) => g.rules);

  it.each(alerts.map((a) => [a.alert, a] as const))("%s references only exported metrics", (name, alert) => {
    expectKnownReferences(name, alert.expr);
  });

  it.each(alerts.map((a) => [a.alert, a] as const))("%s has a severity, a summary and a runbook section in docs/metrics.md", (name, alert) => {
    expect(["critical", "warning", "info"]).toContain(alert.labels.severity);
    expect(alert.annotations.summary).toBeTruthy();
    const docs = readFileSync(DOCS_METRICS, "utf8");
    expect(docs).toMatch(new RegExp(`^### ${name}$`, "m"));
    expect(alert.annotations.runbook_url).toBe(`https://github.com/vpc-route-sync/vpc-route-sync/blob/main/docs/metrics.md#${name.toLowerCase()}`);
  });

  it("covers the conditions that matter", () => {
    const names = alerts.map((a) => a.alert);
    for (const metric of [
      "vpc_route_sync_last_successful_reconcile_timestamp_seconds",
      "vpc_route_sync_routes",
      "vpc_route_sync_route_table_entries_limit",
      "vpc_route_sync_cloud_api_throttles_total",
      "vpc_route_sync_leader",
      "vpc_route_sync_informer_synced",
    ]) {
      expect(alerts.some((a) => promqlReferences(a.expr).metrics.has(metric)), `${metric} in ${names.join(", ")}`).toBe(true);
    }
  });
});

describe("grafana-dashboard.json", () => {
  type Panel = { title: string; type: string; panels?: Panel[]; targets?: { expr: string }[] };
  const dashboard = JSON.parse(readFileSync(join(MANIFESTS, "grafana-dashboard.json"), "utf8")) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; definition?: string }[] };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => [`${p.title}`, t.expr] as const));

  it("parses and has queries", () => {
    expect(dashboard.uid).toBe("vpc-route-sync");
    expect(targets.length).toBeGreaterThan(10);
  });

  it.each(targets)("panel %s references only exported metrics: %s", (title, expr) => {
    expectKnownReferences(title, expr);
  });

  it("template variables query exported metrics", () => {
    for (const variable of dashboard.templating.list) {
      if (variable.definition === undefined) continue;
      const metric = /label_values\(\s*([A-Za-z_:][\w:]*)/.exec(variable.definition)?.[1];
      expect(metric !== undefined && known.has(metric), `${variable.name}: ${variable.definition}`).toBe(true);
    }
  });

  it("shows what operators look at", () => {
    const all = targets.map(([, expr]) => expr).join("\n");
    for (const metric of [
      "vpc_route_sync_routes",
      "vpc_route_sync_node_route_latency_seconds_bucket",
      "vpc_route_sync_cloud_api_calls_total",
      "vpc_route_sync_reconcile_duration_seconds_bucket",
      "vpc_route_sync_route_table_entries_limit",
      "vpc_route_sync_leader",
    ]) {
      expect(all).toContain(metric);
    }
  });
});
