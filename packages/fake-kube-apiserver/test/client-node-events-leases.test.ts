// Events (core/v1, what the product writes) and Leases (optimistic concurrency) through
// the real @kubernetes/client-node 2.0.1. Differential: the same tests run against the real
// kube-apiserver in project "real" (docs/testing.md); the one about the fake's in-process seeding runs
// on the fake only.

import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  V1MicroTime,
  setHeaderOptions,
  type V1Lease,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RealCluster, realKube } from "../../../test/real-kube/support.ts";
import { backendKind } from "../../../test/support/kube-backend.ts";
import { startFakeKube } from "../src/index.ts";
import { kubeConfigFor, kubeConfigOf, nodeFixture, startKubeUnderTest, type KubeUnderTest } from "./helpers.ts";

let kube: KubeUnderTest;
let core: CoreV1Api;
let coordination: CoordinationV1Api;
const fakeOnly = it.skipIf(backendKind() === "real");

beforeEach(async () => {
  if (realKube !== undefined) {
    // The real server keeps what earlier tests wrote: start each test from the same empty state.
    const cluster = new RealCluster(realKube);
    await cluster.call("DELETE", "/api/v1/namespaces/default/events");
    for (const ns of ["default", "kube-system"]) await cluster.maybe("DELETE", `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vpc-route-sync`);
    await cluster.ensureNamespace("apps");
  }
  kube = await startKubeUnderTest([nodeFixture("n1")]);
  const kc = kubeConfigOf(kube);
  core = kc.makeApiClient(CoreV1Api);
  coordination = kc.makeApiClient(CoordinationV1Api);
});

afterEach(async () => {
  await kube.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException && typeof error.body === "string") {
      const status = JSON.parse(error.body) as { reason: string; message: string };
      return { code: error.code, reason: status.reason, message: status.message };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe(`fake-kube events (${backendKind()} API server)`, () => {
  it("creates Events with and without eventTime, lists them by field, reads and merge-patches them", async () => {
    const uid = ((await kube.getNode("n1")) as { metadata: { uid: string } }).metadata;
    const legacy = await core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { generateName: "n1." },
        involvedObject: { apiVersion: "v1", kind: "Node", name: "n1", uid: uid.uid },
        reason: "RouteCreated",
        message: "created route",
        type: "Normal",
        source: { component: "vpc-route-sync" },
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
        count: 1,
        reportingComponent: "vpc-route-sync",
        reportingInstance: "pod-1",
      },
    });
    expect(legacy.metadata?.name).toMatch(/^n1\.[a-z0-9]{5}$/);

    const modern = await core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { generateName: "n1-" },
        eventTime: new V1MicroTime(),
        involvedObject: { apiVersion: "v1", kind: "Node", name: "n1", uid: uid.uid },
        reason: "NoRouteCreated",
        message: "quota exceeded",
        type: "Warning",
        action: "CreateRoute",
        reportingComponent: "vpc-route-sync",
        reportingInstance: "pod-1",
      },
    });
    expect(modern.eventTime as unknown as string).toMatch(/\.\d{6}Z$/);

    const all = await core.listNamespacedEvent({ namespace: "default" });
    expect(all.items.map((e) => `${e.reason}: ${e.message}`).sort()).toEqual(["NoRouteCreated: quota exceeded", "RouteCreated: created route"]);
    const selected = await core.listNamespacedEvent({ namespace: "default", fieldSelector: "reason=RouteCreated,involvedObject.name=n1" });
    expect(selected.items.map((e) => [e.message, e.involvedObject.name, e.count])).toEqual([["created route", "n1", 1]]);

    const read = await core.readNamespacedEvent({ namespace: "default", name: legacy.metadata.name! });
    expect(read.message).toBe("created route");
    const patched = await core.patchNamespacedEvent(
      { namespace: "default", name: modern.metadata.name!, body: { count: 2 } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.count).toBe(2);
    expect(patched.message).toBe("quota exceeded");
  });

  it("rejects what kube-apiserver rejects: millisecond MicroTime, missing reporter fields, wrong namespace", async () => {
    const badTime = await failure(
      core.createNamespacedEvent({
        namespace: "default",
        body: {
          metadata: { name: "e1" },
          // A plain Date serialises with milliseconds, which a real apiserver rejects for MicroTime.
          eventTime: new Date(),
          involvedObject: { kind: "Node", name: "n1" },
          reason: "R",
          action: "A",
          reportingComponent: "c",
          reportingInstance: "i",
        },
      }),
    );
    expect(badTime.code).toBe(400);
    expect(badTime.message).toMatch(/^Event in version "v1" cannot be handled as a Event: parsing time "[^"]+" as "2006-01-02T15:04:05\.000000Z07:00": cannot parse "\.\d{3}Z" as "\.000000"$/);

    const missing = await failure(core.createNamespacedEvent({ namespace: "default", body: { metadata: { name: "e2" }, eventTime: new V1MicroTime(), involvedObject: { kind: "Node", name: "n1" } } }));
    expect(missing.code).toBe(422);
    expect(missing.message).toMatch(/^Event "e2" is invalid: \[reportingComponent: Required value, /);
    for (const field of ["reportingInstance", "action", "reason"]) expect(missing.message).toContain(`${field}: Required value`);

    const wrongNamespace = await failure(core.createNamespacedEvent({ namespace: "apps", body: { metadata: { name: "e3" }, involvedObject: { kind: "Node", name: "n1" } } }));
    expect(wrongNamespace.code).toBe(422);
  });

  it("validates an eventTime Event's message length (1 kB) but not its type", async () => {
    const body = (name: string, type: string, message: string) => ({
      metadata: { name },
      eventTime: new V1MicroTime(),
      involvedObject: { kind: "Node", name: "n1" },
      reason: "R",
      action: "A",
      type,
      message,
      reportingComponent: "c",
      reportingInstance: "i",
    });
    const unusual = await core.createNamespacedEvent({ namespace: "default", body: body("e4", "Unusual", "x".repeat(1024)) });
    expect([unusual.type, unusual.message?.length]).toEqual(["Unusual", 1024]);
    const tooLong = await failure(core.createNamespacedEvent({ namespace: "default", body: body("e5", "Normal", "x".repeat(1025)) }));
    expect(tooLong).toEqual({ code: 422, reason: "Invalid", message: 'Event "e5" is invalid: message: Invalid value: "": can have at most 1024 characters' });
  });
});

describe(`fake-kube leases (${backendKind()} API server)`, () => {
  const lease = (holder: string): V1Lease => ({
    metadata: { name: "vpc-route-sync", namespace: "kube-system" },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: new V1MicroTime(), renewTime: new V1MicroTime(), leaseTransitions: 0 },
  });

  it("creates, reads, replaces with optimistic concurrency, patches, lists and deletes", async () => {
    const missing = await failure(coordination.readNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync" }));
    expect(missing).toMatchObject({ code: 404, reason: "NotFound", message: 'leases.coordination.k8s.io "vpc-route-sync" not found' });

    const created = await coordination.createNamespacedLease({ namespace: "kube-system", body: lease("a") });
    expect(created.spec?.renewTime as unknown as string).toMatch(/\.\d{6}Z$/);
    const second = await failure(coordination.createNamespacedLease({ namespace: "kube-system", body: lease("b") }));
    expect(second).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'leases.coordination.k8s.io "vpc-route-sync" already exists' });

    const read = await coordination.readNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync" });
    read.spec = { ...read.spec, renewTime: new V1MicroTime() };
    const renewed = await coordination.replaceNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync", body: read });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

    read.spec = { ...read.spec, holderIdentity: "b" };
    const stale = await failure(coordination.replaceNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync", body: read }));
    expect(stale).toEqual({
      code: 409,
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "vpc-route-sync": the object has been modified; please apply your changes to the latest version and try again',
    });

    const released = await coordination.patchNamespacedLease(
      { namespace: "kube-system", name: "vpc-route-sync", body: { spec: { holderIdentity: null, leaseDurationSeconds: 1 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(released.spec?.holderIdentity).toBeUndefined();
    expect(await coordination.readNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync" })).toMatchObject({ spec: { leaseDurationSeconds: 1 } });

    // A real server has Leases of its own (kube-apiserver identity) and those of other test files
    // (in their own namespaces): look at this test's only.
    const ours = async (): Promise<string[]> =>
      (await coordination.listLeaseForAllNamespaces({ fieldSelector: "metadata.name=vpc-route-sync" })).items
        .map((l) => `${l.metadata?.namespace}/${l.metadata?.name}`)
        .filter((key) => key.startsWith("kube-system/") || key.startsWith("default/"));
    expect(await ours()).toEqual(["kube-system/vpc-route-sync"]);
    await coordination.deleteNamespacedLease({ namespace: "kube-system", name: "vpc-route-sync" });
    expect(await ours()).toEqual([]);
  });

  it("creates on replace when the lease is missing, takes no replace of an existing one without a resourceVersion, and validates the spec", async () => {
    const unconditional = { ...lease("a"), metadata: { name: "vpc-route-sync" } };
    const created = await coordination.replaceNamespacedLease({ namespace: "default", name: "vpc-route-sync", body: unconditional });
    expect(created.metadata?.namespace).toBe("default");
    expect(await failure(coordination.replaceNamespacedLease({ namespace: "default", name: "vpc-route-sync", body: unconditional }))).toEqual({
      code: 422,
      reason: "Invalid",
      message: 'leases.coordination.k8s.io "vpc-route-sync" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update',
    });
    const invalid = await failure(
      coordination.replaceNamespacedLease({
        namespace: "default",
        name: "vpc-route-sync",
        body: { metadata: { name: "vpc-route-sync", resourceVersion: created.metadata?.resourceVersion }, spec: { leaseDurationSeconds: 0 } },
      }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.message).toContain("spec.leaseDurationSeconds");
  });

  fakeOnly("lets tests seed and inspect leases in process", async () => {
    const fake = await startFakeKube({});
    coordination = kubeConfigFor(fake).makeApiClient(CoordinationV1Api);
    fake.createLease("kube-system", { metadata: { name: "other" }, spec: { holderIdentity: "someone-else", leaseDurationSeconds: 15 } });
    const read = await coordination.readNamespacedLease({ namespace: "kube-system", name: "other" });
    expect(read.spec?.holderIdentity).toBe("someone-else");
    fake.updateLease("kube-system", "other", (l) => {
      (l["spec"] as { holderIdentity: string }).holderIdentity = "me";
    });
    expect(fake.leases("kube-system").map((l) => (l["spec"] as { holderIdentity: string }).holderIdentity)).toEqual(["me"]);
    await fake.close();
  });
});
