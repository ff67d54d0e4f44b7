// Reading HTTP status out of what a Kubernetes call throws. Our API calls (kube-apis.ts) throw a
// KubeApiError, and @kubernetes/client-node's (doctor) an ApiException: both carry `code` = HTTP
// status and `body` = the raw Status text. Watches fail with an Error carrying `statusCode`;
// connection failures have neither (node:http's socket errors, or client-node's `TypeError: fetch
// failed` with the socket error as its cause).

/** An HTTP answer error of either client: a numeric status `code` and the answer's `body`. */
function isAnswerError(error: unknown): error is Error & { code: number; body: unknown } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "number" && "body" in error;
}

/** The HTTP status of a failed Kubernetes call, or undefined for network/other errors. */
function httpStatusOf(error: unknown): number | undefined {
  if (isAnswerError(error)) return error.code;
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
  if (isAnswerError(error)) {
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
  // client-node's fetch (doctor): `TypeError: fetch failed` whose cause is the socket or DNS error.
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
