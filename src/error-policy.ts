// The two decisions made from an error, each in one place: the exit code of a one-shot command,
// and what the controller does after a failed pass. Both read the error's class (src/errors.ts).
import { CloudError } from "./cloud/errors.js";
import { ConfigurationError, KubernetesError } from "./errors.js";

/** Exit code of a command that failed with `error`: 2 for configuration and usage problems, else 1. */
export function exitCodeForError(error: unknown): 1 | 2 {
  return error instanceof ConfigurationError ? 2 : 1;
}

/**
 * What the controller does after a pass failed:
 * - `backoff`: a transient failure; run the pass again after the backoff (util/backoff.ts);
 * - `give-up`: retrying the same inputs cannot help; report it and wait for a change or the resync.
 * (Retrying one API call at once is the cloud retry policy's job, cloud/alibaba/retry-policy.ts;
 * it is over before an error reaches the controller.)
 */
export type ErrorPolicy = "backoff" | "give-up";

/** The controller's one error policy, by the kind of error. Anything unknown is a bug: given up and reported. */
export function errorPolicy(error: unknown): ErrorPolicy {
  if (error instanceof CloudError) return error.retryable ? "backoff" : "give-up";
  if (error instanceof KubernetesError) return "backoff";
  return "give-up";
}
