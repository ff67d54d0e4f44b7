// Typed cloud errors. Classification of raw SDK errors happens once, in
// src/cloud/alibaba/classify-error.ts; everything else reads `code` and `retryable` only.
import { OperatorError, errorMessage } from "../errors.js";

export type CloudErrorKind =
  | "throttled"
  | "conflict" // in-flight change, TaskConflict, IncorrectRouteEntryStatus, OperationConflict
  | "server" // 5xx, InternalError
  | "network" // timeouts, resets, unparsable gateway bodies
  | "credentials" // InvalidAccessKeyId.NotFound, SignatureDoesNotMatch, InvalidCredentials
  | "permission" // Forbidden*, NoPermission
  | "quota" // QuotaExceeded
  | "not-found" // InvalidRouteTableId.NotFound, InvalidVpcId.NotFound ...
  | "invalid" // validation: bad CIDR, bad next hop, missing parameter
  | "aborted"
  | "unknown";

export interface CloudErrorOptions {
  readonly code: string;
  readonly kind: CloudErrorKind;
  readonly retryable: boolean;
  readonly requestId?: string | undefined;
  readonly httpStatus?: number | undefined;
  /** Server-suggested delay before retry, in ms (x-acs-retry-after). */
  readonly retryAfterMs?: number | undefined;
  readonly action?: string | undefined;
  readonly cause?: unknown;
}

export class CloudError extends OperatorError {
  override readonly name = "CloudError";
  readonly code: string;
  readonly kind: CloudErrorKind;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly action: string | undefined;

  constructor(message: string, options: CloudErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.kind = options.kind;
    this.retryable = options.retryable;
    this.requestId = options.requestId;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.action = options.action;
  }
}

/**
 * `error` as a CloudError: itself, or, for anything else (a bug: the adapter classifies everything
 * the SDK throws), an "unknown" CloudError that is not retried, like the classifier's verdict on
 * an unknown error.
 */
export function asCloudError(error: unknown): CloudError {
  if (error instanceof CloudError) return error;
  return new CloudError(errorMessage(error), { code: "Unknown", kind: "unknown", retryable: false, cause: error });
}
