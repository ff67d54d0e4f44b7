// State persistence: `--state file.json` loads tables at start, saves after every change through the
// API or the control API (atomically), and a restarted fake continues where the old one stopped.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRouteEntriesRequest, CreateRouteEntriesRequestRouteEntries } from "@alicloud/vpc20160428";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_ROUTE_TABLE_ID,
  loadStateFile,
  parseStateFile,
  saveStateFile,
  startFakeVpc,
  type FakeVpcServer,
} from "../src/index.ts";
import { ManualClock, sdkClient } from "./sdk-fixture.ts";

const TABLE = DEFAULT_ROUTE_TABLE_ID;
let dir = "";
let fake: FakeVpcServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fake-vpc-state-"));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("fake VPC state file", () => {
  it("creates the file from the seed, saves every change, and restores it after a restart", async () => {
    const stateFile = join(dir, "vpc.json");
    const clock = new ManualClock();
    fake = await startFakeVpc({ stateFile, pendingMs: 100, now: clock.now });
    expect(loadStateFile(stateFile)?.vpcs[0]?.tables[0]?.entries).toHaveLength(2);

    const client = sdkClient(fake);
    await client.createRouteEntries(
      new CreateRouteEntriesRequest({
        regionId: "cn-hangzhou",
        routeEntries: [new CreateRouteEntriesRequestRouteEntries({ routeTableId: TABLE, dstCidrBlock: "10.244.0.0/24", nextHop: "i-1", nextHopType: "Instance", name: "n1" })],
      }),
    );
    const saved = loadStateFile(stateFile)?.vpcs[0]?.tables[0]?.entries.find((e) => e.destinationCidr === "10.244.0.0/24");
    expect(saved).toMatchObject({ status: "Pending", routeEntryName: "n1", settlesAt: clock.now() + 100 });
    fake.addEntry(TABLE, { destinationCidr: "172.16.0.0/12", nextHopType: "VpnGateway", nextHopId: "vpn-1" });
    expect(loadStateFile(stateFile)?.vpcs[0]?.tables[0]?.entries).toHaveLength(4);
    expect(readdirSync(dir)).toEqual(["vpc.json"]); // no temp files left behind
    const before = fake.entries(TABLE);
    await fake.close();

    clock.advance(100);
    fake = await startFakeVpc({ stateFile, pendingMs: 100, now: clock.now, vpcs: [] });
    const after = fake.entries(TABLE);
    expect(after.map((e) => e.routeEntryId)).toEqual(before.map((e) => e.routeEntryId));
    expect(after.every((e) => e.status === "Available")).toBe(true);
    // New ids never collide with restored ones, even with the same PRNG seed.
    const again = await sdkClient(fake).createRouteEntries(
      new CreateRouteEntriesRequest({
        regionId: "cn-hangzhou",
        routeEntries: [new CreateRouteEntriesRequestRouteEntries({ routeTableId: TABLE, dstCidrBlock: "10.244.1.0/24", nextHop: "i-2", nextHopType: "Instance" })],
      }),
    );
    expect(before.map((e) => e.routeEntryId)).not.toContain(again.body?.routeEntryIds?.[0]);
  });

  it("refuses a state file of another region", async () => {
    const stateFile = join(dir, "vpc.json");
    saveStateFile(stateFile, { regionId: "cn-beijing", vpcs: [] });
    await expect(startFakeVpc({ stateFile })).rejects.toThrow(/cn-beijing/);
  });

  it("names the file and the bad field of an invalid state file", async () => {
    const stateFile = join(dir, "bad.json");
    writeFileSync(stateFile, "{ nope");
    await expect(startFakeVpc({ stateFile })).rejects.toThrow(/bad\.json is not valid JSON/);
    expect(() => parseStateFile({ version: 1, regionId: "cn-hangzhou", vpcs: [{ vpcId: "vpc-1", tables: [{ routeTableId: 7 }] }] })).toThrow(
      /vpcs\.0\.tables\.0\.(vpcId|routeTableId)/,
    );
    expect(readFileSync(stateFile, "utf8")).toBe("{ nope"); // a bad file is never overwritten
  });
});
