// The fake's HTTP control API under /__fake/ on the same port as the VPC API (the VPC API only
// serves "/", so the prefix cannot collide). No signature: it is for tests, the demo and a human
// poking at `npm run fake-vpc` with curl. Same operations as the in-process FakeVpcServer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { FakeApiError } from "./api-error.ts";
import type { ActionCounters, EntryPatch, FakeRouteEntry, FakeRouteTable, FakeVpcSnapshot, FaultRule, RequestLogEntry, SeedEntry, SeedTable, SeedVpcNetwork, FakeVpcNetwork } from "./types.ts";

export const CONTROL_PREFIX = "/__fake/";

/** What the control API needs from the fake (a subset of FakeVpcServer). */
export interface FakeVpcControl {
  snapshot(): FakeVpcSnapshot;
  requests(): RequestLogEntry[];
  resetRequests(): void;
  counters(): Record<string, ActionCounters>;
  faults(): FaultRule[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  addEntry(routeTableId: string, entry: SeedEntry): FakeRouteEntry;
  removeEntry(routeEntryId: string): void;
  editEntry(routeEntryId: string, patch: EntryPatch): FakeRouteEntry;
  addTable(vpcId: string, table: SeedTable): FakeRouteTable;
  /** Sets a VPC's CIDR blocks and vSwitches (DescribeVpcAttribute / DescribeVSwitches). */
  setVpcNetwork(vpcId: string, network: SeedVpcNetwork): FakeVpcNetwork;
  /** Changes the per-call latency and/or the Pending time of later changes (see FakeVpcOptions). */
  setTiming(timing: { readonly latencyMs?: number | undefined; readonly pendingMs?: number | undefined }): void;
}

const statusSchema = z.enum(["Pending", "Available", "Modifying", "Deleting"]);
const typeSchema = z.enum(["Custom", "System", "BGP", "CEN", "ECR"]);
const nextHopSchema = z
  .object({ nextHopType: z.string().min(1), nextHopId: z.string().min(1), weight: z.number().int().nonnegative().optional(), enabled: z.boolean().optional() })
  .strict();
const seedEntrySchema = z
  .object({
    destinationCidr: z.string().min(1),
    nextHops: z.array(nextHopSchema).min(1).optional(),
    nextHopType: z.string().min(1).optional(),
    nextHopId: z.string().min(1).optional(),
    type: typeSchema.optional(),
    routeEntryId: z.string().min(1).optional(),
    routeEntryName: z.string().optional(),
    description: z.string().optional(),
    status: statusSchema.optional(),
  })
  .strict();
const patchSchema = z
  .object({
    nextHops: z.array(nextHopSchema).min(1).optional(),
    routeEntryName: z.string().optional(),
    description: z.string().optional(),
    status: statusSchema.optional(),
    destinationCidr: z.string().min(1).optional(),
    type: typeSchema.optional(),
    settlesInMs: z.number().int().nonnegative().optional(),
  })
  .strict();
const entryOpSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("add"), routeTableId: z.string().min(1), entry: seedEntrySchema }).strict(),
  z.object({ op: z.literal("remove"), routeEntryId: z.string().min(1) }).strict(),
  z.object({ op: z.literal("modify"), routeEntryId: z.string().min(1), patch: patchSchema }).strict(),
]);
const tableOpSchema = z
  .object({
    vpcId: z.string().min(1),
    table: z
      .object({ routeTableId: z.string().min(1), routeTableType: z.enum(["System", "Custom"]).optional(), routeTableName: z.string().optional(), entries: z.array(seedEntrySchema).optional() })
      .strict(),
  })
  .strict();

const networkOpSchema = z
  .object({
    vpcId: z.string().min(1),
    cidrBlock: z.string().min(1),
    secondaryCidrBlocks: z.array(z.string().min(1)).optional(),
    ipv6CidrBlocks: z.array(z.string().min(1)).optional(),
    vSwitches: z
      .array(z.object({ vSwitchId: z.string().min(1), cidrBlock: z.string().min(1), ipv6CidrBlock: z.string().min(1).optional(), zoneId: z.string().min(1).optional() }).strict())
      .optional(),
  })
  .strict();

function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  throw new ControlError(400, `${where}: ${issue?.message ?? "invalid"}`);
}

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json;charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new ControlError(400, "a JSON body is required");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new ControlError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Serves one control request; `afterChange` persists state. */
export function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  control: FakeVpcControl,
  afterChange: () => void,
): void {
  // Repeated slashes are forgiven: "${url}${CONTROL_PREFIX}/state" is an easy mistake to make.
  const path = ((req.url ?? "").split("?")[0] ?? "").replace(/\/{2,}/g, "/");
  const route = `${req.method ?? "GET"} ${path.slice(CONTROL_PREFIX.length - 1)}`;
  try {
    switch (route) {
      case "GET /state":
        return send(res, 200, control.snapshot());
      case "GET /requests":
        return send(res, 200, control.requests());
      case "GET /counters":
        return send(res, 200, control.counters());
      case "POST /reset-log":
        control.resetRequests();
        return send(res, 200, { ok: true });
      case "GET /faults":
        return send(res, 200, control.faults());
      case "POST /faults": {
        const input = parseJson(body);
        const rules = Array.isArray(input) ? input : [input];
        for (const rule of rules) {
          try {
            control.addFault(rule as FaultRule);
          } catch (error) {
            throw new ControlError(400, (error as Error).message);
          }
        }
        return send(res, 200, control.faults());
      }
      case "DELETE /faults":
        control.clearFaults();
        return send(res, 200, []);
      case "POST /entries": {
        const op = parseWith(entryOpSchema, parseJson(body));
        let result: unknown;
        if (op.op === "add") result = control.addEntry(op.routeTableId, op.entry);
        else if (op.op === "remove") result = (control.removeEntry(op.routeEntryId), { ok: true });
        else result = control.editEntry(op.routeEntryId, op.patch);
        afterChange();
        return send(res, 200, result);
      }
      case "POST /tables": {
        const op = parseWith(tableOpSchema, parseJson(body));
        const result = control.addTable(op.vpcId, op.table);
        afterChange();
        return send(res, 200, result);
      }
      case "POST /vpc-network": {
        const { vpcId, ...network } = parseWith(networkOpSchema, parseJson(body));
        const result = control.setVpcNetwork(vpcId, network);
        afterChange();
        return send(res, 200, result);
      }
      default:
        throw new ControlError(404, `no control endpoint ${route}; see packages/fake-alibaba-vpc/README.md`);
    }
  } catch (error) {
    if (error instanceof ControlError) return send(res, error.status, { error: error.message });
    if (error instanceof FakeApiError) return send(res, error.status, { error: error.message, code: error.code });
    if (error instanceof TypeError) return send(res, 400, { error: error.message });
    throw error;
  }
}
