// What a reconcile would change now, from the real planner: nothing (pass), changes (warn), or a
// refusal by the max-deletions guard (fail).
import { count, fail, pass, NO_ROUTE_TABLES, warn, type Check, type CheckObject } from "../check.js";

export const planCheck: Check = {
  id: "plan",
  area: "routes",
  title: "what a reconcile would change now",
  run({ analysis }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const { plan } = routes;
    const objects: CheckObject[] = [
      ...plan.creates.map((c) => ({ kind: "RouteEntry" as const, name: c.destinationCidr, detail: `create in ${c.routeTableId} -> ${c.instanceId} (Node ${c.nodeName})` })),
      ...plan.deletes.map((d) => ({ kind: "RouteEntry" as const, name: d.routeEntryId, detail: `delete ${d.destinationCidr} -> ${d.instanceId} from ${d.routeTableId} (${d.reason})` })),
    ];
    const summary = `${count(plan.creates.length, "create")}, ${count(plan.deletes.length, "delete")}, ${plan.satisfied.length} in place`;
    if (plan.refusal) return fail(`${summary}; ${plan.refusal.message}`, objects, "check why so many Nodes are gone; raise --max-deletions only if the deletes are right");
    if (objects.length > 0) return warn(`a reconcile would make ${summary}`, objects, "run vpc-route-sync reconcile --dry-run to review, then reconcile (or let the controller run)");
    return pass(`in sync: ${summary}`);
  },
};
