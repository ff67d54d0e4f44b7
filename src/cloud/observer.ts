// Hooks through which the cloud adapter reports what it does, so metrics stay out of the adapter.
// The metrics module (src/observability/) provides an implementation; tests may record calls.

export interface CloudCallObserver {
  /** One HTTP call to the cloud API finished. `code` is the Alibaba error code, or "OK". */
  onApiCall?(action: string, code: string, durationMs: number): void;
  /** A call is about to be retried after a transient error. */
  onRetry?(action: string, code: string, delayMs: number): void;
  /** The API answered with a throttling error. */
  onThrottle?(action: string): void;
}

export const NO_OBSERVER: CloudCallObserver = {};
