// The routes the cluster wants: one per (eligible Node, pod CIDR, managed route table).
// Pure; output order is deterministic (route table, then node, then CIDR as listed on the Node).
import type { DesiredRoute, EligibleNode } from "./types.js";

export function desiredRoutes(eligible: readonly EligibleNode[], routeTableIds: readonly string[]): DesiredRoute[] {
  const tables = [...new Set(routeTableIds)].sort();
  const nodes = [...eligible].sort((a, b) => (a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : 0));
  const out: DesiredRoute[] = [];
  for (const routeTableId of tables) {
    for (const node of nodes) {
      for (const destination of node.podCidrs) {
        out.push({ routeTableId, destination, instanceId: node.instanceId, nodeName: node.nodeName });
      }
    }
  }
  return out;
}
