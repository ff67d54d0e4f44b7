// Issue 16, defect 5: a route of another type (System, CEN, BGP, ECR) at a Node's pod CIDR is read
// by the one listing of the table, reported as a conflict and never the target of a write. The real
// adapter against the fake VPC over HTTP, through the pass runner; assertions on the fake's state
// and request log.
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer, type OmittedFilters, type SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { nodeFacts } from "../support/nodes.js";
import { nodesBlockedByConflict, passEnding } from "../../src/reconcile/pass-outcome.js";
import { exitCodeFor } from "../../src/error-policy.js";
import { PassRunner } from "../../src/reconcile/pass-runner.js";
import { buildJsonReport } from "../../src/reconcile/report.js";
import { PASS_SETTINGS } from "./fixtures.js";

const TABLE = "vtb-main0001";
const WRITES = new Set(["CreateRouteEntry", "CreateRouteEntries", "DeleteRouteEntry", "DeleteRouteEntries", "ModifyRouteEntry"]);

let vpc: FakeVpcServer | undefined;
afterEach(async () => {
  await vpc?.close();
  vpc = undefined;
});

const node = (n: number): NodeFacts => nodeFacts(`node-${n}`, { instance: `i-node${n}0000000` });

const LEARNED: SeedEntry[] = [
  { destinationCidr: "10.244.1.0/24", type: "CEN", nextHopType: "Attachment", nextHopId: "tr-attach0001" },
  { destinationCidr: "10.244.2.0/24", type: "BGP", nextHopType: "RouterInterface", nextHopId: "ri-vbr0001" },
  { destinationCidr: "10.244.3.0/24", type: "ECR", nextHopType: "Ecr", nextHopId: "ecr-0001" },
  // A learned route to the Node's own instance: it routes the pods, so it satisfies the Node (no
  // write, no conflict) but is never claimed or deleted (not Custom).
  { destinationCidr: "10.244.4.0/24", type: "CEN", nextHopType: "Instance", nextHopId: "i-node40000000" },
];

async function world(omittedFilters?: Partial<OmittedFilters>) {
  vpc = await startFakeVpc({
    regionId: "cn-hangzhou",
    ...(omittedFilters !== undefined ? { omittedFilters } : {}),
    vpcs: [{ vpcId: "vpc-test0001", tables: [{ routeTableId: TABLE, routeTableType: "System", entries: LEARNED }] }],
  });
  const routeTable = createAlibabaRouteTable({
    regionId: "cn-hangzhou",
    endpoint: vpc.endpoint,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    pollIntervalMs: 10,
    writeDeadlineMs: 30_000,
    retry: { baseDelayMs: 2, maxDelayMs: 20 },
  });
  // What the VPC network source tells (this VPC has no IPv6 block): no IPv6 read beside the listing.
  routeTable.noteIpv6([TABLE], false);
  const runner = new PassRunner({ routeTable, settings: { ...PASS_SETTINGS, routeTableIds: [TABLE], clusterUid: "0f6bd2c4-3b1e-4d61-9d53-7a3c2e8b1f00" }, logger: pino({ level: "silent" }) });
  return { vpc, runner };
}

describe("routes of other types at a Node's pod CIDR", () => {
  it("are read by the single listing, reported as conflicts, and no write is aimed at them; the other Node is routed", async () => {
    const { vpc, runner } = await world();
    const before = vpc.entries(TABLE);
    const nodes = [node(1), node(2), node(3), node(4), node(5)];
    const dry = await runner.run({ nodes, allowDeletes: true, dryRun: true });
    expect(dry.plan.creates.map((c) => c.destinationCidr)).toEqual(["10.244.5.0/24"]);
    expect(dry.plan.conflicts.map((c) => `${c.nodeName} ${c.reason}`)).toEqual([1, 2, 3].map((n) => `node-${n} destination-held-by-foreign-route`));
    expect(dry.plan.satisfied.map((s) => s.nodeName)).toEqual(["node-4"]);
    expect(dry.plan.marks).toEqual([]);
    expect(dry.plan.conflicts[1]!.message).toContain("BGP");
    // One listing call, without a type filter (the steady-pass budget is unchanged).
    const listings = vpc.requests().filter((r) => r.action === "DescribeRouteEntryList");
    expect(listings).toHaveLength(1);
    expect(listings[0]!.params["RouteEntryType"]).toBeUndefined();

    vpc.resetRequests();
    const applied = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    const writes = vpc.requests().filter((r) => WRITES.has(r.action));
    const targets = writes.flatMap((r) => Object.entries(r.params).filter(([k]) => /DstCidrBlock$|DestinationCidrBlock$/.test(k)).map(([, v]) => v));
    expect(targets).toEqual(["10.244.5.0/24"]);
    expect(writes.map((r) => r.action)).toEqual(["CreateRouteEntries"]);
    for (const e of before) expect(vpc.entries(TABLE)).toContainEqual(expect.objectContaining({ routeEntryId: e.routeEntryId, type: e.type, nextHops: e.nextHops }));
    expect(nodesBlockedByConflict(applied)).toEqual(["node-1", "node-2", "node-3"]);
    expect(applied.nodeRoutes.get("node-5")).toEqual({ state: "available" });
    expect(exitCodeFor(passEnding(applied, false))).toBe(4);
    expect(exitCodeFor(passEnding(dry, true))).toBe(4);
    expect(buildJsonReport(applied, nodes, false).conflicts).toHaveLength(3);

    // A later pass sends nothing at all: no create retried against a destination it cannot have.
    vpc.resetRequests();
    await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(vpc.requests().filter((r) => WRITES.has(r.action))).toEqual([]);
  });

  it.each([
    ["RouteEntryType as Custom", { routeEntryType: "Custom" }],
    ["NextHopType as Instance", { nextHopType: "Instance" }],
  ] as const)("where the API reads an omitted %s, the routes the listing leaves out are looked up at the destinations to create: conflicts, no write aimed at them", async (_name, omittedFilters) => {
    const { vpc, runner } = await world(omittedFilters);
    const nodes = [node(1), node(2), node(3), node(5)];
    const applied = await runner.run({ nodes, allowDeletes: true, dryRun: false });
    expect(applied.plan.conflicts.map((c) => `${c.nodeName} ${c.reason}`)).toEqual([1, 2, 3].map((n) => `node-${n} destination-held-by-foreign-route`));
    expect(applied.plan.conflicts[0]!.message).toContain("CEN");
    const writes = vpc.requests().filter((r) => WRITES.has(r.action));
    expect(writes.flatMap((r) => Object.entries(r.params).filter(([k]) => /DstCidrBlock$/.test(k)).map(([, v]) => v))).toEqual(["10.244.5.0/24"]);
    expect(applied.nodeRoutes.get("node-5")).toEqual({ state: "available" });
    expect(exitCodeFor(passEnding(applied, false))).toBe(4);
    // The lookups name only the destinations about to be created; System routes (which block any
    // overlapping create) are read for the whole table.
    const lookups = vpc.requests().filter((r) => r.action === "DescribeRouteEntryList" && (r.params["RouteEntryType"] !== undefined || r.params["NextHopType"] !== undefined));
    const system = (r: { params: Record<string, string> }): boolean => r.params["RouteEntryType"] === "System" || ["local", "service"].includes(r.params["NextHopType"] ?? "");
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.filter((r) => !system(r)).every((r) => r.params["DestCidrBlockList.1"] !== undefined)).toBe(true);
  });
});
