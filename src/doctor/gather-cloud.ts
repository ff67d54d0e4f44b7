// Gathers the VPC facts doctor checks, read-only: lists the route tables (the credentials test),
// reads every managed table, and probes write permission with DryRun calls that change nothing.
import { asCloudError } from "../cloud/errors.js";
import type { RouteTable } from "../cloud/route-table.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
import type { DryRunAnswer } from "../cloud/alibaba/dry-run-probe.js";
import { DRY_RUN_OK } from "../cloud/alibaba/dry-run-probe.js";
import { canonicalCidr, formatAddress, lastAddress, type Cidr } from "../domain/cidr.js";
import { classifyNodes } from "../domain/eligibility.js";
import { classifyEntry } from "../domain/entry-ownership.js";
import { routeMarker } from "../domain/ownership.js";
import type { SyncScope } from "../domain/settings.js";
import type { EligibleNode, NodeFacts, RouteEntry } from "../domain/types.js";
import type { CloudFacts, CloudFailure, DryRunProbe, TableFacts } from "./facts.js";

/** Sends write actions with DryRun=true (the Alibaba implementation: AlibabaDryRunProbe). */
export interface WriteProbe {
  probe(
    create: { routeTableId: string; destinationCidr: string; instanceId: string; routeEntryName: string; description: string },
    deleteRouteEntryId: string,
  ): Promise<DryRunAnswer[]>;
}

/** What the cloud is read for: the scope's tables and VPC; the probes aim inside the pod network, as the controller's writes do. */
export type CloudSettings = Pick<SyncScope, "regionId" | "vpcId" | "routeTableIds" | "clusterName" | "clusterCidrs">;

/** Used when no Node is eligible and no cluster CIDR is set: a documentation prefix (RFC 5737), placeholders. */
const PROBE_DESTINATION = "192.0.2.0/24";
const PROBE_INSTANCE = "i-vpcroutesyncdoctor";
const PROBE_NODE = "vpc-route-sync-doctor";
/** An entry id no route table holds. */
const PROBE_ENTRY = "rte-vpcroutesyncdoctor";

function failure(error: unknown): CloudFailure {
  const e = asCloudError(error);
  return { code: e.code, kind: e.kind, message: e.message };
}

export async function gatherCloud(
  settings: CloudSettings,
  routeTable: RouteTable,
  probe: WriteProbe,
  nodes: readonly NodeFacts[],
  clusterUid?: string,
  vpcNetwork?: VpcNetworkSource,
): Promise<CloudFacts> {
  let vpcTableIds: string[] | undefined;
  let routeTableIds = [...settings.routeTableIds];
  if (settings.vpcId !== undefined) {
    const action = `DescribeRouteTableList (VPC ${settings.vpcId})`;
    try {
      vpcTableIds = (await routeTable.listRouteTables(settings.vpcId)).map((t) => t.routeTableId).sort();
    } catch (error) {
      return { access: { ok: false, action, error: failure(error) }, routeTableIds, tables: [], writeProbes: [] };
    }
    if (routeTableIds.length === 0) routeTableIds = vpcTableIds;
  }
  const tables = await readTables(settings, routeTable, routeTableIds, vpcTableIds);
  const access = vpcTableIds !== undefined ? { ok: true as const, action: `DescribeRouteTableList (VPC ${settings.vpcId ?? ""})` } : firstRead(tables);
  const writeProbes = access.ok ? await probeWrites(settings, probe, tables, nodes, clusterUid) : [];
  const readable = tables.filter((t) => t.entries !== undefined).map((t) => t.routeTableId);
  const network = access.ok && vpcNetwork !== undefined ? await readNetwork(settings, vpcNetwork, readable) : undefined;
  return { access, vpcTableIds, routeTableIds, tables, writeProbes, vpcNetwork: network };
}

/** What the controller reads each pass before planning (DescribeVpcAttribute, DescribeVSwitches). */
async function readNetwork(settings: CloudSettings, source: VpcNetworkSource, routeTableIds: readonly string[]): Promise<CloudFacts["vpcNetwork"]> {
  try {
    return { networks: await source.read(settings.vpcId, routeTableIds) };
  } catch (error) {
    return { error: failure(error) };
  }
}

async function readTables(
  settings: CloudSettings,
  routeTable: RouteTable,
  routeTableIds: readonly string[],
  vpcTableIds: readonly string[] | undefined,
): Promise<TableFacts[]> {
  const tables: TableFacts[] = [];
  for (const routeTableId of routeTableIds) {
    if (vpcTableIds !== undefined && !vpcTableIds.includes(routeTableId)) {
      tables.push({ routeTableId, error: { code: "InvalidRouteTableId.NotFound", kind: "not-found", message: `not in VPC ${settings.vpcId ?? ""}` } });
      continue;
    }
    try {
      tables.push({ routeTableId, entries: await routeTable.listRoutes(routeTableId) });
    } catch (error) {
      tables.push({ routeTableId, error: failure(error) });
    }
  }
  return tables;
}

/** Without --vpc-id the first table read is the credentials test (a missing table is not their fault). */
function firstRead(tables: readonly TableFacts[]): CloudFacts["access"] {
  const first = tables[0];
  const action = `DescribeRouteEntryList (${first?.routeTableId ?? "no table"})`;
  if (first?.error === undefined || first.error.kind === "not-found") return { ok: true, action };
  return { ok: false, action, error: first.error };
}

async function probeWrites(
  settings: CloudSettings,
  probe: WriteProbe,
  tables: readonly TableFacts[],
  nodes: readonly NodeFacts[],
  clusterUid: string | undefined,
): Promise<DryRunProbe[]> {
  const eligible = classifyNodes(nodes, { regionId: settings.regionId, clusterCidrs: settings.clusterCidrs }).eligible;
  const writeProbes: DryRunProbe[] = [];
  for (const table of tables) {
    if (table.entries === undefined) continue;
    const held = new Set(table.entries.map((e) => canonicalCidr(e.destinationCidr) ?? e.destinationCidr));
    const target = createTarget(settings.clusterCidrs, eligible, held);
    const marker = routeMarker(settings.clusterName, target.nodeName, clusterUid);
    const create = { routeTableId: table.routeTableId, destinationCidr: target.destinationCidr, instanceId: target.instanceId, ...marker };
    for (const answer of await probe.probe(create, deleteTarget(settings, table.entries, clusterUid))) {
      writeProbes.push({ action: answer.action, routeTableId: table.routeTableId, outcome: outcomeOf(answer), code: answer.code, message: answer.message });
    }
  }
  return writeProbes;
}

/**
 * What the create probe names: a destination the controller could write (inside a cluster CIDR)
 * that nothing holds in the table yet. An eligible Node's pod CIDR without a route first; else a
 * free block at the end of a cluster CIDR; without a cluster CIDR, a documentation prefix.
 */
function createTarget(
  clusterCidrs: readonly Cidr[],
  eligible: readonly EligibleNode[],
  held: ReadonlySet<string>,
): { destinationCidr: string; instanceId: string; nodeName: string } {
  const node = eligible[0];
  const instanceId = node?.instanceId ?? PROBE_INSTANCE;
  const nodeName = node?.nodeName ?? PROBE_NODE;
  for (const n of eligible) {
    const free = n.podCidrs.find((cidr) => !held.has(cidr.text));
    if (free !== undefined) return { destinationCidr: free.text, instanceId: n.instanceId, nodeName: n.nodeName };
  }
  for (const cluster of clusterCidrs) {
    const free = freeBlocksAtEnd(cluster).find((cidr) => !held.has(cidr));
    if (free !== undefined) return { destinationCidr: free, instanceId, nodeName };
  }
  return { destinationCidr: PROBE_DESTINATION, instanceId, nodeName };
}

/** The last few /24 (IPv4) or /64 (IPv6) blocks of a cluster CIDR, last first (the whole CIDR when it is smaller). */
function freeBlocksAtEnd(cluster: Cidr): string[] {
  const bits = cluster.family === 4 ? 32 : 128;
  const prefix = Math.max(cluster.prefix, cluster.family === 4 ? 24 : 64);
  const size = 1n << BigInt(bits - prefix);
  const count = Math.min(8, 2 ** Math.min(30, prefix - cluster.prefix));
  return Array.from({ length: count }, (_, i) => `${formatAddress(cluster.family, lastAddress(cluster) + 1n - size * BigInt(i + 1))}/${prefix}`);
}

/**
 * What the delete probe names: an entry this cluster owns by its marker, else an id that cannot
 * exist. Never another owner's entry (a VPN route, another cluster's): a DryRun call must not even
 * name what the controller would never delete.
 */
function deleteTarget(settings: CloudSettings, entries: readonly RouteEntry[], clusterUid: string | undefined): string {
  const ownership = { clusterName: settings.clusterName, clusterUid, clusterCidrs: settings.clusterCidrs, adoptUnmarked: false };
  const owned = entries.find((entry) => {
    const verdict = classifyEntry(entry, ownership);
    return verdict.owned && verdict.via === "marker" && !verdict.legacy;
  });
  return owned?.routeEntryId ?? PROBE_ENTRY;
}

function outcomeOf(answer: DryRunAnswer): DryRunProbe["outcome"] {
  if (answer.code === DRY_RUN_OK) return "allowed";
  return answer.kind === "permission" || answer.kind === "credentials" ? "denied" : "unknown";
}
