// End-to-end bootstrap: a brand-new cluster in which no Node has its pod route yet, so the cluster
// DNS (whose pods sit behind those routes) answers nothing. The built `run` controller is started
// as the manifests start it: it needs no pod network and no cluster DNS — the Kubernetes API by IP
// (as KUBERNETES_SERVICE_HOST is in a Pod), the VPC API at its endpoint. The process runs in its own
// mount namespace with /etc/resolv.conf pointing at a resolver that does not answer and an
// /etc/hosts with only localhost, so any name lookup it made would fail. It must still converge:
// every Node gets its route and NetworkUnavailable=False. Needs root and unshare(1) (CI has both);
// skipped with a message otherwise. One definition, two API servers (see controller-nodes.test.ts):
// on the real kube-apiserver the controller also runs with the ServiceAccount of
// deploy/kustomize/base/rbac.yaml, so the bootstrap needs nothing beyond those permissions.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, nodeObject, nodeSpecs, type NodeSpec } from "../support/controller-world.js";
import { backendKind } from "../support/kube-backend.js";
import { waitFor } from "../support/wait-for.js";

let dir: string;
let wrapper: string[] | undefined;
let skipReason: string | undefined;

/** `[...wrapper, cmd, ...args]` runs cmd with the broken resolver, in a private mount namespace. */
function noDnsWrapper(resolvConf: string, hosts: string): string[] {
  const script = `mount --bind "${resolvConf}" /etc/resolv.conf && mount --bind "${hosts}" /etc/hosts && exec "$0" "$@"`;
  return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vpc-route-sync-bootstrap-"));
  const resolvConf = join(dir, "resolv.conf");
  const hosts = join(dir, "hosts");
  // 127.0.0.2:53: nothing listens there, so every query is refused at once, like an unreachable cluster DNS.
  writeFileSync(resolvConf, "nameserver 127.0.0.2\noptions timeout:1 attempts:1\n");
  writeFileSync(hosts, "127.0.0.1 localhost\n");
  if (process.getuid?.() !== 0) {
    skipReason = "needs root for a private mount namespace";
    return;
  }
  const candidate = noDnsWrapper(resolvConf, hosts);
  try {
    execFileSync(candidate[0]!, [...candidate.slice(1), "true"], { stdio: "pipe" });
    wrapper = candidate;
  } catch (error) {
    skipReason = `unshare --mount failed: ${(error as Error).message}`;
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let world: ControllerWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A Node the way a fresh cluster has it: tainted, NetworkUnavailable, no route. */
function freshNode(spec: NodeSpec): object {
  const node = nodeObject(spec) as { spec: Record<string, unknown>; status: { conditions: object[] } };
  node.spec.taints = [
    { key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" },
    { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
  ];
  node.status.conditions = [
    { type: "Ready", status: "False", reason: "KubeletNotReady", message: "network not ready" },
    { type: "NetworkUnavailable", status: "True", reason: "NoRouteCreated", message: "Node created without a route" },
  ];
  return node;
}

describe(`bootstrap: no route exists and cluster DNS is unreachable (${backendKind()} API server)`, () => {
  it("the controller's environment really resolves no names", (context) => {
    if (wrapper === undefined) {
      console.warn(`bootstrap e2e skipped: ${skipReason ?? ""}`);
      context.skip();
      return;
    }
    const lookup = `require("node:dns").lookup(process.argv[1], (e) => { console.log(e ? e.code : "resolved"); })`;
    for (const name of ["kube-dns.kube-system.svc.cluster.local", "vpc-vpc.cn-hangzhou.aliyuncs.com"]) {
      const out = execFileSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, "-e", lookup, name], { encoding: "utf8" }).trim();
      expect(out, name).not.toBe("resolved");
    }
  });

  it("converges: every Node gets its route and NetworkUnavailable=False", async (context) => {
    if (wrapper === undefined) {
      context.skip();
      return;
    }
    const specs = nodeSpecs(5, "fresh");
    world = await ControllerWorld.start();
    const w = world;
    for (const spec of specs) await w.cluster.createNode(freshNode(spec));
    expect(w.routes()).toEqual([]);

    const controller = await w.startController("a", {}, [], { wrapper });
    await w.waitForRoutes(expectedRoutes(specs), "routes for every fresh Node");
    await waitFor("NetworkUnavailable=False/RouteCreated on every Node", async () =>
      (await Promise.all(specs.map((s) => w.nodeCondition(s.name)))).every((c) => c?.status === "False" && c.reason === "RouteCreated"),
    );
    expect((await controller.readyz()).status).toBe(200);
  });
});
