import { CoreV1Api as ClientNodeCoreV1Api, type V1Node, type V1NodeCondition } from "@kubernetes/client-node";
import { CoreV1Api } from "../../src/kube/kube-apis.js";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import {
  NodeStatusWriter,
  ROUTE_CREATED_MESSAGE,
  desiredNetworkCondition,
  type RouteState,
} from "../../src/kube/node-status.js";
import { nodeBody, waitFor } from "./helpers.js";

const NOW = new Date("2026-11-26T12:30:00Z");
const EARLIER = new Date("2026-11-26T10:00:00Z");
const routed: RouteState = { routed: true };
const conflict: RouteState = { routed: false, message: "route conflict: 10.244.3.0/24 is held by a VpnGateway route in vtb-1" };

function condition(status: string, reason: string, message = "m"): V1NodeCondition {
  return { type: "NetworkUnavailable", status, reason, message, lastTransitionTime: EARLIER, lastHeartbeatTime: EARLIER };
}

describe("desiredNetworkCondition", () => {
  it.each<[string, V1NodeCondition | undefined, RouteState, "patch" | "none", Date | undefined]>([
    ["no condition yet, routed", undefined, routed, "patch", NOW],
    ["no condition yet, failed", undefined, conflict, "patch", NOW],
    ["already False/RouteCreated", condition("False", "RouteCreated", ROUTE_CREATED_MESSAGE), routed, "none", undefined],
    ["False/RouteCreated written by a CCM (other message)", condition("False", "RouteCreated", "RouteController created a route"), routed, "none", undefined],
    ["False set by a CNI (other reason)", condition("False", "CalicoIsUp"), routed, "patch", EARLIER],
    ["True/NoRouteCreated -> routed", condition("True", "NoRouteCreated"), routed, "patch", NOW],
    ["True/NoRouteCreated with the same message", condition("True", "NoRouteCreated", conflict.message), conflict, "none", undefined],
    ["True/NoRouteCreated with another message", condition("True", "NoRouteCreated", "quota exceeded in vtb-1"), conflict, "patch", EARLIER],
    ["False/RouteCreated -> failed", condition("False", "RouteCreated"), conflict, "patch", NOW],
    ["True seeded by a node controller (other reason)", condition("True", "NodeCreated"), conflict, "patch", EARLIER],
    ["unknown this pass, no condition yet: True", undefined, { ...conflict, onlyWhenUnset: true }, "patch", NOW],
    ["unknown this pass, False already there: stands", condition("False", "RouteCreated"), { ...conflict, onlyWhenUnset: true }, "none", undefined],
  ])("%s", (_name, current, state, expected, transition) => {
    const result = desiredNetworkCondition(current, state, NOW);
    if (expected === "none") {
      expect(result).toBeUndefined();
      return;
    }
    expect(result).toMatchObject({
      type: "NetworkUnavailable",
      status: state.routed ? "False" : "True",
      reason: state.routed ? "RouteCreated" : "NoRouteCreated",
      message: state.routed ? ROUTE_CREATED_MESSAGE : state.message,
      lastHeartbeatTime: NOW,
    });
    expect(result!.lastTransitionTime).toEqual(transition);
  });
});

describe("NodeStatusWriter against the fake API server", () => {
  let fake: FakeKubeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function setup() {
    fake = await startFakeKube({ nodes: [nodeBody("n1", 1)] });
    const connection = loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath });
    // The test arranges Nodes through client-node; the writer uses the operator's own client.
    const core = (await connection.clientNodeConfig()).makeApiClient(ClientNodeCoreV1Api);
    const writer = new NodeStatusWriter({ core: connection.makeApiClient(CoreV1Api), conflictBackoff: { initialMs: 5, maxMs: 20 } });
    return { fake, core, writer };
  }

  function conditionsOf(fake: FakeKubeServer, name: string): Array<Record<string, string>> {
    return ((fake.getNode(name)!["status"] as { conditions: Array<Record<string, string>> }).conditions);
  }

  const statusPatches = (fake: FakeKubeServer) => fake.requests().filter((r) => r.method === "PATCH" && r.path === "/api/v1/nodes/n1/status");

  // Issue 20, item 3: route state belongs to the Node object it was computed for.
  it("a patch meant for a Node that was deleted and created again under its name fails instead of landing", async () => {
    const { fake, core, writer } = await setup();
    const old: V1Node = await core.readNode({ name: "n1" });
    await core.deleteNode({ name: "n1" });
    await core.createNode({ body: nodeBody("n1", 1) });
    const fresh: V1Node = await core.readNode({ name: "n1" });
    expect(fresh.metadata?.uid).not.toBe(old.metadata?.uid);
    expect(await writer.setRouteState(old, routed)).toEqual({ result: "node-gone" });
    expect(conditionsOf(fake, "n1").find((c) => c["type"] === "NetworkUnavailable")).toBeUndefined();
    const patch = fake.requests().find((r) => r.method === "PATCH" && r.path === "/api/v1/nodes/n1/status");
    expect(patch?.status).toBe(409);
    // The new object itself is patched as usual.
    expect((await writer.setRouteState(fresh, conflict)).result).toBe("patched");
  });

  it("sends no patch once the signal (leadership) has ended, also not after a conflict's backoff", async () => {
    const { fake, core, writer } = await setup();
    const node: V1Node = await core.readNode({ name: "n1" });
    const gone = new AbortController();
    gone.abort(new Error("leadership lost"));
    expect(await writer.setRouteState(node, conflict, gone.signal)).toEqual({ result: "aborted" });
    expect(statusPatches(fake)).toHaveLength(0);

    const losing = new AbortController();
    fake.faults.failRequests({ status: 409, method: "PATCH", path: "/api/v1/nodes/n1/status$", times: 1 });
    fake.faults.setLatency({ ms: 100, method: "PATCH", path: "/api/v1/nodes/n1/status$" });
    // Lose leadership once the patch has reached the server (a fixed delay races a busy machine).
    void waitFor(() => statusPatches(fake).length > 0, "the patch to reach the server").then(() => losing.abort(new Error("leadership lost")));
    expect(await writer.setRouteState(node, conflict, losing.signal)).toEqual({ result: "aborted" });
    expect(statusPatches(fake)).toHaveLength(1);
    expect(conditionsOf(fake, "n1").find((c) => c["type"] === "NetworkUnavailable")).toBeUndefined();
  });

  it("patches only on change, with strategic merge, keeping other writers' conditions", async () => {
    const { fake, core, writer } = await setup();
    fake.patchNode("n1", { status: { conditions: [{ type: "CniReady", status: "True", reason: "CalicoIsUp", message: "cni up" }] } });
    let node: V1Node = await core.readNode({ name: "n1" });

    const first = await writer.setRouteState(node, conflict);
    expect(first.result).toBe("patched");
    node = await core.readNode({ name: "n1" });
    expect(await writer.setRouteState(node, conflict)).toEqual({ result: "unchanged" });

    const failedAt = conditionsOf(fake, "n1").find((c) => c["type"] === "NetworkUnavailable")!["lastTransitionTime"];
    const other = await writer.setRouteState(node, { routed: false, message: "quota exceeded in vtb-1" });
    expect(other.result).toBe("patched");
    node = await core.readNode({ name: "n1" });
    const stillTrue = conditionsOf(fake, "n1").find((c) => c["type"] === "NetworkUnavailable")!;
    expect(stillTrue).toMatchObject({ status: "True", reason: "NoRouteCreated", message: "quota exceeded in vtb-1" });
    expect(stillTrue["lastTransitionTime"]).toBe(failedAt);

    expect((await writer.setRouteState(node, routed)).result).toBe("patched");
    node = await core.readNode({ name: "n1" });
    expect(await writer.setRouteState(node, routed)).toEqual({ result: "unchanged" });

    expect(statusPatches(fake)).toHaveLength(3);
    expect(statusPatches(fake).every((r) => r.contentType.startsWith("application/strategic-merge-patch+json"))).toBe(true);
    const conditions = conditionsOf(fake, "n1");
    expect(conditions.map((c) => c["type"]).sort()).toEqual(["CniReady", "NetworkUnavailable", "Ready"]);
    expect(conditions.find((c) => c["type"] === "NetworkUnavailable")).toMatchObject({
      status: "False",
      reason: "RouteCreated",
      message: ROUTE_CREATED_MESSAGE,
    });
    expect(conditions.find((c) => c["type"] === "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
  });

  it("retries a 409 conflict after re-reading the node", async () => {
    const { fake, core, writer } = await setup();
    fake.faults.failRequests({ status: 409, method: "PATCH", path: "^/api/v1/nodes/n1/status$", times: 2 });
    const node = await core.readNode({ name: "n1" });
    expect((await writer.setRouteState(node, routed)).result).toBe("patched");
    expect(statusPatches(fake).map((r) => r.status)).toEqual([409, 409, 200]);
    expect(fake.requests().filter((r) => r.method === "GET" && r.path === "/api/v1/nodes/n1/status")).toHaveLength(2);
  });

  it("gives up after the configured attempts and reports the failure without throwing", async () => {
    const { fake, core, writer } = await setup();
    fake.faults.failRequests({ status: 409, method: "PATCH", path: "^/api/v1/nodes/n1/status$" });
    const node = await core.readNode({ name: "n1" });
    const outcome = await writer.setRouteState(node, routed);
    expect(outcome.result).toBe("failed");
    expect(statusPatches(fake)).toHaveLength(4);
  });

  it("does not patch when a re-read after a conflict shows the condition already right", async () => {
    const { fake, core, writer } = await setup();
    const node = await core.readNode({ name: "n1" });
    fake.faults.failRequests({ status: 409, method: "PATCH", path: "^/api/v1/nodes/n1/status$", times: 1 });
    fake.patchNode("n1", { status: { conditions: [{ type: "NetworkUnavailable", status: "False", reason: "RouteCreated", message: "by someone else" }] } });
    expect(await writer.setRouteState(node, routed)).toEqual({ result: "unchanged" });
  });

  it("ignores a node that is gone (404)", async () => {
    const { fake, core, writer } = await setup();
    const node = await core.readNode({ name: "n1" });
    fake.deleteNode("n1");
    expect(await writer.setRouteState(node, routed)).toEqual({ result: "node-gone" });
  });

  it("reports other errors as failed", async () => {
    const { fake, core, writer } = await setup();
    const node = await core.readNode({ name: "n1" });
    fake.faults.failRequests({ status: 500, method: "PATCH", times: 1 });
    expect((await writer.setRouteState(node, routed)).result).toBe("failed");
    expect(statusPatches(fake)).toHaveLength(1);
  });
});
