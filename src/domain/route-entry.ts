// Small facts about a route entry that several layers need (planner, adapters, pass reporting).
import { listOr } from "./guards.js";
import type { RouteCreate, RouteEntry } from "./types.js";

/** Routes its destination to exactly `instanceId`, through one Instance next hop. */
export function routesTo(entry: RouteEntry, instanceId: string): boolean {
  const hops = listOr(entry.nextHops);
  return hops.length === 1 && hops[0]?.nextHopType === "Instance" && hops[0].nextHopId === instanceId;
}

/** The entry a confirmed create leaves in its table: Available, routing to the action's instance. */
export function entryCreatedBy(action: RouteCreate, routeEntryId: string): RouteEntry {
  return {
    routeTableId: action.routeTableId,
    routeEntryId,
    destinationCidr: action.destinationCidr,
    type: "Custom",
    status: "Available",
    nextHops: [{ nextHopType: "Instance", nextHopId: action.instanceId }],
    routeEntryName: action.routeEntryName,
    description: action.description,
  };
}
