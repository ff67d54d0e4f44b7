// Nodes through the real @kubernetes/client-node 2.0.1: pagination, selectors, create/replace/delete
// semantics and the two patch types on the main resource and on /status. Differential: the same
// tests run against the real kube-apiserver in project "real" (docs/testing.md); those about the
// fake's own controls (faults, request log, options) run on the fake only.

import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequest } from "../../../test/real-kube/real-kube.ts";
import { backendKind } from "../../../test/support/kube-backend.ts";
import { startFakeKube } from "../src/index.ts";
import { kubeConfigFor, kubeConfigOf, nodeFixture, startKubeUnderTest, type KubeUnderTest } from "./helpers.ts";

let kube: KubeUnderTest;
let core: CoreV1Api;
/** The kubeconfig's CA (PEM), for raw requests over https. */
function caOf(k: KubeUnderTest): string | undefined {
  const data = /certificate-authority-data: (\S+)/.exec(k.kubeconfig)?.[1];
  return data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
}

/** Tests of the fake's own controls and options: nothing to compare on a real server. */
const fakeOnly = it.skipIf(backendKind() === "real");

beforeEach(async () => {
  kube = await startKubeUnderTest(["n1", "n2", "n3", "n4", "n5"].map((n, i) => nodeFixture(n, { labels: { pool: i % 2 === 0 ? "a" : "b" } })));
  core = kubeConfigOf(kube).makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await kube.close();
});

async function apiError(promise: Promise<unknown>): Promise<{ code: number; status: { reason: string; message: string; code: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) {
      // client-node leaves the body undefined for statuses its generated code declares (401).
      const body = typeof error.body === "string" ? (JSON.parse(error.body) as { reason: string; message: string; code: number }) : { reason: "", message: "", code: 0 };
      return { code: error.code, status: body };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

function conditionSummary(node: V1Node): string[] {
  return (node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`);
}

describe(`fake-kube nodes via client-node (${backendKind()} API server)`, () => {
  it("pages through a list with limit/continue at one consistent resourceVersion", async () => {
    const first = await core.listNode({ limit: 2 });
    expect(first.items.map((n) => n.metadata?.name)).toEqual(["n1", "n2"]);
    expect(first.metadata?._continue).toBeTruthy();
    expect(first.metadata?.remainingItemCount).toBe(3);
    // A change between pages is not visible in later pages: they come from the first page's snapshot.
    await kube.createNode(nodeFixture("n0"));
    await kube.deleteNode("n5");
    const names = first.items.map((n) => n.metadata?.name);
    let token = first.metadata?._continue;
    while (token !== undefined && token !== "") {
      const page = await core.listNode({ limit: 2, _continue: token });
      expect(page.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
      names.push(...page.items.map((n) => n.metadata?.name));
      token = page.metadata?._continue;
    }
    expect(names).toEqual(["n1", "n2", "n3", "n4", "n5"]);
    const bad = await apiError(core.listNode({ limit: 2, _continue: "not-a-token" }));
    expect(bad.code).toBe(400);
  });

  fakeOnly("answers 410 Expired for a continue token older than the compacted history", async () => {
    // On the real server: test/real-kube/watch.test.ts compacts etcd for the same answer.
    const fake = await startFakeKube({ nodes: [nodeFixture("c1"), nodeFixture("c2"), nodeFixture("c3")] });
    const first = await kubeConfigFor(fake).makeApiClient(CoreV1Api).listNode({ limit: 2 });
    fake.faults.compactHistory();
    const gone = await apiError(kubeConfigFor(fake).makeApiClient(CoreV1Api).listNode({ limit: 2, _continue: first.metadata?._continue ?? "" }));
    await fake.close();
    expect(gone.code).toBe(410);
    expect(gone.status.reason).toBe("Expired");
  });

  it.each([
    ["pool=a", undefined, ["n1", "n3", "n5"]],
    ["pool!=a", undefined, ["n2", "n4"]],
    ["pool in (a,b),pool notin (b)", undefined, ["n1", "n3", "n5"]],
    ["!pool", undefined, []],
    [undefined, "metadata.name=n2", ["n2"]],
    [undefined, "metadata.name!=n2,spec.unschedulable=false", ["n1", "n3", "n4", "n5"]],
    ["pool=b", "metadata.name==n4", ["n4"]],
  ])("lists with labelSelector %s and fieldSelector %s", async (labelSelector, fieldSelector, expected) => {
    const list = await core.listNode({ labelSelector, fieldSelector });
    expect(list.items.map((n) => n.metadata?.name)).toEqual(expected);
  });

  it("rejects field selectors on fields the real apiserver does not index", async () => {
    const error = await apiError(core.listNode({ fieldSelector: "spec.providerID=x" }));
    expect(error.code).toBe(400);
    expect(error.status.message).toBe("field label not supported: spec.providerID");
  });

  it("creates with generated fields, generateName, and the AlreadyExists / Invalid errors", async () => {
    const before = Number((await core.listNode()).metadata?.resourceVersion);
    const created = await core.createNode({ body: { metadata: { generateName: "worker-" }, spec: {} } });
    expect(created.metadata?.name).toMatch(/^worker-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(before);
    expect(created.metadata?.generation).toBeUndefined();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const duplicate = await apiError(core.createNode({ body: { metadata: { name: "n1" } } }));
    expect(duplicate).toMatchObject({ code: 409, status: { reason: "AlreadyExists", message: 'nodes "n1" already exists' } });
    const nameless = await apiError(core.createNode({ body: { metadata: {} } }));
    expect(nameless.code).toBe(422);
    expect(nameless.status.reason).toBe("Invalid");
    expect(nameless.status.message).toContain("metadata.name: Required value: name or generateName is required");
    const missing = await apiError(core.readNode({ name: "nope" }));
    expect(missing).toMatchObject({ code: 404, status: { reason: "NotFound", message: 'nodes "nope" not found' } });
  });

  it("replaces with optimistic concurrency and ignores status on the main resource", async () => {
    const node = await core.readNode({ name: "n1" });
    node.metadata!.labels = { ...node.metadata!.labels, changed: "yes" };
    node.status = { conditions: [{ type: "Ready", status: "False" }] };
    const replaced = await core.replaceNode({ name: "n1", body: node });
    expect(replaced.metadata?.labels?.["changed"]).toBe("yes");
    expect(conditionSummary(replaced)).toEqual(["Ready=True"]);
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(node.metadata?.resourceVersion));

    const stale = await apiError(core.replaceNode({ name: "n1", body: node }));
    expect(stale).toMatchObject({
      code: 409,
      status: {
        reason: "Conflict",
        message: 'Operation cannot be fulfilled on nodes "n1": the object has been modified; please apply your changes to the latest version and try again',
      },
    });
  });

  it("patches /status with strategic merge (by type, $patch: delete), and merge patch", async () => {
    const smp = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
    const added = await core.patchNodeStatus(
      { name: "n1", body: { status: { conditions: [{ type: "NetworkUnavailable", status: "False", reason: "RouteCreated" }] } } },
      smp,
    );
    // Order within the merged list is not part of the contract (the fake appends, the real server
    // puts the patch's new items first): compare as sets.
    expect(conditionSummary(added).sort()).toEqual(["NetworkUnavailable=False", "Ready=True"]);
    const updated = await core.patchNodeStatus({ name: "n1", body: { status: { conditions: [{ type: "NetworkUnavailable", status: "True" }] } } }, smp);
    expect(conditionSummary(updated).sort()).toEqual(["NetworkUnavailable=True", "Ready=True"]);
    expect(updated.status?.conditions?.find((c) => c.type === "NetworkUnavailable")?.reason).toBe("RouteCreated");
    const deleted = await core.patchNodeStatus({ name: "n1", body: { status: { conditions: [{ type: "NetworkUnavailable", $patch: "delete" }] } } }, smp);
    expect(conditionSummary(deleted)).toEqual(["Ready=True"]);

    const merged = await core.patchNodeStatus(
      { name: "n1", body: { status: { conditions: [{ type: "OnlyThis", status: "False" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(conditionSummary(merged)).toEqual(["OnlyThis=False"]);
  });

  it("keeps an unchanged object's resourceVersion (a no-op patch writes nothing)", async () => {
    const before = await core.readNode({ name: "n2" });
    const after = await core.patchNodeStatus(
      { name: "n2", body: { status: { conditions: [{ type: "Ready", status: "True" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it("writes to /status keep the spec (metadata goes through), writes to the node ignore status", async () => {
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const viaStatus = await core.patchNodeStatus({ name: "n1", body: { metadata: { labels: { sneaky: "x" } }, spec: { unschedulable: true }, status: { phase: "Running" } } }, merge);
    expect(viaStatus.metadata?.labels?.["sneaky"]).toBe("x");
    expect(viaStatus.spec?.unschedulable).toBeUndefined();
    expect(viaStatus.status?.phase).toBe("Running");
    const viaMain = await core.patchNode({ name: "n1", body: { metadata: { labels: { a: "b" } }, status: { phase: "Terminated" } } }, merge);
    expect(viaMain.metadata?.labels?.["a"]).toBe("b");
    expect(viaMain.status?.phase).toBe("Running");
    expect(await kube.getNode("n1")).toMatchObject({ metadata: { labels: { a: "b" } }, status: { phase: "Running" } });
  });

  it("makes a patch carrying a stale resourceVersion fail with 409", async () => {
    const node = await core.readNode({ name: "n3" });
    await kube.patchNode("n3", { metadata: { labels: { bumped: "1" } } });
    const stale = await apiError(
      core.patchNodeStatus(
        { name: "n3", body: { metadata: { resourceVersion: node.metadata?.resourceVersion }, status: { phase: "X" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe("Conflict");
  });

  fakeOnly("rejects server-side apply (not implemented by the fake) with 415", async () => {
    // The real server implements apply-patch+yaml (this body then fails validation with 422).
    const unsupported = await apiError(core.patchNode({ name: "n3", body: { metadata: {} } }, setHeaderOptions("Content-Type", "application/apply-patch+yaml")));
    expect(unsupported.code).toBe(415);
    expect(unsupported.status.reason).toBe("UnsupportedMediaType");
    expect(unsupported.status.message).toMatch(/^the body of the request was in an unknown format - accepted media types include: /);
  });

  it("deletes with preconditions, and finalizers turn a delete into a deletionTimestamp", async () => {
    const node = await core.readNode({ name: "n4" });
    const wrongUid = await apiError(core.deleteNode({ name: "n4", body: { preconditions: { uid: "not-the-uid" } } }));
    expect(wrongUid.code).toBe(409);
    expect(wrongUid.status.message).toMatch(
      /^Operation cannot be fulfilled on Node "n4": the UID in the precondition \(not-the-uid\) does not match the UID in record \([0-9a-f-]{36}\)\. The object might have been deleted and then recreated$/,
    );
    await core.deleteNode({ name: "n4", body: { preconditions: { uid: node.metadata?.uid, resourceVersion: node.metadata?.resourceVersion } } });
    expect(await kube.getNode("n4")).toBeUndefined();

    await kube.patchNode("n5", { metadata: { finalizers: ["example.com/hold"] } });
    await core.deleteNode({ name: "n5" });
    const held = await core.readNode({ name: "n5" });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.patchNode({ name: "n5", body: { metadata: { finalizers: null } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    expect(await kube.getNode("n5")).toBeUndefined();
  });

  it("honours dryRun=All without storing anything", async () => {
    const rv = (await core.listNode()).metadata?.resourceVersion;
    const created = await core.createNode({ body: { metadata: { name: "dry" } }, dryRun: "All" });
    expect(created.metadata?.name).toBe("dry");
    await core.deleteNode({ name: "n1", dryRun: "All" });
    expect(await kube.getNode("dry")).toBeUndefined();
    expect(await kube.getNode("n1")).toBeDefined();
    expect((await core.listNode()).metadata?.resourceVersion).toBe(rv);
  });

  it("answers 401 with a Status body to a wrong token", async () => {
    const wrong = new KubeConfig();
    wrong.loadFromString(kube.kubeconfig.replace(`token: "${kube.token}"`, 'token: "wrong"'));
    const error = await apiError(wrong.makeApiClient(CoreV1Api).listNode());
    expect(error.code).toBe(401);
    const raw = await apiRequest({ url: kube.url, caPem: caOf(kube) }, "wrong", "GET", "/api/v1/nodes");
    expect(JSON.parse(raw.body)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  fakeOnly("answers 401 to no token when anonymous access is off", async () => {
    const strict = await startFakeKube({ anonymous: false, token: "s3cret" });
    try {
      const response = await fetch(`${strict.url}/api/v1/nodes`);
      expect(response.status).toBe(401);
      const list = await kubeConfigFor(strict).makeApiClient(CoreV1Api).listNode();
      expect(list.items).toEqual([]);
      expect(strict.requests().map((r) => [r.status, r.authenticated])).toEqual([
        [401, false],
        [200, true],
      ]);
    } finally {
      await strict.close();
    }
  });

  fakeOnly("serves https with its certificate as the kubeconfig's CA", async () => {
    const secure = await startFakeKube({ tls: true, anonymous: false, nodes: [nodeFixture("tls-node")] });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(secure.kubeconfig).toContain("certificate-authority-data: ");
      expect(secure.kubeconfig).not.toContain("insecure-skip-tls-verify");
      const list = await kubeConfigFor(secure).makeApiClient(CoreV1Api).listNode();
      expect(list.items.map((n) => n.metadata?.name)).toEqual(["tls-node"]);
      expect(secure.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    } finally {
      await secure.close();
    }
  });
});
