// Routes of this cluster (our marker) pointing at instances that no Node has: left behind by
// deleted Nodes. A reconcile deletes them (inside --cluster-cidr, within --max-deletions).
import { classifyParsed } from "../../domain/entry-ownership.js";
import { parseProviderId } from "../../domain/provider-id.js";
import { count, pass, NO_ROUTE_TABLES, warn, type Check, type CheckObject } from "../check.js";

export const orphanRoutesCheck: Check = {
  id: "orphan-routes",
  area: "routes",
  title: "routes of this cluster point at existing Nodes",
  run({ analysis, cluster, settings }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const instances = new Set<string>();
    for (const node of cluster.nodes) {
      const id = parseProviderId(node.providerId, settings.regionId);
      if (id.ok) instances.add(id.instanceId);
    }
    // The planner's own ownership rule: with --adopt-unmarked, adopted routes are this cluster's too.
    const ctx = {
      clusterName: settings.clusterName,
      clusterUid: cluster.clusterUid,
      clusterCidrs: settings.clusterCidrs,
      adoptUnmarked: settings.adoptUnmarked,
      adoptable: (instanceId: string) => instances.has(instanceId),
    };
    const objects: CheckObject[] = [];
    for (const [routeTableId, entries] of routes.tables) {
      for (const parsed of entries) {
        const own = classifyParsed(parsed, ctx);
        if (!own.owned || instances.has(own.instanceId)) continue;
        objects.push({
          kind: "RouteEntry",
          name: parsed.entry.routeEntryId,
          detail: `${routeTableId}: ${parsed.destination ? parsed.entry.destinationCidr : "?"} -> ${own.instanceId}, an instance no Node has`,
        });
      }
    }
    if (objects.length === 0) return pass("every route of this cluster points at a Node's instance");
    return warn(
      `${count(objects.length, "route")} of cluster ${settings.clusterName} to instances no Node has`,
      objects,
      "run vpc-route-sync reconcile: it deletes them (within --max-deletions; routes outside --cluster-cidr must be deleted by hand)",
    );
  },
};
