// Write semantics of kube-apiserver's generic registry, shared by the HTTP API and the in-process
// test API: create (generateName, uid, timestamps, AlreadyExists), update with optimistic concurrency
// and the status-subresource split, no-op detection (an unchanged object keeps its resourceVersion),
// and delete with preconditions and finalizers.

import { randomUUID } from "node:crypto";
import { clone, deepEqual, isObject, metadataOf, stringField, type JsonObject } from "./json.ts";
import { ObjectStore, objectKey } from "./object-store.ts";
import { STORAGE_TYPES, badMicroTime, canonicalEndpoint, type StorageKey } from "./resource-types.ts";
import {
  KubeStatusError,
  STALE_OBJECT_MESSAGE,
  alreadyExists,
  badRequest,
  conflict,
  preconditionFailed,
  resourceVersionRequired,
  invalid,
  notFound,
  type ErrorSubject,
  type FieldCause,
} from "./status-error.ts";
import { rfc3339Seconds } from "./time-format.ts";

/** Which part of an object a write may change. */
export type WriteScope = "main" | "status" | "everything";

export interface WriteOptions {
  readonly dryRun?: boolean;
  /** Names the resource in error messages; defaults to the storage's endpoint. */
  readonly subject?: ErrorSubject;
}

export interface DeleteOptions extends WriteOptions {
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface DeleteResult {
  readonly object: JsonObject;
  /** False when finalizers keep the object (it only got a deletionTimestamp). */
  readonly deleted: boolean;
}

// apimachinery's util/rand alphabet: no vowels, no confusable characters.
const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class Registry {
  readonly #store: ObjectStore;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(store: ObjectStore, now: () => number, random: () => number = Math.random) {
    this.#store = store;
    this.#now = now;
    this.#random = random;
  }

  get(storage: StorageKey, namespace: string | undefined, name: string, subject?: ErrorSubject): JsonObject {
    const found = this.#store.get(storage, objectKey(namespace, name));
    if (found === undefined) throw notFound(subject ?? canonicalEndpoint(storage), name);
    return clone(found);
  }

  find(storage: StorageKey, namespace: string | undefined, name: string): JsonObject | undefined {
    const found = this.#store.get(storage, objectKey(namespace, name));
    return found === undefined ? undefined : clone(found);
  }

  create(storage: StorageKey, namespace: string | undefined, body: JsonObject, options: WriteOptions = {}): JsonObject {
    const type = STORAGE_TYPES[storage];
    const subject = options.subject ?? canonicalEndpoint(storage);
    const obj = clone(body);
    const metadata = metadataOf(obj);
    this.#checkNamespace(metadata, namespace, type.namespaced);
    const rv = stringField(metadata, "resourceVersion");
    if (rv !== undefined && rv !== "") {
      throw new KubeStatusError(500, "InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created");
    }
    let name = stringField(metadata, "name") ?? "";
    const generateName = stringField(metadata, "generateName") ?? "";
    if (name === "" && generateName !== "") {
      name = this.#generateName(storage, namespace, generateName);
    }
    if (name === "") {
      throw invalid(subject, "", [{ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" }]);
    }
    metadata["name"] = name;
    const now = this.#now();
    metadata["uid"] = randomUUID();
    metadata["creationTimestamp"] = rfc3339Seconds(now);
    // Nodes, Events and Leases have no metadata.generation on a real API server (their strategies
    // never set it); whatever a client sent is dropped, as there.
    delete metadata["generation"];
    delete metadata["deletionTimestamp"];
    delete metadata["deletionGracePeriodSeconds"];
    delete metadata["selfLink"];
    this.#validate(storage, subject, obj);
    const key = objectKey(namespace, name);
    if (this.#store.get(storage, key) !== undefined) throw alreadyExists(subject, name);
    if (options.dryRun === true) return obj;
    return this.#store.commit(storage, key, "ADDED", obj);
  }

  /**
   * Replaces an object with `compute(current)`; a `metadata.resourceVersion` in the result must equal
   * the current one (409 Conflict otherwise), which is how both PUT and PATCH get optimistic concurrency.
   * Returns the stored object and whether it was created (create-on-update for Events and Leases).
   */
  update(
    storage: StorageKey,
    namespace: string | undefined,
    name: string,
    compute: (current: JsonObject | undefined) => JsonObject,
    scope: WriteScope,
    options: WriteOptions = {},
  ): { object: JsonObject; created: boolean } {
    const type = STORAGE_TYPES[storage];
    const subject = options.subject ?? canonicalEndpoint(storage);
    const key = objectKey(namespace, name);
    const stored = this.#store.get(storage, key);
    const current = stored === undefined ? undefined : clone(stored);
    const next = clone(compute(current));
    if (!isObject(next)) throw badRequest("the body of the request must be a JSON object");
    const metadata = metadataOf(next);
    const bodyName = stringField(metadata, "name") ?? "";
    if (bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    this.#checkNamespace(metadata, namespace, type.namespaced);
    const requestedRv = stringField(metadata, "resourceVersion") ?? "";
    // Leases take no unconditional update of an existing object, as on kube-apiserver.
    if (current !== undefined && requestedRv === "" && !type.unconditionalUpdate) throw resourceVersionRequired(subject, name);
    if (current === undefined) {
      if (!type.createOnUpdate || scope === "status") throw notFound(subject, name);
      if (requestedRv !== "") throw notFound(subject, name);
      return { object: this.create(storage, namespace, next, options), created: true };
    }
    const currentMeta = metadataOf(current);
    if (requestedRv !== "" && requestedRv !== currentMeta["resourceVersion"]) {
      throw conflict(subject, name, STALE_OBJECT_MESSAGE);
    }
    const result = this.#merge(current, next, type.hasStatus ? scope : "everything");
    const resultMeta = metadataOf(result);
    const uid = stringField(resultMeta, "uid") ?? "";
    if (uid === "") resultMeta["uid"] = currentMeta["uid"];
    else if (uid !== currentMeta["uid"]) {
      throw invalid(subject, name, [{ field: "metadata.uid", reason: "FieldValueInvalid", message: `Invalid value: "${uid}": field is immutable` }]);
    }
    resultMeta["creationTimestamp"] = currentMeta["creationTimestamp"];
    delete resultMeta["generation"];
    copyOrDelete(resultMeta, currentMeta, "deletionTimestamp");
    copyOrDelete(resultMeta, currentMeta, "deletionGracePeriodSeconds");
    resultMeta["resourceVersion"] = currentMeta["resourceVersion"];
    this.#validate(storage, subject, result);
    if (deepEqual(result, current)) return { object: current, created: false };
    if (options.dryRun === true) return { object: result, created: false };
    const finalizers = resultMeta["finalizers"];
    const finalized = !Array.isArray(finalizers) || finalizers.length === 0;
    if (resultMeta["deletionTimestamp"] !== undefined && finalized) {
      return { object: this.#store.commit(storage, key, "DELETED", result), created: false };
    }
    return { object: this.#store.commit(storage, key, "MODIFIED", result), created: false };
  }

  delete(storage: StorageKey, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const subject = options.subject ?? canonicalEndpoint(storage);
    const key = objectKey(namespace, name);
    const stored = this.#store.get(storage, key);
    if (stored === undefined) throw notFound(subject, name);
    const current = clone(stored);
    const metadata = metadataOf(current);
    const wantedUid = options.preconditions?.uid;
    if (wantedUid !== undefined && wantedUid !== metadata["uid"]) {
      throw preconditionFailed(subject, name, "UID", wantedUid, String(metadata["uid"]));
    }
    const wantedRv = options.preconditions?.resourceVersion;
    if (wantedRv !== undefined && wantedRv !== metadata["resourceVersion"]) {
      throw preconditionFailed(subject, name, "ResourceVersion", wantedRv, String(metadata["resourceVersion"]));
    }
    const finalizers = metadata["finalizers"];
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (metadata["deletionTimestamp"] !== undefined) return { object: current, deleted: false };
      metadata["deletionTimestamp"] = rfc3339Seconds(this.#now());
      metadata["deletionGracePeriodSeconds"] = 0;
      if (options.dryRun === true) return { object: current, deleted: false };
      return { object: this.#store.commit(storage, key, "MODIFIED", current), deleted: false };
    }
    if (options.dryRun === true) return { object: current, deleted: true };
    return { object: this.#store.commit(storage, key, "DELETED", current), deleted: true };
  }

  /** Applies the status-subresource split: which of `next`'s parts replace `current`'s. */
  #merge(current: JsonObject, next: JsonObject, scope: WriteScope): JsonObject {
    if (scope === "everything") return next;
    if (scope === "main") {
      const result = { ...next };
      if (current["status"] === undefined) delete result["status"];
      else result["status"] = current["status"];
      return result;
    }
    // Like the real status strategies: a write to /status keeps the stored spec, and takes the rest
    // (status, and metadata such as labels) from the request.
    const result = { ...next };
    if (current["spec"] === undefined) delete result["spec"];
    else result["spec"] = current["spec"];
    return result;
  }

  #checkNamespace(metadata: JsonObject, namespace: string | undefined, namespaced: boolean): void {
    const given = stringField(metadata, "namespace") ?? "";
    if (!namespaced) {
      delete metadata["namespace"];
      return;
    }
    if (given !== "" && given !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    metadata["namespace"] = namespace;
  }

  #validate(storage: StorageKey, subject: ErrorSubject, obj: JsonObject): void {
    const type = STORAGE_TYPES[storage];
    const name = stringField(metadataOf(obj), "name") ?? "";
    const micro = badMicroTime(type, obj);
    if (micro !== undefined) {
      // Go's time.Parse error, as kube-apiserver words it: the text from the first mismatch on.
      const value = String(micro.value);
      const rest = value.slice(19);
      const [text, layout] = /^\.\d{6}/.test(rest) ? [rest.slice(7), "Z07:00"] : [rest, ".000000"];
      throw badRequest(
        `${subject.kind} in version "v1" cannot be handled as a ${subject.kind}: parsing time ${JSON.stringify(value)} as ` +
          `"2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(text)} as ${JSON.stringify(layout)}`,
      );
    }
    const causes: FieldCause[] = [];
    if (storage !== "events" && (!DNS_SUBDOMAIN.test(name) || name.length > 253)) {
      causes.push({
        field: "metadata.name",
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
    causes.push(...type.validate(obj));
    if (causes.length > 0) throw invalid(subject, name, causes);
  }

  #generateName(storage: StorageKey, namespace: string | undefined, prefix: string): string {
    for (let attempt = 0; attempt < 16; attempt++) {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[Math.floor(this.#random() * NAME_SUFFIX_ALPHABET.length)];
      const name = `${prefix}${suffix}`;
      if (this.#store.get(storage, objectKey(namespace, name)) === undefined) return name;
    }
    throw new KubeStatusError(500, "InternalError", `could not generate a unique name from generateName "${prefix}"`);
  }
}

function copyOrDelete(target: JsonObject, source: JsonObject, key: string): void {
  if (source[key] === undefined) delete target[key];
  else target[key] = source[key];
}
