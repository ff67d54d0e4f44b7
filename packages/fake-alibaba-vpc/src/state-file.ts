// Persistence of the fake's route tables to a JSON file (`fake-vpc --state file.json`), so the fake
// keeps its routes across restarts. Writes are atomic (temp file + rename) so a crash mid-write
// never leaves a truncated file; loading validates every field and names the bad one.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { FakeVpcSnapshot } from "./types.ts";

const STATE_FILE_VERSION = 1;

const status = z.enum(["Pending", "Available", "Modifying", "Deleting"]);
const entryType = z.enum(["Custom", "System", "BGP", "CEN", "ECR"]);

const entrySchema = z.object({
  routeTableId: z.string().min(1),
  routeEntryId: z.string().min(1),
  destinationCidr: z.string().min(1),
  type: entryType,
  status,
  nextHops: z.array(
    z.object({ nextHopType: z.string(), nextHopId: z.string(), weight: z.number().int().nonnegative(), enabled: z.boolean() }),
  ),
  routeEntryName: z.string(),
  description: z.string(),
  ipVersion: z.enum(["ipv4", "ipv6"]),
  seq: z.number().int().nonnegative(),
  modifiedAt: z.number(),
  settlesAt: z.number().optional(),
});

const tableSchema = z.object({
  vpcId: z.string().min(1),
  routeTableId: z.string().min(1),
  routeTableType: z.enum(["System", "Custom"]),
  routeTableName: z.string(),
  routerId: z.string(),
  createdAt: z.number(),
  entries: z.array(entrySchema),
});

const fileSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  regionId: z.string().min(1),
  savedAt: z.string().optional(),
  vpcs: z.array(z.object({ vpcId: z.string().min(1), tables: z.array(tableSchema) })),
});

/** Validates parsed JSON as a state file; the error names the file and the first bad field. */
export function parseStateFile(json: unknown, source = "state file"): FakeVpcSnapshot {
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new Error(`${source}: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return { regionId: result.data.regionId, vpcs: result.data.vpcs };
}

/** Reads a state file; undefined when it does not exist yet. */
export function loadStateFile(path: string): FakeVpcSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`state file ${path} is not valid JSON`, { cause: error });
  }
  return parseStateFile(json, `state file ${path}`);
}

/** Writes the snapshot atomically: a temp file beside the target, then rename over it. */
export function saveStateFile(path: string, snapshot: FakeVpcSnapshot, savedAt: Date = new Date()): void {
  const body = { version: STATE_FILE_VERSION, regionId: snapshot.regionId, savedAt: savedAt.toISOString(), vpcs: snapshot.vpcs };
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
