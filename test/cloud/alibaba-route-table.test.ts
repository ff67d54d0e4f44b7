// The Alibaba adapter over real HTTP against the fake VPC API: batching, paging, waiting for
// settled entries, retries under faults, credential failures and secrecy. Assertions are on the
// fake's final state and its request log, never on timing.
import { belowGate } from "../support/below-gate.js";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createAlibabaRouteTable, type AlibabaRouteTableOptions } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { CloudError } from "../../src/cloud/errors.js";
import type { CloudCallObserver } from "../../src/cloud/observer.js";
import type { RouteCreate, RouteDelete } from "../../src/domain/types.js";
import {
  FAKE_ACCESS_KEY_ID,
  FAKE_ACCESS_KEY_SECRET,
  startFakeVpc,
  type FakeVpcOptions,
  type FakeVpcServer,
  type SeedEntry,
} from "@vpc-route-sync/fake-alibaba-vpc";

const REGION = "cn-shanghai";
const VPC = "vpc-test0001";
const TABLE = "vtb-test0001";
const TABLE2 = "vtb-test0002";
const MARKER = "managed-by=vpc-route-sync,cluster=test";

const FOREIGN: SeedEntry[] = [
  { destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "-" },
  { destinationCidr: "10.100.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-test0001" },
  { destinationCidr: "10.200.0.0/16", nextHopType: "RouterInterface", nextHopId: "ri-test0001" },
  { destinationCidr: "10.44.0.0/24", nextHopType: "Instance", nextHopId: "i-foreign0001", description: "hand-made" },
];

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function startFake(options: FakeVpcOptions = {}): Promise<FakeVpcServer> {
  fake = await startFakeVpc({
    regionId: REGION,
    vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, routeTableType: "System", entries: FOREIGN }, { routeTableId: TABLE2, routeTableType: "Custom" }] }],
    ...options,
  });
  return fake;
}

function adapter(server: FakeVpcServer, options: Partial<AlibabaRouteTableOptions> = {}) {
  return createAlibabaRouteTable({
    regionId: REGION,
    endpoint: server.endpoint,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    pollIntervalMs: 10,
    writeDeadlineMs: 30_000,
    retry: { baseDelayMs: 2, maxDelayMs: 20 },
    ...options,
  });
}

function desired(n: number, table = TABLE, from = 0): RouteCreate[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      routeTableId: table,
      destinationCidr: `10.${244 + Math.floor(i / 256)}.${i % 256}.0/24`,
      instanceId: `i-node${String(i).padStart(4, "0")}`,
      routeEntryName: `vrs-node${i}`,
      description: MARKER,
    };
  });
}

function calls(server: FakeVpcServer, action: string): number {
  return server.requests().filter((r) => r.action === action).length;
}

function foreignState(server: FakeVpcServer): unknown[] {
  const cidrs = FOREIGN.map((f) => f.destinationCidr);
  return server
    .entries(TABLE)
    .filter((e) => cidrs.includes(e.destinationCidr))
    .map((e) => ({ id: e.routeEntryId, cidr: e.destinationCidr, hops: e.nextHops, name: e.routeEntryName, description: e.description, type: e.type }));
}

function ourRoutes(server: FakeVpcServer, table = TABLE): Map<string, string> {
  return new Map(
    server
      .entries(table)
      .filter((e) => e.description === MARKER)
      .map((e) => [e.destinationCidr, `${e.nextHops.map((h) => h.nextHopId).join(",")}/${e.status}`]),
  );
}

function logCapture(): { logger: pino.Logger; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: pino({ level: "debug" }, stream), text: () => chunks.join("") };
}

/** A reconcile pass as the executor would run it: list, then create what is missing and delete what is stale. */
async function converge(table: ReturnType<typeof adapter>, want: readonly RouteCreate[], passes: number): Promise<void> {
  for (let pass = 0; pass < passes; pass += 1) {
    const actual = await table.listRoutes(TABLE);
    const wanted = new Map(want.map((w) => [w.destinationCidr, w]));
    const creates = want.filter((w) => !actual.some((a) => a.destinationCidr === w.destinationCidr));
    const deletes: RouteDelete[] = actual
      .filter((a) => a.description === MARKER && wanted.get(a.destinationCidr)?.instanceId !== a.nextHops[0]?.nextHopId)
      .map((a) => ({ routeTableId: TABLE, routeEntryId: a.routeEntryId, destinationCidr: a.destinationCidr, instanceId: a.nextHops[0]?.nextHopId ?? "" }));
    if (creates.length === 0 && deletes.length === 0) return;
    await belowGate(table).apply(TABLE, { creates, deletes });
  }
}

describe("Alibaba route table adapter over HTTP", () => {
  it("creates 120 routes in an empty table with exactly 3 CreateRouteEntries calls, then a second pass writes nothing", async () => {
    const server = await startFake({ pendingMs: 200 });
    const table = adapter(server);
    const want = desired(120, TABLE2);
    const result = await belowGate(table).apply(TABLE2, { creates: want, deletes: [] });
    expect(result.creates.filter((c) => c.outcome.ok)).toHaveLength(120);
    expect(calls(server, "CreateRouteEntries")).toBe(3);
    expect(server.requests().filter((r) => r.code !== "")).toEqual([]);
    const after = ourRoutes(server, TABLE2);
    expect(after.size).toBe(120);
    for (const w of want) expect(after.get(w.destinationCidr)).toBe(`${w.instanceId}/Available`);

    server.resetRequests();
    const listed = await table.listRoutes(TABLE2);
    expect(listed.filter((e) => e.description === MARKER)).toHaveLength(120);
    expect(calls(server, "CreateRouteEntries") + calls(server, "DeleteRouteEntries")).toBe(0);
  });

  it.each([
    ["every type", { nextHopType: "any", ipVersion: "any" }],
    ["Instance only", { nextHopType: "Instance", ipVersion: "ipv4" }],
  ] as const)("exact calls when an omitted filter means %s: one read per 100 entries, one write per 50, one confirmation read per write that is also the next write's wait", async (_name, omittedFilters) => {
    const server = await startFake({ omittedFilters });
    const table = adapter(server);
    // What the VPC network source tells after DescribeVpcAttribute: no IPv6 block, so no IPv6 read.
    table.noteIpv6([TABLE, TABLE2], false);
    expect(await table.listRoutes(TABLE2)).toEqual([]);
    expect(calls(server, "DescribeRouteEntryList")).toBe(1);

    server.resetRequests();
    const want = desired(120, TABLE2);
    const result = await belowGate(table).apply(TABLE2, { creates: want, deletes: [] });
    expect(result.creates.every((c) => c.outcome.ok)).toBe(true);
    // The pass's listing just found the table quiet: it is the first batch's wait; each confirmation
    // (one call for the batch's destinations, however large the table) is the next one's. The route
    // table's VPC is looked up once.
    expect(server.requests().map((r) => r.action.replace("DescribeRouteEntryList", "read").replace("CreateRouteEntries", "write"))).toEqual([
      "DescribeRouteTableList", "write", "read", "write", "read", "write", "read",
    ]);
    const confirmations = server.requests().filter((r) => r.action === "DescribeRouteEntryList");
    expect(confirmations.map((r) => Object.keys(r.params).filter((k) => k.startsWith("DestCidrBlockList.")).length)).toEqual([50, 50, 20]);

    server.resetRequests();
    const listed = await table.listRoutes(TABLE2);
    expect(listed).toHaveLength(120);
    expect(calls(server, "DescribeRouteEntryList")).toBe(2);
    expect(server.requests().every((r) => r.params["NextHopType"] === undefined && r.params["IpVersion"] === undefined)).toBe(true);
    expect(server.requests()).toHaveLength(2);
  });

  it("with listIpv6, lists IPv6 entries with one explicit IpVersion=ipv6 read even where an omitted IpVersion means IPv4", async () => {
    const server = await startFake({ omittedFilters: { ipVersion: "ipv4" } });
    server.addEntry(TABLE2, { destinationCidr: "fd00:10:244:7::/64", nextHopType: "Instance", nextHopId: "i-node0007", description: MARKER });
    server.addEntry(TABLE2, { destinationCidr: "10.244.7.0/24", nextHopType: "Instance", nextHopId: "i-node0007", description: MARKER });
    const ipv4Vpc = adapter(server);
    ipv4Vpc.noteIpv6([TABLE2], false);
    expect((await ipv4Vpc.listRoutes(TABLE2)).map((e) => e.destinationCidr)).toEqual(["10.244.7.0/24"]);
    server.resetRequests();
    const listed = await adapter(server, { listIpv6: true }).listRoutes(TABLE2);
    expect(listed.map((e) => e.destinationCidr).sort()).toEqual(["10.244.7.0/24", "fd00:10:244:7::/64"]);
    expect(server.requests().map((r) => r.params["IpVersion"] ?? "omitted")).toEqual(["omitted", "ipv6"]);
  });

  it("without listIpv6 (an IPv4-only --cluster-cidr), an owned IPv6 route is still listed while the VPC may hold IPv6 and the listing is not known to show it (issue 16, item 1)", async () => {
    const server = await startFake({ omittedFilters: { ipVersion: "ipv4" } });
    server.addEntry(TABLE2, { destinationCidr: "fd00:10:244:7::/64", nextHopType: "Instance", nextHopId: "i-node0007", description: MARKER });
    const table = adapter(server);
    expect((await table.listRoutes(TABLE2)).map((e) => e.destinationCidr)).toEqual(["fd00:10:244:7::/64"]);
    expect(server.requests().map((r) => r.params["IpVersion"] ?? "omitted")).toEqual(["omitted", "ipv6"]);
    // The VPC turns out to have an IPv6 block: still read. An unfiltered listing that shows IPv6: no longer needed.
    table.noteIpv6([TABLE2], true);
    server.resetRequests();
    await table.listRoutes(TABLE2);
    expect(server.requests()).toHaveLength(2);
    const server2 = await startFakeVpc({ regionId: REGION, vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE2, routeTableType: "Custom", entries: [{ destinationCidr: "fd00:10:244:7::/64", nextHopType: "Instance", nextHopId: "i-node0007" }] }] }] });
    try {
      const anyReading = adapter(server2);
      await anyReading.listRoutes(TABLE2);
      server2.resetRequests();
      expect((await anyReading.listRoutes(TABLE2)).map((e) => e.destinationCidr)).toEqual(["fd00:10:244:7::/64"]);
      expect(server2.requests().map((r) => r.params["IpVersion"] ?? "omitted")).toEqual(["omitted"]);
    } finally {
      await server2.close();
    }
  });

  it.each([
    ["RouteEntryType as Custom", { routeEntryType: "Custom" }, "CEN", "Attachment", "tr-attach01"],
    ["NextHopType as Instance", { nextHopType: "Instance" }, "Custom", "RouterInterface", "ri-test0009"],
  ] as const)(
    "hiddenHolders: where an omitted %s hides a route, the destinations about to be created are looked up by type (issue 16, defect 5)",
    async (_name, omittedFilters, type, nextHopType, nextHopId) => {
      const server = await startFake({ omittedFilters });
      server.addEntry(TABLE2, { destinationCidr: "10.244.7.0/24", type, nextHopType, nextHopId });
      const table = adapter(server);
      table.noteIpv6([TABLE2], false);
      expect(await table.listRoutes(TABLE2)).toEqual([]);
      server.resetRequests();
      const hidden = await table.hiddenHolders(TABLE2, ["10.244.7.0/24", "10.244.8.0/24"]);
      expect(hidden.map((e) => [e.destinationCidr, e.type, e.nextHops[0]?.nextHopId])).toEqual([["10.244.7.0/24", type, nextHopId]]);
      // One call per type not yet seen in a listing, each naming the destinations; the System routes'
      // (which block any overlapping create) are read for the whole table.
      const system = (r: { params: Record<string, string> }): boolean => r.params["RouteEntryType"] === "System" || ["local", "service"].includes(r.params["NextHopType"] ?? "");
      expect(server.requests().filter((r) => !system(r)).every((r) => r.params["DestCidrBlockList.1"] === "10.244.7.0/24" && r.params["DestCidrBlockList.2"] === "10.244.8.0/24")).toBe(true);
      expect(server.requests().filter(system).every((r) => r.params["DestCidrBlockList.1"] === undefined)).toBe(true);
      expect(server.requests().length).toBeGreaterThan(0);
    },
  );

  it("hiddenHolders returns a System route that covers a destination, where an omitted NextHopType means Instance", async () => {
    const server = await startFake({ omittedFilters: { nextHopType: "Instance" } });
    server.addEntry(TABLE2, { destinationCidr: "10.0.0.0/8", type: "System", nextHopType: "local", nextHopId: "-" });
    const table = adapter(server);
    table.noteIpv6([TABLE2], false);
    expect(await table.listRoutes(TABLE2)).toEqual([]);
    expect((await table.hiddenHolders(TABLE2, ["10.244.7.0/24"])).map((e) => `${e.type} ${e.destinationCidr}`)).toEqual(["System 10.0.0.0/8"]);
  });

  it("hiddenHolders makes no call once the listings have shown other route types and next hops", async () => {
    const server = await startFake();
    const table = adapter(server);
    table.noteIpv6([TABLE], false);
    await table.listRoutes(TABLE); // a System route (next hop local) and a VPN route: the API lists every type
    server.resetRequests();
    expect(await table.hiddenHolders(TABLE, ["10.244.7.0/24"])).toEqual([]);
    expect(server.requests()).toEqual([]);
  });

  it("reads a table of 250 routes across 3 DescribeRouteEntryList pages", async () => {
    const server = await startFake({ quotaPerTable: 300 });
    for (let i = 0; i < 250; i += 1) server.addEntry(TABLE2, { destinationCidr: `10.${10 + Math.floor(i / 200)}.${i % 200}.0/24`, nextHopType: "Instance", nextHopId: `i-bulk${i}` });
    const table = adapter(server);
    table.noteIpv6([TABLE2], false);
    const entries = await table.listRoutes(TABLE2);
    expect(entries).toHaveLength(250);
    const pages = server.requests().filter((r) => r.action === "DescribeRouteEntryList");
    expect(pages).toHaveLength(3);
    expect(pages.every((r) => r.params["MaxResult"] === "100" && r.params["RouteEntryType"] === undefined && r.params["NextHopType"] === undefined)).toBe(true);
  });

  it("converges to the same final state with 30% of calls throttled and 10% answered 503, leaving foreign routes alone", async () => {
    const server = await startFake({ pendingMs: 20, seed: 3 });
    const before = foreignState(server);
    const observed = { calls: 0, throttles: 0, retries: 0 };
    const observer: CloudCallObserver = {
      onApiCall: () => void (observed.calls += 1),
      onThrottle: () => void (observed.throttles += 1),
      onRetry: () => void (observed.retries += 1),
    };
    const table = adapter(server, { observer, retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 10 } });
    // Existing state: 20 of ours, 10 of them pointing at the wrong instance.
    await belowGate(table).apply(TABLE, { creates: desired(20).map((c, i) => (i < 10 ? { ...c, instanceId: "i-stale" } : c)), deletes: [] });
    server.addFault({ ratio: 0.3, fault: { type: "throttling", retryAfterMs: 1 } });
    server.addFault({ ratio: 0.1, fault: { type: "service-unavailable" } });
    const want = desired(80);
    await converge(table, want, 3);
    server.clearFaults();

    const after = ourRoutes(server);
    expect(after.size).toBe(80);
    for (const w of want) expect(after.get(w.destinationCidr)).toBe(`${w.instanceId}/Available`);
    expect(foreignState(server)).toEqual(before);
    const log = server.requests();
    expect(log.some((r) => r.code === "Throttling.User")).toBe(true);
    expect(log.some((r) => r.status === 503)).toBe(true);
    expect(observed.calls).toBe(log.length);
    expect(observed.throttles).toBe(log.filter((r) => r.code === "Throttling.User").length);
    expect(observed.retries).toBeGreaterThan(0);
  });

  it("rejects a wrong AccessKey secret with one clear error after exactly one call, never showing the secret", async () => {
    const server = await startFake();
    const wrongSecret = "Wr0ngSecretValue-DoNotLeak-123456";
    const logs = logCapture();
    const table = adapter(server, {
      credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: wrongSecret, origin: "environment" },
      logger: logs.logger,
    });
    const error = await table.listRoutes(TABLE).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudError);
    const cloud = error as CloudError;
    expect(cloud).toMatchObject({ kind: "credentials", retryable: false, code: "SignatureDoesNotMatch" });
    expect(cloud.message).toContain("AccessKey was rejected");
    expect(cloud.message).toContain("ALIBABA_CLOUD_ACCESS_KEY_ID");
    expect(server.requests()).toHaveLength(1);

    const applyError = await belowGate(table).apply(TABLE, { creates: desired(1), deletes: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(applyError).toMatchObject({ kind: "credentials" });
    expect(server.requests()).toHaveLength(2);

    for (const text of [cloud.message, JSON.stringify(cloud), String(cloud.stack), JSON.stringify(applyError), logs.text()]) {
      expect(text).not.toContain(wrongSecret);
      expect(text).not.toContain(FAKE_ACCESS_KEY_SECRET);
    }
    expect(logs.text()).toContain("SignatureDoesNotMatch");
  });

  it("rejects an unknown AccessKey id as a credentials error", async () => {
    const server = await startFake();
    const table = adapter(server, { credential: { kind: "access-key", accessKeyId: "LTAI5tUNKNOWN00000001", accessKeySecret: "x-secret-x", origin: "cloud-config" } });
    await expect(table.listRouteTables(VPC)).rejects.toMatchObject({ kind: "credentials", code: "InvalidAccessKeyId.NotFound", httpStatus: 404 });
    expect(server.requests()).toHaveLength(1);
  });

  it("converges without duplicates when the socket drops after the server applied a batch", async () => {
    const server = await startFake({ pendingMs: 20 });
    server.addFault({ action: "CreateRouteEntries", count: 1, fault: { type: "apply-then-drop" } });
    server.addFault({ action: "DeleteRouteEntries", count: 1, fault: { type: "apply-then-drop" } });
    const table = adapter(server);
    const want = desired(60);
    const first = await belowGate(table).apply(TABLE, { creates: want, deletes: [] });
    expect(first.creates.map((c) => c.outcome.ok)).toEqual(want.map(() => true));
    const after = ourRoutes(server);
    expect(after.size).toBe(60);
    expect(server.entries(TABLE).length).toBe(60 + FOREIGN.length);
    expect(server.requests().some((r) => r.fault === "apply-then-drop")).toBe(true);

    const listed = await table.listRoutes(TABLE);
    const deletes = listed
      .filter((e) => e.description === MARKER)
      .slice(0, 10)
      .map((e) => ({ routeTableId: TABLE, routeEntryId: e.routeEntryId, destinationCidr: e.destinationCidr, instanceId: e.nextHops[0]!.nextHopId }));
    const second = await belowGate(table).apply(TABLE, { creates: [], deletes });
    expect(second.deletes.every((d) => d.outcome.ok)).toBe(true);
    expect(ourRoutes(server).size).toBe(50);
  });

  it("treats QuotaExceeded as final: no retry", async () => {
    const server = await startFake({ quotaPerTable: 10 });
    const table = adapter(server);
    const result = await belowGate(table).apply(TABLE, { creates: desired(20), deletes: [] });
    for (const c of result.creates) expect(c.outcome).toMatchObject({ ok: false, error: { code: "QuotaExceeded", retryable: false } });
    expect(calls(server, "CreateRouteEntries")).toBe(1);
    expect(ourRoutes(server).size).toBe(0);
  });

  it("isolates a destination the API rejects (inside a vSwitch CIDR) instead of failing its whole batch", async () => {
    const server = await startFake();
    const table = adapter(server);
    const bad: RouteCreate = { routeTableId: TABLE, destinationCidr: "192.168.0.128/25", instanceId: "i-node9999", routeEntryName: "vrs-bad", description: MARKER };
    const result = await belowGate(table).apply(TABLE, { creates: [...desired(5), bad], deletes: [] });
    expect(result.creates.map((c) => (c.outcome.ok ? "ok" : c.outcome.error.code)).slice(0, 5)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(result.creates[5]!.outcome).toMatchObject({ ok: false, error: { retryable: false } });
    expect(ourRoutes(server).size).toBe(5);
  });

  it("a batch of invalid entries costs a bounded number of calls, and the next pass does not send them again", async () => {
    const server = await startFake();
    const table = adapter(server);
    // 16 destinations inside the vSwitch CIDR 192.168.0.0/24: every one is rejected.
    const bad: RouteCreate[] = Array.from({ length: 16 }, (_, i) => ({
      routeTableId: TABLE,
      destinationCidr: `192.168.0.${i * 16}/28`,
      instanceId: `i-bad${String(i).padStart(4, "0")}`,
      routeEntryName: `vrs-bad${i}`,
      description: MARKER,
    }));
    const first = await belowGate(table).apply(TABLE, { creates: [...desired(2), ...bad], deletes: [] });
    expect(first.creates.slice(0, 2).every((c) => c.outcome.ok)).toBe(true);
    for (const c of first.creates.slice(2)) expect(c.outcome).toMatchObject({ ok: false, error: { retryable: false } });
    const firstCalls = calls(server, "CreateRouteEntries");
    // Splitting down to singles would take 1 + 2 × 17 calls; the budget stops well before.
    expect(firstCalls).toBeLessThanOrEqual(1 + 2 * 12);
    // Later passes send only what was not isolated yet; once every bad entry has its verdict, none is sent.
    const second = await belowGate(table).apply(TABLE, { creates: bad, deletes: [] });
    for (const c of second.creates) expect(c.outcome).toMatchObject({ ok: false, error: { retryable: false } });
    const secondCalls = calls(server, "CreateRouteEntries") - firstCalls;
    expect(secondCalls).toBeLessThan(firstCalls);
    const third = await belowGate(table).apply(TABLE, { creates: bad, deletes: [] });
    for (const c of third.creates) expect(c.outcome).toMatchObject({ ok: false, error: { retryable: false } });
    expect(calls(server, "CreateRouteEntries")).toBe(firstCalls + secondCalls);
    expect(ourRoutes(server).size).toBe(2);
  });

  it("gives up waiting for Available at writeDeadlineMs with RouteEntry.NotSettled", async () => {
    const server = await startFake({ pendingMs: 600_000 });
    const table = adapter(server, { writeDeadlineMs: 150 });
    const result = await belowGate(table).apply(TABLE2, { creates: desired(3, TABLE2), deletes: [] });
    for (const c of result.creates) expect(c.outcome).toMatchObject({ ok: false, error: { code: "RouteEntry.NotSettled", retryable: true } });
    expect(server.entries(TABLE2).map((e) => e.status)).toEqual(["Pending", "Pending", "Pending"]);
    expect(calls(server, "CreateRouteEntries")).toBe(1);
  });

  it("serialises writes of two tables of the same VPC (no conflicts reach the API)", async () => {
    const server = await startFake({ pendingMs: 30 });
    const table = adapter(server);
    const [a, b] = await Promise.all([
      belowGate(table).apply(TABLE, { creates: desired(60, TABLE), deletes: [] }),
      belowGate(table).apply(TABLE2, { creates: desired(60, TABLE2, 100), deletes: [] }),
    ]);
    expect([...a.creates, ...b.creates].every((c) => c.outcome.ok)).toBe(true);
    expect(server.requests().filter((r) => r.code === "TaskConflict" || r.code === "IncorrectRouteEntryStatus")).toEqual([]);
    expect(ourRoutes(server, TABLE).size + ourRoutes(server, TABLE2).size).toBe(120);
  });

  it("a call waiting behind the rate limit when the signal fires is never sent (checked when it leaves the queue)", async () => {
    const server = await startFake();
    const controller = new AbortController();
    // One call per 2 s: the second call waits in the queue; leadership ends while it waits.
    const observer: CloudCallObserver = {
      onApiCall: () => {
        setTimeout(() => controller.abort(new Error("leadership lost")), 100);
      },
    };
    const table = adapter(server, { observer, qps: 0.5 });
    const result = await belowGate(table).apply(TABLE2, { creates: desired(2, TABLE2), deletes: [] }, { signal: controller.signal });
    expect(server.requests().map((r) => r.action)).toEqual(["DescribeRouteTableList"]);
    for (const c of result.creates) expect(c.outcome).toMatchObject({ ok: false, error: { code: "Aborted" } });
  });

  it("reports submitted entries as unknown (never as failed) when the signal fires while waiting for them", async () => {
    const server = await startFake({ pendingMs: 600_000 });
    const controller = new AbortController();
    const observer: CloudCallObserver = {
      onApiCall: (action) => {
        if (action === "CreateRouteEntries") controller.abort();
      },
    };
    const table = adapter(server, { observer });
    const result = await belowGate(table).apply(TABLE2, { creates: desired(2, TABLE2), deletes: [] }, { signal: controller.signal });
    // The server accepted them (they are Pending there): "failed" would be a lie.
    for (const c of result.creates) expect(c.outcome).toMatchObject({ ok: false, unknown: true, error: { code: "Unconfirmed" } });
    expect(calls(server, "CreateRouteEntries")).toBe(1);
    expect(server.entries(TABLE2).filter((e) => e.nextHops.some((h) => h.nextHopType === "Instance"))).toHaveLength(2);
  });

  it("waits for an unsettled entry before writing, so the API never sees a write while the VPC is busy", async () => {
    const server = await startFake();
    const busy = server.addEntry(TABLE2, { destinationCidr: "10.9.0.0/24", nextHopType: "Instance", nextHopId: "i-busy" });
    server.editEntry(busy.routeEntryId, { status: "Pending", settlesInMs: 150 });
    const table = adapter(server);
    const result = await belowGate(table).apply(TABLE2, { creates: desired(3, TABLE2), deletes: [] });
    expect(result.creates.every((c) => c.outcome.ok)).toBe(true);
    expect(server.requests().filter((r) => r.code === "IncorrectRouteEntryStatus" || r.code === "TaskConflict")).toEqual([]);
  });

  it.each(["reject", "item-error"] as const)(
    "retries when a foreign entry it does not poll keeps the VPC busy (batchWhileUnstable=%s)",
    async (batchWhileUnstable) => {
      const server = await startFake({ batchWhileUnstable });
      const busy = server.addEntry(TABLE, { destinationCidr: "10.77.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-busy" });
      server.editEntry(busy.routeEntryId, { status: "Pending", settlesInMs: 80 });
      const table = adapter(server, { retry: { maxAttempts: 20, baseDelayMs: 5, maxDelayMs: 40 } });
      const want = desired(5);
      const result = await belowGate(table).apply(TABLE, { creates: want, deletes: [] });
      expect(result.creates.map((c) => (c.outcome.ok ? "ok" : c.outcome.error.code))).toEqual(want.map(() => "ok"));
      const after = ourRoutes(server);
      for (const w of want) expect(after.get(w.destinationCidr)).toBe(`${w.instanceId}/Available`);
      expect(server.requests().some((r) => r.code === "IncorrectRouteEntryStatus" || r.action === "CreateRouteEntries")).toBe(true);
    },
  );

  it.each([
    ["a held socket (outer call deadline)", { type: "timeout" as const, ms: 2_000 }],
    ["a dropped socket", { type: "drop" as const }],
    ["an HTML gateway page", { type: "html" as const }],
    ["a 500 InternalError", { type: "internal-error" as const }],
    ["a 409 OperationConflict", { type: "operation-conflict" as const }],
  ])("retries reads after %s", async (_what, fault) => {
    const server = await startFake();
    server.addFault({ action: "DescribeRouteEntryList", count: 1, fault });
    const codes: string[] = [];
    const table = adapter(server, { callDeadlineMs: 300, observer: { onRetry: (_action, code) => codes.push(code) } });
    const entries = await table.listRoutes(TABLE);
    expect(entries.map((e) => e.destinationCidr)).toEqual(expect.arrayContaining(["10.100.0.0/16", "10.200.0.0/16", "10.44.0.0/24"]));
    expect(codes).toHaveLength(1);
  });

  it("does not retry a permission error", async () => {
    const server = await startFake();
    server.addFault({ fault: { type: "error", status: 403, code: "Forbidden.RAM", message: "User not authorized to operate on the specified resource." } });
    const table = adapter(server);
    await expect(table.listRoutes(TABLE)).rejects.toMatchObject({ kind: "permission", code: "Forbidden.RAM", retryable: false });
    expect(server.requests()).toHaveLength(1);
  });

  it.each([
    [{ regionId: "Shanghai" }, /regionId/],
    [{ qps: 0 }, /qps must be a positive number/],
    [{ endpoint: "ftp://x" }, /only http and https/],
    [{ retry: { maxAttempts: 0 } }, /retry.maxAttempts/],
    [{ firstPollMs: -1 }, /firstPollMs must be a positive number/],
  ])("rejects bad options %j with a message naming them", async (bad, message) => {
    const server = await startFake();
    expect(() => adapter(server, bad as Partial<AlibabaRouteTableOptions>)).toThrow(message);
  });

  it("lists the route tables of the VPC (all pages)", async () => {
    const server = await startFake();
    for (let i = 3; i < 60; i += 1) server.addTable(VPC, { routeTableId: `vtb-test${String(i).padStart(4, "0")}`, routeTableType: "Custom" });
    const table = adapter(server);
    const tables = await table.listRouteTables(VPC);
    expect(tables).toHaveLength(59);
    expect(calls(server, "DescribeRouteTableList")).toBe(2);
    expect(tables.find((t) => t.routeTableId === TABLE)).toMatchObject({ vpcId: VPC, routeTableType: "System" });
  });
});
