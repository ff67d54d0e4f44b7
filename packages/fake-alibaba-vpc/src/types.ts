// Public data types of the fake VPC API server: seed shapes, entry snapshots, fault rules and the
// request log. Kept apart from the implementation so the CLI, tests and demo can import them cheaply.

export type FakeEntryStatus = "Pending" | "Available" | "Modifying" | "Deleting";

/** Entry types the real API reports; only `Custom` entries are created through the API. */
export type FakeEntryType = "Custom" | "System" | "BGP" | "CEN" | "ECR";

export interface FakeNextHop {
  /** "Instance", "VpnGateway", "RouterInterface", "HaVip", "NatGateway", "local", "service", ... */
  readonly nextHopType: string;
  readonly nextHopId: string;
  /** ECMP weight; 0 for single-hop routes. */
  readonly weight: number;
  readonly enabled: boolean;
}

/** A route entry as held by the fake (a copy; mutating it has no effect on the fake). */
export interface FakeRouteEntry {
  readonly routeTableId: string;
  readonly routeEntryId: string;
  readonly destinationCidr: string;
  readonly type: FakeEntryType;
  readonly status: FakeEntryStatus;
  readonly nextHops: readonly FakeNextHop[];
  readonly routeEntryName: string;
  readonly description: string;
  readonly ipVersion: "ipv4" | "ipv6";
  /** Creation order inside the fake; also the pagination key. */
  readonly seq: number;
  /** Fake-clock time (ms) of the last change. */
  readonly modifiedAt: number;
  /** Fake-clock time (ms) at which a Pending/Modifying/Deleting entry settles. */
  readonly settlesAt?: number | undefined;
}

export interface FakeRouteTable {
  readonly vpcId: string;
  readonly routeTableId: string;
  /** "System" (the VPC's default table) or "Custom". */
  readonly routeTableType: "System" | "Custom";
  readonly routeTableName: string;
  readonly routerId: string;
  readonly createdAt: number;
}

/** Seed next hop: weight defaults to 0, enabled to true. */
export interface SeedNextHop {
  readonly nextHopType: string;
  readonly nextHopId: string;
  readonly weight?: number | undefined;
  readonly enabled?: boolean | undefined;
}

export interface SeedEntry {
  readonly destinationCidr: string;
  /** One hop for a normal route, several for ECMP. Shorthand: `nextHopType` + `nextHopId`. */
  readonly nextHops?: readonly SeedNextHop[] | undefined;
  readonly nextHopType?: string | undefined;
  readonly nextHopId?: string | undefined;
  /** @default "Custom" */
  readonly type?: FakeEntryType | undefined;
  readonly routeEntryId?: string | undefined;
  readonly routeEntryName?: string | undefined;
  readonly description?: string | undefined;
  /** @default "Available" */
  readonly status?: FakeEntryStatus | undefined;
}

export interface SeedTable {
  readonly routeTableId: string;
  /** @default "System" for the first table of a VPC, "Custom" for the others */
  readonly routeTableType?: "System" | "Custom" | undefined;
  readonly routeTableName?: string | undefined;
  readonly entries?: readonly SeedEntry[] | undefined;
}

/** A vSwitch as DescribeVSwitches reports it. */
export interface SeedVSwitch {
  readonly vSwitchId: string;
  readonly cidrBlock: string;
  readonly ipv6CidrBlock?: string | undefined;
  /** @default "<region>-a" */
  readonly zoneId?: string | undefined;
}

/**
 * The VPC's own network, as DescribeVpcAttribute and DescribeVSwitches report it. Without one, a
 * VPC that has route tables gets the default: CidrBlock 192.168.0.0/16 and one vSwitch per System
 * entry with next hop type "local" of its tables.
 */
export interface SeedVpcNetwork {
  readonly cidrBlock: string;
  readonly secondaryCidrBlocks?: readonly string[] | undefined;
  readonly ipv6CidrBlocks?: readonly string[] | undefined;
  readonly vSwitches?: readonly SeedVSwitch[] | undefined;
}

export interface SeedVpc extends Partial<SeedVpcNetwork> {
  readonly vpcId: string;
  readonly tables: readonly SeedTable[];
}

/** A VPC's network as the fake answers it (defaults filled in). */
export interface FakeVpcNetwork {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly secondaryCidrBlocks: readonly string[];
  readonly ipv6CidrBlocks: readonly string[];
  readonly vSwitches: readonly Required<SeedVSwitch>[];
}

/** What a fault does to a matching API call. */
export type Fault =
  /** 400 `Throttling.User`; `retryAfterMs` becomes the `x-acs-retry-after` response header. */
  | { readonly type: "throttling"; readonly retryAfterMs?: number | undefined }
  /** 409 `OperationConflict`. */
  | { readonly type: "operation-conflict" }
  /** 500 `InternalError`. */
  | { readonly type: "internal-error" }
  /** 503 `ServiceUnavailable`. */
  | { readonly type: "service-unavailable" }
  /** Any error response: status and code of your choice (must be a 4xx/5xx status). */
  | { readonly type: "error"; readonly status: number; readonly code: string; readonly message?: string | undefined }
  /** Wait `ms`, then run the call normally (the change is applied after the delay). */
  | { readonly type: "latency"; readonly ms: number }
  /** Never answer: hold the socket for `ms` (default: until the server closes), then destroy it. No state change. */
  | { readonly type: "timeout"; readonly ms?: number | undefined }
  /**
   * Destroy the socket without any response; with `partial`, after sending the headers and the first
   * bytes of a 200 JSON body (a connection cut mid-response). No state change.
   */
  | { readonly type: "drop"; readonly partial?: boolean | undefined }
  /** A gateway HTML page instead of JSON (default status 502). No state change. */
  | { readonly type: "html"; readonly status?: number | undefined }
  /** Apply the call, then destroy the socket before answering: the client sees a network error. */
  | { readonly type: "apply-then-drop" };

export type FaultType = Fault["type"];

export interface FaultRule {
  /** Only calls of this action (e.g. "CreateRouteEntries"); absent = every API action. */
  readonly action?: string | undefined;
  /** Probability (0..1] that a matching call is faulted, drawn from the seeded PRNG; absent = 1. */
  readonly ratio?: number | undefined;
  /** The rule fires for the next `count` matching calls, then is removed; absent = unlimited. */
  readonly count?: number | undefined;
  readonly fault: Fault;
}

export interface RequestLogEntry {
  /** Wall-clock time (ms) the request arrived. */
  readonly time: number;
  readonly requestId: string;
  /** API action, or "" when the request could not be attributed to an action. */
  readonly action: string;
  /** Request parameters by wire name (signature parameters removed). */
  readonly params: Readonly<Record<string, string>>;
  /** "ACS3-HMAC-SHA256", "HMAC-SHA1" or "" (rejected before verification). */
  readonly signature: string;
  readonly accessKeyId: string;
  /** HTTP status sent; 0 when the socket was destroyed or never answered. */
  readonly status: number;
  /** Error code sent, "" on success. */
  readonly code: string;
  /** The injected fault, if one fired. */
  readonly fault?: FaultType | undefined;
}

export interface ActionCounters {
  readonly requests: number;
  /** Responses with a status >= 400 (faults included). */
  readonly errors: number;
  /** Calls on which a fault fired. */
  readonly faults: number;
}

/** A hand edit of an entry, as a user in the console would make it. Applied immediately. */
export interface EntryPatch {
  readonly nextHops?: readonly SeedNextHop[] | undefined;
  readonly routeEntryName?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: FakeEntryStatus | undefined;
  readonly destinationCidr?: string | undefined;
  readonly type?: FakeEntryType | undefined;
  /**
   * A status set by hand sticks until edited again; with `settlesInMs`, Pending/Modifying become
   * Available (Deleting vanishes) that many fake-clock ms later, as after an API call.
   */
  readonly settlesInMs?: number | undefined;
}

export interface FakeVpcSnapshot {
  readonly regionId: string;
  readonly vpcs: ReadonlyArray<{
    readonly vpcId: string;
    readonly tables: ReadonlyArray<FakeRouteTable & { readonly entries: readonly FakeRouteEntry[] }>;
  }>;
}
