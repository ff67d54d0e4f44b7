// Reading HTTP status out of what @kubernetes/client-node throws. Typed API calls throw an
// ApiException with `code` = HTTP status and `body` = the raw Status text; the Watch class throws a
// plain Error with `statusCode`; connection failures throw `TypeError: fetch failed` with neither.

import { ApiException } from "@kubernetes/client-node";

/** The HTTP status of a failed Kubernetes call, or undefined for network/other errors. */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) {
    return typeof error.code === "number" ? error.code : undefined;
  }
  if (typeof error === "object" && error !== null) {
    const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
    if (typeof statusCode === "number") return statusCode;
    // Status objects delivered in watch ERROR events carry the HTTP code as `code`.
    if (typeof code === "number" && code >= 100 && code < 600) return code;
  }
  return undefined;
}

/** A short, log-friendly description: the Status message when the server sent one. */
export function describeKubeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    if (typeof body === "string") {
      try {
        const status = JSON.parse(body) as { message?: unknown; reason?: unknown };
        if (typeof status.message === "string") return `HTTP ${error.code}: ${status.message}`;
      } catch {
        // not JSON: fall through to the raw text
      }
      return `HTTP ${error.code}: ${body.slice(0, 200)}`;
    }
    return `HTTP ${error.code}`;
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

export const isNotFound = (error: unknown): boolean => httpStatusOf(error) === 404;
export const isConflict = (error: unknown): boolean => httpStatusOf(error) === 409;
export const isGone = (error: unknown): boolean => httpStatusOf(error) === 410;
