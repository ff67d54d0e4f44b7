// Scriptable fault injection: an ordered list of rules, each matching an action (or all), firing
// with a probability drawn from the seeded PRNG and/or for the next N matching calls. The server
// asks for a fault before running an action, so a faulted call changes nothing (except
// `apply-then-drop`, which exists precisely to model a change applied whose answer was lost).
import { z } from "zod";
import type { Prng } from "./prng.ts";
import type { Fault, FaultRule } from "./types.ts";

const faultSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("throttling"), retryAfterMs: z.number().int().nonnegative().optional() }).strict(),
  z.object({ type: z.literal("operation-conflict") }).strict(),
  z.object({ type: z.literal("internal-error") }).strict(),
  z.object({ type: z.literal("service-unavailable") }).strict(),
  z
    .object({
      type: z.literal("error"),
      status: z.number().int().min(400).max(599),
      code: z.string().min(1),
      message: z.string().optional(),
    })
    .strict(),
  z.object({ type: z.literal("latency"), ms: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal("timeout"), ms: z.number().int().nonnegative().optional() }).strict(),
  z.object({ type: z.literal("drop"), partial: z.boolean().optional() }).strict(),
  z.object({ type: z.literal("html"), status: z.number().int().min(400).max(599).optional() }).strict(),
  z.object({ type: z.literal("apply-then-drop") }).strict(),
]);

export const faultRuleSchema = z
  .object({
    action: z.string().min(1).optional(),
    ratio: z.number().gt(0).max(1).optional(),
    count: z.number().int().positive().optional(),
    fault: faultSchema,
  })
  .strict();

/** Validates a rule from untrusted input (control API, CLI); throws a message naming the bad field. */
export function parseFaultRule(input: unknown): FaultRule {
  const result = faultRuleSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "rule";
    throw new TypeError(`invalid fault rule: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

interface LiveRule {
  readonly rule: FaultRule;
  remaining: number | undefined;
}

export class FaultPlan {
  readonly #prng: Prng;
  #rules: LiveRule[] = [];

  constructor(prng: Prng) {
    this.#prng = prng;
  }

  add(rule: FaultRule): void {
    const checked = parseFaultRule(rule);
    this.#rules.push({ rule: checked, remaining: checked.count });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The rules still active, with how many firings each has left. */
  list(): FaultRule[] {
    return this.#rules.map(({ rule, remaining }) => ({ ...rule, count: remaining }));
  }

  /** Decides whether this call of `action` is faulted; consumes one firing of the rule that fires. */
  decide(action: string): Fault | undefined {
    for (const live of this.#rules) {
      if (live.rule.action !== undefined && live.rule.action !== action) continue;
      if (live.rule.ratio !== undefined && this.#prng.next() >= live.rule.ratio) continue;
      if (live.remaining !== undefined) {
        live.remaining--;
        if (live.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== live);
      }
      return live.rule.fault;
    }
    return undefined;
  }
}
