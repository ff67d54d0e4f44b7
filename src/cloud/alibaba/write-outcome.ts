// What the adapter reports for an entry an abort cut short, and the outer deadline of one call:
// small pieces of alibaba-route-table.ts kept apart so that file stays one concept.
import { CloudError } from "../errors.js";
import { DESTINATION_HELD, MAX_BATCH_ENTRIES, destinationHeldMessage, type EntryOutcome } from "../route-table.js";
import type { RouteCreate, RouteEntry } from "../../domain/types.js";
import { abortError } from "../../util/timers.js";

/** Never sent: the abort came first. */
export function aborted(): EntryOutcome {
  return { ok: false, error: new CloudError("apply was aborted before this entry was written", { code: "Aborted", kind: "aborted", retryable: false }) };
}

/** Sent, maybe applied, not confirmed: the abort came while waiting for the answer or the settle. */
export function unconfirmed(): EntryOutcome {
  return {
    ok: false,
    unknown: true,
    error: new CloudError("the write was sent but the abort came before it was confirmed; the next pass re-reads the table", {
      code: "Unconfirmed",
      kind: "aborted",
      retryable: true,
    }),
  };
}

/** A function, not an inline check, so TypeScript does not keep an earlier narrowing of `aborted`. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}


export function withDeadline<T>(promise: Promise<T>, ms: number, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    // Real timer on purpose: this guards a socket, not a schedule, so it must not follow a test clock.
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      reject(Object.assign(new Error(`no answer within the ${ms} ms call deadline (callDeadlineMs)`), { code: "CallDeadlineExceeded" }));
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) out.push(items.slice(i, i + MAX_BATCH_ENTRIES));
  return out;
}


export function createKey(destinationCidr: string, instanceId: string): string {
  return `${destinationCidr}\u0000${instanceId}`;
}


/** Network, server and unknown failures leave it open whether the write was applied. */
export function mayHaveBeenApplied(failure: CloudError): boolean {
  return failure.kind === "network" || failure.kind === "server" || failure.kind === "unknown";
}


export function destinationHeld(action: RouteCreate, holder: RouteEntry | undefined): CloudError {
  return new CloudError(destinationHeldMessage(action, holder), {
    code: DESTINATION_HELD,
    kind: "conflict",
    retryable: false,
    action: "CreateRouteEntries",
  });
}


export function requestIdOf(value: unknown): string | undefined {
  const id = (value as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" ? id : undefined;
}
