// Entries the VPC API rejected as invalid on their own (e.g. a destination inside a vSwitch CIDR),
// keyed by route table + action + destination + next hop: not sent again for an hour, so a bad Node
// does not cost a split of every batch on every pass. A changed destination or next hop is a new key.
import type { CloudError } from "../errors.js";
import type { EntryOutcome } from "../route-table.js";
import type { Timers } from "../../util/timers.js";

const TTL_MS = 3_600_000;
const MAX_VERDICTS = 4096;

export class InvalidVerdicts {
  readonly #timers: Timers;
  readonly #verdicts = new Map<string, { readonly error: CloudError; readonly at: number }>();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** The remembered rejection of `key`, while it is fresh. */
  get(key: string): CloudError | undefined {
    const verdict = this.#verdicts.get(key);
    if (verdict === undefined) return undefined;
    if (this.#timers.now() - verdict.at < TTL_MS) return verdict.error;
    this.#verdicts.delete(key);
    return undefined;
  }

  /** `items` without those with a fresh verdict; those get their remembered failure in `outcomes`. */
  filter<A>(items: readonly A[], keyOf: (a: A) => string, outcomes: Map<A, EntryOutcome>): A[] {
    return items.filter((a) => {
      const verdict = this.get(keyOf(a));
      if (verdict !== undefined) outcomes.set(a, { ok: false, error: verdict });
      return verdict === undefined;
    });
  }

  remember(key: string, error: CloudError): void {
    this.#verdicts.delete(key);
    this.#verdicts.set(key, { error, at: this.#timers.now() });
    const oldest = this.#verdicts.keys().next().value;
    if (this.#verdicts.size > MAX_VERDICTS && oldest !== undefined) this.#verdicts.delete(oldest);
  }
}
