// Routes made by another controller (e.g. the CCM) that already serve a Node but carry no marker of
// this cluster. While unmarked, the day their Node goes they are leftovers nobody owns, and a new Node
// given the same pod CIDR gets no route. A reconcile claims them (marker only, next hop unchanged),
// given the cluster identity (docs/migrate-from-ccm.md).
import { count, pass, NO_ROUTE_TABLES, warn, type Check, type CheckObject } from "../check.js";

export const unclaimedRoutesCheck: Check = {
  id: "unclaimed-routes",
  area: "routes",
  title: "routes serving Nodes carry this cluster's marker",
  run({ analysis }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const claims = routes.plan.marks.filter((m) => m.reason === "claim");
    const unclaimed = routes.plan.unclaimed;
    if (claims.length + unclaimed.length === 0) return pass("every route serving a Node carries this cluster's marker");
    const objects: CheckObject[] = [...claims, ...unclaimed].map((r) => ({
      kind: "Node",
      name: r.nodeName ?? r.destinationCidr,
      detail:
        `${r.destinationCidr} in ${r.routeTableId} is route entry ${r.routeEntryId}, made by another controller (e.g. the CCM): ` +
        `if this Node goes before the route is claimed, a new Node given ${r.destinationCidr} gets no route`,
    }));
    return warn(
      `${count(objects.length, "route")} serving Nodes not claimed yet`,
      objects,
      unclaimed.length > 0
        ? 'run "vpc-route-sync reconcile" with access to the Kubernetes API (the cluster identity) to claim them; --nodes-file alone cannot'
        : 'run "vpc-route-sync reconcile" (or let the controller run): it claims them (marker written, next hop unchanged)',
    );
  },
};
