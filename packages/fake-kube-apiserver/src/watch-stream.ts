// One open watch connection: filters store changes by namespace and selectors (turning MODIFIED into
// ADDED/DELETED when an object starts or stops matching, as kube-apiserver does), converts objects to
// the endpoint's view and writes one JSON event per line on a chunked response.

import type { ServerResponse } from "node:http";
import { isObject, metadataOf, type JsonObject } from "./json.ts";
import type { Change } from "./object-store.ts";
import type { ResourceEndpoint } from "./resource-types.ts";
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement, type Selector } from "./selectors.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchFilter {
  readonly endpoint: ResourceEndpoint;
  /** Undefined: all namespaces. */
  readonly namespace: string | undefined;
  readonly labelSelector: Selector<LabelRequirement>;
  readonly fieldSelector: Selector<FieldRequirement>;
}

export interface WatchStreamOptions {
  readonly response: ServerResponse;
  readonly filter: WatchFilter;
  readonly allowBookmarks: boolean;
  /** Turns the endpoint's view of an object into what goes on the wire (a Table for `kubectl get -w`). */
  readonly render: (view: JsonObject) => JsonObject;
  readonly description: string;
  /**
   * Only changes after this resourceVersion are sent, as kube-apiserver's watch cache does: a watch
   * from a resourceVersion "in the future" (after an etcd restore) stays silent until writes pass it.
   */
  readonly fromResourceVersion?: number;
}

export function matchesFilter(filter: WatchFilter, stored: JsonObject): boolean {
  const metadata = metadataOf(stored);
  if (filter.namespace !== undefined && metadata["namespace"] !== filter.namespace) return false;
  const labels = isObject(metadata["labels"]) ? (metadata["labels"] as Record<string, string>) : {};
  if (!matchesLabels(filter.labelSelector, labels)) return false;
  return matchesFields(filter.fieldSelector, filter.endpoint.storage.fieldsOf(stored));
}

/** The event a watcher with `filter` sees for `change`, or undefined when it sees nothing. */
export function eventTypeFor(filter: WatchFilter, change: Change): "ADDED" | "MODIFIED" | "DELETED" | undefined {
  if (change.storage !== filter.endpoint.storage.key) return undefined;
  const nowMatches = matchesFilter(filter, change.object);
  if (change.type !== "MODIFIED") return nowMatches ? change.type : undefined;
  const matchedBefore = change.previous !== undefined && matchesFilter(filter, change.previous);
  if (nowMatches) return matchedBefore ? "MODIFIED" : "ADDED";
  return matchedBefore ? "DELETED" : undefined;
}

export class WatchStream {
  readonly description: string;
  readonly #response: ServerResponse;
  readonly #filter: WatchFilter;
  readonly #allowBookmarks: boolean;
  readonly #render: (view: JsonObject) => JsonObject;
  readonly #fromResourceVersion: number;
  #lastResourceVersion = "";

  constructor(options: WatchStreamOptions) {
    this.#response = options.response;
    this.#filter = options.filter;
    this.#allowBookmarks = options.allowBookmarks;
    this.#render = options.render;
    this.description = options.description;
    this.#fromResourceVersion = options.fromResourceVersion ?? 0;
  }

  get closed(): boolean {
    return this.#response.writableEnded || this.#response.destroyed;
  }

  deliver(change: Change): void {
    if (change.resourceVersion <= this.#fromResourceVersion) return;
    const type = eventTypeFor(this.#filter, change);
    if (type !== undefined) this.sendObject(type, change.object);
  }

  sendObject(type: "ADDED" | "MODIFIED" | "DELETED", stored: JsonObject): void {
    const rv = metadataOf(stored)["resourceVersion"];
    if (typeof rv === "string") this.#lastResourceVersion = rv;
    this.#write({ type, object: this.#render(this.#filter.endpoint.toView(stored)) });
  }

  /** Sends a BOOKMARK at `resourceVersion` when the client asked for bookmarks. */
  bookmark(resourceVersion: number, annotations?: Record<string, string>): boolean {
    if (!this.#allowBookmarks || this.closed) return false;
    const endpoint = this.#filter.endpoint;
    const metadata: JsonObject = { resourceVersion: String(resourceVersion) };
    if (annotations !== undefined) metadata["annotations"] = annotations;
    const apiVersion = endpoint.group === "" ? endpoint.version : `${endpoint.group}/${endpoint.version}`;
    this.#lastResourceVersion = String(resourceVersion);
    this.#write({ type: "BOOKMARK", object: { kind: endpoint.kind, apiVersion, metadata } });
    return true;
  }

  sendError(status: JsonObject): void {
    this.#write({ type: "ERROR", object: status });
  }

  /** Ends the stream cleanly (the client sees a normal close and re-watches). */
  close(): void {
    if (!this.closed) this.#response.end();
  }

  /** Drops the connection without a terminating chunk (the client sees a network error). */
  reset(): void {
    if (!this.closed) this.#response.destroy();
  }

  get lastResourceVersion(): string {
    return this.#lastResourceVersion;
  }

  #write(event: { type: WatchEventType; object: JsonObject }): void {
    if (!this.closed) this.#response.write(`${JSON.stringify(event)}\n`);
  }
}
