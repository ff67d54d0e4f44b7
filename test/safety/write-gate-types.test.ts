// The write gate cannot be bypassed: the RouteTable seam and the Alibaba adapter's write calls
// accept only what WriteGate.admit made. The @ts-expect-error lines are compiled by
// `npm run typecheck`: if a plain write ever compiled, the directive itself would be an error.
// The scan below keeps product code from forging the brand with a cast.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RouteTable } from "../../src/cloud/route-table.js";
import type { VpcApi } from "../../src/cloud/alibaba/vpc-api.js";
import type { RouteCreate, RouteDelete, RouteRelabel } from "../../src/domain/types.js";

/** Never called: it exists for the compiler. */
export function uncheckedWrites(table: RouteTable, api: VpcApi, create: RouteCreate, del: RouteDelete, mark: RouteRelabel): unknown[] {
  return [
    // @ts-expect-error a create the gate did not admit does not compile
    table.apply("vtb-1", { creates: [create], deletes: [] }),
    // @ts-expect-error a delete the gate did not admit does not compile
    table.apply("vtb-1", { creates: [], deletes: [del] }),
    // @ts-expect-error a modify (hold mark, claim) the gate did not admit does not compile
    table.relabel("vtb-1", [mark]),
    // @ts-expect-error nor at the SDK wrapper below the adapter
    api.createRouteEntries([create]),
    // @ts-expect-error a delete below the adapter, unadmitted
    api.deleteRouteEntries([del]),
    // @ts-expect-error a modify below the adapter, unadmitted
    api.modifyRouteEntry(mark),
    // A DryRun probe (doctor) changes nothing and needs no admission.
    api.createRouteEntries([create], true),
  ];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the write gate cannot be bypassed", () => {
  it("a plain write does not compile (see the @ts-expect-error lines above)", () => {
    expect(typeof uncheckedWrites).toBe("function");
  });

  it("no product file but the gate casts anything to a Gated type", () => {
    const forging = /\bas\s+(unknown\s+as\s+)?(readonly\s+)?(Gated\w*|Admitted)\b/;
    const offenders = [...sources("src"), ...sources("dev")].filter(
      (file) => !file.endsWith(join("domain", "write-gate.ts")) && forging.test(readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
