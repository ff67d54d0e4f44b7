// The RouteTable contract against the in-memory implementation.
import { MemoryRouteTable } from "./memory-route-table.js";
import { describeRouteTableContract, SEEDED, type ContractWorld } from "./route-table-contract.js";

describeRouteTableContract("memory", (options) => {
  const vpcId = "vpc-contract0001";
  const routeTableIds = ["vtb-contract0001", "vtb-contract0002"] as const;
  const table = new MemoryRouteTable({
    quotaPerTable: options.quotaPerTable,
    vpcs: [
      {
        vpcId,
        routeTables: [
          { routeTableId: routeTableIds[0], entries: SEEDED },
          { routeTableId: routeTableIds[1] },
        ],
      },
    ],
  });
  const world: ContractWorld = {
    table,
    listsEveryNextHopType: true,
    vpcId,
    routeTableIds,
    snapshot: (routeTableId) => table.entries(routeTableId),
    editByHand: {
      add: (routeTableId, entry) => table.seedEntry(routeTableId, entry),
      remove: (routeTableId, routeEntryId) => {
        table.removeEntry(routeTableId, routeEntryId);
      },
    },
    close: () => Promise.resolve(),
  };
  return Promise.resolve(world);
});
