// A VPC_ROUTE_SYNC_* variable that names no flag is a typo the parser would otherwise ignore in
// silence (and then report what it did not find, e.g. "missing --region"): warn, naming the known
// variable nearest to it.
import { COMMAND_FLAGS, ENV_PREFIX, envNameOf } from "./flags.js";
import type { Env } from "./types.js";

/** Every VPC_ROUTE_SYNC_* variable of every command's flags (one command's variable is no typo for another). */
const KNOWN = [...new Set(Object.values(COMMAND_FLAGS).flatMap((flags) => flags.map((flag) => envNameOf(flag.name))))].sort();

/** One line per unknown VPC_ROUTE_SYNC_* variable in `env`, naming the nearest known one. */
export function unknownEnvWarnings(env: Env): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !KNOWN.includes(name))
    .sort()
    .map((name) => `unknown environment variable ${name} is ignored; did you mean ${nearest(name)}?`);
}

function nearest(name: string): string {
  let best = KNOWN[0] ?? "";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of KNOWN) {
    const d = editDistance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
