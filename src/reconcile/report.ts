// Turns a PassResult into what people and scripts read: the stable JSON report (documented in
// docs/cli.md, schemaVersion 1) and the text table. Pure functions.
import type { PassOutcome, PassResult } from "./pass-runner.js";
import type { NodeFacts } from "../domain/types.js";
import type { EntryOutcome } from "../cloud/route-table.js";

export interface ReportAction {
  readonly kind: "create" | "delete";
  readonly routeTableId: string;
  readonly destinationCidr: string;
  readonly instanceId: string;
  readonly nodeName: string | null;
  /** create: "missing"; delete: "stale" | "next-hop-changed" | "cidr-changed". */
  readonly reason: string;
  /**
   * "planned" in a dry run; "succeeded" or "failed" after applying; "unknown" when the write was
   * sent but an abort (SIGTERM) came before it was confirmed: it may have been applied, and the
   * next pass re-reads the table.
   */
  readonly result: "planned" | "succeeded" | "failed" | "unknown";
  readonly error: { readonly code: string; readonly message: string; readonly requestId: string | null } | null;
}

export interface JsonReport {
  readonly schemaVersion: 1;
  readonly dryRun: boolean;
  readonly routeTableIds: readonly string[];
  readonly actions: readonly ReportAction[];
  readonly conflicts: ReadonlyArray<{
    readonly reason: string;
    readonly routeTableId: string | null;
    readonly destinationCidr: string;
    readonly nodeName: string;
    readonly message: string;
  }>;
  readonly skipped: ReadonlyArray<{ readonly nodeName: string; readonly reason: string; readonly message: string }>;
  readonly refusal: { readonly reason: string; readonly message: string } | null;
  /** Actions held back this pass (deletes before the Node cache synced, refused deletes, creates that wait for them). */
  readonly held: ReadonlyArray<{
    readonly kind: "create" | "delete";
    readonly routeTableId: string;
    /** The entry a held delete would remove (what --approve-deletions names); null for creates. */
    readonly routeEntryId: string | null;
    readonly destinationCidr: string;
    readonly instanceId: string;
    readonly nodeName: string | null;
    readonly reason: string;
  }>;
  /** Name/description rewrites (ModifyRouteEntry): hold marks, released holds, marker migrations. */
  readonly marks: ReadonlyArray<{
    readonly routeTableId: string;
    readonly routeEntryId: string;
    readonly destinationCidr: string;
    readonly nodeName: string | null;
    readonly reason: string;
    readonly result: ReportAction["result"];
    readonly error: ReportAction["error"];
  }>;
  /**
   * Routes not made by vpc-route-sync that serve a Node and could not be claimed (no cluster
   * identity, --nodes-file): if the Node goes, a new Node on the same pod CIDR is blocked by them.
   */
  readonly unclaimed: ReadonlyArray<{
    readonly routeTableId: string;
    readonly routeEntryId: string;
    readonly destinationCidr: string;
    readonly instanceId: string;
    readonly nodeName: string;
  }>;
  readonly tableErrors: ReadonlyArray<{ readonly routeTableId: string; readonly code: string; readonly message: string }>;
  /** The VPC's network could not be read: no route was created (fail closed). */
  readonly networkError: { readonly code: string; readonly message: string } | null;
  /** Writes the write gate refused (never sent; in a dry run, would refuse), with the rule id (GATE_RULES). */
  readonly refusedWrites: ReadonlyArray<{
    readonly kind: "create" | "delete" | "modify";
    readonly routeTableId: string;
    readonly destinationCidr: string;
    readonly rule: string;
    readonly message: string;
  }>;
  readonly summary: {
    readonly nodes: number;
    readonly eligible: number;
    readonly skipped: number;
    readonly satisfied: number;
    readonly creates: number;
    readonly deletes: number;
    readonly conflicts: number;
    readonly failed: number;
    readonly unknown: number;
  };
  readonly result: PassOutcome;
}

export function buildJsonReport(result: PassResult, nodes: readonly NodeFacts[], dryRun: boolean): JsonReport {
  const actions: ReportAction[] = [];
  const deleteOutcomes = new Map(result.deletes.map((r) => [r.action, r.outcome]));
  const createOutcomes = new Map(result.creates.map((r) => [r.action, r.outcome]));
  const markOutcomes = new Map(result.marks.map((r) => [r.action, r.outcome]));
  for (const d of result.plan.deletes) {
    const outcome = deleteOutcomes.get(d);
    actions.push({
      kind: "delete",
      routeTableId: d.routeTableId,
      destinationCidr: d.destinationCidr,
      instanceId: d.instanceId,
      nodeName: d.nodeName ?? null,
      reason: d.reason,
      ...resultOf(outcome, dryRun),
    });
  }
  for (const c of result.plan.creates) {
    const outcome = createOutcomes.get(c);
    actions.push({
      kind: "create",
      routeTableId: c.routeTableId,
      destinationCidr: c.destinationCidr,
      instanceId: c.instanceId,
      nodeName: c.nodeName,
      reason: "missing",
      ...resultOf(outcome, dryRun),
    });
  }
  const failed = actions.filter((a) => a.result === "failed").length;
  const unknown = actions.filter((a) => a.result === "unknown").length;
  return {
    schemaVersion: 1,
    dryRun,
    routeTableIds: [...result.routeTableIds],
    actions,
    conflicts: result.plan.conflicts.map((c) => ({
      reason: c.reason,
      routeTableId: c.routeTableId ?? null,
      destinationCidr: c.destinationCidr,
      nodeName: c.nodeName,
      message: c.message,
    })),
    skipped: result.plan.skipped.map((s) => ({ nodeName: s.nodeName, reason: s.reason, message: s.message })),
    refusal: result.plan.refusal ? { reason: result.plan.refusal.reason, message: result.plan.refusal.message } : null,
    held: [
      ...result.plan.held.deletes.map((h) => ({ kind: "delete" as const, ...heldFields(h.action), routeEntryId: h.action.routeEntryId, reason: h.reason })),
      ...result.plan.held.creates.map((h) => ({ kind: "create" as const, ...heldFields(h.action), routeEntryId: null, reason: h.reason })),
    ],
    marks: result.plan.marks.map((m) => ({
      routeTableId: m.routeTableId,
      routeEntryId: m.routeEntryId,
      destinationCidr: m.destinationCidr,
      nodeName: m.nodeName ?? null,
      reason: m.reason,
      ...resultOf(markOutcomes.get(m), dryRun),
    })),
    unclaimed: result.plan.unclaimed.map((u) => ({ ...u })),
    tableErrors: result.tableFailures.map((f) => ({ routeTableId: f.routeTableId, code: f.error.code, message: f.error.message })),
    networkError: result.networkFailure ? { code: result.networkFailure.code, message: result.networkFailure.message } : null,
    refusedWrites: result.refusedWrites.map((r) => ({
      kind: r.kind,
      routeTableId: r.action.routeTableId,
      destinationCidr: r.action.destinationCidr,
      rule: r.rule,
      message: r.message,
    })),
    summary: {
      nodes: nodes.length,
      eligible: result.eligible.length,
      skipped: result.plan.skipped.length,
      satisfied: result.plan.satisfied.length,
      creates: result.plan.creates.length,
      deletes: result.plan.deletes.length,
      conflicts: result.plan.conflicts.length,
      failed,
      unknown,
    },
    result: result.outcome,
  };
}

function heldFields(a: { routeTableId: string; destinationCidr: string; instanceId: string; nodeName?: string | undefined }) {
  return { routeTableId: a.routeTableId, destinationCidr: a.destinationCidr, instanceId: a.instanceId, nodeName: a.nodeName ?? null };
}

function resultOf(
  outcome: EntryOutcome | undefined,
  dryRun: boolean,
): Pick<ReportAction, "result" | "error"> {
  if (dryRun || !outcome) return { result: "planned", error: null };
  if (outcome.ok) return { result: "succeeded", error: null };
  return {
    result: outcome.unknown === true ? "unknown" : "failed",
    error: { code: outcome.error.code, message: outcome.error.message, requestId: outcome.error.requestId ?? null },
  };
}

/** A plain-text rendering for terminals: aligned columns, one section per kind of finding. */
export function formatTextReport(report: JsonReport): string {
  const lines: string[] = [];
  const heading = report.dryRun ? "Plan (dry run: nothing was changed)" : "Plan";
  lines.push(`${heading} for route tables ${report.routeTableIds.join(", ") || "(none)"}`);
  if (report.actions.length === 0 && report.tableErrors.length > 0) {
    lines.push(`  no changes planned for the readable tables; ${report.tableErrors.length} route table(s) could not be read (below)`);
  } else if (report.actions.length === 0) {
    lines.push("  no changes: every eligible Node's route is in place");
  } else {
    lines.push(
      ...table(
        ["ACTION", "ROUTE TABLE", "DESTINATION", "NEXT HOP", "NODE", "REASON", "RESULT"],
        report.actions.map((a) => [
          a.kind,
          a.routeTableId,
          a.destinationCidr,
          a.instanceId,
          a.nodeName ?? "-",
          a.reason,
          a.result === "failed" && a.error
            ? `failed: ${a.error.code}: ${a.error.message}`
            : a.result === "unknown"
              ? "unknown: sent, not confirmed (re-read on the next pass)"
              : a.result,
        ]),
      ),
    );
  }
  if (report.refusal) lines.push("", `Refused: ${report.refusal.message}`);
  if (report.held.length > 0) {
    lines.push("", "Held back this pass:");
    lines.push(
      ...table(
        ["ACTION", "ROUTE TABLE", "ROUTE ENTRY", "DESTINATION", "NEXT HOP", "REASON"],
        report.held.map((h) => [h.kind, h.routeTableId, h.routeEntryId ?? "-", h.destinationCidr, h.instanceId, h.reason]),
      ),
    );
  }
  if (report.marks.length > 0) {
    lines.push("", "Route markers rewritten (ModifyRouteEntry):");
    lines.push(
      ...table(
        ["ROUTE TABLE", "ROUTE ENTRY", "DESTINATION", "NODE", "REASON", "RESULT"],
        report.marks.map((m) => [m.routeTableId, m.routeEntryId, m.destinationCidr, m.nodeName ?? "-", m.reason, m.result === "failed" && m.error ? `failed: ${m.error.code}: ${m.error.message}` : m.result]),
      ),
    );
  }
  lines.push(...claimNotes(report));
  if (report.conflicts.length > 0) {
    lines.push("", "Conflicts (left untouched):");
    lines.push(
      ...table(
        ["NODE", "DESTINATION", "ROUTE TABLE", "PROBLEM"],
        report.conflicts.map((c) => [c.nodeName, c.destinationCidr, c.routeTableId ?? "-", c.message]),
      ),
    );
  }
  if (report.skipped.length > 0) {
    lines.push("", "Skipped Nodes:");
    lines.push(...table(["NODE", "REASON", "DETAIL"], report.skipped.map((s) => [s.nodeName, s.reason, s.message])));
  }
  if (report.tableErrors.length > 0) {
    lines.push("", "Route tables that could not be read:");
    lines.push(...table(["ROUTE TABLE", "CODE", "MESSAGE"], report.tableErrors.map((e) => [e.routeTableId, e.code, e.message])));
  }
  if (report.networkError) {
    // A dry run creates nothing anyway: say what a real run would have done.
    const consequence = report.dryRun ? "so a real run would create no route either" : "so no route was created";
    lines.push("", `The VPC's network (VPC and vSwitch CIDR blocks) could not be read, ${consequence}: ${report.networkError.code}: ${report.networkError.message}`);
  }
  if (report.refusedWrites.length > 0) {
    lines.push("", "Writes refused by the write gate (not sent):");
    lines.push(...table(["KIND", "ROUTE TABLE", "DESTINATION", "RULE", "DETAIL"], report.refusedWrites.map((r) => [r.kind, r.routeTableId, r.destinationCidr, r.rule, r.message])));
  }
  const s = report.summary;
  lines.push(
    "",
    `Summary: nodes ${s.nodes} (${s.eligible} eligible, ${s.skipped} skipped); routes ${s.satisfied} in place, ` +
      `${s.creates} to create, ${s.deletes} to delete; conflicts ${s.conflicts}; failed ${s.failed}` +
      `${s.unknown > 0 ? `; unknown ${s.unknown}` : ""}${report.tableErrors.length > 0 ? `; unreadable tables ${report.tableErrors.length}` : ""}. Result: ${report.result}`,
  );
  return lines.join("\n") + "\n";
}

/**
 * Routes that serve a Node but are not (yet) ours: while unmarked, the day their Node goes they stay
 * as leftovers that block a new Node given the same pod CIDR. Says which Nodes and what resolves it.
 */
function claimNotes(report: JsonReport): string[] {
  const lines: string[] = [];
  const pending = report.dryRun ? report.marks.filter((m) => m.reason === "claim") : [];
  if (pending.length > 0) {
    lines.push(
      "",
      `Not claimed yet (dry run): ${pending.length} route(s) not made by vpc-route-sync serve these Nodes. Until "vpc-route-sync reconcile" ` +
        "(without --dry-run) or the controller writes the marker, a new Node given one of these pod CIDRs after its Node goes gets no route:",
      ...table(["NODE", "DESTINATION", "ROUTE TABLE", "ROUTE ENTRY"], pending.map((m) => [m.nodeName ?? "-", m.destinationCidr, m.routeTableId, m.routeEntryId])),
    );
  }
  if (report.unclaimed.length > 0) {
    lines.push(
      "",
      `Cannot claim without the cluster identity (--nodes-file): ${report.unclaimed.length} route(s) not made by vpc-route-sync serve these Nodes. ` +
        'If one of them goes, a new Node given its pod CIDR gets no route: run "vpc-route-sync reconcile" with access to the Kubernetes API to claim them:',
      ...table(["NODE", "DESTINATION", "ROUTE TABLE", "ROUTE ENTRY"], report.unclaimed.map((u) => [u.nodeName, u.destinationCidr, u.routeTableId, u.routeEntryId])),
    );
  }
  return lines;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]): string =>
    "  " + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ");
  return [fmt(header), ...rows.map(fmt)];
}

