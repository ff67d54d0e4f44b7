// The RouteTable contract against the Alibaba adapter, over HTTP, against the fake VPC server.
import { createAlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeRouteEntry, type OmittedFilters } from "@vpc-route-sync/fake-alibaba-vpc";
import type { RouteEntry } from "../../src/domain/types.js";
import { describeRouteTableContract, SEEDED, type ContractWorld } from "./route-table-contract.js";

function toRouteEntry(e: FakeRouteEntry): RouteEntry {
  return {
    routeTableId: e.routeTableId,
    routeEntryId: e.routeEntryId,
    destinationCidr: e.destinationCidr,
    type: e.type,
    status: e.status,
    nextHops: e.nextHops.map((h) => ({ nextHopType: h.nextHopType, nextHopId: h.nextHopId })),
    routeEntryName: e.routeEntryName === "" ? undefined : e.routeEntryName,
    description: e.description === "" ? undefined : e.description,
  };
}

// The API's docs leave open what an omitted NextHopType / IpVersion filter means (every type and
// version, as real callers observe, or Instance / IPv4 only): the contract holds under both readings.
const READINGS: ReadonlyArray<{ readonly name: string; readonly omittedFilters: OmittedFilters }> = [
  { name: "an omitted filter means every type and version", omittedFilters: { nextHopType: "any", ipVersion: "any" } },
  { name: "an omitted filter means Instance routes and IPv4 only", omittedFilters: { nextHopType: "Instance", ipVersion: "ipv4" } },
];

for (const reading of READINGS) describeRouteTableContract(`alibaba adapter over the fake VPC API (${reading.name})`, async (options) => {
  const vpcId = "vpc-contract0001";
  const routeTableIds = ["vtb-contract0001", "vtb-contract0002"] as const;
  const fake = await startFakeVpc({
    regionId: "cn-shanghai",
    pendingMs: 30,
    omittedFilters: reading.omittedFilters,
    quotaPerTable: options.quotaPerTable ?? 200,
    vpcs: [
      {
        vpcId,
        tables: [
          {
            routeTableId: routeTableIds[0],
            routeTableType: "System",
            entries: SEEDED.map((s) => ({
              destinationCidr: s.destinationCidr,
              type: s.type ?? "Custom",
              nextHops: s.nextHops.map((h) => ({ nextHopType: h.nextHopType, nextHopId: h.nextHopId === "" ? "-" : h.nextHopId })),
              routeEntryName: s.routeEntryName,
              description: s.description,
            })),
          },
          { routeTableId: routeTableIds[1], routeTableType: "Custom" },
        ],
      },
    ],
  });
  const table = createAlibabaRouteTable({
    regionId: "cn-shanghai",
    endpoint: fake.url,
    credential: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "test" },
    qps: 1000,
    pollIntervalMs: 10,
    writeDeadlineMs: 20_000,
    listIpv6: true,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  const world: ContractWorld = {
    table,
    listsEveryNextHopType: reading.omittedFilters.nextHopType === "any",
    vpcId,
    routeTableIds,
    snapshot: (routeTableId) => fake.entries(routeTableId).map(toRouteEntry),
    editByHand: {
      add: (routeTableId, entry) =>
        toRouteEntry(
          fake.addEntry(routeTableId, {
            destinationCidr: entry.destinationCidr,
            type: entry.type ?? "Custom",
            nextHops: entry.nextHops,
            routeEntryName: entry.routeEntryName,
            description: entry.description,
          }),
        ),
      remove: (_routeTableId, routeEntryId) => fake.removeEntry(routeEntryId),
    },
    close: () => fake.close(),
  };
  return world;
});
