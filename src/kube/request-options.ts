// Per-request options for client-node calls: an AbortSignal that aborts the HTTP request itself
// (not only the wait for it), combined with other middleware such as setHeaderOptions. client-node
// 2.x carries the signal on the RequestContext and hands it to fetch.
import { Observable } from "@kubernetes/client-node";
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from "@kubernetes/client-node";

/** Options that abort the request when `signal` aborts, appended to `options` (e.g. from setHeaderOptions). */
export function abortable(
  signal: AbortSignal,
  options?: ConfigurationOptions<ObservableMiddleware>,
): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { ...options, middleware: [...(options?.middleware ?? []), middleware], middlewareMergeStrategy: "append" };
}
