// What several checks derive from the same facts, computed once: Node eligibility (the
// controller's own rules) and the plan a reconcile would make now (the real planner), plus where
// each eligible Node's routes stand. Pure.
import { buildPlan } from "../domain/build-plan.js";
import { networkBlocks } from "../domain/plan-input.js";
import { classifyNodes, VIRTUAL_KUBELET_LABEL_KEY, VIRTUAL_KUBELET_LABEL_VALUE, type EligibilityResult } from "../domain/eligibility.js";
import type { PlanResult } from "../domain/plan.js";
import { parseTables, type ParsedTables } from "../domain/route-tables.js";
import type { EligibleNode, RouteEntry } from "../domain/types.js";
import { nodeRouteStates, type NodeRouteState } from "../reconcile/pass-runner.js";
import type { DoctorSettings } from "./check.js";
import type { CloudFacts, ClusterFacts, DoctorNode } from "./facts.js";

export interface RoutesAnalysis {
  /** Tables that could be read; the plan covers these only. */
  readonly readableTableIds: readonly string[];
  readonly actual: ReadonlyMap<string, readonly RouteEntry[]>;
  /** The same tables, each destination parsed once: what the plan was made from (and what checks classify). */
  readonly tables: ParsedTables;
  readonly plan: PlanResult;
  readonly eligible: readonly EligibleNode[];
  readonly nodeRoutes: ReadonlyMap<string, NodeRouteState>;
}

export interface Analysis {
  readonly virtualNodes: readonly DoctorNode[];
  /** Eligibility without cluster CIDRs: what the Nodes themselves get right or wrong. */
  readonly eligibility: EligibilityResult;
  /** Undefined when no route table could be read. */
  readonly routes?: RoutesAnalysis | undefined;
}

export function isVirtualNode(node: { readonly labels: Readonly<Record<string, string>> }): boolean {
  return node.labels[VIRTUAL_KUBELET_LABEL_KEY] === VIRTUAL_KUBELET_LABEL_VALUE;
}

export function analyze(settings: DoctorSettings, cluster: ClusterFacts, cloud: CloudFacts): Analysis {
  const virtualNodes = cluster.nodes.filter(isVirtualNode);
  const eligibility = classifyNodes(cluster.nodes, { regionId: settings.regionId, clusterCidrs: [] });
  const actual = new Map<string, readonly RouteEntry[]>();
  for (const table of cloud.tables) if (table.entries !== undefined) actual.set(table.routeTableId, table.entries);
  if (actual.size === 0) return { virtualNodes, eligibility };

  const readableTableIds = cloud.routeTableIds.filter((id) => actual.has(id));
  const tables = parseTables(actual);
  const network = cloud.vpcNetwork === undefined ? undefined : "error" in cloud.vpcNetwork ? "unreadable" : networkBlocks(cloud.vpcNetwork.networks);
  const { plan, eligible } = buildPlan({
    settings: { ...settings, clusterUid: cluster.clusterUid },
    nodes: cluster.nodes,
    routeTableIds: readableTableIds,
    tables,
    allowDeletes: true,
    network,
  });
  const nodeRoutes = nodeRouteStates({ eligible, routeTableIds: readableTableIds, actual, plan, dryRun: false });
  return { virtualNodes, eligibility, routes: { readableTableIds, actual, tables, plan, eligible, nodeRoutes } };
}
