// The seven route API actions of VPC 2016-04-28 (DescribeVpcAttribute and DescribeVSwitches: network-actions.ts) as the fake implements them: accepted parameters,
// validation, the rules of the real service (unique destination per table, quota, one change at a
// time per VPC, only Available entries deletable, system routes immutable) and the exact response
// shapes the SDK's models expect (RouteEntrys.RouteEntry[], plain-array RouteEntryIds ...).
import { apiErrors } from "./api-error.ts";
import { parseCidr, type ParsedCidr } from "./cidr.ts";
import { numberedPage, type ListItem, type ParamSpec, type Params } from "./params.ts";
import { NETWORK_ACTIONS } from "./network-actions.ts";
import type { VpcState } from "./vpc-state.ts";
import type { FakeNextHop, FakeRouteEntry } from "./types.ts";

/** How a batch call meets a VPC with unsettled entries. */
export type BatchWhileUnstable = "reject" | "item-error";

/** How DescribeRouteEntryList reads a filter the caller left out (the docs leave it open). */
export interface OmittedFilters {
  /** "any": every next-hop type; "Instance": instance routes only (the docs' "Instance (default)"). */
  readonly nextHopType: "any" | "Instance";
  /** "any": both versions; "ipv4": IPv4 entries only. */
  readonly ipVersion: "any" | "ipv4";
  /**
   * "any": every entry type; "Custom": custom entries only, so System, BGP, CEN and ECR (learned)
   * entries are seen only when RouteEntryType names them. @default "any"
   */
  readonly routeEntryType?: "any" | "Custom" | undefined;
}

export interface ActionContext {
  readonly state: VpcState;
  readonly quotaPerTable: number;
  readonly batchWhileUnstable: BatchWhileUnstable;
  readonly omittedFilters: OmittedFilters;
  /** ClientToken -> what the first CreateRouteEntry with it did. */
  readonly clientTokens: Map<string, { readonly fingerprint: string; readonly routeEntryId: string }>;
  readonly ownerId: number;
}

export type ResponseBody = Record<string, unknown>;

export interface ActionDefinition {
  readonly spec: ParamSpec;
  readonly mutating: boolean;
  /** VPCs a mutating call would touch (best effort, for the overlapping-call check). */
  vpcs(params: Params, state: VpcState): string[];
  run(params: Params, ctx: ActionContext): ResponseBody;
}

const MAX_BATCH = 50;
const NEXT_HOP_TYPES = new Set([
  "Instance",
  "HaVip",
  "RouterInterface",
  "NetworkInterface",
  "VpnGateway",
  "IPv6Gateway",
  "NatGateway",
  "Attachment",
  "VpcPeer",
  "Ipv4Gateway",
  "GatewayEndpoint",
  "Ecr",
  "GatewayLoadBalancerEndpoint",
]);

// ---- shared validation -------------------------------------------------------------------------

function checkName(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 1 || value.length > 128 || /^https?:\/\//.test(value)) throw apiErrors.invalidName(field);
  return value;
}

function checkDescription(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 1 || value.length > 256 || /^https?:\/\//.test(value)) throw apiErrors.invalidDescription();
  return value;
}

function checkNextHopType(value: string): string {
  if (!NEXT_HOP_TYPES.has(value)) throw apiErrors.invalidNextHopType(value);
  return value;
}

function parseDestination(name: string, value: string): ParsedCidr {
  const parsed = parseCidr(value);
  if (!parsed) throw apiErrors.malformedCidr(name, value);
  return parsed;
}

function requireTable(state: VpcState, routeTableId: string): void {
  if (!state.hasTable(routeTableId)) throw apiErrors.routeTableNotFound(routeTableId);
}

function requireCustom(entry: FakeRouteEntry): void {
  if (entry.type !== "Custom") throw apiErrors.operationDenied(`route entry ${entry.routeEntryId} is a ${entry.type} route`);
}

function requireStable(state: VpcState, vpcId: string): void {
  if (!state.isStable(vpcId)) throw apiErrors.incorrectStatus();
}

function batchItems(params: Params, max: number): ListItem[] {
  const items = params.objectList("RouteEntries");
  if (items.length === 0) throw apiErrors.missingParameter("RouteEntries");
  const highest = items[items.length - 1]?.index ?? 0;
  if (items.length > max || highest > max) {
    throw apiErrors.invalidParameter("RouteEntries", `at most ${max} route entries are allowed in one call, got index ${highest}`);
  }
  return items;
}

function itemField(item: ListItem, field: string): string {
  const value = item.fields.get(field);
  if (value === undefined || value === "") throw apiErrors.missingParameter(`${item.path}.${field}`);
  return value;
}

function tableVpcs(state: VpcState, routeTableIds: Iterable<string | undefined>): string[] {
  const vpcs = new Set<string>();
  for (const id of routeTableIds) if (id !== undefined && state.hasTable(id)) vpcs.add(state.tableInfo(id).vpcId);
  return [...vpcs];
}

// ---- response shapes -----------------------------------------------------------------------------

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function entryBody(entry: FakeRouteEntry, regionId: string): ResponseBody {
  return {
    RouteTableId: entry.routeTableId,
    RouteEntryId: entry.routeEntryId,
    RouteEntryName: entry.routeEntryName,
    Description: entry.description,
    DestinationCidrBlock: entry.destinationCidr,
    Type: entry.type,
    Status: entry.status,
    IpVersion: entry.ipVersion,
    Origin: entry.type,
    ServiceType: "",
    GmtModified: isoSeconds(entry.modifiedAt),
    NextHops: {
      NextHop: entry.nextHops.map((hop) => ({
        NextHopType: hop.nextHopType,
        NextHopId: hop.nextHopId,
        Enabled: hop.enabled ? 1 : 0,
        Weight: hop.weight,
        NextHopRegionId: regionId,
        NextHopRelatedInfo: { InstanceId: "", InstanceType: "", RegionId: "" },
      })),
    },
  };
}

// ---- NextToken: opaque, keyed on the creation order so deletes between pages skip nothing ----------

function encodeToken(lastSeq: number): string {
  return Buffer.from(`after:${lastSeq}`).toString("base64url");
}

function decodeToken(token: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString() : "";
  const match = /^after:([0-9]{1,15})$/.exec(text);
  if (!match) throw apiErrors.nextTokenInvalid();
  return Number(match[1]);
}

// ---- actions -----------------------------------------------------------------------------------

const describeRouteTableList: ActionDefinition = {
  spec: {
    names: ["VpcId", "RouteTableId", "RouteTableName", "RouteTableType", "RouterId", "RouterType", "ResourceGroupId", "PageNumber", "PageSize"],
    objectLists: { Tag: ["Key", "Value"] },
  },
  mutating: false,
  vpcs: () => [],
  run(params, ctx) {
    const { pageNumber, pageSize, page: pageOf } = numberedPage(params);
    const filters: Array<[string | undefined, (t: ReturnType<VpcState["tables"]>[number]) => string]> = [
      [params.str("VpcId"), (t) => t.vpcId],
      [params.str("RouteTableId"), (t) => t.routeTableId],
      [params.str("RouteTableName"), (t) => t.routeTableName],
      [params.str("RouteTableType"), (t) => t.routeTableType],
      [params.str("RouterId"), (t) => t.routerId],
      [params.str("RouterType"), () => "VRouter"],
    ];
    // The fake's tables carry no tags or resource group: a Tag filter matches nothing.
    const tagged = params.objectList("Tag").length > 0;
    const matching = ctx.state
      .tables()
      .filter((t) => !tagged && filters.every(([want, get]) => want === undefined || want === "" || get(t) === want));
    const page = pageOf(matching);
    return {
      PageNumber: pageNumber,
      PageSize: pageSize,
      TotalCount: matching.length,
      RouterTableList: {
        RouterTableListType: page.map((t) => ({
          VpcId: t.vpcId,
          RouteTableId: t.routeTableId,
          RouteTableName: t.routeTableName,
          RouteTableType: t.routeTableType,
          RouterId: t.routerId,
          RouterType: "VRouter",
          Status: "Available",
          CreationTime: isoSeconds(t.createdAt),
          Description: "",
          OwnerId: ctx.ownerId,
          ResourceGroupId: "",
          AssociateType: "VSwitch",
          RoutePropagationEnable: true,
          VSwitchIds: { VSwitchId: [] },
          GatewayIds: { GatewayIds: [] },
          Tags: { Tag: [] },
        })),
      },
    };
  },
};

const describeRouteEntryList: ActionDefinition = {
  spec: {
    names: [
      "RouteTableId",
      "RouteEntryId",
      "RouteEntryName",
      "DestinationCidrBlock",
      "IpVersion",
      "RouteEntryType",
      "NextHopId",
      "NextHopType",
      "MaxResult",
      "NextToken",
      "ServiceType",
    ],
    valueLists: ["DestCidrBlockList"],
  },
  mutating: false,
  vpcs: () => [],
  run(params, ctx) {
    const routeTableId = params.required("RouteTableId");
    requireTable(ctx.state, routeTableId);
    // The documented range is 1..100; larger values are tolerated and capped (upstream CCM sends 500).
    const maxResult = Math.min(params.int("MaxResult", 1, Number.MAX_SAFE_INTEGER) ?? 10, 100);
    const nextToken = params.str("NextToken");
    const afterSeq = nextToken === undefined || nextToken === "" ? 0 : decodeToken(nextToken);
    const askedIpVersion = params.str("IpVersion")?.toLowerCase();
    if (askedIpVersion !== undefined && askedIpVersion !== "ipv4" && askedIpVersion !== "ipv6") {
      throw apiErrors.invalidParameter("IpVersion", `expected "ipv4" or "ipv6", got "${askedIpVersion}"`);
    }
    const ipVersion = askedIpVersion ?? (ctx.omittedFilters.ipVersion === "ipv4" ? "ipv4" : undefined);
    const canonical = (value: string): string => parseCidr(value)?.text ?? value;
    const destination = params.str("DestinationCidrBlock");
    const destinations = params.valueList("DestCidrBlockList").map(canonical);
    const want = {
      routeEntryId: params.str("RouteEntryId"),
      routeEntryName: params.str("RouteEntryName"),
      destination: destination === undefined ? undefined : canonical(destination),
      type: params.str("RouteEntryType") ?? (ctx.omittedFilters.routeEntryType === "Custom" ? "Custom" : undefined),
      nextHopId: params.str("NextHopId"),
      nextHopType: params.str("NextHopType") ?? (ctx.omittedFilters.nextHopType === "Instance" ? "Instance" : undefined),
    };
    const matches = (e: FakeRouteEntry): boolean =>
      (want.routeEntryId === undefined || e.routeEntryId === want.routeEntryId) &&
      (want.routeEntryName === undefined || e.routeEntryName === want.routeEntryName) &&
      (want.destination === undefined || e.destinationCidr === want.destination) &&
      (destinations.length === 0 || destinations.includes(e.destinationCidr)) &&
      (ipVersion === undefined || e.ipVersion === ipVersion) &&
      (want.type === undefined || e.type === want.type) &&
      (want.nextHopId === undefined || e.nextHops.some((h) => h.nextHopId === want.nextHopId)) &&
      (want.nextHopType === undefined || e.nextHops.some((h) => h.nextHopType === want.nextHopType));
    const all = ctx.state.entries(routeTableId).filter(matches);
    const rest = all.filter((e) => e.seq > afterSeq);
    const page = rest.slice(0, maxResult);
    const last = page[page.length - 1];
    return {
      NextToken: rest.length > page.length && last ? encodeToken(last.seq) : "",
      TotalCount: all.length,
      RouteEntrys: { RouteEntry: page.map((e) => entryBody(e, ctx.state.regionId)) },
    };
  },
};

function createNextHops(params: Params): FakeNextHop[] {
  const list = params.objectList("NextHopList");
  if (list.length > 0) {
    if (params.has("NextHopId")) throw apiErrors.invalidParameter("NextHopId", "use either NextHopId or NextHopList, not both");
    return list.map((item) => ({
      nextHopType: checkNextHopType(itemField(item, "NextHopType")),
      nextHopId: itemField(item, "NextHopId"),
      weight: (item.fields.has("Weight") ? Number(item.fields.get("Weight")) : 1) || 0,
      enabled: true,
    }));
  }
  const nextHopId = params.required("NextHopId");
  return [{ nextHopType: checkNextHopType(params.str("NextHopType") ?? "Instance"), nextHopId, weight: 0, enabled: true }];
}

const createRouteEntry: ActionDefinition = {
  spec: {
    names: ["RouteTableId", "DestinationCidrBlock", "NextHopType", "NextHopId", "RouteEntryName", "Description", "ClientToken", "DryRun"],
    objectLists: { NextHopList: ["NextHopType", "NextHopId", "Weight"] },
  },
  mutating: true,
  vpcs: (params, state) => tableVpcs(state, [params.str("RouteTableId")]),
  run(params, ctx) {
    const { state } = ctx;
    const routeTableId = params.required("RouteTableId");
    const destinationText = params.required("DestinationCidrBlock");
    for (const item of params.objectList("NextHopList")) {
      const weight = item.fields.get("Weight");
      if (weight !== undefined && !/^[0-9]+$/.test(weight)) throw apiErrors.invalidParameter(`${item.path}.Weight`, `expected an integer, got "${weight}"`);
    }
    const nextHops = createNextHops(params);
    const routeEntryName = checkName("RouteEntryName", params.str("RouteEntryName")) ?? "";
    const description = checkDescription(params.str("Description")) ?? "";
    const clientToken = params.str("ClientToken");
    if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken))) {
      throw apiErrors.invalidParameter("ClientToken", "must be 1 to 64 ASCII characters");
    }
    const dryRun = params.bool("DryRun");
    requireTable(state, routeTableId);
    const parsed = parseDestination("DestinationCidrBlock", destinationText);
    const problem = state.destinationProblem(routeTableId, parsed);
    if (problem) throw apiErrors.invalidDestination(destinationText, problem);

    const fingerprint = JSON.stringify([routeTableId, parsed.text, nextHops, routeEntryName, description]);
    const previous = clientToken === undefined ? undefined : ctx.clientTokens.get(clientToken);
    if (previous) {
      if (previous.fingerprint !== fingerprint) throw apiErrors.idempotentMismatch();
      return { RouteEntryId: previous.routeEntryId };
    }
    if (dryRun) throw apiErrors.dryRun();
    requireStable(state, state.tableInfo(routeTableId).vpcId);
    if (state.entryByDestination(routeTableId, parsed.text)) throw apiErrors.duplicateCidr(destinationText);
    if (state.customCount(routeTableId) >= ctx.quotaPerTable) throw apiErrors.quotaExceeded();
    const created = state.create(routeTableId, parsed, nextHops, routeEntryName, description);
    if (clientToken !== undefined) ctx.clientTokens.set(clientToken, { fingerprint, routeEntryId: created.routeEntryId });
    return { RouteEntryId: created.routeEntryId };
  },
};

interface FailedItem {
  readonly [key: string]: string;
}

const createRouteEntries: ActionDefinition = {
  spec: {
    names: ["DryRun"],
    objectLists: { RouteEntries: ["RouteTableId", "DstCidrBlock", "NextHop", "NextHopType", "IpVersion", "Name", "Description"] },
  },
  mutating: true,
  vpcs: (params, state) => tableVpcs(state, params.objectList("RouteEntries").map((i) => i.fields.get("RouteTableId"))),
  run(params, ctx) {
    const { state } = ctx;
    const items = batchItems(params, MAX_BATCH).map((item) => {
      const routeTableId = itemField(item, "RouteTableId");
      const dstCidrBlock = itemField(item, "DstCidrBlock");
      const nextHop = itemField(item, "NextHop");
      const nextHopType = checkNextHopType(itemField(item, "NextHopType"));
      const name = checkName(`${item.path}.Name`, item.fields.get("Name")) ?? "";
      const description = checkDescription(item.fields.get("Description")) ?? "";
      requireTable(state, routeTableId);
      const parsed = parseDestination(`${item.path}.DstCidrBlock`, dstCidrBlock);
      const ipVersion = item.fields.get("IpVersion");
      if (ipVersion !== undefined && ipVersion !== String(parsed.version)) {
        throw apiErrors.invalidParameter(`${item.path}.IpVersion`, `"${ipVersion}" does not match ${dstCidrBlock} (expected 4 or 6)`);
      }
      const problem = state.destinationProblem(routeTableId, parsed);
      if (problem) throw apiErrors.invalidDestination(dstCidrBlock, problem);
      return { routeTableId, dstCidrBlock, nextHop, nextHopType, name, description, parsed };
    });
    if (params.bool("DryRun")) throw apiErrors.dryRun();

    const vpcs = tableVpcs(state, items.map((i) => i.routeTableId));
    const unstable = vpcs.some((vpcId) => !state.isStable(vpcId));
    if (unstable && ctx.batchWhileUnstable === "reject") throw apiErrors.incorrectStatus();

    const routeEntryIds: string[] = [];
    const failed: FailedItem[] = [];
    const fail = (item: (typeof items)[number], code: string, message: string): void => {
      failed.push({ DstCidrBlock: item.dstCidrBlock, NextHop: item.nextHop, FailedCode: code, FailedMessage: message });
    };
    if (unstable) {
      for (const item of items) fail(item, "VPC_ROUTE_ENTRY_STATUS_ERROR", "The route entries of the vpc are in middle status.");
    } else {
      // The quota is checked for the whole call before anything is created.
      const fresh = new Map<string, Set<string>>();
      for (const item of items) {
        if (state.entryByDestination(item.routeTableId, item.parsed.text)) continue;
        const set = fresh.get(item.routeTableId) ?? new Set<string>();
        set.add(item.parsed.text);
        fresh.set(item.routeTableId, set);
      }
      for (const [routeTableId, set] of fresh) {
        if (state.customCount(routeTableId) + set.size > ctx.quotaPerTable) throw apiErrors.quotaExceeded();
      }
      for (const item of items) {
        const existing = state.entryByDestination(item.routeTableId, item.parsed.text);
        if (existing && existing.status === "Available") {
          fail(item, "VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE", `Specified CIDR block is already exists, entry.cidrBlock=${item.dstCidrBlock}`);
        } else if (existing) {
          fail(item, "VPC_ROUTE_ENTRY_STATUS_ERROR", "The route entry with this CIDR block is in middle status.");
        } else {
          const hop: FakeNextHop = { nextHopType: item.nextHopType, nextHopId: item.nextHop, weight: 0, enabled: true };
          routeEntryIds.push(state.create(item.routeTableId, item.parsed, [hop], item.name, item.description).routeEntryId);
        }
      }
    }
    return { SuccessCount: routeEntryIds.length, FailedCount: failed.length, RouteEntryIds: routeEntryIds, FailedRouteEntries: failed };
  },
};

/** Finds the entry a delete/modify names: by id, or by table + destination (+ next hop). */
function resolveEntry(
  state: VpcState,
  params: Params,
  options: { readonly nextHopFilter: boolean },
): FakeRouteEntry {
  const routeEntryId = params.str("RouteEntryId");
  if (routeEntryId !== undefined && routeEntryId !== "") {
    const entry = state.entry(routeEntryId);
    if (!entry) throw apiErrors.routeEntryNotFound();
    return entry;
  }
  if (!params.has("RouteTableId") && !params.has("DestinationCidrBlock")) throw apiErrors.missingParameter("RouteEntryId");
  const routeTableId = params.required("RouteTableId");
  const destinationText = params.required("DestinationCidrBlock");
  requireTable(state, routeTableId);
  const parsed = parseDestination("DestinationCidrBlock", destinationText);
  const entry = state.entryByDestination(routeTableId, parsed.text);
  if (!entry) throw apiErrors.routeEntryNotFound();
  if (options.nextHopFilter) {
    const wanted = [params.str("NextHopId"), ...params.objectList("NextHopList").map((i) => i.fields.get("NextHopId"))].filter(
      (id): id is string => id !== undefined,
    );
    if (wanted.some((id) => !entry.nextHops.some((h) => h.nextHopId === id))) throw apiErrors.routeEntryNotFound();
  }
  return entry;
}

function entryVpcs(params: Params, state: VpcState): string[] {
  const routeEntryId = params.str("RouteEntryId");
  const vpc = routeEntryId ? state.vpcOfEntry(routeEntryId) : undefined;
  return vpc ? [vpc] : tableVpcs(state, [params.str("RouteTableId")]);
}

const deleteRouteEntry: ActionDefinition = {
  spec: {
    names: ["RouteEntryId", "RouteTableId", "DestinationCidrBlock", "NextHopId", "DryRun"],
    objectLists: { NextHopList: ["NextHopId", "NextHopType"] },
  },
  mutating: true,
  vpcs: entryVpcs,
  run(params, ctx) {
    const { state } = ctx;
    const dryRun = params.bool("DryRun");
    const entry = resolveEntry(state, params, { nextHopFilter: true });
    requireCustom(entry);
    if (dryRun) throw apiErrors.dryRun();
    requireStable(state, state.tableInfo(entry.routeTableId).vpcId);
    state.startDelete(entry.routeEntryId);
    return {};
  },
};

const deleteRouteEntries: ActionDefinition = {
  spec: {
    names: ["DryRun"],
    objectLists: { RouteEntries: ["RouteTableId", "RouteEntryId", "DstCidrBlock", "NextHop"] },
  },
  mutating: true,
  vpcs: (params, state) => tableVpcs(state, params.objectList("RouteEntries").map((i) => i.fields.get("RouteTableId"))),
  run(params, ctx) {
    const { state } = ctx;
    const items = batchItems(params, MAX_BATCH).map((item) => {
      const routeTableId = itemField(item, "RouteTableId");
      const routeEntryId = item.fields.get("RouteEntryId");
      const dstCidrBlock = item.fields.get("DstCidrBlock");
      const nextHop = item.fields.get("NextHop");
      if (routeEntryId === undefined || routeEntryId === "") {
        itemField(item, "DstCidrBlock");
        itemField(item, "NextHop");
      }
      requireTable(state, routeTableId);
      const parsed = dstCidrBlock === undefined ? undefined : parseDestination(`${item.path}.DstCidrBlock`, dstCidrBlock);
      return { routeTableId, routeEntryId, dstCidrBlock, nextHop, parsed };
    });
    if (params.bool("DryRun")) throw apiErrors.dryRun();

    const vpcs = tableVpcs(state, items.map((i) => i.routeTableId));
    const unstable = vpcs.some((vpcId) => !state.isStable(vpcId));
    if (unstable && ctx.batchWhileUnstable === "reject") throw apiErrors.incorrectStatus();

    let successCount = 0;
    const failed: FailedItem[] = [];
    for (const item of items) {
      const fail = (code: string, message: string): void => {
        failed.push({
          RouteEntryId: item.routeEntryId ?? "",
          DstCidrBlock: item.dstCidrBlock ?? "",
          NextHop: item.nextHop ?? "",
          FailedCode: code,
          FailedMessage: message,
        });
      };
      const byId = item.routeEntryId ? state.entry(item.routeEntryId) : undefined;
      const entry =
        item.routeEntryId
          ? byId?.routeTableId === item.routeTableId ? byId : undefined
          : item.parsed
            ? state.entryByDestination(item.routeTableId, item.parsed.text)
            : undefined;
      const hopMatches = item.nextHop === undefined || entry?.nextHops.some((h) => h.nextHopId === item.nextHop);
      if (!entry || !hopMatches) fail("VPC_ROUTER_ENTRY_NOT_EXIST", "vRouterEntry not exists");
      else if (entry.type !== "Custom") fail("OperationDenied", `route entry ${entry.routeEntryId} is a ${entry.type} route`);
      else if (unstable || entry.status !== "Available") fail("VPC_ROUTE_ENTRY_STATUS_ERROR", "The route entry is in middle status.");
      else {
        state.startDelete(entry.routeEntryId);
        successCount++;
      }
    }
    return { SuccessCount: successCount, FailedCount: failed.length, FailedRouteEntries: failed };
  },
};

const modifyRouteEntry: ActionDefinition = {
  spec: {
    names: ["RouteEntryId", "RouteTableId", "DestinationCidrBlock", "RouteEntryName", "Description", "NewNextHopType", "NewNextHopId", "DryRun"],
  },
  mutating: true,
  vpcs: entryVpcs,
  run(params, ctx) {
    const { state } = ctx;
    const routeEntryName = checkName("RouteEntryName", params.str("RouteEntryName"));
    const description = checkDescription(params.str("Description"));
    const newNextHopId = params.str("NewNextHopId");
    const newNextHopType = params.str("NewNextHopType");
    if (newNextHopType !== undefined && newNextHopId === undefined) throw apiErrors.missingParameter("NewNextHopId");
    const dryRun = params.bool("DryRun");
    const entry = resolveEntry(state, params, { nextHopFilter: false });
    requireCustom(entry);
    if (newNextHopId !== undefined && entry.nextHops.length > 1) {
      throw apiErrors.operationDenied(`route entry ${entry.routeEntryId} is an ECMP route; its next hops cannot be replaced`);
    }
    const hopType = newNextHopId === undefined ? undefined : checkNextHopType(newNextHopType ?? "Instance");
    if (dryRun) throw apiErrors.dryRun();
    requireStable(state, state.tableInfo(entry.routeTableId).vpcId);
    if (routeEntryName !== undefined || description !== undefined) state.rename(entry.routeEntryId, routeEntryName, description);
    if (newNextHopId !== undefined && hopType !== undefined) {
      state.startModifyNextHop(entry.routeEntryId, { nextHopType: hopType, nextHopId: newNextHopId, weight: 0, enabled: true });
    }
    return {};
  },
};

export const ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map([
  ...NETWORK_ACTIONS,
  ["DescribeRouteTableList", describeRouteTableList],
  ["DescribeRouteEntryList", describeRouteEntryList],
  ["CreateRouteEntry", createRouteEntry],
  ["CreateRouteEntries", createRouteEntries],
  ["DeleteRouteEntry", deleteRouteEntry],
  ["DeleteRouteEntries", deleteRouteEntries],
  ["ModifyRouteEntry", modifyRouteEntry],
]);

