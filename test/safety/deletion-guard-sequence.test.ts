// Issue 16, defect 2: the deletion guard over sequences of passes, against the fake VPC through
// the real SDK, a new runner and adapter every pass (a restart: nothing is remembered but the VPC).
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { nodeFacts } from "../support/nodes.js";
import type { PassSettings } from "../../src/domain/settings.js";
import { PassRunner, type PassResult } from "../../src/reconcile/pass-runner.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer, type SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";

const REGION = "cn-hangzhou";
const VPC = "vpc-test0001";
const TABLE = "vtb-test0001";
const UID = "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const SETTINGS: PassSettings = {
  regionId: REGION,
  vpcId: VPC,
  routeTableIds: [TABLE],
  clusterName: "prod",
  clusterUid: UID,
  clusterCidrs: parseClusterCidrs(["10.244.0.0/16"]),
  adoptUnmarked: false,
  maxDeletions: { kind: "percent", value: 50 },
};

const instanceOf = (i: number): string => `i-node${String(i).padStart(4, "0")}`;
const node = (i: number): NodeFacts => nodeFacts(`node-${i}`, { region: REGION, instance: instanceOf(i) });
const nodes = (from: number, to: number): NodeFacts[] => Array.from({ length: to - from + 1 }, (_, k) => node(from + k));
const ownedSeed = (i: number, destinationCidr = `10.244.${i}.0/24`, uid: string | null = UID): SeedEntry => ({
  destinationCidr,
  nextHopType: "Instance",
  nextHopId: instanceOf(i),
  ...routeMarker("prod", `node-${i}`, uid ?? undefined),
});

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function vpc(entries: SeedEntry[]): Promise<FakeVpcServer> {
  fake = await startFakeVpc({ regionId: REGION, vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, routeTableType: "System", entries }] }] });
  return fake;
}

/** One pass with a fresh adapter and runner; `onModify` sees each ModifyRouteEntry answer. */
function pass(server: FakeVpcServer, present: readonly NodeFacts[], extra: Partial<PassSettings> = {}, onModify?: (n: number) => void): Promise<PassResult> {
  let modifies = 0;
  const routeTable = createAlibabaRouteTable({
    regionId: REGION,
    endpoint: server.endpoint,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    pollIntervalMs: 5,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 1 },
    observer: { onApiCall: (action) => { if (action === "ModifyRouteEntry") onModify?.(++modifies); } },
  });
  const runner = new PassRunner({ routeTable, settings: { ...SETTINGS, ...extra }, logger: pino({ level: "silent" }) });
  return runner.run({ nodes: present, allowDeletes: true, dryRun: false });
}

const instanceRoutes = (server: FakeVpcServer): string[] =>
  server.entries(TABLE).filter((e) => e.nextHops[0]?.nextHopType === "Instance").map((e) => e.destinationCidr).sort();
const heldCount = (server: FakeVpcServer): number => server.entries(TABLE).filter((e) => (e.description ?? "").includes("hold=deletion")).length;
const calls = (server: FakeVpcServer, action: string): number => server.requests().filter((r) => r.action === action).length;

describe("holds written in part never allow piecemeal deletion (defect 2)", () => {
  // 10 owned routes; node-5..10 vanish: 6 deletes > 5 (50 %) -> refused, 6 hold marks to write.
  it.each([0, 1, 2, 3, 4, 5])("pass 1 records %i of 6 hold marks, then ModifyRouteEntry fails: every later pass still refuses", async (landed) => {
    const server = await vpc(nodes(1, 10).map((n, k) => ownedSeed(k + 1)));
    const present = nodes(1, 4);
    const cutOff = (n: number): void => {
      if (n === landed) server.addFault({ action: "ModifyRouteEntry", fault: { type: "error", status: 403, code: "Forbidden.RAM", message: "cut off" } });
    };
    if (landed === 0) cutOff(0);
    const first = await pass(server, present, {}, cutOff);
    expect(first.deletes).toEqual([]);
    expect(heldCount(server)).toBe(landed);
    server.clearFaults();

    // Later passes (restarts), with new Nodes created meanwhile: nothing of the refusal is deleted.
    for (const later of [present, [...present, ...nodes(11, 30)]]) {
      const again = await pass(server, later);
      expect(again.outcome).toBe("refused");
      expect(again.deletes).toEqual([]);
      expect(calls(server, "DeleteRouteEntries")).toBe(0);
    }
    expect(heldCount(server)).toBe(6);
    expect(instanceRoutes(server).filter((d) => Number(d.split(".")[2]) >= 5 && Number(d.split(".")[2]) <= 10)).toHaveLength(6);
  });

  it("the guard's base counts only routes that could be deleted: six owned routes outside the cluster CIDR do not dilute it", async () => {
    const outside = [1, 2, 3, 4, 5, 6].map((i) => ownedSeed(100 + i, `10.99.${i}.0/24`));
    const server = await vpc([...outside, ...[1, 2, 3, 4].map((i) => ownedSeed(i))]);
    const result = await pass(server, []);
    expect(result.outcome).toBe("refused");
    expect(result.deletes).toEqual([]);
    expect(instanceRoutes(server)).toHaveLength(10);
  });

  it("a route whose description is another tool's (managed-by=…) is that tool's: never adopted, held, claimed or deleted", async () => {
    const server = await vpc([
      { destinationCidr: "10.244.7.0/24", nextHopType: "Instance", nextHopId: instanceOf(7), description: "managed-by=terraform stack=net" },
      { destinationCidr: "10.244.8.0/24", nextHopType: "Instance", nextHopId: instanceOf(8), description: "managed-by=terraform stack=net" },
    ]);
    const adopt = { adoptUnmarked: true, maxDeletions: { kind: "count" as const, value: 0 } };
    // node-7's instance now has another pod CIDR (its old route would be a leftover to adopt);
    // node-8's route serves it exactly (an unmarked one would be claimed).
    const nodes = [{ ...node(7), podCidrs: ["10.244.70.0/24"] }, node(8)];
    const first = await pass(server, nodes, adopt);
    const again = await pass(server, nodes, { ...adopt, maxDeletions: { kind: "count", value: 100 }, approveDeletions: ["all"] });
    expect([...first.deletes, ...again.deletes]).toEqual([]);
    expect(calls(server, "ModifyRouteEntry")).toBe(0);
    expect(server.entries(TABLE).filter((e) => e.description === "managed-by=terraform stack=net").map((e) => e.destinationCidr).sort()).toEqual(["10.244.7.0/24", "10.244.8.0/24"]);
  });

  it("--approve-deletions=all covers exactly the routes the refusal held, not a legacy-marker route", async () => {
    const server = await vpc([ownedSeed(1), ownedSeed(2), ownedSeed(3, "10.244.3.0/24", null)]);
    await pass(server, [], { maxDeletions: { kind: "count", value: 0 } });
    expect(heldCount(server)).toBe(2);
    const approved = await pass(server, [], { approveDeletions: ["all"] });
    expect(approved.deletes.map((d) => d.action.destinationCidr).sort()).toEqual(["10.244.1.0/24", "10.244.2.0/24"]);
    expect(instanceRoutes(server)).toEqual(["10.244.3.0/24"]);
    // Named, the legacy route goes too.
    const legacy = server.entries(TABLE)[0]!.routeEntryId;
    await pass(server, [], { approveDeletions: [legacy] });
    expect(instanceRoutes(server)).toEqual([]);
  });
});
