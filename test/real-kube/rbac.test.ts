// RBAC for real: `vpc-route-sync run` against the real API server with a ServiceAccount token bound
// to exactly the ClusterRole and Role of deploy/kustomize/base/rbac.yaml (not as admin). The audit
// log of the API server shows every call it made and RBAC's answer: none may be denied. Then, to
// prove least privilege, each rule of those roles is removed in turn and the controller must be
// denied a call that the rule grants (one check per rule). The Helm chart's ClusterRole and Role
// must carry exactly the same rules, so both checks hold for the chart too.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, nodeObject, nodeSpecs, type NodeSpec } from "../support/controller-world.js";
import { findKubectl } from "../support/kubectl.js";
import { CHART_REQUIRED_VALUES, helmBinary, renderChart } from "../support/renderings.js";
import { waitFor } from "../support/wait-for.js";
import {
  auditEvents,
  permissionOf,
  RealCluster,
  realKube,
  skipReason,
  tempDir,
  writeKubeconfig,
  manifestObjects,
  type AuditEvent,
  type KubeObject,
} from "./support.js";

const NS = "vrs-rbac";
const SA = "vpc-route-sync";
const USER = `system:serviceaccount:${NS}:${SA}`;
const MANIFEST = join(import.meta.dirname, "..", "..", "deploy", "kustomize", "base", "rbac.yaml");

interface Rule {
  readonly resourceNames?: string[];
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

/** The manifest's objects, placed in NS (the ClusterRoleBinding's subject too). */
async function rbacObjects(): Promise<KubeObject[]> {
  const objects = await manifestObjects(MANIFEST);
  for (const o of objects) {
    if (o.kind === "ClusterRoleBinding") {
      for (const s of (o as { subjects?: { namespace?: string }[] }).subjects ?? []) s.namespace = NS;
    }
  }
  return objects;
}

function roles(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
}

function rulesOf(role: KubeObject): Rule[] {
  return (role as { rules?: Rule[] }).rules ?? [];
}

/** True when `rule` grants what the audit event asked for. */
function grants(rule: Rule, event: AuditEvent): boolean {
  const ref = event.objectRef ?? {};
  const resource = ref.subresource ? `${ref.resource ?? ""}/${ref.subresource}` : (ref.resource ?? "");
  const named = rule.resourceNames === undefined || rule.resourceNames.includes(ref.name ?? "");
  return named && rule.apiGroups.includes(ref.apiGroup ?? "") && rule.resources.includes(resource) && rule.verbs.includes(event.verb);
}

function describeRule(role: KubeObject, rule: Rule): string {
  return `${role.kind}/${role.metadata?.name ?? ""}: ${rule.verbs.join(",")} ${rule.apiGroups.map((g) => g || "core").join(",")}/${rule.resources.join(",")}`;
}

const kubectl = findKubectl();
const run = promisify(execFile);

function kubeconfigPathOfAdmin(): string {
  return realKube!.kubeconfigPath;
}

/**
 * What an operator sees with kubectl: the NetworkUnavailable condition, owned (managedFields, status
 * subresource) by the controller's ServiceAccount session and no one else, and the core/v1 Events.
 */
async function checkWithKubectl(kubeconfig: string): Promise<void> {
  const temp = await tempDir("vrs-kubectl-");
  try {
    const k = (args: string[]): Promise<{ stdout: string }> =>
      run(kubectl!, ["--kubeconfig", kubeconfig, "--cache-dir", temp.path, ...args], { env: { ...process.env, HOME: temp.path } });
    const reason = await k(["get", "node", "rbac-0", "-o", 'jsonpath={.status.conditions[?(@.type=="NetworkUnavailable")].reason}']);
    expect(reason.stdout).toBe("RouteCreated");
    const node = JSON.parse((await k(["get", "node", "rbac-0", "-o", "json", "--show-managed-fields"])).stdout) as {
      metadata: { managedFields?: { manager?: string; subresource?: string; operation?: string; fieldsV1?: { "f:status"?: { "f:conditions"?: Record<string, unknown> } } }[] };
    };
    const owners = (node.metadata.managedFields ?? []).filter((f) => f.fieldsV1?.["f:status"]?.["f:conditions"]?.['k:{"type":"NetworkUnavailable"}'] !== undefined);
    expect(owners.map((f) => ({ manager: f.manager, subresource: f.subresource, operation: f.operation }))).toEqual([{ manager: "vpc-route-sync", subresource: "status", operation: "Update" }]);
    const events = JSON.parse((await k(["get", "events", "-A", "--field-selector", "involvedObject.kind=Node,involvedObject.name=rbac-0", "-o", "json"])).stdout) as {
      items: { reason?: string; source?: { component?: string }; reportingComponent?: string; count?: number }[];
    };
    const created = events.items.find((e) => e.reason === "RouteCreated");
    expect(created).toMatchObject({ source: { component: "vpc-route-sync" }, reportingComponent: "vpc-route-sync", count: 1 });
    const v1 = JSON.parse((await k(["get", "events.v1.events.k8s.io", "-n", "default", "-o", "json"])).stdout) as { items: { reason?: string; regarding?: { name?: string } }[] };
    expect(v1.items.some((e) => e.reason === "RouteCreated" && e.regarding?.name === "rbac-0")).toBe(true);
  } finally {
    await temp.remove();
  }
}

/** One case per rule of the manifest's roles, read when the file loads. */
const RULE_CASES: [string, number, number][] = roles(
  parseAllDocuments(readFileSync(MANIFEST, "utf8")).map((d) => d.toJS() as KubeObject).filter((o) => o !== null),
).flatMap((role, roleIndex) => rulesOf(role).map((rule, ruleIndex): [string, number, number] => [describeRule(role, rule), roleIndex, ruleIndex]));

describe.skipIf(realKube === undefined)(`RBAC of deploy/kustomize/base/rbac.yaml on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cluster: RealCluster;
  let kubeconfigPath: string;
  let removeTemp: () => Promise<void>;
  let objects: KubeObject[];
  const base: NodeSpec[] = nodeSpecs(3, "rbac");

  beforeAll(async () => {
    cluster = new RealCluster(realKube!);
    await cluster.deleteAllNodes();
    await cluster.ensureNamespace(NS);
    objects = await rbacObjects();
    for (const o of objects) await cluster.apply(o, NS);
    const temp = await tempDir("vrs-rbac-");
    removeTemp = temp.remove;
    kubeconfigPath = await writeKubeconfig(realKube!, temp.path, "rbac", await cluster.serviceAccountToken(NS, SA));
  });

  afterAll(async () => {
    await cluster?.deleteAllNodes();
    await removeTemp?.();
  });

  // The chart is what most installations use: its controller roles must be the proven ones, rule for
  // rule (a separately bound optional ClusterRole, e.g. for metrics authentication, is not compared).
  it("the Helm chart's ClusterRole and Role carry exactly these rules", async () => {
    const { helm, reason } = await helmBinary();
    expect(helm, reason).toBeDefined();
    const chart = parseAllDocuments(await renderChart(helm!, CHART_REQUIRED_VALUES))
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
    const controllerRoles = (all: readonly KubeObject[]): Record<string, Rule[]> =>
      Object.fromEntries(
        roles(all)
          .filter((r) => r.metadata?.name === "vpc-route-sync" || r.metadata?.name === "vpc-route-sync-leader-election")
          .map((r) => [`${r.kind ?? ""}/${r.metadata?.name ?? ""}`, rulesOf(r)]),
      );
    const fromBase = controllerRoles(objects);
    expect(Object.keys(fromBase).sort()).toEqual(["ClusterRole/vpc-route-sync", "Role/vpc-route-sync-leader-election"]);
    expect(controllerRoles(chart)).toEqual(fromBase);
  });

  /** RBAC's answer (a SubjectAccessReview) for the controller's ServiceAccount asking for `attributes` in NS. */
  async function mayDo(attributes: Record<string, string | undefined>): Promise<boolean> {
    const review = await cluster.call<{ status: { allowed?: boolean } }>("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: USER,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${NS}`, "system:authenticated"],
        resourceAttributes: { ...attributes, namespace: NS },
      },
    });
    return review.status.allowed ?? false;
  }

  /** Waits until RBAC answers `allowed` for the ServiceAccount asking what `rule` grants (its first verb). */
  async function waitForAccess(rule: Rule, allowed: boolean): Promise<void> {
    const [group, resourceAndSub] = [rule.apiGroups[0] ?? "", rule.resources[0] ?? ""];
    const [resource, subresource] = resourceAndSub.split("/");
    await waitFor(`RBAC to say allowed=${allowed} for ${rule.verbs[0]} ${resourceAndSub}`, async () => {
      const granted = await mayDo({ group, resource, subresource, verb: rule.verbs[0], ...(rule.resourceNames ? { name: rule.resourceNames[0] } : {}) });
      return granted === allowed;
    });
  }

  it("the controller does its whole job with only these permissions: no call is denied", async () => {
    for (const spec of base) await cluster.createNode(nodeObject(spec));
    const world = await ControllerWorld.start({ kubeconfigPath, leaseNamespace: NS });
    try {
      const since = (await auditEvents(realKube!, USER)).length;
      const controller = await world.startController("a");
      await world.waitForRoutes(expectedRoutes(base), "routes for the three Nodes");
      await waitFor("replica-a to hold the Lease", async () => (await cluster.leaseHolder(NS, "vpc-route-sync")) === "replica-a");
      await waitFor("NetworkUnavailable=False/RouteCreated on every Node", async () => {
        for (const spec of base) {
          const node = (await cluster.getNode(spec.name)) as { status?: { conditions?: { type: string; status: string; reason?: string }[] } } | undefined;
          const c = node?.status?.conditions?.find((x) => x.type === "NetworkUnavailable");
          if (c?.status !== "False" || c.reason !== "RouteCreated") return false;
        }
        return true;
      });
      await waitFor("a RouteCreated Event on rbac-0", async () => (await cluster.nodeEvents("rbac-0")).some((e) => e.reason === "RouteCreated"));
      // A Node deleted (its route goes) and one without a usable providerID (an Event says why).
      await cluster.deleteNode("rbac-2");
      await world.waitForRoutes(expectedRoutes(base.slice(0, 2)), "the deleted Node's route to go");
      await cluster.createNode(nodeObject({ name: "rbac-odd", instanceId: "i-x", podCIDR: "10.200.9.0/24" }));
      await waitFor("an InvalidProviderID Event on rbac-odd", async () => (await cluster.nodeEvents("rbac-odd")).some((e) => e.reason === "InvalidProviderID"));
      if (kubectl !== undefined) await checkWithKubectl(kubeconfigPathOfAdmin());
      expect((await controller.stop("SIGTERM")).code).toBe(0);
      expect(await cluster.leaseHolder(NS, "vpc-route-sync")).toBe("");

      const calls = (await auditEvents(realKube!, USER)).slice(since);
      const denied = calls.filter((e) => e.responseStatus?.code === 403).map((e) => `${permissionOf(e)} ${e.requestURI}`);
      expect(denied).toEqual([]);
      // Every call is one the manifest grants (RBAC said so), and nothing went around it as admin.
      const granted = roles(objects).flatMap(rulesOf);
      const ungranted = calls.filter((e) => !granted.some((r) => grants(r, e))).map((e) => `${permissionOf(e)} ${e.requestURI}`);
      expect(ungranted).toEqual([]);
    } finally {
      await world.close();
      await cluster.deleteAllNodes();
    }
  });

  it("reaches its own Lease only: get/update of another Lease (the controller manager's) is denied, create is allowed", async () => {
    const may = (verb: string, name?: string): Promise<boolean> => mayDo({ group: "coordination.k8s.io", resource: "leases", verb, ...(name ? { name } : {}) });
    expect({ get: await may("get", "vpc-route-sync"), update: await may("update", "vpc-route-sync") }).toEqual({ get: true, update: true });
    for (const other of ["kube-controller-manager", "kube-scheduler"]) {
      expect({ get: await may("get", other), update: await may("update", other), delete: await may("delete", other) }, other).toEqual({ get: false, update: false, delete: false });
    }
    // RBAC sees no name on a create, so it is granted namespace-wide (docs/install.md, "Permissions").
    expect(await may("create")).toBe(true);
    expect(await may("list")).toBe(false);
  });

  // One check per rule: without it, some call of the same scenario is denied.
  it.each(RULE_CASES)("without %s, some call is denied", async (_name, roleIndex, ruleIndex) => {
    const role = roles(objects)[roleIndex]!;
    const rules = rulesOf(role);
    const rule = rules[ruleIndex]!;
    await cluster.apply({ ...role, rules: rules.filter((_, i) => i !== ruleIndex) }, NS);
    await waitForAccess(rule, false);
    // As on a fresh installation: no Lease yet, so the elector must create it (the create rule's call).
    await cluster.call("DELETE", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/vpc-route-sync`).catch(() => undefined);
    for (const spec of base) await cluster.createNode(nodeObject(spec));
    const world = await ControllerWorld.start({ kubeconfigPath, leaseNamespace: NS });
    try {
      const since = (await auditEvents(realKube!, USER)).length;
      await world.startController("a");
      const denied = await waitFor(`a denied call that "${describeRule(role, rule)}" would allow`, async () => {
        const calls = (await auditEvents(realKube!, USER)).slice(since);
        return calls.find((e) => e.responseStatus?.code === 403 && grants(rule, e));
      }, { timeoutMs: 30_000 });
      expect(denied.responseStatus?.code).toBe(403);
    } finally {
      await world.close();
      await cluster.deleteAllNodes();
      await cluster.apply(role, NS);
      await waitForAccess(rule, true);
    }
  });
});
