// Thin typed wrapper over the VPC API's RPC calls, made with @alicloud/openapi-core's client (the
// signing, credentials, timeouts and errors of every Alibaba SDK) and our own parameter maps, in the
// API's parameter names: the generated @alicloud/vpc20160428 package (all 400+ VPC operations and
// their models, ~40 MiB of RSS once imported) is not loaded. Pins runtime timeouts and maps the
// answers' JSON to plain data. No retries, no classification: callers do that.
import openApiModule, { $OpenApiUtil, OpenApiUtil } from "@alicloud/openapi-core";
import { RuntimeOptions } from "@darabonba/typescript";
import type { RouteEntry } from "../../domain/types.js";
import type { GatedCreate, GatedDelete, GatedModify } from "../../domain/write-gate.js";
import type { RouteTableInfo } from "../route-table.js";
import type { AlibabaCredential } from "./credentials.js";
import type { ParsedEndpoint } from "./endpoint.js";
import { cjsDefault } from "./cjs-default.js";

const OpenApiClient = cjsDefault(openApiModule);

/** VPC API version of every call. */
const VPC_API_VERSION = "2016-04-28";

/**
 * Regions whose VPC endpoint is not `vpc.<region>.aliyuncs.com` (the VPC SDK's endpoint map, as
 * published with it); every other region uses that regional rule.
 */
const VPC_ENDPOINT_EXCEPTIONS: Readonly<Record<string, string>> = {
  "cn-hangzhou": "vpc.aliyuncs.com",
  "cn-shanghai-finance-1": "vpc.aliyuncs.com",
  "cn-shenzhen-finance-1": "vpc.aliyuncs.com",
  "cn-north-2-gov-1": "vpc.aliyuncs.com",
  "ap-northeast-2-pop": "vpc.aliyuncs.com",
  "cn-beijing-finance-pop": "vpc.aliyuncs.com",
  "cn-beijing-gov-1": "vpc.aliyuncs.com",
  "cn-beijing-nu16-b01": "vpc.aliyuncs.com",
  "cn-edge-1": "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
  "cn-fujian": "vpc.aliyuncs.com",
  "cn-haidian-cm12-c01": "vpc.aliyuncs.com",
  "cn-hangzhou-bj-b01": "vpc.aliyuncs.com",
  "cn-hangzhou-finance": "vpc.aliyuncs.com",
  "cn-hangzhou-internal-prod-1": "vpc.aliyuncs.com",
  "cn-hangzhou-internal-test-1": "vpc-pre.cn-hangzhou.aliyuncs.com",
  "cn-hangzhou-internal-test-2": "vpc-inner-pre.cn-hangzhou.aliyuncs.com",
  "cn-hangzhou-internal-test-3": "vpc-pre.cn-hangzhou.aliyuncs.com",
  "cn-hangzhou-test-306": "vpc-pre.cn-hangzhou.aliyuncs.com",
  "cn-hongkong-finance-pop": "vpc.aliyuncs.com",
  "cn-huhehaote-nebula-1": "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
  "cn-qingdao-nebula": "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
  "cn-shanghai-et15-b01": "vpc-pre.cn-hangzhou.aliyuncs.com",
  "cn-shanghai-et2-b01": "vpc.aliyuncs.com",
  "cn-shanghai-inner": "vpc.aliyuncs.com",
  "cn-shanghai-internal-test-1": "vpc-pre.cn-hangzhou.aliyuncs.com",
  "cn-shenzhen-inner": "vpc.aliyuncs.com",
  "cn-shenzhen-st4-d01": "vpc.aliyuncs.com",
  "cn-shenzhen-su18-b01": "vpc.aliyuncs.com",
  "cn-wuhan": "vpc.aliyuncs.com",
  "cn-yushanfang": "vpc.aliyuncs.com",
  "cn-zhangbei": "vpc.aliyuncs.com",
  "cn-zhangbei-na61-b01": "vpc.aliyuncs.com",
  "cn-zhangjiakou-na62-a01": "vpc.cn-zhangjiakou.aliyuncs.com",
  "cn-zhengzhou-nebula-1": "vpc-nebula.cn-qingdao-nebula.aliyuncs.com",
  "eu-west-1-oxs": "vpc-nebula.cn-shenzhen-cloudstone.aliyuncs.com",
  "rus-west-1-pop": "vpc.aliyuncs.com",
};

/**
 * The endpoint the VPC SDK would use for a region when none is configured.
 * @internal exported for tests
 */
export function defaultVpcEndpoint(regionId: string): string {
  return VPC_ENDPOINT_EXCEPTIONS[regionId] ?? OpenApiUtil.getEndpointRules("vpc", regionId, "regional", "", "");
}

/** A JSON object of an answer, read field by field (absent or mistyped fields read as undefined). */
type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

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
  readonly #client: InstanceType<typeof OpenApiClient>;
  readonly #regionId: string;
  readonly #runtime: RuntimeOptions;

  constructor(options: VpcApiOptions) {
    this.#regionId = options.regionId;
    // Deliberately no retryOptions: the SDK's own retry is off by default and retries are ours.
    this.#client = new OpenApiClient(
      new $OpenApiUtil.Config({
        credential: options.credential,
        regionId: options.regionId,
        connectTimeout: options.connectTimeoutMs,
        readTimeout: options.readTimeoutMs,
        ...(options.endpoint !== undefined
          ? { endpoint: options.endpoint.endpoint, protocol: options.endpoint.protocol }
          : { endpoint: defaultVpcEndpoint(options.regionId) }),
        ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
      }),
    );
    this.#runtime = new RuntimeOptions({ connectTimeout: options.connectTimeoutMs, readTimeout: options.readTimeoutMs });
  }

  /** One RPC call (POST, form body, signed with the credential) with `query` in the API's parameter names; the answer's JSON body. */
  async #call(action: string, query: Record<string, unknown>): Promise<Json> {
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query({ RegionId: this.#regionId, ...query }) });
    const params = new $OpenApiUtil.Params({
      action,
      version: VPC_API_VERSION,
      protocol: "HTTPS",
      pathname: "/",
      method: "POST",
      authType: "AK",
      style: "RPC",
      reqBodyType: "formData",
      bodyType: "json",
    });
    const response = obj(await this.#client.callApi(params, request, this.#runtime));
    return obj(response.body);
  }

  async describeRouteTableList(vpcId: string | undefined, routeTableId: string | undefined, pageNumber: number, pageSize: number): Promise<RouteTablePage> {
    const body = await this.#call("DescribeRouteTableList", { PageNumber: pageNumber, PageSize: pageSize, VpcId: vpcId, RouteTableId: routeTableId });
    const tables = list(obj(body.RouterTableList).RouterTableListType).flatMap((t): RouteTableInfo[] => {
      const id = str(t.RouteTableId);
      const vpc = str(t.VpcId);
      return id !== undefined && vpc !== undefined
        ? [{ routeTableId: id, vpcId: vpc, routeTableType: str(t.RouteTableType) ?? "", routeTableName: str(t.RouteTableName) || undefined }]
        : [];
    });
    return { tables, totalCount: num(body.TotalCount) ?? tables.length, requestId: str(body.RequestId) };
  }

  async describeRouteEntryList(routeTableId: string, filter: EntryFilter, nextToken: string | undefined, maxResult: number): Promise<RouteEntryPage> {
    const body = await this.#call("DescribeRouteEntryList", {
      RouteTableId: routeTableId,
      // No RouteEntryType in a listing: a System, CEN, BGP or other learned route at a Node's pod
      // CIDR must be seen (and reported as a conflict), not only Custom entries (issue 16, defect 5).
      RouteEntryType: filter.routeEntryType,
      NextHopType: filter.nextHopType,
      IpVersion: filter.ipVersion,
      DestinationCidrBlock: filter.destination,
      DestCidrBlockList: filter.destinations !== undefined ? [...filter.destinations] : undefined,
      MaxResult: maxResult,
      NextToken: nextToken !== undefined && nextToken !== "" ? nextToken : undefined,
    });
    const entries = list(obj(body.RouteEntrys).RouteEntry).flatMap((e): RouteEntry[] => {
      const routeEntryId = str(e.RouteEntryId);
      const destinationCidr = str(e.DestinationCidrBlock);
      if (routeEntryId === undefined || destinationCidr === undefined) return [];
      return [
        {
          routeTableId: str(e.RouteTableId) ?? routeTableId,
          routeEntryId,
          destinationCidr,
          type: str(e.Type) ?? "Custom",
          status: str(e.Status) ?? "",
          nextHops: list(obj(e.NextHops).NextHop).map((h) => ({ nextHopType: str(h.NextHopType) ?? "", nextHopId: str(h.NextHopId) ?? "" })),
          routeEntryName: str(e.RouteEntryName) || undefined,
          description: str(e.Description) || undefined,
        },
      ];
    });
    const token = str(body.NextToken);
    return { entries, nextToken: token !== undefined && token !== "" ? token : undefined, requestId: str(body.RequestId) };
  }

  /**
   * A real write takes only what the write gate admitted (domain/write-gate.ts). With `dryRun`, the
   * API only checks the call (permission included), changes nothing and answers `DryRunOperation`.
   */
  async createRouteEntries(items: readonly GatedCreate[]): Promise<BatchWriteResult>;
  async createRouteEntries(items: readonly CreateItem[], dryRun: true): Promise<BatchWriteResult>;
  async createRouteEntries(items: readonly CreateItem[], dryRun = false): Promise<BatchWriteResult> {
    const body = await this.#call("CreateRouteEntries", {
      DryRun: dryRun ? true : undefined,
      RouteEntries: items.map((item) => ({
        RouteTableId: item.routeTableId,
        DstCidrBlock: item.destinationCidr,
        NextHop: item.instanceId,
        NextHopType: "Instance",
        IpVersion: item.destinationCidr.includes(":") ? 6 : 4,
        Name: item.routeEntryName !== "" ? item.routeEntryName : undefined,
        Description: item.description !== "" ? item.description : undefined,
      })),
    });
    return { requestId: str(body.RequestId), routeEntryIds: strings(body.RouteEntryIds), failures: failuresOf(body, false) };
  }

  async deleteRouteEntries(items: readonly GatedDelete[]): Promise<BatchWriteResult>;
  async deleteRouteEntries(items: readonly DeleteItem[], dryRun: true): Promise<BatchWriteResult>;
  async deleteRouteEntries(items: readonly DeleteItem[], dryRun = false): Promise<BatchWriteResult> {
    const body = await this.#call("DeleteRouteEntries", {
      DryRun: dryRun ? true : undefined,
      RouteEntries: items.map((item) => ({ RouteTableId: item.routeTableId, RouteEntryId: item.routeEntryId })),
    });
    return { requestId: str(body.RequestId), routeEntryIds: [], failures: failuresOf(body, true) };
  }

  /** ModifyRouteEntry of the name and description only (by RouteEntryId); returns the RequestId. */
  async modifyRouteEntry(item: GatedModify): Promise<{ readonly requestId: string | undefined }> {
    const body = await this.#call("ModifyRouteEntry", {
      RouteEntryId: item.routeEntryId,
      RouteEntryName: item.routeEntryName,
      Description: item.description,
    });
    return { requestId: str(body.RequestId) };
  }

  // ---- the VPC's own network (vpc-network.ts) ----

  async describeVpcAttribute(vpcId: string): Promise<VpcAttribute> {
    const body = await this.#call("DescribeVpcAttribute", { VpcId: vpcId });
    const ipv6 = list(obj(body.Ipv6CidrBlocks).Ipv6CidrBlock).map((b) => str(b.Ipv6CidrBlock) ?? "");
    const cidrs = [str(body.CidrBlock) ?? "", ...strings(obj(body.SecondaryCidrBlocks).SecondaryCidrBlock), ...ipv6, str(body.Ipv6CidrBlock) ?? ""];
    return { vpcId: str(body.VpcId) ?? vpcId, cidrs: [...new Set(cidrs.filter((c) => c !== ""))], requestId: str(body.RequestId) };
  }

  async describeVSwitches(vpcId: string, pageNumber: number, pageSize: number): Promise<VSwitchPage> {
    const body = await this.#call("DescribeVSwitches", { VpcId: vpcId, PageNumber: pageNumber, PageSize: pageSize });
    const switches = list(obj(body.VSwitches).VSwitch);
    const cidrs = switches.flatMap((v) => [str(v.CidrBlock) ?? "", str(v.Ipv6CidrBlock) ?? ""]).filter((c) => c !== "");
    return { cidrs, count: switches.length, totalCount: num(body.TotalCount) ?? switches.length, requestId: str(body.RequestId) };
  }
}

/** FailedRouteEntries of a batch write's answer (`RouteEntryId` only in a delete's). */
function failuresOf(body: Json, withEntryId: boolean): ItemFailure[] {
  return list(body.FailedRouteEntries).map((f) => ({
    routeEntryId: withEntryId ? str(f.RouteEntryId) : undefined,
    destinationCidr: str(f.DstCidrBlock),
    nextHop: str(f.NextHop),
    failedCode: str(f.FailedCode),
    failedMessage: str(f.FailedMessage),
  }));
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
