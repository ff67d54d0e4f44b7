// The settings a pass and its plan run under, in one shape: what the operator manages (region,
// VPC, route tables) and as whom (cluster name, uid and CIDRs, adoption, the deletion limits).
// config/ parses them once (CommonConfig extends SyncScope); the commands add what they learn at
// run time (the cluster uid, approvals) and hand the result down; nothing below copies the fields.
import type { Cidr } from "./cidr.js";
import type { MaxDeletions } from "./plan.js";

/** What the operator manages and as whom: the settings every command shares. */
export interface SyncScope {
  readonly regionId: string;
  /** Route tables are discovered from this VPC when routeTableIds is empty. */
  readonly vpcId?: string | undefined;
  /** Managed tables; empty means "discover from vpcId". */
  readonly routeTableIds: readonly string[];
  readonly clusterName: string;
  /** `--cluster-cidr`, parsed once in config/: at most one per IP family, canonically spelled. */
  readonly clusterCidrs: readonly Cidr[];
  /** `--adopt-unmarked`: manage unmarked custom single-hop instance routes inside the cluster CIDRs. */
  readonly adoptUnmarked: boolean;
  readonly maxDeletions: MaxDeletions;
}

/** The settings of a pass: the scope, with the identity and approvals the command found. */
export interface PassSettings extends SyncScope {
  /** The kube-system namespace UID (cluster identity in the marker); undefined with --nodes-file and no --cluster-uid. */
  readonly clusterUid?: string | undefined;
  /**
   * `reconcile --approve-deletions`: route entry ids or destinations (or `all`) a human approved:
   * held entries among them are deleted, and they bypass the max-deletions count.
   */
  readonly approveDeletions?: readonly string[] | undefined;
}

/** What the planner reads of them (the tables it plans are named with its input). */
export type PlanSettings = Omit<PassSettings, "vpcId" | "routeTableIds">;
