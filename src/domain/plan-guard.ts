// Planner step 3: the safety rails over the candidate deletes of all tables at once.
//   - allowDeletes=false (the Node cache has not synced): every delete is held back, and so is
//     every create that needs one of those deletes first. Nothing is marked: this is not a refusal.
//   - max-deletions: more automatic deletes than allowed -> refusal. Every one of them is held
//     back AND marked held in the VPC (plan-decide.ts holdMark), so the refusal survives the pass.
//     While any hold mark stands, every automatic delete is refused (and marked) likewise: the
//     refusal stays in force whatever subset of its marks landed, and routes created meanwhile
//     cannot dilute it. Creates that need a refused delete are held back; other creates proceed.
//   - entries held since an earlier pass keep the refusal visible (`deletions-held`) until their
//     Node comes back (the hold is cleared) or a human approves (`--approve-deletions`).
// Approved deletes (a human named them) bypass the count, never the Node-cache rule.
import { holdMark, type Candidate, type Draft } from "./plan-decide.js";
import type { TrustedOptions } from "./plan-input.js";
import type { HeldCreate, HeldDelete, HoldReason, MaxDeletions } from "./plan.js";
import type { CreateAction, DeleteAction, MarkAction, Plan } from "./types.js";

/** The plan's actions and refusal after the guard, with what it (and the decisions before it) held back. */
export interface GuardResult extends Pick<Plan, "creates" | "deletes" | "marks" | "refusal"> {
  readonly held: readonly HeldDelete[];
  readonly heldCreates: readonly HeldCreate[];
}

/** How many automatic deletes one pass may make. `0` and `0%` mean none. */
export function allowedDeletes(max: MaxDeletions, owned: number): number {
  if (!(max.value > 0)) return 0; // NaN and negative limits too: refuse rather than delete everything
  if (max.kind === "percent") return Math.max(1, Math.ceil((max.value * owned) / 100));
  return Math.floor(max.value);
}

export const APPROVE_HINT =
  'check the Node list, --cluster-name and --cluster-cidr; then approve with "vpc-route-sync reconcile --approve-deletions=all" ' +
  "(exactly the routes marked hold=deletion) or a comma-separated list of route entry ids or destinations, or delete the routes by hand";

function limitText(max: MaxDeletions, allowed: number, owned: number): string {
  return max.kind === "percent"
    ? `--max-deletions=${max.value}% allows (${allowed} of ${owned} owned routes)`
    : `--max-deletions=${allowed} allows`;
}

export function applyGuard(draft: Draft, options: TrustedOptions): GuardResult {
  const held: HeldDelete[] = [...draft.held];
  const marks: MarkAction[] = [...draft.marks];
  const blocked = new Map<Candidate, HoldReason>();
  const deletes: DeleteAction[] = [];
  let refusal: Plan["refusal"];

  const automatic = draft.candidates.filter((c) => !c.approved);
  const allowed = allowedDeletes(options.maxDeletions, draft.base);
  if (!options.allowDeletes) {
    for (const c of draft.candidates) blocked.set(c, "deletes-not-allowed");
  } else if (automatic.length > allowed || (draft.holdStands && automatic.length > 0)) {
    // While any hold mark stands the refusal is in force, whatever subset of its marks landed:
    // a refused deletion is never carried out piecemeal. The rest are marked held too.
    for (const c of automatic) {
      blocked.set(c, "max-deletions-exceeded");
      marks.push(holdMark(c, options));
    }
    const why = automatic.length > allowed ? `more than ${limitText(options.maxDeletions, allowed, draft.base)}` : "a refused deletion is still held in the VPC";
    refusal = {
      reason: "max-deletions-exceeded",
      message:
        `refusing to delete ${automatic.length} routes: ${why}. ` +
        `Nothing was deleted; the routes are marked held in the VPC ("hold=deletion" in their description) and stay until ` +
        `their Nodes come back or a human acts: ${APPROVE_HINT}`,
    };
  }
  for (const c of draft.candidates) {
    const reason = blocked.get(c);
    if (reason === undefined) deletes.push(c.action);
    else held.push({ action: c.action, reason });
  }

  const creates: CreateAction[] = [];
  const heldCreates: HeldCreate[] = [...draft.heldCreates];
  for (const p of draft.creates) {
    const reason = p.needs === undefined ? undefined : blocked.get(p.needs);
    if (reason === undefined) creates.push(p.action);
    else heldCreates.push({ action: p.action, reason });
  }

  const stillHeld = draft.held.filter((h) => h.reason === "deletion-held");
  if (refusal === undefined && stillHeld.length > 0) {
    const first = stillHeld[0]!.action;
    refusal = {
      reason: "deletions-held",
      message:
        `${stillHeld.length} route${stillHeld.length === 1 ? " is" : "s are"} held since an earlier refused deletion ` +
        `(e.g. ${first.destinationCidr} in ${first.routeTableId}, ${first.routeEntryId}); they are not deleted until their Nodes come back or a human acts: ${APPROVE_HINT}`,
    };
  }
  return { deletes, creates, held, heldCreates, marks, refusal };
}
