// core/v1 Event <-> events.k8s.io/v1 Event. kube-apiserver keeps one storage for both APIs; the
// fake stores the core/v1 shape and converts on the way in and out of the events.k8s.io endpoints,
// following the field mapping of k8s.io/kubernetes/pkg/apis/events/v1.

import { clone, type JsonObject } from "./json.ts";

/** [core/v1 field, events.k8s.io/v1 field] */
const FIELD_PAIRS: readonly (readonly [string, string])[] = [
  ["involvedObject", "regarding"],
  ["related", "related"],
  ["message", "note"],
  ["reason", "reason"],
  ["type", "type"],
  ["action", "action"],
  ["eventTime", "eventTime"],
  ["series", "series"],
  ["reportingComponent", "reportingController"],
  ["reportingInstance", "reportingInstance"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
];

export function eventsV1ToCore(event: JsonObject): JsonObject {
  const result: JsonObject = { kind: "Event", apiVersion: "v1", metadata: clone(event["metadata"] ?? {}) };
  for (const [coreField, v1Field] of FIELD_PAIRS) {
    if (event[v1Field] !== undefined) result[coreField] = clone(event[v1Field]);
  }
  return result;
}

export function coreToEventsV1(event: JsonObject): JsonObject {
  const result: JsonObject = { kind: "Event", apiVersion: "events.k8s.io/v1", metadata: clone(event["metadata"] ?? {}) };
  for (const [coreField, v1Field] of FIELD_PAIRS) {
    if (event[coreField] !== undefined) result[v1Field] = clone(event[coreField]);
  }
  return result;
}

/** events.k8s.io/v1 field selector names mapped to the core/v1 ones the store indexes. */
export const EVENTS_V1_FIELD_ALIASES: Readonly<Record<string, string>> = {
  "regarding.kind": "involvedObject.kind",
  "regarding.namespace": "involvedObject.namespace",
  "regarding.name": "involvedObject.name",
  "regarding.uid": "involvedObject.uid",
  "regarding.apiVersion": "involvedObject.apiVersion",
  "regarding.resourceVersion": "involvedObject.resourceVersion",
  "regarding.fieldPath": "involvedObject.fieldPath",
  reportingController: "reportingComponent",
  type: "type",
  reason: "reason",
  "metadata.name": "metadata.name",
  "metadata.namespace": "metadata.namespace",
};
