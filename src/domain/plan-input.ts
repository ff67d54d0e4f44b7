// The planner's entrance: whatever plan() is handed (typed data from desiredRoutes() and the
// cloud adapter, or junk from a property test or a future caller) is checked here once, so the
// steps behind it (plan-decide.ts, plan-guard.ts, plan-order.ts) can trust their types.
// Malformed items are dropped, never guessed at: a desired route without an instance id plans
// nothing; a route entry without an id is kept (it may hold a destination) but can never be ours.
import { approvalsOf } from "./approval.js";
import { parseCidr, type Cidr } from "./cidr.js";
import { hasStringFields, listOr, textOf } from "./guards.js";
import { isClusterUid } from "./ownership.js";
import type { MaxDeletions, NodeInstance, PlanInput as PlanRequest } from "./plan.js";
import type { PlanSettings } from "./settings.js";
import type { Conflict, DesiredRoute, NextHop, RouteEntry, SkippedNode } from "./types.js";

/** The settings as the planner's steps read them (a valid uid or none), with what the pass learnt, indexed. */
export interface TrustedOptions extends Omit<PlanSettings, "regionId" | "approveDeletions"> {
  readonly allowDeletes: boolean;
  /** What a human approved for deletion (domain/approval.ts: named ids/destinations, or `all` held ones). */
  readonly approved: (entry: RouteEntry, destination: string) => boolean;
  readonly skipped: readonly SkippedNode[];
  readonly conflicts: readonly Conflict[];
  /** The VPC's and its vSwitches' CIDR blocks, each with what it is (for the conflict message). */
  readonly network: readonly NetworkBlock[];
  /** The VPC's network could not be read (or was junk): no create is planned. */
  readonly networkUnreadable: boolean;
  /** Instance id -> name of the Node that names it (PlanOptions.nodeInstances). */
  readonly nodeInstances: ReadonlyMap<string, string>;
}

export interface NetworkBlock {
  readonly cidr: Cidr;
  readonly label: string;
}

export interface PlanInput {
  readonly desired: readonly DesiredRoute[];
  /** Route tables by id, in id order. */
  readonly tables: ReadonlyMap<string, readonly RouteEntry[]>;
  readonly options: TrustedOptions;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const optionalText = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function cleanHops(value: unknown): { hops: readonly NextHop[]; clean: boolean } {
  const list = listOr(value as readonly unknown[]);
  const clean = Array.isArray(value) && list.every((h) => hasStringFields(h, ["nextHopType", "nextHopId"] as const));
  if (clean) return { hops: list, clean };
  const hops = list.map((h) => ({
    nextHopType: textOf(isRecord(h) ? h.nextHopType : undefined),
    nextHopId: isRecord(h) && typeof h.nextHopId === "string" ? h.nextHopId : "",
  }));
  return { hops, clean };
}

/** The entry itself when well-typed (the common case, no copy), else a typed copy; junk is dropped. */
function cleanEntry(value: unknown, routeTableId: string): RouteEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { hops, clean } = cleanHops(value.nextHops);
  const { description, routeEntryName } = value;
  const typed =
    clean &&
    (description === undefined || typeof description === "string") &&
    (routeEntryName === undefined || typeof routeEntryName === "string") &&
    hasStringFields(value, ["routeTableId", "routeEntryId", "destinationCidr", "type", "status"] as const);
  if (typed) return value as unknown as RouteEntry;
  return {
    routeTableId,
    routeEntryId: optionalText(value.routeEntryId) ?? "",
    destinationCidr: optionalText(value.destinationCidr) ?? textOf(value.destinationCidr),
    type: optionalText(value.type) ?? textOf(value.type),
    status: optionalText(value.status) ?? textOf(value.status),
    nextHops: hops,
    routeEntryName: optionalText(value.routeEntryName),
    description: optionalText(value.description),
  };
}

/** The VPC network option: a block that does not parse makes the whole network unreadable (fail closed). */
function cleanNetwork(value: unknown): { network: NetworkBlock[]; networkUnreadable: boolean } {
  if (value === undefined) return { network: [], networkUnreadable: false };
  if (!Array.isArray(value)) return { network: [], networkUnreadable: true };
  const network: NetworkBlock[] = [];
  for (const field of ["vpcCidrs", "vSwitchCidrs"] as const) {
    const label = field === "vpcCidrs" ? "a CIDR block of the VPC" : "the CIDR block of a vSwitch";
    for (const part of value as unknown[]) {
      const list = isRecord(part) ? part[field] : undefined;
      if (!Array.isArray(list)) return { network: [], networkUnreadable: true };
      for (const text of list as unknown[]) {
        const parsed = typeof text === "string" ? parseCidr(text) : undefined;
        if (!parsed?.ok) return { network: [], networkUnreadable: true };
        network.push({ cidr: parsed.cidr, label });
      }
    }
  }
  return { network, networkUnreadable: false };
}

function cleanMaxDeletions(value: unknown): MaxDeletions {
  // NaN, negative or missing: allow nothing (fail safe). Infinity: no limit.
  const raw = isRecord(value) ? value.value : undefined;
  const amount = typeof raw === "number" && raw > 0 ? raw : 0;
  return isRecord(value) && value.kind === "percent" ? { kind: "percent", value: amount } : { kind: "count", value: amount };
}

function approvalOf(value: unknown, identity: { clusterName: string; clusterUid: string | undefined }): TrustedOptions["approved"] {
  const approvals = approvalsOf(listOr(value as readonly unknown[]).filter((v): v is string => typeof v === "string"));
  return (entry, destination) => approvals.covers(entry, destination, identity);
}

export function planInput(input: PlanRequest): PlanInput {
  const { desired, actual } = input;
  const o: Record<string, unknown> = { ...input.settings, ...input };
  const tables = new Map<string, RouteEntry[]>();
  if (actual instanceof Map) {
    for (const [id, entries] of [...(actual as Map<unknown, unknown>)].sort(([a], [b]) => (textOf(a) < textOf(b) ? -1 : 1))) {
      if (typeof id !== "string") continue;
      const list: RouteEntry[] = [];
      for (const e of listOr(entries as readonly unknown[])) {
        const entry = cleanEntry(e, id);
        if (entry) list.push(entry);
      }
      tables.set(id, list);
    }
  }
  const clusterName = textOf(o.clusterName);
  const clusterUid = isClusterUid(o.clusterUid) ? o.clusterUid : undefined;
  return {
    desired: listOr(desired as readonly unknown[]).filter(
      (d): d is DesiredRoute => hasStringFields(d, ["routeTableId", "instanceId", "nodeName"] as const) && isCidr((d as Record<string, unknown>).destination),
    ),
    tables,
    options: {
      clusterName,
      clusterUid,
      clusterCidrs: listOr(o.clusterCidrs as readonly unknown[]).filter(isCidr),
      adoptUnmarked: o.adoptUnmarked === true,
      maxDeletions: cleanMaxDeletions(o.maxDeletions),
      allowDeletes: o.allowDeletes === true,
      approved: approvalOf(o.approveDeletions, { clusterName, clusterUid }),
      skipped: listOr(o.skipped as readonly unknown[]).filter((s): s is SkippedNode =>
        hasStringFields(s, ["nodeName", "reason", "message"] as const),
      ),
      conflicts: listOr(o.conflicts as readonly unknown[]).filter((c): c is Conflict =>
        hasStringFields(c, ["reason", "destinationCidr", "nodeName", "message"] as const),
      ),
      ...cleanNetwork(o.network),
      nodeInstances: new Map(
        listOr(o.nodeInstances as readonly unknown[])
          .filter((n): n is NodeInstance => hasStringFields(n, ["instanceId", "nodeName"] as const) && n.instanceId !== "")
          .map((n) => [n.instanceId, n.nodeName]),
      ),
    },
  };
}

/** A parsed Cidr (the config parses cluster CIDRs once; junk that is not one is dropped here). */
function isCidr(value: unknown): value is Cidr {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (c.family === 4 || c.family === 6) && typeof c.network === "bigint" && typeof c.prefix === "number" && typeof c.text === "string";
}
