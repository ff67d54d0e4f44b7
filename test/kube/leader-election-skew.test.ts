// Expiry is judged by the local time since the record last changed, never by comparing the
// holder's renewTime with our clock: a skewed clock on either side must not change the outcome.

import { CoordinationV1Api } from "../../src/kube/kube-apis.js";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { LeaderElector } from "../../src/kube/leader-election.js";
import { ManualTimers } from "../support/manual-timers.js";
import { waitFor } from "./helpers.js";

describe("LeaderElector expiry with skewed clocks", () => {
  let fake: FakeKubeServer | undefined;
  let elector: LeaderElector | undefined;
  afterEach(async () => {
    await elector?.stop();
    await fake?.close();
  });

  it.each([
    ["an hour behind ours", -3_600_000],
    ["an hour ahead of ours", 3_600_000],
  ])("a lease renewed by a holder whose clock is %s expires after leaseDuration of our time", async (_name, skewMs) => {
    fake = await startFakeKube();
    const timers = new ManualTimers();
    const renewTime = new Date(timers.now() + skewMs).toISOString().replace("Z", "000Z");
    fake.createLease("kube-system", {
      metadata: { name: "vpc-route-sync" },
      spec: { holderIdentity: "ghost", leaseDurationSeconds: 15, renewTime, acquireTime: renewTime, leaseTransitions: 3 },
    });
    const coordination = loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath }).makeApiClient(CoordinationV1Api);
    elector = new LeaderElector({
      coordination,
      namespace: "kube-system",
      name: "vpc-route-sync",
      identity: "replica-a",
      timers,
      onStartedLeading: () => undefined,
    });
    const reads = (): number => fake!.requests().filter((r) => r.method === "GET" && r.path.endsWith("/leases/vpc-route-sync")).length;

    elector.start();
    await waitFor(() => elector!.leader === "ghost", "first read");
    // Step our clock through the lease duration one attempt at a time: each advance wakes the
    // sleeping loop (its wait is 2 s × 1.6 with random 0.5), which reads the Lease and sleeps again.
    const start = timers.now();
    while (timers.now() - start < 13_000) {
      const before = reads();
      timers.advanceSync(4_400);
      await waitFor(() => reads() > before && timers.pendingCount > 0, "next attempt done");
      expect(elector.isLeader()).toBe(false);
    }
    timers.advanceSync(4_400);
    await waitFor(() => elector!.isLeader(), "takeover once 15 s of our time passed");
    expect(timers.now() - start).toBeGreaterThanOrEqual(15_000);
    const spec = fake.getLease("kube-system", "vpc-route-sync")!["spec"] as Record<string, unknown>;
    expect(spec).toMatchObject({ holderIdentity: "replica-a", leaseTransitions: 4 });
  });
});
