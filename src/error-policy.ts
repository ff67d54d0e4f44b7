// The two decisions made at the edges, each in one place: how a command ends (its exit code and
// the one line it prints on stderr) and what the controller does after a failed pass. Both read
// the error's class (src/errors.ts); no command writes an exit code or an error line of its own.
import { CloudError } from "./cloud/errors.js";
import { ConfigError, KubernetesError, errorMessage } from "./errors.js";
import type { PassEnding } from "./reconcile/pass-outcome.js";
import type { PassVerdict } from "./reconcile/pass-scheduler.js";

export type ExitCode = 0 | 1 | 2 | 3 | 4;

/** How a command ended: with a pass (`reconcile`), a doctor report, or an error. */
export type CommandEnding =
  | PassEnding
  | { readonly checksFailed: boolean }
  | { readonly error: unknown };

/**
 * The exit code of every command (docs/cli.md): 0 done; 1 a failure at run time (an API call, a
 * refused delete, a failed check, a bug); 2 a configuration or usage error (ConfigError: a flag,
 * a variable, the kubeconfig, cloud-config or a dump file); 3 changes pending, only for
 * `reconcile --dry-run --detailed-exitcode`; 4 `reconcile` left an eligible Node without a route
 * because of a conflict (dry run or not; a failure's 1 wins, and 4 wins over 3).
 */
export function exitCodeFor(ending: { readonly checksFailed: boolean }): 0 | 1;
export function exitCodeFor(ending: CommandEnding): ExitCode;
export function exitCodeFor(ending: CommandEnding): ExitCode {
  if ("error" in ending) return ending.error instanceof ConfigError ? 2 : 1;
  if ("checksFailed" in ending) return ending.checksFailed ? 1 : 0;
  if (ending.outcome !== "failed" && ending.outcome !== "refused" && ending.blockedByConflict === true) return 4;
  switch (ending.outcome) {
    case "in-sync":
    case "applied":
      return 0;
    case "changes-pending":
      return ending.detailedExitcode ? 3 : 0;
    case "failed":
    case "refused":
      return 1;
  }
}

/** Prints the one line an error that ended a command gets on stderr and returns the command's exit code. */
export function endWithError(error: unknown, stderr: NodeJS.WritableStream): ExitCode {
  stderr.write(`vpc-route-sync: ${errorMessage(error)}\n`);
  return exitCodeFor({ error });
}

/**
 * What the controller does after a pass failed with `error` (the scheduler's own verdicts):
 * - `backoff`: a transient failure; run the pass again after the backoff (util/backoff.ts);
 * - `give-up`: retrying the same inputs cannot help; report it and wait for a change or the resync.
 * (Retrying one API call at once is the cloud retry policy's job, cloud/alibaba/retry-policy.ts;
 * it is over before an error reaches the controller.)
 */
export type ErrorPolicy = Exclude<PassVerdict, "success">;

/** The controller's one error policy, by the kind of error. Anything unknown is a bug: given up and reported. */
export function errorPolicy(error: unknown): ErrorPolicy {
  if (error instanceof CloudError) return error.retryable ? "backoff" : "give-up";
  if (error instanceof KubernetesError) return "backoff";
  return "give-up";
}
