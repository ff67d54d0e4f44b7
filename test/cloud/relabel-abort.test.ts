// ModifyRouteEntry (relabel: hold marks, marker migrations) cut short by an abort: an entry whose
// call was sent is `unknown` (code Unconfirmed), never `failed: Aborted`, since the server may well
// have applied it; an entry never sent is `Aborted`. Against the fake VPC over HTTP: the fake holds
// the call (its injected sleep) and the abort comes while it is held, then the fake applies it.
import { afterEach, describe, expect, it } from "vitest";
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { belowGate } from "../support/below-gate.js";

const REGION = "cn-shanghai";
const TABLE = "vtb-relabel0001";
const OLD = "managed-by=vpc-route-sync,cluster=test,node=a";
const HELD = `${OLD} hold=deletion`;

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("relabel aborted while a ModifyRouteEntry is in flight", () => {
  it("reports the sent entry unknown (it was applied) and the unsent one Aborted", async () => {
    const controller = new AbortController();
    fake = await startFakeVpc({
      regionId: REGION,
      vpcs: [
        {
          vpcId: "vpc-relabel0001",
          tables: [
            {
              routeTableId: TABLE,
              entries: [
                { routeEntryId: "rte-relabel0001", destinationCidr: "10.244.1.0/24", nextHopType: "Instance", nextHopId: "i-relabel0001", description: OLD },
                { routeEntryId: "rte-relabel0002", destinationCidr: "10.244.2.0/24", nextHopType: "Instance", nextHopId: "i-relabel0002", description: OLD },
              ],
            },
          ],
        },
      ],
      // The first ModifyRouteEntry is held; leadership ends while it is: then the fake applies it.
      faults: [{ action: "ModifyRouteEntry", count: 1, fault: { type: "latency", ms: 1 } }],
      sleep: async () => {
        controller.abort(new Error("leadership lost"));
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    const table = createAlibabaRouteTable({
      regionId: REGION,
      endpoint: fake.endpoint,
      credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
      qps: 1000,
      pollIntervalMs: 10,
      retry: { baseDelayMs: 2, maxDelayMs: 20 },
    });
    const mark = (n: number) => ({ routeTableId: TABLE, routeEntryId: `rte-relabel000${n}`, destinationCidr: `10.244.${n}.0/24`, routeEntryName: "vrs-a", description: HELD });

    const result = await belowGate(table).relabel(TABLE, [mark(1), mark(2)], { signal: controller.signal });

    // Wait until the held call has been applied by the fake, then compare with what was reported.
    for (let i = 0; i < 1000 && fake.inFlight() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fake.entry("rte-relabel0001")?.description).toBe(HELD);
    expect(fake.entry("rte-relabel0002")?.description).toBe(OLD);
    expect(result.map((r) => r.outcome)).toMatchObject([
      { ok: false, unknown: true, error: { code: "Unconfirmed" } },
      { ok: false, error: { code: "Aborted" } },
    ]);
    expect("unknown" in result[1]!.outcome).toBe(false);
    expect(fake.requests().filter((r) => r.action === "ModifyRouteEntry")).toHaveLength(1);
  });
});
