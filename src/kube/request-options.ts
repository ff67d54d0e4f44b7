// Per-request options of the Kubernetes calls (kube-apis.ts): an AbortSignal that aborts the HTTP
// request itself (not only the wait for it), and the Content-Type of a PATCH. The helpers keep the
// names they had over client-node's middleware.
import type { KubeRequestOptions } from "./kube-client.js";

/** `options` with `signal`: the request is aborted when it aborts. */
export function abortable(signal: AbortSignal, options?: KubeRequestOptions): KubeRequestOptions {
  return { ...options, signal };
}

/** `options` with a request header; only Content-Type is used (the PATCH strategy). */
export function setHeaderOptions(name: "Content-Type", value: string, options?: KubeRequestOptions): KubeRequestOptions {
  return { ...options, contentType: value };
}
