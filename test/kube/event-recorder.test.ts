import { CoreV1Api as ClientNodeCoreV1Api, type V1Node } from "@kubernetes/client-node";
import { CoreV1Api } from "../../src/kube/kube-apis.js";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { EventReasons, EventRecorder, eventTypeOf, leaseReference, podReference } from "../../src/kube/event-recorder.js";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { ManualTimers } from "../support/manual-timers.js";
import { nodeBody } from "./helpers.js";

type Json = Record<string, unknown>;

describe("eventTypeOf", () => {
  it.each(Object.values(EventReasons))("%s", (reason) => {
    expect(eventTypeOf(reason)).toBe(["RouteCreated", "RouteDeleted", "RouteClaimed", "RouteAlreadyPresent", "NodeSkipped"].includes(reason) ? "Normal" : "Warning");
  });
});

describe("EventRecorder against the fake API server", () => {
  let fake: FakeKubeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function setup(options: { maxKeys?: number; clusterObject?: ReturnType<typeof podReference>; concurrency?: number; maxQueued?: number } = {}) {
    fake = await startFakeKube({ nodes: [nodeBody("n1", 1), nodeBody("n2", 2)] });
    const connection = loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath });
    // The test arranges objects through client-node; the recorder uses the operator's own client.
    const core = (await connection.clientNodeConfig()).makeApiClient(ClientNodeCoreV1Api);
    const timers = new ManualTimers();
    const recorder = new EventRecorder({
      core: connection.makeApiClient(CoreV1Api),
      identity: "vpc-route-sync-7d9f-abcde",
      clusterObject: options.clusterObject ?? leaseReference("kube-system", "vpc-route-sync"),
      ttlMs: 60_000,
      timers,
      ...(options.maxKeys ? { maxKeys: options.maxKeys } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    });
    const n1: V1Node = await core.readNode({ name: "n1" });
    return { fake, core, timers, recorder, n1 };
  }

  it("under a slow API server, Normal Event writes are bounded: the excess is dropped and counted, not piled up", async () => {
    const { fake, recorder, n1 } = await setup({ concurrency: 2, maxQueued: 3 });
    fake.faults.setLatency({ ms: 200, method: "POST", path: "/events$" });
    await Promise.all(Array.from({ length: 20 }, (_, i) => recorder.recordNode(n1, EventReasons.RouteCreated, `created ${i}`)));
    await recorder.flush();
    const written = fake.events("default").length;
    expect(written + recorder.dropped).toBe(20);
    expect(written).toBeLessThanOrEqual(5);
  });

  // Issue 20, item 1: the bound was checked before deduplication, and in arrival order, so repeats
  // and skip Events took the slots of the Warnings listed after them, on every pass.
  it("never drops a new Warning for want of room: Warnings leave first, repeats take no slot", async () => {
    const { fake, core, recorder, n1 } = await setup({ concurrency: 1, maxQueued: 5 });
    const n2 = await core.readNode({ name: "n2" });
    fake.faults.setLatency({ ms: 50, method: "POST", path: "/events$" });
    const pass = (): Promise<void>[] => [
      ...Array.from({ length: 30 }, (_, i) => recorder.recordNode(n1, EventReasons.NodeSkipped, `virtual node ${i}`)),
      ...Array.from({ length: 8 }, (_, i) => recorder.recordNode(n2, EventReasons.RouteConflict, `conflict ${i}`)),
    ];
    await Promise.all(pass());
    await recorder.flush();
    const written = (fake.events("default") as Json[]).filter((e) => e["type"] === "Warning").map((e) => e["message"]);
    expect(written.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `conflict ${i}`).sort());
    // Only Normal Events were dropped; what was written plus what was dropped is everything, once.
    expect(fake.events("default").length + recorder.dropped).toBe(38);

    // The same pass again: nothing that was written takes a slot; what was dropped gets another try.
    const droppedBefore = recorder.dropped;
    const postsBefore = fake.requests().filter((r) => r.method === "POST").length;
    await Promise.all(pass());
    await recorder.flush();
    const posts = fake.requests().filter((r) => r.method === "POST").length - postsBefore;
    expect(posts).toBe(Math.min(5 + 1, droppedBefore)); // at most one in flight + maxQueued waiting
    expect(fake.events("default").filter((e) => (e)["type"] === "Warning")).toHaveLength(8);
  });

  it("a Warning recorded while the queue is full of Normal Events is sent before them", async () => {
    const { fake, recorder, n1 } = await setup({ concurrency: 1, maxQueued: 10 });
    fake.faults.setLatency({ ms: 20, method: "POST", path: "/events$" });
    const all = Array.from({ length: 11 }, (_, i) => recorder.recordNode(n1, EventReasons.RouteCreated, `created ${i}`));
    all.push(recorder.recordNode(n1, EventReasons.QuotaExceeded, "route table vtb-1 is full"));
    await Promise.all(all);
    const inOrder = (fake.events("default") as Json[]).sort(
      (x, y) => Number((x["metadata"] as Json)["resourceVersion"]) - Number((y["metadata"] as Json)["resourceVersion"]),
    );
    // The first Normal Event was already in flight; the Warning went next.
    expect(inOrder.map((e) => e["reason"]).slice(0, 2)).toEqual(["RouteCreated", "QuotaExceeded"]);
    expect(recorder.dropped).toBe(1);
  });

  it("an Event queued when leadership ends is never sent", async () => {
    const { fake, recorder, n1 } = await setup({ concurrency: 1 });
    fake.faults.setLatency({ ms: 200, method: "POST", path: "/events$" });
    const leadership = new AbortController();
    const first = recorder.recordNode(n1, EventReasons.RouteCreated, "sent before the step-down");
    const second = recorder.recordNode(n1, EventReasons.RouteCreated, "queued at the step-down", leadership.signal);
    leadership.abort(new Error("leadership lost"));
    await Promise.all([first, second]);
    await recorder.flush();
    expect((fake.events("default") as Json[]).map((e) => e["message"])).toEqual(["sent before the step-down"]);
  });

  it("creates a complete core/v1 Event on the Node, in namespace default, with the Node's uid", async () => {
    const { fake, recorder, n1 } = await setup();
    await recorder.recordNode(n1, EventReasons.RouteCreated, "route 10.244.1.0/24 -> i-node0001 created in vtb-1");
    const [event] = fake.events("default") as Json[];
    expect(event).toMatchObject({
      involvedObject: { apiVersion: "v1", kind: "Node", name: "n1", uid: n1.metadata!.uid },
      reason: "RouteCreated",
      type: "Normal",
      message: "route 10.244.1.0/24 -> i-node0001 created in vtb-1",
      count: 1,
      action: "CreateRoute",
      source: { component: "vpc-route-sync" },
      reportingComponent: "vpc-route-sync",
      reportingInstance: "vpc-route-sync-7d9f-abcde",
    });
    expect((event!["metadata"] as Json)["name"]).toMatch(/^n1\./);
    // MicroTime on the wire: six fractional digits.
    const post = fake.requests().find((r) => r.method === "POST" && r.path === "/api/v1/namespaces/default/events");
    expect(post?.status).toBe(201);
    expect(String(event!["eventTime"])).toMatch(/\.\d{6}Z$/);
  });

  it("records one event per change, not one per pass; counts repeats after the TTL", async () => {
    const { fake, timers, recorder, n1 } = await setup();
    const message = "route conflict: 10.244.1.0/24 is held by a VpnGateway route in vtb-1";
    for (let pass = 0; pass < 5; pass += 1) await recorder.recordNode(n1, EventReasons.RouteConflict, message);
    expect(fake.events("default")).toHaveLength(1);
    expect(fake.requests().filter((r) => r.path.includes("/events"))).toHaveLength(1);

    timers.advanceSync(61_000);
    await recorder.recordNode(n1, EventReasons.RouteConflict, message);
    const events = fake.events("default") as Json[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ count: 6, reason: "RouteConflict" });
    expect(fake.requests().filter((r) => r.method === "PATCH" && r.path.includes("/events/"))[0]?.contentType).toMatch(/merge-patch/);

    // A different message is a different event.
    await recorder.recordNode(n1, EventReasons.RouteConflict, message.replace("vtb-1", "vtb-2"));
    expect(fake.events("default")).toHaveLength(2);
  });

  it("reports a flapping problem on every flip", async () => {
    const { fake, recorder, n1 } = await setup();
    const conflict = "route conflict: 10.244.1.0/24 is held by a VpnGateway route in vtb-1";
    const created = "route 10.244.1.0/24 -> i-node0001 created in vtb-1";
    await recorder.recordNode(n1, EventReasons.RouteConflict, conflict);
    await recorder.recordNode(n1, EventReasons.RouteCreated, created);
    await recorder.recordNode(n1, EventReasons.RouteCreated, created);
    await recorder.recordNode(n1, EventReasons.RouteConflict, conflict);
    // The fake lists by name (random suffixes); creation order is resourceVersion order.
    const inOrder = (fake.events("default") as Json[]).sort(
      (x, y) => Number((x["metadata"] as Json)["resourceVersion"]) - Number((y["metadata"] as Json)["resourceVersion"]),
    );
    expect(inOrder.map((e) => e["reason"])).toEqual(["RouteConflict", "RouteCreated", "RouteConflict"]);
  });

  it("re-creates the event when the one to count on has expired on the server", async () => {
    const { fake, core, timers, recorder, n1 } = await setup();
    await recorder.recordNode(n1, EventReasons.QuotaExceeded, "quota exceeded in vtb-1");
    const name = ((fake.events("default")[0] as Json)["metadata"] as Json)["name"] as string;
    await core.deleteNamespacedEvent({ name, namespace: "default" });
    timers.advanceSync(61_000);
    await recorder.recordNode(n1, EventReasons.QuotaExceeded, "quota exceeded in vtb-1");
    const events = fake.events("default") as Json[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ count: 2, reason: "QuotaExceeded" });
  });

  it("puts cluster-wide events on the operator's Pod in its namespace", async () => {
    const { fake, recorder } = await setup({ clusterObject: podReference("kube-system", "vpc-route-sync-7d9f-abcde", "pod-uid-1") });
    await recorder.recordCluster(EventReasons.DeletionsRefused, "refusing to delete 12 routes (max-deletions 5)");
    expect(fake.events("default")).toHaveLength(0);
    expect(fake.events("kube-system")[0]).toMatchObject({
      involvedObject: { kind: "Pod", namespace: "kube-system", name: "vpc-route-sync-7d9f-abcde", uid: "pod-uid-1" },
      type: "Warning",
      reason: "DeletionsRefused",
    });
  });

  it("never throws when the API fails, and retries on the next pass", async () => {
    const { fake, recorder, n1 } = await setup();
    fake.faults.failRequests({ status: 500, method: "POST", path: "/events$", times: 1 });
    await expect(recorder.recordNode(n1, EventReasons.CreateRouteFailed, "boom")).resolves.toBeUndefined();
    expect(fake.events("default")).toHaveLength(0);
    await recorder.recordNode(n1, EventReasons.CreateRouteFailed, "boom");
    expect(fake.events("default")).toHaveLength(1);
  });

  it("keeps memory bounded (LRU)", async () => {
    const { fake, recorder, n1 } = await setup({ maxKeys: 3 });
    for (let i = 0; i < 10; i += 1) await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, `bad cidr ${i}`);
    expect(recorder.size).toBe(3);
    // The oldest key was evicted, so it is recorded again; a recent one is still suppressed.
    await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, "bad cidr 0");
    await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, "bad cidr 9");
    expect(fake.events("default")).toHaveLength(11);
    await recorder.flush();
  });

  it("an object's keys, some evicted by the LRU, are all forgotten on a flip of type", async () => {
    const { fake, core, recorder, n1 } = await setup({ maxKeys: 3 });
    const n2 = await core.readNode({ name: "n2" });
    for (let i = 0; i < 3; i += 1) await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, `bad cidr ${i}`);
    // n2's two keys evict n1's two oldest: n1 keeps "bad cidr 2" alone.
    await recorder.recordNode(n2, EventReasons.RouteConflict, "conflict x");
    await recorder.recordNode(n2, EventReasons.RouteConflict, "conflict y");
    await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, "bad cidr 2");
    expect(fake.events("default")).toHaveLength(5);
    // The flip forgets it; the flip back forgets RouteCreated: each is news again.
    await recorder.recordNode(n1, EventReasons.RouteCreated, "created");
    await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, "bad cidr 2");
    await recorder.recordNode(n1, EventReasons.InvalidPodCIDR, "bad cidr 2");
    await recorder.recordNode(n1, EventReasons.RouteCreated, "created");
    await recorder.recordNode(n2, EventReasons.RouteConflict, "conflict y");
    expect(fake.events("default")).toHaveLength(8);
    expect(recorder.size).toBe(3);
    await recorder.flush();
  });
});
