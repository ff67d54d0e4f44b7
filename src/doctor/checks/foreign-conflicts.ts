// Desired destinations held by routes the operator does not own: the planner never deletes
// those, so these Nodes stay without a route until someone removes or re-points the holder.
import { count, fail, pass, NO_ROUTE_TABLES, type Check } from "../check.js";

export const foreignConflictsCheck: Check = {
  id: "foreign-routes",
  area: "routes",
  title: "desired destinations free of foreign routes",
  run({ analysis }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const conflicts = routes.plan.conflicts.filter((c) => c.reason === "destination-held-by-foreign-route");
    if (conflicts.length === 0) return pass("no desired destination is held by another route");
    return fail(
      `${count(conflicts.length, "desired destination")} held by routes this cluster does not own`,
      conflicts.map((c) => ({ kind: "RouteEntry", name: c.existing?.routeEntryId ?? c.destinationCidr, detail: c.message })),
      "delete or re-point the holding routes by hand; a leftover unmarked instance route (a CCM route of a Node that is gone) is re-pointed by \"vpc-route-sync reconcile --adopt-unmarked\" (with --cluster-cidr)",
    );
  },
};
