// Tests of the RouteTable implementations themselves work below the write gate: the writes here
// are the test's, not the operator's, so they are handed over as if admitted. Product code cannot
// do this (test/safety/write-gate-types.test.ts); only adapter and contract tests use it.
import type { ApplyOptions, BatchResult, GatedBatch, RelabelResult, RouteTable } from "../../src/cloud/route-table.js";
import type { RouteCreate, RouteDelete, RouteRelabel } from "../../src/domain/types.js";
import type { GatedModify } from "../../src/domain/write-gate.js";

export interface UngatedWrites {
  apply(routeTableId: string, batch: { readonly creates: readonly RouteCreate[]; readonly deletes: readonly RouteDelete[] }, options?: ApplyOptions): Promise<BatchResult>;
  relabel(routeTableId: string, items: readonly RouteRelabel[], options?: ApplyOptions): Promise<RelabelResult>;
}

export function belowGate(table: Pick<RouteTable, "apply" | "relabel">): UngatedWrites {
  return {
    apply: (routeTableId, batch, options) => table.apply(routeTableId, batch as GatedBatch, options),
    relabel: (routeTableId, items, options) => table.relabel(routeTableId, items as readonly GatedModify[], options),
  };
}
