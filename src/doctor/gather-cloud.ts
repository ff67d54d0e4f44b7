// Gathers the VPC facts doctor checks, read-only: lists the route tables (the credentials test),
// reads every managed table, and probes write permission with DryRun calls that change nothing.
import { asCloudError } from "../cloud/errors.js";
import type { RouteTable } from "../cloud/route-table.js";
import type { VpcNetworkSource } from "../cloud/vpc-network.js";
import type { DryRunAnswer } from "../cloud/alibaba/dry-run-probe.js";
import { DRY_RUN_OK } from "../cloud/alibaba/dry-run-probe.js";
import { classifyNodes } from "../domain/eligibility.js";
import { routeMarker } from "../domain/ownership.js";
import type { NodeFacts } from "../domain/types.js";
import type { CloudFacts, CloudFailure, DryRunProbe, TableFacts } from "./facts.js";

/** Sends write actions with DryRun=true (the Alibaba implementation: AlibabaDryRunProbe). */
export interface WriteProbe {
  probe(
    create: { routeTableId: string; destinationCidr: string; instanceId: string; routeEntryName: string; description: string },
    deleteRouteEntryId: string,
  ): Promise<DryRunAnswer[]>;
}

export interface CloudSettings {
  readonly regionId: string;
  readonly vpcId?: string | undefined;
  readonly routeTableIds: readonly string[];
  readonly clusterName: string;
}

/** Used when no Node is eligible: a documentation prefix (RFC 5737) and a placeholder instance. */
const PROBE_DESTINATION = "192.0.2.0/24";
const PROBE_INSTANCE = "i-vpcroutesyncdoctor";
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
  const eligible = classifyNodes(nodes, { regionId: settings.regionId, clusterCidrs: [] }).eligible[0];
  const marker = routeMarker(settings.clusterName, eligible?.nodeName ?? "vpc-route-sync-doctor", clusterUid);
  const writeProbes: DryRunProbe[] = [];
  for (const table of tables) {
    if (table.entries === undefined) continue;
    const create = {
      routeTableId: table.routeTableId,
      destinationCidr: eligible?.podCidrs[0] ?? PROBE_DESTINATION,
      instanceId: eligible?.instanceId ?? PROBE_INSTANCE,
      routeEntryName: marker.routeEntryName,
      description: marker.description,
    };
    const existing = table.entries.find((e) => e.type === "Custom")?.routeEntryId ?? PROBE_ENTRY;
    for (const answer of await probe.probe(create, existing)) {
      writeProbes.push({ action: answer.action, routeTableId: table.routeTableId, outcome: outcomeOf(answer), code: answer.code, message: answer.message });
    }
  }
  return writeProbes;
}

function outcomeOf(answer: DryRunAnswer): DryRunProbe["outcome"] {
  if (answer.code === DRY_RUN_OK) return "allowed";
  return answer.kind === "permission" || answer.kind === "credentials" ? "denied" : "unknown";
}
