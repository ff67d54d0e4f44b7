// Pods (core/v1), DaemonSets and Deployments (apps/v1) and /version in the fake Kubernetes API,
// read through @kubernetes/client-node the way `doctor` reads them: lists across all namespaces
// with pagination, the real field names, and a configurable server version.
import { AppsV1Api, CoreV1Api, VersionApi } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";
import { kubeConfigFor } from "./helpers.ts";

let fake: FakeKubeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const POD = {
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    nodeName: "n1",
    hostNetwork: false,
    securityContext: { fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" },
    containers: [{ name: "web", image: "nginx:1.27" }],
    volumes: [{ name: "data", nfs: { server: "nas.example", path: "/" } }],
  },
  status: { phase: "Running", podIP: "10.244.1.5", podIPs: [{ ip: "10.244.1.5" }] },
};

const TEMPLATE = {
  metadata: { labels: { app: "x" } },
  spec: {
    containers: [{ name: "x", image: "registry.k8s.io/metrics-server/metrics-server:v0.7.2" }],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "type", operator: "NotIn", values: ["virtual-kubelet"] }] }] } },
    },
    tolerations: [{ operator: "Exists" }],
  },
};

describe("fake Kubernetes API: Pods, DaemonSets, Deployments, /version", () => {
  it("lists Pods across namespaces in pages, with the fields Kubernetes serves", async () => {
    fake = await startFakeKube();
    for (let i = 0; i < 5; i++) fake.createObject("pods", i % 2 === 0 ? "default" : "kube-system", { ...POD, metadata: { ...POD.metadata, name: `web-${i}` } });
    const core = kubeConfigFor(fake).makeApiClient(CoreV1Api);
    const first = await core.listPodForAllNamespaces({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata?._continue).toBeTruthy();
    const all = [...first.items];
    let token = first.metadata?._continue;
    while (token) {
      const page = await core.listPodForAllNamespaces({ limit: 2, _continue: token });
      all.push(...page.items);
      token = page.metadata?._continue;
    }
    expect(all.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()).toEqual([
      "default/web-0",
      "default/web-2",
      "default/web-4",
      "kube-system/web-1",
      "kube-system/web-3",
    ]);
    const pod = all[0]!;
    expect(pod.status?.podIPs?.[0]?.ip).toBe("10.244.1.5");
    expect(pod.spec?.securityContext?.fsGroupChangePolicy).toBe("OnRootMismatch");
    expect(pod.spec?.volumes?.[0]?.nfs?.server).toBe("nas.example");
    expect((await core.listNamespacedPod({ namespace: "kube-system" })).items).toHaveLength(2);
    expect((await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=n1,metadata.name=web-3" })).items.map((p) => p.metadata?.name)).toEqual(["web-3"]);
  });

  it("serves DaemonSets and Deployments under apps/v1", async () => {
    fake = await startFakeKube();
    fake.createObject("daemonsets", "kube-system", { metadata: { name: "calico-node" }, spec: { selector: { matchLabels: { app: "x" } }, template: TEMPLATE } });
    fake.createObject("deployments", "kube-system", { metadata: { name: "metrics-server" }, spec: { replicas: 1, selector: { matchLabels: { app: "x" } }, template: TEMPLATE } });
    const apps = kubeConfigFor(fake).makeApiClient(AppsV1Api);
    const ds = (await apps.listDaemonSetForAllNamespaces()).items;
    expect(ds.map((d) => [d.apiVersion, d.kind, d.metadata?.namespace, d.metadata?.name])).toEqual([["apps/v1", "DaemonSet", "kube-system", "calico-node"]]);
    const terms = ds[0]?.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    expect(terms?.[0]?.matchExpressions?.[0]).toEqual({ key: "type", operator: "NotIn", values: ["virtual-kubelet"] });
    const deployments = (await apps.listDeploymentForAllNamespaces()).items;
    expect(deployments.map((d) => d.spec?.template.spec?.containers[0]?.image)).toEqual(["registry.k8s.io/metrics-server/metrics-server:v0.7.2"]);
    expect(fake.listObjects("deployments", "default")).toEqual([]);
  });

  it("answers /version with the configured server version", async () => {
    fake = await startFakeKube({ serverVersion: { major: "1", minor: "15", gitVersion: "v1.15.12" } });
    const info = await kubeConfigFor(fake).makeApiClient(VersionApi).getCode();
    expect([info.major, info.minor, info.gitVersion]).toEqual(["1", "15", "v1.15.12"]);
  });
});
