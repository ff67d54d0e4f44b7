// One call from Nodes and route tables to a plan: eligibility, desired routes, plan.
// What the controller and the one-shot CLI call each pass; pure like its parts.
import { desiredRoutes } from "./desired-routes.js";
import { classifyNodes } from "./eligibility.js";
import { plan, type PlanOptions, type PlanResult } from "./plan.js";
import { parseProviderId } from "./provider-id.js";
import type { EligibleNode, NodeFacts, RouteEntry } from "./types.js";

export interface BuildPlanInput {
  readonly nodes: readonly NodeFacts[];
  /** The managed route tables. Each should have an entry in `actual` (a missing one counts as empty). */
  readonly routeTableIds: readonly string[];
  readonly actual: ReadonlyMap<string, readonly RouteEntry[]>;
  /** Plan options plus the region the operator manages. `skipped`/`conflicts` given here are kept too. */
  readonly options: PlanOptions & { readonly regionId: string };
}

export interface BuildPlanResult {
  readonly plan: PlanResult;
  /** The eligible Nodes (sorted by nodeName), e.g. for Node status updates. */
  readonly eligible: readonly EligibleNode[];
}

export function buildPlan(input: BuildPlanInput): BuildPlanResult {
  const { options } = input;
  const eligibility = classifyNodes(input.nodes, { regionId: options.regionId, clusterCidrs: options.clusterCidrs });
  const desired = desiredRoutes(eligibility.eligible, input.routeTableIds);
  const actual = new Map(input.actual);
  for (const id of input.routeTableIds) if (!actual.has(id)) actual.set(id, []);
  const nodeInstances = input.nodes.flatMap((n) => {
    const id = parseProviderId(n.providerId, options.regionId);
    return id.ok ? [{ instanceId: id.instanceId, nodeName: n.nodeName }] : [];
  });
  const result = plan(desired, actual, {
    ...options,
    nodeInstances: [...(options.nodeInstances ?? []), ...nodeInstances],
    skipped: [...(options.skipped ?? []), ...eligibility.skipped],
    conflicts: [...(options.conflicts ?? []), ...eligibility.conflicts],
  });
  return { plan: result, eligible: eligibility.eligible };
}
