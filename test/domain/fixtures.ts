// Builders for domain tests: Nodes, route entries and plan options with sensible defaults.
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { routeMarker } from "../../src/domain/ownership.js";
import type { Cidr } from "../../src/domain/cidr.js";
import type { BuildPlanInput } from "../../src/domain/build-plan.js";
import { networkBlocks, type PlanNetwork } from "../../src/domain/plan-input.js";
import { parseTables, type ParsedEntry } from "../../src/domain/route-tables.js";
import type { PlanSettings } from "../../src/domain/settings.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { nodeFacts } from "../support/nodes.js";

export const REGION = "cn-shanghai";
export const CLUSTER = "prod";
export const TABLE = "vtb-main";
/** The kube-system uid options() plans with and owned() marks with. */
export const CLUSTER_UID = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
const OTHER_CLUSTER_UID = "5d4c3b2a-1f0e-4d9c-8b7a-695847362514";

/** test/support/nodes.ts's NodeFacts in this file's region, with NodeFacts fields to override. */
export function node(nodeName: string, overrides: Partial<NodeFacts> = {}): NodeFacts {
  return { ...nodeFacts(nodeName, { region: REGION, instance: instance(nodeName) }), ...overrides };
}

/** A plausible instance id derived from a node name: "node-3" -> "i-node3aaaa". */
export function instance(nodeName: string, generation = ""): string {
  return `i-${nodeName.replace(/[^a-z0-9]/g, "")}${generation}aaaa`;
}

export interface EntryOptions {
  readonly id?: string;
  readonly table?: string;
  readonly type?: string;
  readonly status?: string;
  readonly hops?: ReadonlyArray<readonly [string, string]>;
  readonly description?: string;
  readonly name?: string;
}

/** A route entry; by default Custom, Available, single Instance hop, unmarked. */
export function entry(destinationCidr: string, instanceId: string, o: EntryOptions = {}): RouteEntry {
  return {
    routeTableId: o.table ?? TABLE,
    routeEntryId: o.id ?? `rte-${o.table ?? TABLE}-${destinationCidr}-${instanceId}`,
    destinationCidr,
    type: o.type ?? "Custom",
    status: o.status ?? "Available",
    nextHops: (o.hops ?? [["Instance", instanceId]]).map(([nextHopType, nextHopId]) => ({ nextHopType, nextHopId })),
    routeEntryName: o.name,
    description: o.description,
  };
}

/**
 * A route entry carrying our marker for `nodeName`, with this cluster's uid (CLUSTER_UID, the uid
 * options() plans with; another `cluster` gets another uid); `uid: null` makes a legacy marker
 * (no uid: never deleted automatically).
 */
export function owned(
  destinationCidr: string,
  instanceId: string,
  nodeName: string,
  o: EntryOptions & { readonly cluster?: string; readonly uid?: string | null } = {},
): RouteEntry {
  // Another cluster's marker carries another cluster's uid.
  const uid = o.uid === null ? undefined : (o.uid ?? (o.cluster === undefined || o.cluster === CLUSTER ? CLUSTER_UID : OTHER_CLUSTER_UID));
  const m = routeMarker(o.cluster ?? CLUSTER, nodeName, uid);
  return entry(destinationCidr, instanceId, { name: m.routeEntryName, description: m.description, ...o });
}

/** What a test varies of a plan: the settings, whether deletes are allowed, the VPC's network as the VPC API lists it. */
export type PlanCase = Partial<PlanSettings> & {
  readonly allowDeletes?: boolean;
  readonly network?: readonly PlanNetwork[] | "unreadable";
};

/** The settings, allowDeletes and network of buildPlan's input: a permissive plan unless the case says otherwise. */
export function planArgs(o: PlanCase = {}): Pick<BuildPlanInput, "settings" | "allowDeletes" | "network"> {
  const { allowDeletes = true, network, ...settings } = o;
  return {
    settings: {
      regionId: REGION,
      clusterName: CLUSTER,
      clusterUid: CLUSTER_UID,
      clusterCidrs: parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"]),
      adoptUnmarked: false,
      maxDeletions: { kind: "count", value: 1000 },
      ...settings,
    },
    allowDeletes,
    // Parsed where the pass parses it.
    network: network === undefined || network === "unreadable" ? network : networkBlocks(network),
  };
}

/** Pod CIDRs as eligibility hands them on: parsed. */
export function cidrs(...texts: string[]): Cidr[] {
  return parseClusterCidrs(texts);
}

/** The tables holding `entries` (TABLE always, empty or not), parsed where the pass parses them. */
export function tables(...entries: RouteEntry[]): Map<string, ParsedEntry[]> {
  const m = new Map<string, RouteEntry[]>([[TABLE, []]]);
  for (const e of entries) m.set(e.routeTableId, [...(m.get(e.routeTableId) ?? []), e]);
  return parseTables(m);
}
