// Thin typed wrapper over the @alicloud/vpc20160428 client: builds request models with
// constructors (plain nested objects would go out with camelCased keys, not the API's parameter
// names), pins runtime timeouts, and
// maps response bodies to plain data. No retries, no classification: callers do that.
import vpcModule, {
  CreateRouteEntriesRequest,
  CreateRouteEntriesRequestRouteEntries,
  DeleteRouteEntriesRequest,
  DeleteRouteEntriesRequestRouteEntries,
  DescribeRouteEntryListRequest,
  DescribeRouteTableListRequest,
  DescribeVSwitchesRequest,
  DescribeVpcAttributeRequest,
  ModifyRouteEntryRequest,
} from "@alicloud/vpc20160428";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { RuntimeOptions } from "@darabonba/typescript";
import type { RouteEntry } from "../../domain/types.js";
import type { GatedCreate, GatedDelete, GatedModify } from "../../domain/write-gate.js";
import type { RouteTableInfo } from "../route-table.js";
import type { AlibabaCredential } from "./credentials.js";
import type { ParsedEndpoint } from "./endpoint.js";
import { cjsDefault } from "./cjs-default.js";

const VpcClient = cjsDefault(vpcModule);
type VpcClientInstance = InstanceType<typeof VpcClient>;

export interface VpcApiOptions {
  readonly regionId: string;
  readonly endpoint?: ParsedEndpoint | undefined;
  readonly credential: AlibabaCredential;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly userAgent?: string | undefined;
}

export interface RouteTablePage {
  readonly tables: RouteTableInfo[];
  readonly totalCount: number;
  readonly requestId: string | undefined;
}

export interface RouteEntryPage {
  readonly entries: RouteEntry[];
  readonly nextToken: string | undefined;
  readonly requestId: string | undefined;
}

/** DescribeRouteEntryList filters; an omitted one is left to the API's reading (reference §7.1). */
export interface EntryFilter {
  readonly nextHopType?: string | undefined;
  /** A string here ("ipv4" | "ipv6"), unlike CreateRouteEntries' integer. */
  readonly ipVersion?: "ipv4" | "ipv6" | undefined;
  /** DestinationCidrBlock: only the entry of this destination (a targeted lookup). */
  readonly destination?: string | undefined;
  /** DestCidrBlockList.N: only the entries of these destinations (confirming one batch in one call). */
  readonly destinations?: readonly string[] | undefined;
  /** RouteEntryType: only entries of this type (a lookup for what the unfiltered listing may leave out). */
  readonly routeEntryType?: string | undefined;
}

export interface CreateItem {
  readonly routeTableId: string;
  readonly destinationCidr: string;
  readonly instanceId: string;
  readonly routeEntryName: string;
  readonly description: string;
}

export interface DeleteItem {
  readonly routeTableId: string;
  readonly routeEntryId: string;
}

export interface ItemFailure {
  readonly routeEntryId: string | undefined;
  readonly destinationCidr: string | undefined;
  readonly nextHop: string | undefined;
  readonly failedCode: string | undefined;
  readonly failedMessage: string | undefined;
}

export interface BatchWriteResult {
  readonly requestId: string | undefined;
  readonly routeEntryIds: string[];
  readonly failures: ItemFailure[];
}

export class VpcApi {
  readonly #client: VpcClientInstance;
  readonly #regionId: string;
  readonly #runtime: RuntimeOptions;

  constructor(options: VpcApiOptions) {
    this.#regionId = options.regionId;
    // Deliberately no retryOptions: the SDK's own retry is off by default and retries are ours.
    this.#client = new VpcClient(
      new $OpenApiUtil.Config({
        credential: options.credential,
        regionId: options.regionId,
        connectTimeout: options.connectTimeoutMs,
        readTimeout: options.readTimeoutMs,
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint.endpoint, protocol: options.endpoint.protocol } : {}),
        ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
      }),
    );
    this.#runtime = new RuntimeOptions({ connectTimeout: options.connectTimeoutMs, readTimeout: options.readTimeoutMs });
  }

  async describeRouteTableList(vpcId: string | undefined, routeTableId: string | undefined, pageNumber: number, pageSize: number): Promise<RouteTablePage> {
    const request = new DescribeRouteTableListRequest({
      regionId: this.#regionId,
      pageNumber,
      pageSize,
      ...(vpcId !== undefined ? { vpcId } : {}),
      ...(routeTableId !== undefined ? { routeTableId } : {}),
    });
    const response = await this.#client.describeRouteTableListWithOptions(request, this.#runtime);
    const body = response.body;
    const tables = (body?.routerTableList?.routerTableListType ?? []).flatMap((t): RouteTableInfo[] =>
      t.routeTableId !== undefined && t.vpcId !== undefined
        ? [{ routeTableId: t.routeTableId, vpcId: t.vpcId, routeTableType: t.routeTableType ?? "", routeTableName: t.routeTableName || undefined }]
        : [],
    );
    return { tables, totalCount: body?.totalCount ?? tables.length, requestId: body?.requestId };
  }

  async describeRouteEntryList(routeTableId: string, filter: EntryFilter, nextToken: string | undefined, maxResult: number): Promise<RouteEntryPage> {
    const request = new DescribeRouteEntryListRequest({
      regionId: this.#regionId,
      routeTableId,
      // No RouteEntryType in a listing: a System, CEN, BGP or other learned route at a Node's pod
      // CIDR must be seen (and reported as a conflict), not only Custom entries (issue 16, defect 5).
      ...(filter.routeEntryType !== undefined ? { routeEntryType: filter.routeEntryType } : {}),
      ...(filter.nextHopType !== undefined ? { nextHopType: filter.nextHopType } : {}),
      ...(filter.ipVersion !== undefined ? { ipVersion: filter.ipVersion } : {}),
      ...(filter.destination !== undefined ? { destinationCidrBlock: filter.destination } : {}),
      ...(filter.destinations !== undefined ? { destCidrBlockList: [...filter.destinations] } : {}),
      maxResult,
      ...(nextToken !== undefined && nextToken !== "" ? { nextToken } : {}),
    });
    const response = await this.#client.describeRouteEntryListWithOptions(request, this.#runtime);
    const body = response.body;
    const entries = (body?.routeEntrys?.routeEntry ?? []).flatMap((e): RouteEntry[] => {
      if (e.routeEntryId === undefined || e.destinationCidrBlock === undefined) return [];
      return [
        {
          routeTableId: e.routeTableId ?? routeTableId,
          routeEntryId: e.routeEntryId,
          destinationCidr: e.destinationCidrBlock,
          type: e.type ?? "Custom",
          status: e.status ?? "",
          nextHops: (e.nextHops?.nextHop ?? []).map((h) => ({ nextHopType: h.nextHopType ?? "", nextHopId: h.nextHopId ?? "" })),
          routeEntryName: e.routeEntryName || undefined,
          description: e.description || undefined,
        },
      ];
    });
    const token = body?.nextToken;
    return { entries, nextToken: token !== undefined && token !== "" ? token : undefined, requestId: body?.requestId };
  }

  /**
   * A real write takes only what the write gate admitted (domain/write-gate.ts). With `dryRun`, the
   * API only checks the call (permission included), changes nothing and answers `DryRunOperation`.
   */
  async createRouteEntries(items: readonly GatedCreate[]): Promise<BatchWriteResult>;
  async createRouteEntries(items: readonly CreateItem[], dryRun: true): Promise<BatchWriteResult>;
  async createRouteEntries(items: readonly CreateItem[], dryRun = false): Promise<BatchWriteResult> {
    const request = new CreateRouteEntriesRequest({
      regionId: this.#regionId,
      ...(dryRun ? { dryRun } : {}),
      routeEntries: items.map(
        (item) =>
          new CreateRouteEntriesRequestRouteEntries({
            routeTableId: item.routeTableId,
            dstCidrBlock: item.destinationCidr,
            nextHop: item.instanceId,
            nextHopType: "Instance",
            ipVersion: item.destinationCidr.includes(":") ? 6 : 4,
            ...(item.routeEntryName !== "" ? { name: item.routeEntryName } : {}),
            ...(item.description !== "" ? { description: item.description } : {}),
          }),
      ),
    });
    const response = await this.#client.createRouteEntriesWithOptions(request, this.#runtime);
    const body = response.body;
    return {
      requestId: body?.requestId,
      routeEntryIds: body?.routeEntryIds ?? [],
      failures: (body?.failedRouteEntries ?? []).map((f) => ({
        routeEntryId: undefined,
        destinationCidr: f.dstCidrBlock,
        nextHop: f.nextHop,
        failedCode: f.failedCode,
        failedMessage: f.failedMessage,
      })),
    };
  }

  async deleteRouteEntries(items: readonly GatedDelete[]): Promise<BatchWriteResult>;
  async deleteRouteEntries(items: readonly DeleteItem[], dryRun: true): Promise<BatchWriteResult>;
  async deleteRouteEntries(items: readonly DeleteItem[], dryRun = false): Promise<BatchWriteResult> {
    const request = new DeleteRouteEntriesRequest({
      regionId: this.#regionId,
      ...(dryRun ? { dryRun } : {}),
      routeEntries: items.map(
        (item) => new DeleteRouteEntriesRequestRouteEntries({ routeTableId: item.routeTableId, routeEntryId: item.routeEntryId }),
      ),
    });
    const response = await this.#client.deleteRouteEntriesWithOptions(request, this.#runtime);
    const body = response.body;
    return {
      requestId: body?.requestId,
      routeEntryIds: [],
      failures: (body?.failedRouteEntries ?? []).map((f) => ({
        routeEntryId: f.routeEntryId,
        destinationCidr: f.dstCidrBlock,
        nextHop: f.nextHop,
        failedCode: f.failedCode,
        failedMessage: f.failedMessage,
      })),
    };
  }

  /** ModifyRouteEntry of the name and description only (by RouteEntryId); returns the RequestId. */
  async modifyRouteEntry(item: GatedModify): Promise<{ readonly requestId: string | undefined }> {
    const request = new ModifyRouteEntryRequest({
      regionId: this.#regionId,
      routeEntryId: item.routeEntryId,
      routeEntryName: item.routeEntryName,
      description: item.description,
    });
    const response = await this.#client.modifyRouteEntryWithOptions(request, this.#runtime);
    return { requestId: response.body?.requestId };
  }

  // ---- the VPC's own network (vpc-network.ts) ----

  async describeVpcAttribute(vpcId: string): Promise<VpcAttribute> {
    const request = new DescribeVpcAttributeRequest({ regionId: this.#regionId, vpcId });
    const body = (await this.#client.describeVpcAttributeWithOptions(request, this.#runtime)).body;
    const ipv6 = (body?.ipv6CidrBlocks?.ipv6CidrBlock ?? []).map((b) => b.ipv6CidrBlock ?? "");
    const cidrs = [body?.cidrBlock ?? "", ...(body?.secondaryCidrBlocks?.secondaryCidrBlock ?? []), ...ipv6, body?.ipv6CidrBlock ?? ""];
    return { vpcId: body?.vpcId ?? vpcId, cidrs: [...new Set(cidrs.filter((c) => c !== ""))], requestId: body?.requestId };
  }

  async describeVSwitches(vpcId: string, pageNumber: number, pageSize: number): Promise<VSwitchPage> {
    const request = new DescribeVSwitchesRequest({ regionId: this.#regionId, vpcId, pageNumber, pageSize });
    const body = (await this.#client.describeVSwitchesWithOptions(request, this.#runtime)).body;
    const list = body?.vSwitches?.vSwitch ?? [];
    const cidrs = list.flatMap((v) => [v.cidrBlock ?? "", v.ipv6CidrBlock ?? ""]).filter((c) => c !== "");
    return { cidrs, count: list.length, totalCount: body?.totalCount ?? list.length, requestId: body?.requestId };
  }
}

export interface VpcAttribute {
  readonly vpcId: string;
  /** CidrBlock, SecondaryCidrBlocks and Ipv6CidrBlocks (or the single Ipv6CidrBlock), non-empty only. */
  readonly cidrs: string[];
  readonly requestId: string | undefined;
}

export interface VSwitchPage {
  /** CidrBlock and Ipv6CidrBlock of each vSwitch on the page, non-empty only. */
  readonly cidrs: string[];
  readonly count: number;
  readonly totalCount: number;
  readonly requestId: string | undefined;
}
