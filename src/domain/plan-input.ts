// What the planner is handed, and the one derivation of what its steps read. The input is typed
// and checked once, at the edges it comes from: Nodes through nodeFactsFrom (node-facts.ts) and
// eligibility, route entries by the cloud adapter's listing (src/cloud/alibaba/vpc-api.ts) and
// their destinations by parseEntries (route-tables.ts) where the tables are read, the VPC's network
// through networkBlocks below, the settings by config/. Nothing here re-validates them;
// plan-decide.ts, plan-guard.ts and plan-order.ts read what is derived here.
import { approvalsOf } from "./approval.js";
import { parseCidr, type Cidr } from "./cidr.js";
import { adoptableBy, type OwnershipContext } from "./entry-ownership.js";
import { isClusterUid } from "./ownership.js";
import type { PlanInput } from "./plan.js";
import type { ParsedTables } from "./route-tables.js";
import type { PlanSettings } from "./settings.js";
import type { Conflict, DesiredRoute, RouteEntry, SkippedNode } from "./types.js";

/**
 * The settings as the planner's steps read them (a valid uid or none), with what the pass learnt,
 * indexed. Also who we are for entry ownership (an OwnershipContext, with the plan's `adoptable`).
 */
export interface TrustedOptions extends Omit<PlanSettings, "regionId" | "approveDeletions">, OwnershipContext {
  readonly allowDeletes: boolean;
  /** What a human approved for deletion (domain/approval.ts: named ids/destinations, or `all` held ones). */
  readonly approved: (entry: RouteEntry, destination: string) => boolean;
  readonly skipped: readonly SkippedNode[];
  readonly conflicts: readonly Conflict[];
  /** The VPC's and its vSwitches' CIDR blocks, each with what it is (for the conflict message). */
  readonly network: readonly NetworkBlock[];
  /** The VPC's network could not be read: no create is planned. */
  readonly networkUnreadable: boolean;
  /** Instance id -> name of the Node that names it (PlanInput.nodeInstances). */
  readonly nodeInstances: ReadonlyMap<string, string>;
  /** Which unmarked routes are related to this cluster: adoptableBy over the Nodes' instances and the desired destinations. */
  readonly adoptable: NonNullable<OwnershipContext["adoptable"]>;
}

/** One CIDR block of the VPC's own network, parsed, with what it is (for messages). */
export interface NetworkBlock {
  readonly cidr: Cidr;
  readonly label: string;
}

/** The CIDR blocks of the VPC itself and of its vSwitches, as the VPC API lists them (src/cloud/vpc-network.ts VpcNetwork fits). */
export interface PlanNetwork {
  readonly vpcCidrs: readonly string[];
  readonly vSwitchCidrs: readonly string[];
}

/**
 * The VPC's network as read, parsed once where it enters (the pass runner and doctor): the blocks
 * the planner and the write gate check creates against. A block that does not parse makes the
 * whole network "unreadable" (fail closed: a create that cannot be checked is not made).
 */
export function networkBlocks(networks: readonly PlanNetwork[]): readonly NetworkBlock[] | "unreadable" {
  const blocks: NetworkBlock[] = [];
  for (const field of ["vpcCidrs", "vSwitchCidrs"] as const) {
    const label = field === "vpcCidrs" ? "a CIDR block of the VPC" : "the CIDR block of a vSwitch";
    for (const text of networks.flatMap((n) => n[field])) {
      const parsed = parseCidr(text);
      if (!parsed.ok) return "unreadable";
      blocks.push({ cidr: parsed.cidr, label });
    }
  }
  return blocks;
}

export interface PreparedInput {
  readonly desired: readonly DesiredRoute[];
  /** Route tables by id, in id order. */
  readonly tables: ParsedTables;
  readonly options: TrustedOptions;
}

export function prepareInput(input: PlanInput): PreparedInput {
  const { settings, network } = input;
  const clusterUid = isClusterUid(settings.clusterUid) ? settings.clusterUid : undefined;
  const identity = { clusterName: settings.clusterName, clusterUid };
  const approvals = approvalsOf(settings.approveDeletions ?? []);
  const nodeInstances = new Map((input.nodeInstances ?? []).map((n) => [n.instanceId, n.nodeName]));
  return {
    desired: input.desired,
    tables: new Map([...input.tables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    options: {
      clusterName: settings.clusterName,
      clusterUid,
      clusterCidrs: settings.clusterCidrs,
      adoptUnmarked: settings.adoptUnmarked,
      maxDeletions: settings.maxDeletions,
      allowDeletes: input.allowDeletes,
      approved: (entry, destination) => approvals.covers(entry, destination, identity),
      skipped: input.skipped ?? [],
      conflicts: input.conflicts ?? [],
      network: network === undefined || network === "unreadable" ? [] : network,
      networkUnreadable: network === "unreadable",
      nodeInstances,
      adoptable: adoptableBy(nodeInstances, new Set(input.desired.map((d) => d.destination.text))),
    },
  };
}
