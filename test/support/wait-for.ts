// Awaiting a condition with a deadline, for tests that watch real processes and servers: polls
// instead of sleeping for a guessed time, and fails naming what it waited for (and, when given, the
// state it last saw) so a timeout explains itself.

export interface WaitForOptions {
  /** @default 20000 */
  readonly timeoutMs?: number;
  /** @default 25 */
  readonly intervalMs?: number;
  /** Extra text for the timeout message, e.g. the last state seen or the process output. */
  readonly describe?: () => string;
}

/** Resolves with the first truthy value of `condition()`; rejects once the deadline has passed. */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      // A probe may fail while a process starts or restarts; keep polling until the deadline.
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = options.describe?.() ?? "";
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${detail ? `\n${detail}` : ""}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
