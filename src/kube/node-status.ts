// Writes the Node condition NetworkUnavailable, the signal the scheduler and the node lifecycle
// controller read to know whether pods on the Node can be reached. Rules (docs/kubernetes.md, The
// `NetworkUnavailable` condition):
// False/RouteCreated only once the route is Available in every managed table; True/NoRouteCreated
// with the reason when it cannot be created. Strategic-merge patch of the status subresource, which
// merges conditions by type, so Ready and a CNI's conditions are left alone. Patched only on
// change, so steady-state passes cost no API calls. Callers never pass skipped Nodes (virtual,
// excluded...): those are not ours to mark.

import type { V1Node, V1NodeCondition } from "@kubernetes/client-node";
import { PatchStrategy, type CoreV1Api } from "./kube-apis.js";
import { describeKubeError, isConflict, isNotFound } from "./api-error.js";
import { backoffDelay, type BackoffPolicy } from "../util/backoff.js";
import { abortable, setHeaderOptions } from "./request-options.js";
import { stableMessage } from "./stable-message.js";
import { SILENT_LOGGER, type KubeLogger } from "./kube-logger.js";
import { sleep, realTimers, type Timers } from "../util/timers.js";

/** The field manager of the NetworkUnavailable condition (metadata.managedFields of the Node). */
export const NODE_STATUS_FIELD_MANAGER = "vpc-route-sync";

export const NETWORK_UNAVAILABLE = "NetworkUnavailable";
export const ROUTE_CREATED_REASON = "RouteCreated";
export const NO_ROUTE_CREATED_REASON = "NoRouteCreated";
/** @internal exported for tests */
export const ROUTE_CREATED_MESSAGE = "vpc-route-sync created a route";

/** What the controller knows about a Node's routes. */
export type RouteState =
  /** Routes for every pod CIDR are Available in every managed route table. */
  | { readonly routed: true }
  /**
   * They are not and cannot be now; `message` says why, e.g. "quota exceeded in vtb-…".
   * `onlyWhenUnset`: whether they are is not known this pass (a table could not be read), so a
   * condition already there stands; a Node with none gets True (no route is known to serve it).
   */
  | { readonly routed: false; readonly message: string; readonly onlyWhenUnset?: boolean };

export type NodeStatusOutcome =
  | { readonly result: "patched"; readonly node: V1Node }
  | { readonly result: "unchanged" }
  | { readonly result: "node-gone" }
  /** Not written: the signal (leadership) ended first. */
  | { readonly result: "aborted" }
  | { readonly result: "failed"; readonly error: unknown };

export interface NodeStatusWriterOptions {
  core: CoreV1Api;
  /** Attempts in all when the server answers 409 Conflict. @default 4 */
  conflictAttempts?: number;
  /** Delay between conflict attempts. @default { initialMs: 50, maxMs: 1000 } */
  conflictBackoff?: BackoffPolicy;
  timers?: Timers;
  logger?: KubeLogger;
}

/**
 * The condition we want, or undefined when `current` already says it (no patch needed).
 * @internal exported for tests
 */
export function desiredNetworkCondition(
  current: V1NodeCondition | undefined,
  state: RouteState,
  now: Date,
): V1NodeCondition | undefined {
  if (!state.routed && state.onlyWhenUnset === true && current !== undefined) return undefined;
  const status = state.routed ? "False" : "True";
  const reason = state.routed ? ROUTE_CREATED_REASON : NO_ROUTE_CREATED_REASON;
  // Request ids left out: a message that changes on every call would patch the Node every pass.
  const message = state.routed ? ROUTE_CREATED_MESSAGE : stableMessage(state.message);
  if (current && current.status === status && current.reason === reason) {
    // False/RouteCreated with another wording (written by a CCM before us) is the same fact;
    // for True the message is the diagnosis, so a new reason for the failure is news.
    if (state.routed || current.message === message) return undefined;
  }
  const keepTransition = current !== undefined && current.status === status && current.lastTransitionTime !== undefined;
  return {
    type: NETWORK_UNAVAILABLE,
    status,
    reason,
    message,
    lastTransitionTime: keepTransition ? new Date(current.lastTransitionTime as Date | string) : now,
    lastHeartbeatTime: now,
  };
}

/** A function so TypeScript does not carry an earlier narrowing of `aborted` across an await. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function networkUnavailableCondition(node: V1Node | undefined): V1NodeCondition | undefined {
  return node?.status?.conditions?.find((condition) => condition.type === NETWORK_UNAVAILABLE);
}

/** The uid and resourceVersion a status patch is conditional on (both when known). */
function preconditions(node: V1Node): { uid?: string; resourceVersion?: string } {
  const { uid, resourceVersion } = node.metadata ?? {};
  return { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
}

export class NodeStatusWriter {
  readonly #core: CoreV1Api;
  readonly #attempts: number;
  readonly #backoff: BackoffPolicy;
  readonly #timers: Timers;
  readonly #log: KubeLogger;

  constructor(options: NodeStatusWriterOptions) {
    this.#core = options.core;
    this.#attempts = options.conflictAttempts ?? 4;
    this.#backoff = options.conflictBackoff ?? { initialMs: 50, maxMs: 1000 };
    this.#timers = options.timers ?? realTimers;
    this.#log = options.logger ?? SILENT_LOGGER;
    if (!Number.isInteger(this.#attempts) || this.#attempts < 1) {
      throw new RangeError(`NodeStatusWriter: conflictAttempts must be a positive integer, got ${this.#attempts}`);
    }
  }

  /**
   * Brings NetworkUnavailable of `node` (the informer's current copy) in line with `state`.
   * `state` was computed for this very object: every patch carries its uid and the
   * resourceVersion it was decided on as preconditions, so a patch meant for a Node that was
   * deleted and created again under the same name fails (409) instead of landing on the new one;
   * after a conflict the Node is read again and, if its uid changed, left alone ("node-gone").
   * Never throws: a failure is returned (and logged) so a status write cannot break a reconcile.
   */
  async setRouteState(node: V1Node, state: RouteState, signal?: AbortSignal): Promise<NodeStatusOutcome> {
    const nodeName = node.metadata?.name;
    if (!nodeName) return { result: "failed", error: new Error("NodeStatusWriter: node has no metadata.name") };
    const uid = node.metadata?.uid;
    let current: V1Node = node;
    for (let attempt = 0; ; attempt += 1) {
      const condition = desiredNetworkCondition(networkUnavailableCondition(current), state, new Date(this.#timers.now()));
      if (!condition) return { result: "unchanged" };
      // Checked right before each patch (also after a conflict's backoff): a replica that lost the
      // Lease writes no status; the request itself is aborted with the signal.
      if (signal?.aborted === true) return { result: "aborted" };
      try {
        const patched = await this.#core.patchNodeStatus(
          // Named field manager, so `kubectl get node --show-managed-fields` says who owns the condition.
          { name: nodeName, body: { metadata: preconditions(current), status: { conditions: [condition] } }, fieldManager: NODE_STATUS_FIELD_MANAGER },
          setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch, signal ? abortable(signal) : undefined),
        );
        this.#log.info(
          { nodeName, status: condition.status, reason: condition.reason, message: condition.message },
          "node condition NetworkUnavailable set",
        );
        return { result: "patched", node: patched };
      } catch (error) {
        if (isAborted(signal)) return { result: "aborted" };
        if (isNotFound(error)) {
          this.#log.debug({ nodeName }, "node gone before its status was patched");
          return { result: "node-gone" };
        }
        if (!isConflict(error) || attempt + 1 >= this.#attempts) {
          this.#log.warn({ nodeName, err: describeKubeError(error), attempts: attempt + 1 }, "patching node status failed");
          return { result: "failed", error };
        }
        if (!(await sleep(this.#timers, backoffDelay(this.#backoff, attempt, () => this.#timers.random()), signal))) return { result: "aborted" };
        // Someone else wrote the Node meanwhile: decide again from what it says now.
        try {
          current = await this.#core.readNodeStatus({ name: nodeName }, signal ? abortable(signal) : undefined);
          if (uid !== undefined && current.metadata?.uid !== uid) {
            this.#log.debug({ nodeName }, "node replaced before its status was patched");
            return { result: "node-gone" };
          }
        } catch (readError) {
          if (isNotFound(readError)) return { result: "node-gone" };
          this.#log.warn({ nodeName, err: describeKubeError(readError) }, "re-reading node status failed");
          return { result: "failed", error: readError };
        }
      }
    }
  }
}
