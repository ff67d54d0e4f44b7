// The fake VPC API server: an http.Server on 127.0.0.1 that speaks the RPC wire protocol of VPC
// 2016-04-28 (POST /, parameters in the query, ACS3 or v1 signatures, JSON bodies), dispatches to
// the action handlers, injects scripted faults, keeps a request log and counters, persists state,
// and serves the /__fake/ control API on the same port.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { closeServer, listen } from "./http-listen.ts";
import { ACTIONS, type ActionContext, type ActionDefinition, type BatchWhileUnstable, type OmittedFilters, type ResponseBody } from "./actions.ts";
import { apiErrors, FakeApiError } from "./api-error.ts";
import { CONTROL_PREFIX, handleControl, type FakeVpcControl } from "./control-api.ts";
import { FaultPlan } from "./faults.ts";
import { Params, SIGNATURE_PARAMS } from "./params.ts";
import { Prng } from "./prng.ts";
import { ReplayGuard, verifyAcs3, verifyV1, type KeyRecord, type VerifiedCaller } from "./signature.ts";
import { loadStateFile, saveStateFile } from "./state-file.ts";
import type {
  ActionCounters,
  EntryPatch,
  Fault,
  FakeRouteEntry,
  FakeRouteTable,
  FakeVpcSnapshot,
  FaultRule,
  RequestLogEntry,
  SeedEntry,
  SeedVpcNetwork,
  FakeVpcNetwork,
  SeedTable,
  SeedVpc,
} from "./types.ts";
import { VpcState } from "./vpc-state.ts";

export const API_VERSION = "2016-04-28";
/** The access key the fake accepts when no `credentials` are given. Not a real key. */
export const FAKE_ACCESS_KEY_ID = "LTAI5tFAKEKEYID0000001";
export const FAKE_ACCESS_KEY_SECRET = "fake-secret-0000000000000000000";
export const DEFAULT_VPC_ID = "vpc-fake0001";
export const DEFAULT_ROUTE_TABLE_ID = "vtb-fake0001";

/** One VPC with its system table holding a vSwitch route and the cloud-services route. */
export const DEFAULT_VPCS: readonly SeedVpc[] = [
  {
    vpcId: DEFAULT_VPC_ID,
    tables: [
      {
        routeTableId: DEFAULT_ROUTE_TABLE_ID,
        routeTableType: "System",
        entries: [
          { destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "" , routeEntryId: "rte-fakesystem0001" },
          { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "", routeEntryId: "rte-fakesystem0002" },
        ],
      },
    ],
  },
];

export interface FakeVpcOptions {
  /** @default "cn-hangzhou" */
  readonly regionId?: string | undefined;
  /** @default "127.0.0.1" */
  readonly host?: string | undefined;
  /** @default 0 (any free port) */
  readonly port?: number | undefined;
  /** AccessKeyId -> secret (and STS token, which then must be sent; and the actions it may call). @default {[FAKE_ACCESS_KEY_ID]: {secret: FAKE_ACCESS_KEY_SECRET}} */
  readonly credentials?: Readonly<Record<string, KeyRecord>> | undefined;
  /** Initial VPCs and tables; ignored when `stateFile` exists. @default DEFAULT_VPCS */
  readonly vpcs?: readonly SeedVpc[] | undefined;
  /** How long new, deleted and re-pointed entries stay Pending/Deleting/Modifying (fake-clock ms). @default 0 */
  readonly pendingMs?: number | undefined;
  /** Every API call is answered this many real ms late (its change applied at the end), as a distant endpoint would. @default 0 */
  readonly latencyMs?: number | undefined;
  /**
   * How DescribeRouteEntryList reads an omitted filter, which Alibaba's documentation leaves open:
   * `nextHopType` "any" (every type, as real callers observe) or "Instance" (the docs' "Instance
   * (default)" label); `ipVersion` "any" or "ipv4". @default { nextHopType: "any", ipVersion: "any" }
   */
  readonly omittedFilters?: Partial<OmittedFilters> | undefined;
  /** Custom entries per route table. @default 200 */
  readonly quotaPerTable?: number | undefined;
  /** Simulated time for entry status transitions. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Real time, used only to check signature timestamps (the SDK signs with the real clock). @default Date.now */
  readonly wallClock?: (() => number) | undefined;
  /** Reject x-acs-date/Timestamp further than this from the wall clock, and reused nonces. 0 disables both. @default 900000 */
  readonly replayWindowMs?: number | undefined;
  /** PRNG seed for ratio faults, entry ids and request ids. @default 1 */
  readonly seed?: number | undefined;
  /** Load tables from this file at start (if it exists) and save after every change. */
  readonly stateFile?: string | undefined;
  /** Batch calls while the VPC has unsettled entries: whole call 400 IncorrectRouteEntryStatus, or every item VPC_ROUTE_ENTRY_STATUS_ERROR. @default "reject" */
  readonly batchWhileUnstable?: BatchWhileUnstable | undefined;
  /** Oldest request-log entries are dropped beyond this. @default 10000 */
  readonly requestLogLimit?: number | undefined;
  /** Initial fault rules. */
  readonly faults?: readonly FaultRule[] | undefined;
  /**
   * Waits used by the `latency` and `timeout` faults; inject one to hold a call open for exactly as
   * long as a test needs. Pending real timers are cancelled by close(). @default setTimeout
   */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface FakeVpcServer extends FakeVpcControl {
  /** "127.0.0.1:PORT": what the SDK's `config.endpoint` wants (with protocol 'http'). */
  readonly endpoint: string;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  readonly port: number;
  readonly regionId: string;
  /** Snapshot of one table's entries (all types, all statuses), in creation order. */
  entries(routeTableId: string): FakeRouteEntry[];
  entry(routeEntryId: string): FakeRouteEntry | undefined;
  tables(): FakeRouteTable[];
  /** The VPC's network as DescribeVpcAttribute/DescribeVSwitches answer it; undefined for an unknown VPC. */
  vpcNetwork(vpcId: string): FakeVpcNetwork | undefined;
  /** Mutating API calls currently in progress (e.g. held by a latency fault). */
  inFlight(): number;
  close(): Promise<void>;
}

const HOST_ID = "vpc.aliyuncs.com";
const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n";
const MAX_BODY = 1 << 20;

/** How long a call waits before it runs: the latency fault's time plus the per-call latency. */
function extraDelay(fault: Fault | undefined, latencyMs: number): number {
  return (fault?.type === "latency" ? fault.ms : 0) + latencyMs;
}

/** setTiming: checks the values, sets the Pending time, returns the new per-call latency. */
function applyTiming(timing: { readonly latencyMs?: number | undefined; readonly pendingMs?: number | undefined }, latencyMs: number, state: VpcState): number {
  if (timing.latencyMs !== undefined && !(timing.latencyMs >= 0)) throw new TypeError("setTiming: latencyMs must be >= 0");
  if (timing.pendingMs !== undefined && !(timing.pendingMs >= 0)) throw new TypeError("setTiming: pendingMs must be >= 0");
  if (timing.pendingMs !== undefined) state.setPendingMs(timing.pendingMs);
  return timing.latencyMs ?? latencyMs;
}

function checkOptions(options: FakeVpcOptions): void {
  const bad = (name: string, why: string): never => {
    throw new TypeError(`FakeVpcOptions.${name} ${why}`);
  };
  if (options.regionId !== undefined && !/^[a-z0-9-]+$/.test(options.regionId)) bad("regionId", `"${options.regionId}" is not a region id`);
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) bad("port", "must be 0..65535");
  if (options.pendingMs !== undefined && !(options.pendingMs >= 0)) bad("pendingMs", "must be >= 0");
  if (options.latencyMs !== undefined && !(options.latencyMs >= 0)) bad("latencyMs", "must be >= 0");
  const omitted = options.omittedFilters;
  if (omitted?.nextHopType !== undefined && !["any", "Instance"].includes(omitted.nextHopType)) bad("omittedFilters.nextHopType", 'must be "any" or "Instance"');
  if (omitted?.ipVersion !== undefined && !["any", "ipv4"].includes(omitted.ipVersion)) bad("omittedFilters.ipVersion", 'must be "any" or "ipv4"');
  if (omitted?.routeEntryType !== undefined && !["any", "Custom"].includes(omitted.routeEntryType)) bad("omittedFilters.routeEntryType", 'must be "any" or "Custom"');
  if (options.quotaPerTable !== undefined && !(Number.isInteger(options.quotaPerTable) && options.quotaPerTable >= 1)) bad("quotaPerTable", "must be an integer >= 1");
  if (options.replayWindowMs !== undefined && !(options.replayWindowMs >= 0)) bad("replayWindowMs", "must be >= 0");
  if (options.credentials !== undefined && Object.keys(options.credentials).length === 0) bad("credentials", "must name at least one access key");
  if (options.batchWhileUnstable !== undefined && !["reject", "item-error"].includes(options.batchWhileUnstable)) bad("batchWhileUnstable", 'must be "reject" or "item-error"');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new FakeApiError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decodePairs(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text).entries()];
}

/**
 * The action's definition, if the key's RAM policy allows it. RAM is checked before anything else
 * about the call, DryRun included, which is what makes DryRun a permission probe.
 */
function allowedDefinition(action: string, key: KeyRecord | undefined): ActionDefinition {
  const definition = ACTIONS.get(action);
  if (!definition) throw apiErrors.actionNotFound(action);
  const allowed = key?.allowedActions;
  if (allowed !== undefined && !allowed.includes(action)) throw apiErrors.forbiddenRam(action);
  return definition;
}

/** Starts the fake on host:port and resolves once it listens. */
type NetworkControl = Pick<FakeVpcServer, "vpcNetwork" | "setVpcNetwork">;

/** The VPC network part of the control surface (DescribeVpcAttribute / DescribeVSwitches answers). */
function networkControl(state: VpcState): NetworkControl {
  return {
    vpcNetwork: (vpcId: string) => state.network(vpcId),
    setVpcNetwork: (vpcId: string, network: SeedVpcNetwork) => state.setNetwork(vpcId, network),
  };
}

// eslint-disable-next-line max-lines-per-function -- one closure over the fake's state; per-call latency and setTiming took it 6 lines past the limit
export async function startFakeVpc(options: FakeVpcOptions = {}): Promise<FakeVpcServer> {
  checkOptions(options);
  const regionId = options.regionId ?? "cn-hangzhou";
  const now = options.now ?? Date.now;
  const wallClock = options.wallClock ?? Date.now;
  const prng = new Prng(options.seed ?? 1);
  const keys = new Map<string, KeyRecord>(Object.entries(options.credentials ?? { [FAKE_ACCESS_KEY_ID]: { secret: FAKE_ACCESS_KEY_SECRET } }));
  const replayWindowMs = options.replayWindowMs ?? 15 * 60_000;
  const replay = replayWindowMs > 0 ? new ReplayGuard(replayWindowMs, wallClock) : undefined;
  const logLimit = options.requestLogLimit ?? 10_000;
  const state = new VpcState({ regionId, pendingMs: options.pendingMs ?? 0, now, prng });
  const faults = new FaultPlan(prng);
  for (const rule of options.faults ?? []) faults.add(rule);
  const ctx: ActionContext = {
    state,
    quotaPerTable: options.quotaPerTable ?? 200,
    batchWhileUnstable: options.batchWhileUnstable ?? "reject",
    omittedFilters: {
      nextHopType: options.omittedFilters?.nextHopType ?? "any",
      ipVersion: options.omittedFilters?.ipVersion ?? "any",
      routeEntryType: options.omittedFilters?.routeEntryType ?? "any",
    },
    clientTokens: new Map(),
    ownerId: 1234567890123456,
  };

  const stored = options.stateFile ? loadStateFile(options.stateFile) : undefined;
  if (stored) {
    if (stored.regionId !== regionId) {
      throw new Error(`state file ${options.stateFile} holds region ${stored.regionId}, but the fake serves ${regionId}`);
    }
    for (const vpc of stored.vpcs) for (const table of vpc.tables) state.restoreTable(table);
  } else {
    for (const vpc of options.vpcs ?? DEFAULT_VPCS) state.seedVpc(vpc);
  }
  const persist = (): void => {
    if (state.takeDirty() && options.stateFile) saveStateFile(options.stateFile, state.snapshot());
  };
  persist();

  let log: RequestLogEntry[] = [];
  let counters = new Map<string, { requests: number; errors: number; faults: number }>();
  const inFlightByVpc = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const realDelay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const delay = options.sleep ?? realDelay;
  let latencyMs = options.latencyMs ?? 0;

  const record = (entry: RequestLogEntry): void => {
    log.push(entry);
    if (log.length > logLimit) log = log.slice(log.length - logLimit);
    const c = counters.get(entry.action) ?? { requests: 0, errors: 0, faults: 0 };
    c.requests++;
    if (entry.status >= 400) c.errors++;
    if (entry.fault) c.faults++;
    counters.set(entry.action, c);
  };

  const sendJson = (res: ServerResponse, status: number, requestId: string, body: ResponseBody, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify({ RequestId: requestId, ...body });
    res.writeHead(status, {
      "content-type": "application/json;charset=utf-8",
      "content-length": Buffer.byteLength(text),
      "x-acs-request-id": requestId,
      ...headers,
    });
    res.end(text);
  };

  const sendError = (res: ServerResponse, requestId: string, error: FakeApiError): void => {
    sendJson(
      res,
      error.status,
      requestId,
      {
        HostId: HOST_ID,
        Code: error.code,
        Message: error.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Vpc&requestId=${requestId}`,
      },
      { ...error.headers },
    );
  };

  const faultError = (fault: Fault): FakeApiError | undefined => {
    switch (fault.type) {
      case "throttling":
        return new FakeApiError(
          400,
          "Throttling.User",
          "Request was denied due to user flow control.",
          fault.retryAfterMs === undefined ? {} : { "x-acs-retry-after": String(fault.retryAfterMs) },
        );
      case "operation-conflict":
        return new FakeApiError(409, "OperationConflict", "Request was denied due to conflict with a previous request.");
      case "internal-error":
        return new FakeApiError(500, "InternalError", "The request processing has failed due to some unknown error.");
      case "service-unavailable":
        return new FakeApiError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
      case "error":
        return new FakeApiError(fault.status, fault.code, fault.message ?? `Injected ${fault.code}.`);
      default:
        return undefined;
    }
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const requestId = prng.requestId();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const queryPairs = decodePairs(q < 0 ? "" : url.slice(q + 1));
    const contentType = String(req.headers["content-type"] ?? "");
    const bodyPairs = body.length > 0 && contentType.startsWith("application/x-www-form-urlencoded") ? decodePairs(body.toString("utf8")) : [];
    const allPairs = [...queryPairs, ...bodyPairs];
    const values = new Map(allPairs);
    const logged: Record<string, string> = {};
    for (const [k, v] of values) if (!SIGNATURE_PARAMS.has(k) && k !== "Action" && k !== "Version") logged[k] = v;
    const acs3 = String(req.headers.authorization ?? "").startsWith("ACS3-HMAC-SHA256");
    const action = (acs3 ? String(req.headers["x-acs-action"] ?? "") : values.get("Action")) ?? "";
    const entry = { time: wallClock(), requestId, action, params: logged, signature: "", accessKeyId: "", status: 0, code: "" };
    let fault: Fault | undefined;
    const finish = (status: number, code: string): void => record({ ...entry, status, code, fault: fault?.type });

    let lockedVpcs: string[] = [];
    try {
      if (path !== "/" || (req.method !== "POST" && req.method !== "GET")) {
        throw new FakeApiError(404, "InvalidAction.NotFound", `Nothing is served at ${req.method ?? ""} ${path}; the API is at POST /.`);
      }
      let caller: VerifiedCaller;
      if (acs3) caller = verifyAcs3(req.method, path, queryPairs, req.headers, body, keys);
      else if (values.has("Signature")) caller = verifyV1(req.method, allPairs, keys);
      else if (req.headers.authorization !== undefined) throw apiErrors.incompleteSignature("unsupported Authorization scheme");
      else throw apiErrors.incompleteSignature("the request is not signed");
      entry.signature = caller.algorithm;
      entry.accessKeyId = caller.accessKeyId;
      replay?.check(caller);
      const version = (acs3 ? String(req.headers["x-acs-version"] ?? "") : values.get("Version")) ?? "";
      if (version !== API_VERSION) throw apiErrors.invalidVersion(version);
      const definition = allowedDefinition(action, keys.get(caller.accessKeyId));

      fault = faults.decide(action);
      if (fault) {
        const error = faultError(fault);
        if (error) throw error;
        if (fault.type === "drop") {
          finish(0, "");
          if (fault.partial) {
            const start = `{"RequestId":"${requestId}",`;
            res.writeHead(200, { "content-type": "application/json;charset=utf-8", "content-length": start.length + 64 });
            res.write(start, () => req.socket.destroy());
          } else {
            req.socket.destroy();
          }
          return;
        }
        if (fault.type === "html") {
          const status = fault.status ?? 502;
          res.writeHead(status, { "content-type": "text/html", "content-length": Buffer.byteLength(HTML_502) });
          res.end(HTML_502);
          finish(status, "");
          return;
        }
        if (fault.type === "timeout") {
          finish(0, "");
          if (fault.ms !== undefined) {
            await delay(fault.ms);
            req.socket.destroy();
          }
          return;
        }
      }

      const params = new Params(values);
      params.checkNames(definition.spec);
      const region = params.required("RegionId");
      if (region !== regionId) throw apiErrors.regionNotFound(region);

      if (definition.mutating) {
        const vpcs = definition.vpcs(params, state);
        // A call that overlaps another change of the same VPC in time is refused, as the real API does.
        if (vpcs.some((vpcId) => (inFlightByVpc.get(vpcId) ?? 0) > 0)) throw apiErrors.taskConflict();
        lockedVpcs = vpcs;
        for (const vpcId of vpcs) inFlightByVpc.set(vpcId, (inFlightByVpc.get(vpcId) ?? 0) + 1);
      }
      const wait = extraDelay(fault, latencyMs);
      if (wait > 0) await delay(wait);
      const result = state.atomic(() => definition.run(params, ctx));
      persist();
      if (fault?.type === "apply-then-drop") {
        finish(0, "");
        req.socket.destroy();
        return;
      }
      sendJson(res, 200, requestId, result);
      finish(200, "");
    } catch (caught) {
      let error = caught;
      try {
        persist();
      } catch (persistError) {
        error = persistError;
      }
      const apiError =
        error instanceof FakeApiError
          ? error
          : new FakeApiError(500, "InternalError", `The fake failed: ${error instanceof Error ? error.message : String(error)}`);
      sendError(res, requestId, apiError);
      finish(apiError.status, apiError.code);
    } finally {
      for (const vpcId of lockedVpcs) inFlightByVpc.set(vpcId, (inFlightByVpc.get(vpcId) ?? 1) - 1);
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if ((req.url ?? "").startsWith(CONTROL_PREFIX)) handleControl(req, res, body, fake, persist);
    else await handleApi(req, res, body);
  };
  // A URL of a 50-entry batch with long names is ~31 KB: far above Node's default 16 KiB header limit.
  const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      // Unreadable bodies and failures of the fake itself (e.g. the state file cannot be written).
      const apiError =
        error instanceof FakeApiError
          ? error
          : new FakeApiError(500, "InternalError", `The fake failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent && !res.destroyed) sendError(res, prng.requestId(), apiError);
    });
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const host = options.host ?? "127.0.0.1";
  const { port } = await listen(server, options.port ?? 0, host);
  const hostPart = host.includes(":") ? `[${host}]` : host;

  const fake: FakeVpcServer = {
    ...networkControl(state),
    endpoint: `${hostPart}:${port}`,
    url: `http://${hostPart}:${port}`,
    port,
    regionId,
    entries: (routeTableId) => state.entries(routeTableId),
    entry: (routeEntryId) => state.entry(routeEntryId),
    tables: () => state.tables(),
    snapshot: (): FakeVpcSnapshot => state.snapshot(),
    requests: () => log.map((e) => ({ ...e, params: { ...e.params } })),
    resetRequests: () => {
      log = [];
      counters = new Map();
    },
    counters: () => Object.fromEntries([...counters].map(([action, c]): [string, ActionCounters] => [action, { ...c }])),
    faults: () => faults.list(),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    addEntry: (routeTableId: string, seed: SeedEntry) => {
      const created = state.addEntry(routeTableId, seed);
      persist();
      return created;
    },
    removeEntry: (routeEntryId: string) => {
      state.removeEntry(routeEntryId);
      persist();
    },
    editEntry: (routeEntryId: string, patch: EntryPatch) => {
      const edited = state.editEntry(routeEntryId, patch);
      persist();
      return edited;
    },
    addTable: (vpcId: string, seed: SeedTable) => {
      const table = state.addTable(vpcId, seed);
      persist();
      return table;
    },
    setTiming: (timing: { readonly latencyMs?: number | undefined; readonly pendingMs?: number | undefined }) => {
      latencyMs = applyTiming(timing, latencyMs, state);
    },
    inFlight: () => [...inFlightByVpc.values()].reduce((a, b) => a + b, 0),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
  return fake;
}
