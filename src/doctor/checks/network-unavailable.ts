// The NetworkUnavailable condition tells the scheduler whether a Node's Pods are reachable. It
// must agree with the route table: "available" (False) while the route is missing sends Pods to an
// unreachable Node; True while the route is Available keeps Pods off a working Node.
import { count, graded, nodeObject, NO_ROUTE_TABLES, type Check, type CheckObject } from "../check.js";

export const networkUnavailableCheck: Check = {
  id: "network-unavailable",
  area: "nodes",
  title: "NetworkUnavailable agrees with the route table",
  run({ cluster, analysis }) {
    const routes = analysis.routes;
    if (routes === undefined) return NO_ROUTE_TABLES;
    const failures: CheckObject[] = [];
    const warnings: CheckObject[] = [];
    const byName = new Map(cluster.nodes.map((n) => [n.nodeName, n]));
    for (const node of routes.eligible) {
      const condition = byName.get(node.nodeName)?.networkUnavailable;
      const state = routes.nodeRoutes.get(node.nodeName);
      if (state === undefined) continue;
      const said = condition === undefined ? "not set" : `${condition.status}${condition.reason ? ` (${condition.reason})` : ""}`;
      if (state.state === "available") {
        if (condition?.status === "True") warnings.push(nodeObject(node.nodeName, `route Available but NetworkUnavailable is ${said}`));
      } else if (condition?.status === "False") {
        failures.push(nodeObject(node.nodeName, `NetworkUnavailable is ${said} but ${state.message}`));
      } else if (condition === undefined) {
        warnings.push(nodeObject(node.nodeName, `NetworkUnavailable is not set and ${state.message}`));
      }
    }
    return graded(
      { failures, warnings },
      {
        fail: `${count(failures.length, "Node")} marked network-available without a route`,
        warn: `${count(warnings.length, "Node")} whose NetworkUnavailable condition lags the route table`,
        pass: `${count(routes.eligible.length, "eligible Node")} agree with the route table`,
      },
      "run vpc-route-sync (run or reconcile): it creates the missing routes and sets NetworkUnavailable from the route table",
    );
  },
};
