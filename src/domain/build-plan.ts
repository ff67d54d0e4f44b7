// One call from Nodes and route tables to a plan: eligibility, desired routes, plan.
// What every pass and `doctor` call (the product's one entry to the planner); pure like its parts.
import { desiredRoutes } from "./desired-routes.js";
import { classifyNodes } from "./eligibility.js";
import { plan, type PlanInput, type PlanResult } from "./plan.js";
import { parseProviderId } from "./provider-id.js";
import type { EligibleNode, NodeFacts } from "./types.js";

/** The plan's input with Nodes in place of what eligibility derives from them (desired routes, skips, conflicts). */
export interface BuildPlanInput extends Omit<PlanInput, "desired" | "skipped" | "conflicts" | "nodeInstances"> {
  readonly nodes: readonly NodeFacts[];
  /** The managed route tables. Each should have an entry in `tables` (a missing one counts as empty). */
  readonly routeTableIds: readonly string[];
}

export interface BuildPlanResult {
  readonly plan: PlanResult;
  /** The eligible Nodes (sorted by nodeName), e.g. for Node status updates. */
  readonly eligible: readonly EligibleNode[];
}

export function buildPlan(input: BuildPlanInput): BuildPlanResult {
  const { nodes, routeTableIds, settings } = input;
  const eligibility = classifyNodes(nodes, { regionId: settings.regionId, clusterCidrs: settings.clusterCidrs });
  const tables = new Map(input.tables);
  for (const id of routeTableIds) if (!tables.has(id)) tables.set(id, []);
  const nodeInstances = nodes.flatMap((n) => {
    const id = parseProviderId(n.providerId, settings.regionId);
    return id.ok ? [{ instanceId: id.instanceId, nodeName: n.nodeName }] : [];
  });
  const result = plan({
    settings,
    allowDeletes: input.allowDeletes,
    desired: desiredRoutes(eligibility.eligible, routeTableIds),
    tables,
    network: input.network,
    nodeInstances,
    skipped: eligibility.skipped,
    conflicts: eligibility.conflicts,
  });
  return { plan: result, eligible: eligibility.eligible };
}
