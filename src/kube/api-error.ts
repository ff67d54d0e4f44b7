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

/**
 * For a request that never reached the API server (refused, unresolvable host, reset, timed out,
 * a port fetch refuses): one line saying so, with the network error. Undefined when the server
 * answered (then the HTTP status says what failed) or for anything else.
 */
export function unreachableMessage(error: unknown): string | undefined {
  if (httpStatusOf(error) !== undefined || !(error instanceof Error)) return undefined;
  // undici's fetch: `TypeError: fetch failed` whose cause is the socket or DNS error.
  const cause: unknown = error instanceof TypeError && error.message === "fetch failed" ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (!(cause instanceof Error) || (typeof code !== "string" && error === cause)) return undefined;
  return `cannot reach the Kubernetes API server (${cause.message}): check the server address of the kubeconfig's current context and that the API server is up`;
}

/** The API server answered that the caller is not authenticated (401) or not allowed (403). */
export const isDenied = (error: unknown): boolean => [401, 403].includes(httpStatusOf(error) ?? 0);
export const isNotFound = (error: unknown): boolean => httpStatusOf(error) === 404;
export const isConflict = (error: unknown): boolean => httpStatusOf(error) === 409;
export const isGone = (error: unknown): boolean => httpStatusOf(error) === 410;
