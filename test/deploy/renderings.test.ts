// Every installable rendering (kustomize base, overlays, example; the chart per credentials mode)
// renders and holds a working installation: the settings it hands the controller parse into a
// valid `run` configuration, the pod is placed and probed as docs/install.md says, and the chart
// and the kustomize base agree. Skipped, with the reason, when kubectl's kustomize or helm
// (scripts/build-helm.sh needs Go or a cached build) is unavailable.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { COMMAND_FLAGS, envNameOf, parseConfig } from "../../src/config/index.js";
import { memoryIo } from "../config/helpers.js";
import {
  CHART_CASES,
  CHART_DIR,
  CHART_REQUIRED_VALUES,
  helmBinary,
  KUSTOMIZE_DIR,
  kustomizeCommand,
  renderChart,
  renderings,
  type Rendering,
} from "../support/renderings.js";

/* eslint-disable @typescript-eslint/no-unsafe-return -- rendered YAML is untyped data, walked with explicit expectations */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function objects(yaml: string): Obj[] {
  const docs = parseAllDocuments(yaml);
  for (const doc of docs) expect(doc.errors).toEqual([]);
  return docs.map((d): Obj => d.toJS()).filter((o) => o !== null);
}

const one = (all: Obj[], kind: string, nameIncludes = ""): Obj => {
  const found = all.filter((o) => o.kind === kind && String(o.metadata?.name).includes(nameIncludes));
  expect(found.length, `${kind} ${nameIncludes}`).toBe(1);
  return found[0];
};

const [kustomize, helm] = await Promise.all([kustomizeCommand(), helmBinary()]);
if (kustomize.command === undefined) console.warn(`test/deploy: kustomize renderings skipped: ${kustomize.reason ?? ""}`);
if (helm.helm === undefined) console.warn(`test/deploy: chart renderings skipped: ${helm.reason ?? ""}`);

let all: Rendering[] = [];
beforeAll(async () => {
  all = (await renderings()).renderings;
}, 900_000);

/** What the container is started with: args, and the environment from its ConfigMap and literal env. */
function startupOf(rendered: Obj[]): { args: string[]; env: Record<string, string>; pod: Obj; container: Obj } {
  const deployment = one(rendered, "Deployment");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = rendered.find((o) => o.kind === "ConfigMap" && o.metadata.name === source.configMapRef.name);
    expect(configMap, `envFrom ConfigMap ${source.configMapRef.name}`).toBeDefined();
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef) env[variable.name] = `secret-${variable.name.toLowerCase()}`;
  }
  const args = (container.args as string[]).map((a) => a.replace("$(POD_NAME)", "vpc-route-sync-0").replace("$(HOST_IP)", "192.168.0.5"));
  return { args, env, pod, container };
}

const KNOWN_ENV = new Set([
  ...Object.values(COMMAND_FLAGS.run).map((f) => envNameOf(f.name)),
  "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
  "ALIBABA_CLOUD_ROLE_ARN",
  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
  "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
  "ALIBABA_CLOUD_ECS_METADATA",
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  "POD_NAME",
  "POD_NAMESPACE",
  "HOST_IP",
  "KUBERNETES_SERVICE_HOST",
  "KUBERNETES_SERVICE_PORT",
]);

const CLOUD_CONFIG = JSON.stringify({ Global: { region: "cn-hangzhou", vpcid: "vpc-bp1fromccm", clusterID: "from-ccm" } });

describe.skipIf(kustomize.command === undefined && helm.helm === undefined)("every rendering", () => {
  it("renders", () => {
    const names = all.map((r) => r.name);
    if (kustomize.command) expect(names).toEqual(expect.arrayContaining(["kustomize/base", "kustomize/overlays/access-key", "kustomize/overlays/rrsa", "kustomize/overlays/ecs-ram-role", "kustomize/overlays/cloud-config", "kustomize/example"]));
    if (helm.helm) expect(names).toEqual(expect.arrayContaining(Object.keys(CHART_CASES).map((c) => `helm/${c}`)));
  });

  it("holds well-formed objects with the project's name label", () => {
    for (const { name, yaml } of all) {
      for (const o of objects(yaml)) {
        expect(o.apiVersion, name).toMatch(/^([\w.]+\/)?v\d\w*$/);
        expect(o.metadata.name, `${name} ${o.kind}`).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        expect(o.metadata.labels?.["app.kubernetes.io/name"], `${name} ${o.kind} ${o.metadata.name}`).toBe("vpc-route-sync");
      }
    }
  });

  it("bootstraps a cluster without routes: host network, node resolver, VPC endpoints, CCM-like placement", () => {
    for (const { name, yaml } of all) {
      const { pod, env } = startupOf(objects(yaml));
      expect(pod.hostNetwork, name).toBe(true);
      expect(pod.dnsPolicy, name).toBe("Default");
      expect(pod.priorityClassName, name).toBe("system-cluster-critical");
      const tolerated = pod.tolerations.map((t: Obj) => `${t.key}:${t.effect ?? "*"}`);
      for (const taint of [
        "node.kubernetes.io/not-ready:*",
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/network-unavailable:NoSchedule",
        "node.cloudprovider.kubernetes.io/uninitialized:NoSchedule",
        "CriticalAddonsOnly:*",
        "node-role.kubernetes.io/control-plane:NoSchedule",
      ]) {
        expect(tolerated, `${name} tolerates ${taint}`).toContain(taint);
      }
      const nodeAffinity = JSON.stringify(pod.affinity.nodeAffinity);
      expect(nodeAffinity, name).toContain("node-role.kubernetes.io/control-plane");
      if (!name.endsWith("/default")) {
        expect(env.VPC_ROUTE_SYNC_VPC_ENDPOINT_TYPE, name).toBe("vpc");
        expect(env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, name).toBe("true");
      }
    }
  });

  it("probes health on loopback and serves metrics on the node's own address, on uncommon host ports", () => {
    for (const { name, yaml } of all) {
      const { args, container } = startupOf(objects(yaml));
      expect(container.args, name).toContain(`--metrics-bind-address=$(HOST_IP):${/:(\d+)$/.exec(args.find((a) => a.startsWith("--metrics-bind-address=")) ?? "")?.[1]}`);
      expect(container.env.find((e: Obj) => e.name === "HOST_IP")?.valueFrom, name).toEqual({ fieldRef: { fieldPath: "status.hostIP" } });
      const health = /^--health-probe-bind-address=(.*):(\d+)$/.exec(args.find((a) => a.startsWith("--health-probe-bind-address=")) ?? "");
      const metrics = /^--metrics-bind-address=(.*):(\d+)$/.exec(args.find((a) => a.startsWith("--metrics-bind-address=")) ?? "");
      expect(health?.[1], name).toBe("127.0.0.1");
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect(probe.httpGet, name).toMatchObject({ host: "127.0.0.1", port: Number(health?.[2]) });
      }
      for (const port of [Number(health?.[2]), Number(metrics?.[2])]) {
        expect([80, 443, 8080, 8443, 9090, 9100, 9093, 10250, 10256, 10257, 10258, 10259], name).not.toContain(port);
      }
      const declared = Object.fromEntries(container.ports.map((p: Obj) => [p.name, p.containerPort]));
      expect(declared, name).toEqual({ metrics: Number(metrics?.[2]), health: Number(health?.[2]) });
    }
  });

  it("passes settings only as known VPC_ROUTE_SYNC_* / ALIBABA_CLOUD_* variables, never as placeholders in args", () => {
    const runFlags = new Set(COMMAND_FLAGS.run.map((f) => f.name));
    for (const { name, yaml } of all) {
      const { args, env } = startupOf(objects(yaml));
      expect(args[0]).toBe("run");
      for (const arg of args.slice(1)) expect(runFlags.has(/^--([a-z-]+)=/.exec(arg)?.[1] ?? ""), `${name}: ${arg}`).toBe(true);
      for (const key of Object.keys(env)) expect(KNOWN_ENV.has(key), `${name}: unknown variable ${key}`).toBe(true);
    }
  });

  it("complete installations (example, chart) start: their settings parse into a valid `run` configuration with a cluster CIDR", () => {
    const complete = all.filter((r) => r.name === "kustomize/example" || r.name.startsWith("helm/"));
    for (const { name, yaml } of complete) {
      const { args, env } = startupOf(objects(yaml));
      const outcome = parseConfig(args, env, memoryIo({ "/etc/kubernetes/config/cloud-config.conf": CLOUD_CONFIG }));
      expect(outcome.kind, name).toBe("config");
      const config = outcome.kind === "config" && outcome.config.command === "run" ? outcome.config : undefined;
      expect(config?.clusterCidrs.length, name).toBeGreaterThan(0);
      expect(config?.healthProbeBindAddress, name).toMatch(/^127\.0\.0\.1:/);
      // docs/install.md "Verify": `kubectl exec deploy/vpc-route-sync -- node /app/dist/cli.js reconcile --dry-run` uses the same variables.
      const verify = parseConfig(["reconcile", "--dry-run"], env, memoryIo({ "/etc/kubernetes/config/cloud-config.conf": CLOUD_CONFIG }));
      expect(verify.kind === "config" && verify.config.command === "reconcile" && verify.config.dryRun, name).toBe(true);
    }
  });

  it("the base alone refuses to start with a message naming the missing setting", () => {
    const base = all.find((r) => r.name === "kustomize/base");
    if (base === undefined) return;
    const { args, env } = startupOf(objects(base.yaml));
    expect(() => parseConfig(args, env, memoryIo())).toThrow(/missing --region/);
  });
});

describe.skipIf(kustomize.command === undefined)("kustomize overlays", () => {
  const rendered = (name: string) => objects(all.find((r) => r.name === `kustomize/${name}`)?.yaml ?? "");

  it("access-key: both keys from the Secret, required", () => {
    const { container } = startupOf(rendered("overlays/access-key"));
    const refs = container.env.filter((e: Obj) => e.valueFrom?.secretKeyRef).map((e: Obj) => [e.name, e.valueFrom.secretKeyRef]);
    expect(refs).toEqual([
      ["ALIBABA_CLOUD_ACCESS_KEY_ID", { name: "vpc-route-sync-credentials", key: "access-key-id" }],
      ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", { name: "vpc-route-sync-credentials", key: "access-key-secret" }],
    ]);
  });

  it("rrsa: a projected token for sts.aliyuncs.com where ALIBABA_CLOUD_OIDC_TOKEN_FILE points", () => {
    const { pod, container, env } = startupOf(rendered("overlays/rrsa"));
    const volume = pod.volumes.find((v: Obj) => v.projected);
    const token = volume.projected.sources[0].serviceAccountToken;
    expect(token.audience).toBe("sts.aliyuncs.com");
    const mount = container.volumeMounts.find((m: Obj) => m.name === volume.name);
    expect(env.ALIBABA_CLOUD_OIDC_TOKEN_FILE).toBe(`${mount.mountPath}/${token.path}`);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"]));
  });

  it("ecs-ram-role: pinned to control-plane nodes", () => {
    const { pod } = startupOf(rendered("overlays/ecs-ram-role"));
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: "node-role.kubernetes.io/control-plane", operator: "Exists" },
    ]);
  });

  it("cloud-config: the CCM's file mounted where VPC_ROUTE_SYNC_CLOUD_CONFIG points", () => {
    const { pod, container, env } = startupOf(rendered("overlays/cloud-config"));
    const volume = pod.volumes.find((v: Obj) => v.configMap);
    const mount = container.volumeMounts.find((m: Obj) => m.name === volume.name);
    expect(env.VPC_ROUTE_SYNC_CLOUD_CONFIG).toBe(`${mount.mountPath}/${volume.configMap.items[0].path}`);
  });

  it("needs no Prometheus Operator CRDs without components/prometheus-operator, and brings both kinds with it", () => {
    for (const { name, yaml } of all.filter((r) => r.name.startsWith("kustomize/") && !r.name.includes("prometheus-operator"))) {
      expect(objects(yaml).filter((o) => String(o.apiVersion).startsWith("monitoring.coreos.com/")), name).toEqual([]);
    }
    const withOperator = objects(all.find((r) => r.name === "kustomize/example+components/prometheus-operator")?.yaml ?? "");
    expect(withOperator.filter((o) => String(o.apiVersion).startsWith("monitoring.coreos.com/")).map((o) => o.kind).sort()).toEqual(["PrometheusRule", "ServiceMonitor"]);
  });

  it("the dashboard ConfigMap carries the Grafana sidecar label and the dashboard", () => {
    const dashboard = one(rendered("base"), "ConfigMap", "dashboard");
    expect(dashboard.metadata.labels.grafana_dashboard).toBe("1");
    expect(JSON.parse(dashboard.data["grafana-dashboard.json"])).toEqual(JSON.parse(readFileSync(join(KUSTOMIZE_DIR, "base/grafana-dashboard.json"), "utf8")));
  });
});

describe.skipIf(kustomize.command === undefined && helm.helm === undefined)("secure metrics (component, chart)", () => {
  const secure = (): Rendering[] => all.filter((r) => r.name.includes("secure-metrics"));

  it("switch --metrics-secure on, grant the reviews, offer a reader role and scrape over https with a token from a Secret", () => {
    expect(secure().length).toBe((kustomize.command ? 2 : 0) + (helm.helm ? 1 : 0));
    for (const { name, yaml } of secure()) {
      const rendered = objects(yaml);
      const { args, env } = startupOf(rendered);
      const outcome = parseConfig(args, env, memoryIo());
      expect(outcome.kind === "config" && outcome.config.command === "run" && outcome.config.metricsSecure, name).toBe(true);
      const rules = rendered.filter((o) => o.kind === "ClusterRole").flatMap((o) => o.rules);
      expect(rules, name).toContainEqual({ apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] });
      expect(rules, name).toContainEqual({ apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] });
      expect(rules, name).toContainEqual({ nonResourceURLs: ["/metrics"], verbs: ["get"] });
      const monitors = rendered.filter((o) => o.kind === "ServiceMonitor");
      // secure-metrics without prometheus-operator: nothing to patch, and no ServiceMonitor appears.
      expect(monitors.length, name).toBe(name.includes("prometheus-operator") || name.startsWith("helm/") ? 1 : 0);
      for (const monitor of monitors) {
        const endpoint = monitor.spec.endpoints[0];
        expect(endpoint, name).toMatchObject({ scheme: "https", authorization: { type: "Bearer", credentials: { key: "token" } } });
        expect(endpoint.bearerTokenFile, name).toBeUndefined();
        // The Secret is a token of a ServiceAccount bound to the metrics-reader ClusterRole.
        const secret = one(rendered, "Secret", endpoint.authorization.credentials.name);
        expect(secret.type, name).toBe("kubernetes.io/service-account-token");
        const scraper = secret.metadata.annotations["kubernetes.io/service-account.name"];
        expect(one(rendered, "ServiceAccount", scraper).metadata.name, name).toBe(scraper);
        const binding = one(rendered, "ClusterRoleBinding", scraper);
        expect(binding.roleRef.name, name).toBe(one(rendered, "ClusterRole", "metrics-reader").metadata.name);
        expect(binding.subjects.map((s: Obj) => s.name), name).toEqual([scraper]);
      }
    }
  });

  it.skipIf(helm.helm === undefined)("the chart mounts a certificate Secret where --metrics-cert-dir points", () => {
    const chart = objects(all.find((r) => r.name === "helm/secure-metrics")?.yaml ?? "");
    const { pod, container, env } = startupOf(chart);
    const volume = pod.volumes.find((v: Obj) => v.secret);
    expect(volume.secret.secretName).toBe("vpc-route-sync-metrics-tls");
    expect(container.volumeMounts.find((m: Obj) => m.name === volume.name).mountPath).toBe(env.VPC_ROUTE_SYNC_METRICS_CERT_DIR);
    expect(one(chart, "ClusterRoleBinding", "metrics-reader").subjects).toEqual([{ kind: "ServiceAccount", name: "prometheus-k8s", namespace: "monitoring" }]);
  });
});

describe.skipIf(helm.helm === undefined)("the Helm chart", () => {
  const render = (values: string[]) => renderChart(helm.helm!, [...CHART_REQUIRED_VALUES, ...values]);

  it("has the same RBAC rules as the kustomize base", async () => {
    const base = objects(readFileSync(join(KUSTOMIZE_DIR, "base/rbac.yaml"), "utf8"));
    const chart = objects(await render([]));
    for (const kind of ["ClusterRole", "Role"]) expect(one(chart, kind).rules, kind).toEqual(one(base, kind).rules);
    const component = objects(readFileSync(join(KUSTOMIZE_DIR, "components/secure-metrics/rbac.yaml"), "utf8"));
    const secure = objects(await render(["metrics.secure.enabled=true"]));
    for (const suffix of ["metrics-auth", "metrics-reader"]) expect(one(secure, "ClusterRole", suffix).rules, suffix).toEqual(one(component, "ClusterRole", suffix).rules);
  });

  it("grants doctor's reads only when doctor.rbac.enabled, with the rules of deploy/kustomize/base/doctor-rbac.yaml", async () => {
    const base = objects(readFileSync(join(KUSTOMIZE_DIR, "base/doctor-rbac.yaml"), "utf8"));
    const chart = objects(all.find((r) => r.name === "helm/access-key")?.yaml ?? "");
    expect(one(chart, "ClusterRole", "doctor").rules).toEqual(one(base, "ClusterRole").rules);
    const binding = one(chart, "ClusterRoleBinding", "doctor");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: one(chart, "ClusterRole", "doctor").metadata.name });
    const serviceAccount = one(chart, "ServiceAccount").metadata.name;
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: serviceAccount, namespace: "kube-system" }]);
    const elsewhere = objects(await renderChart(helm.helm!, [...CHART_REQUIRED_VALUES, "doctor.rbac.enabled=true"], "ops"));
    expect(one(elsewhere, "ClusterRoleBinding", "doctor").subjects[0].namespace).toBe("ops");
    const byDefault = objects(await render([]));
    expect(byDefault.filter((o) => String(o.metadata.name).includes("doctor"))).toEqual([]);
  });

  it("carries the base's dashboard and alert rules unchanged (scripts/sync-chart-files.sh)", async () => {
    const chart = objects(await render(["metrics.prometheusRule.enabled=true", "metrics.dashboard.enabled=true"]));
    const baseRule = objects(readFileSync(join(KUSTOMIZE_DIR, "components/prometheus-operator/prometheusrule.yaml"), "utf8"))[0];
    expect(one(chart, "PrometheusRule").spec).toEqual(baseRule.spec);
    const dashboard = one(chart, "ConfigMap", "dashboard");
    expect(dashboard.metadata.labels.grafana_dashboard).toBe("1");
    expect(JSON.parse(dashboard.data["vpc-route-sync.json"])).toEqual(JSON.parse(readFileSync(join(CHART_DIR, "files/grafana-dashboard.json"), "utf8")));
    expect(readFileSync(join(CHART_DIR, "files/grafana-dashboard.json"), "utf8")).toBe(readFileSync(join(KUSTOMIZE_DIR, "base/grafana-dashboard.json"), "utf8"));
  });

  it("alerts link absolute runbook URLs, under a configurable base", async () => {
    const chart = objects(await render(["metrics.prometheusRule.enabled=true", "metrics.prometheusRule.runbookBaseUrl=https://docs.example.com/metrics"]));
    const rules = one(chart, "PrometheusRule").spec.groups.flatMap((g: Obj) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) expect(rule.annotations.runbook_url).toBe(`https://docs.example.com/metrics#${String(rule.alert).toLowerCase()}`);
  });

  it("the ServiceMonitor carries the Prometheus Operator's selector label and selects the metrics Service", async () => {
    const chart = objects(await render(["metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=kube-prometheus-stack"]));
    const monitor = one(chart, "ServiceMonitor");
    const service = one(chart, "Service");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints[0].port).toBe(service.spec.ports[0].name);
    expect(one(chart, "Deployment").spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it("leaves the optional objects out by default", async () => {
    const kinds = objects(await render([])).map((o) => o.kind);
    expect(kinds).not.toContain("ServiceMonitor");
    expect(kinds).not.toContain("PrometheusRule");
    expect(kinds.filter((k) => k === "ConfigMap")).toHaveLength(1);
  });

  it.each([
    [[], "region is required"],
    [["region=cn-hangzhou", "clusterName=c", "clusterCidr={10.0.0.0/16}"], "vpcId or routeTableIds is required"],
    [["region=cn-hangzhou", "vpcId=vpc-a", "clusterCidr={10.0.0.0/16}"], "clusterName is required"],
    [["region=cn-hangzhou", "vpcId=vpc-a", "clusterName=c"], "clusterCidr is required"],
    [[...CHART_REQUIRED_VALUES, "credentials.mode=rrsa"], "credentials.rrsa.roleArn is required with credentials.mode=rrsa"],
    [[...CHART_REQUIRED_VALUES, "credentials.mode=magic"], "at '/credentials/mode': value must be one of 'accessKey', 'rrsa', 'ecsRamRole', 'cloudConfig', 'default'"],
    [[...CHART_REQUIRED_VALUES, "vpcEndpointType=internal"], "at '/vpcEndpointType': value must be one of 'vpc', 'public'"],
  ])("refuses %j: %s", async (values, message) => {
    await expect(renderChart(helm.helm!, values)).rejects.toThrow(message);
  });

  it("extraSettings become VPC_ROUTE_SYNC_* variables that the controller accepts", async () => {
    const chart = objects(await render(["extraSettings.max-deletions=10", "extraSettings.api-qps=2"]));
    const { args, env } = startupOf(chart);
    expect(env).toMatchObject({ VPC_ROUTE_SYNC_MAX_DELETIONS: "10", VPC_ROUTE_SYNC_API_QPS: "2" });
    const outcome = parseConfig(args, env, memoryIo());
    expect(outcome.kind === "config" && outcome.config.command === "run" && outcome.config.apiQps).toBe(2);
  });
});
