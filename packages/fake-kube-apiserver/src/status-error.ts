// Kubernetes `Status` failures. Every error the fake answers with is a KubeStatusError so that the
// HTTP layer can serialise it exactly the way kube-apiserver does (clients parse `reason` and `code`).

import type { JsonObject } from "./json.ts";

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly { readonly reason: string; readonly message: string; readonly field?: string }[];
}

/** What a resource looks like in error messages: `nodes`, `leases.coordination.k8s.io`. */
export interface ErrorSubject {
  readonly plural: string;
  readonly group: string;
  readonly kind: string;
}

export class KubeStatusError extends Error {
  override readonly name = "KubeStatusError";
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails): JsonObject {
  const status: JsonObject = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details !== undefined) status["details"] = details;
  status["code"] = code;
  return status;
}

/**
 * A failed delete precondition, worded as the real API server words it (by Kind, not resource:
 * `Operation cannot be fulfilled on Node "n1": the UID in the precondition (…) does not match …`).
 */
export function preconditionFailed(subject: ErrorSubject, name: string, field: "UID" | "ResourceVersion", wanted: string, actual: string): KubeStatusError {
  const hint = field === "UID" ? "The object might have been deleted and then recreated" : "The object might have been modified";
  return new KubeStatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${subject.kind} "${name}": the ${field} in the precondition (${wanted}) does not match the ${field} in record (${actual}). ${hint}`,
    detailsFor(subject, name),
  );
}

/** A PUT without metadata.resourceVersion of a kind that takes no unconditional update (Leases). */
export function resourceVersionRequired(subject: ErrorSubject, name: string): KubeStatusError {
  const message = "Invalid value: 0: must be specified for an update";
  return new KubeStatusError(422, "Invalid", `${qualified(subject)} "${name}" is invalid: metadata.resourceVersion: ${message}`, {
    name,
    group: subject.group,
    kind: subject.kind,
    causes: [{ reason: "FieldValueInvalid", message, field: "metadata.resourceVersion" }],
  });
}

function qualified(subject: ErrorSubject): string {
  return subject.group === "" ? subject.plural : `${subject.plural}.${subject.group}`;
}

function detailsFor(subject: ErrorSubject, name: string): StatusDetails {
  return { name, group: subject.group, kind: subject.plural };
}

export function notFound(subject: ErrorSubject, name: string): KubeStatusError {
  return new KubeStatusError(404, "NotFound", `${qualified(subject)} "${name}" not found`, detailsFor(subject, name));
}

export function alreadyExists(subject: ErrorSubject, name: string): KubeStatusError {
  return new KubeStatusError(409, "AlreadyExists", `${qualified(subject)} "${name}" already exists`, detailsFor(subject, name));
}

export function conflict(subject: ErrorSubject, name: string, why: string): KubeStatusError {
  return new KubeStatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(subject)} "${name}": ${why}`,
    detailsFor(subject, name),
  );
}

export const STALE_OBJECT_MESSAGE = "the object has been modified; please apply your changes to the latest version and try again";

export interface FieldCause {
  readonly field: string;
  /** `FieldValueRequired`, `FieldValueInvalid`, ... */
  readonly reason: string;
  readonly message: string;
}

/** 422 Invalid, worded like apimachinery's `NewInvalid`. */
export function invalid(subject: ErrorSubject, name: string, causes: readonly FieldCause[]): KubeStatusError {
  const kind = subject.group === "" ? subject.kind : `${subject.kind}.${subject.group}`;
  const texts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = texts.length === 1 ? (texts[0] ?? "") : `[${texts.join(", ")}]`;
  return new KubeStatusError(422, "Invalid", `${kind} "${name}" is invalid: ${joined}`, {
    name,
    group: subject.group,
    kind: subject.kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

export function badRequest(message: string, cause?: unknown): KubeStatusError {
  return new KubeStatusError(400, "BadRequest", message, undefined, { cause });
}

export function pathNotFound(): KubeStatusError {
  return new KubeStatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export function methodNotAllowed(method: string): KubeStatusError {
  return new KubeStatusError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`, {});
}

export function unauthorized(): KubeStatusError {
  return new KubeStatusError(401, "Unauthorized", "Unauthorized");
}

export function expired(message: string): KubeStatusError {
  return new KubeStatusError(410, "Expired", message);
}
