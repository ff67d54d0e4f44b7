// REST verbs on resources: list (selectors, limit/continue), watch, get, create, update, patch,
// delete and the status subresource, answering with the endpoint's view of stored objects (or a
// Table for kubectl). Routing of URLs to endpoints happens in routes.ts.

import { randomUUID } from "node:crypto";
import { decodeContinue, encodeContinue } from "./continue-token.ts";
import { isWatchRequest, type Exchange } from "./exchange.ts";
import { isObject, metadataOf, stringField, type JsonObject } from "./json.ts";
import { applyMergePatch } from "./merge-patch.ts";
import type { ObjectStore } from "./object-store.ts";
import type { Registry, WriteScope } from "./registry.ts";
import { apiVersionOf, type ResourceEndpoint } from "./resource-types.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { KubeStatusError, badRequest, expired, methodNotAllowed, notFound } from "./status-error.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";
import { TABLE_CONTENT_TYPE, toTable, wantsTable, type IncludeObject } from "./table.ts";
import type { WatchHub } from "./watch-hub.ts";
import { WatchStream, matchesFilter, type WatchFilter } from "./watch-stream.ts";

export interface ResourceRoute {
  readonly endpoint: ResourceEndpoint;
  /** Undefined for cluster-scoped resources and for all-namespace lists. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export interface ResourceApiOptions {
  readonly store: ObjectStore;
  readonly registry: Registry;
  readonly hub: WatchHub;
  readonly now: () => number;
  /** Answer a watch from a compacted resourceVersion with HTTP 410 instead of a 200 + ERROR event. */
  readonly expiredWatchAsHttp410: boolean;
}

const PATCH_TYPES = {
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
} as const;

function errorSubject(endpoint: ResourceEndpoint): { plural: string; group: string; kind: string } {
  return { plural: endpoint.plural, group: endpoint.group, kind: endpoint.kind };
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject") ?? "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  throw badRequest(`includeObject: unsupported value "${value}" (None, Metadata or Object)`);
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const value of values) {
    if (value !== "All") throw badRequest(`dryRun: unsupported value "${value}": only "All" is supported`);
  }
  return values.length > 0;
}

function parseResourceVersion(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw badRequest(`invalid resource version "${value}": must be an unsigned integer`);
  return Number(value);
}

export class ResourceApi {
  readonly #store: ObjectStore;
  readonly #registry: Registry;
  readonly #hub: WatchHub;
  readonly #now: () => number;
  readonly #expiredAs410: boolean;

  constructor(options: ResourceApiOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#hub = options.hub;
    this.#now = options.now;
    this.#expiredAs410 = options.expiredWatchAsHttp410;
  }

  handle(exchange: Exchange, route: ResourceRoute): void {
    const { method } = exchange;
    if (route.subresource !== undefined) {
      if (route.subresource !== "status" || !route.endpoint.storage.hasStatus || route.name === undefined) {
        throw notFound(errorSubject(route.endpoint), route.name ?? "");
      }
      if (method === "GET") return this.#get(exchange, route, route.name);
      if (method === "PUT") return this.#update(exchange, route, route.name, "status");
      if (method === "PATCH") return this.#patch(exchange, route, route.name, "status");
      throw methodNotAllowed(method);
    }
    if (route.name === undefined) {
      if (method === "GET") {
        return isWatchRequest(exchange.url) ? this.#watch(exchange, route) : this.#list(exchange, route);
      }
      if (method === "POST") {
        if (route.endpoint.namespaced && route.namespace === undefined) throw methodNotAllowed(method);
        return this.#create(exchange, route);
      }
      throw methodNotAllowed(method);
    }
    switch (method) {
      case "GET":
        return this.#get(exchange, route, route.name);
      case "PUT":
        return this.#update(exchange, route, route.name, "main");
      case "PATCH":
        return this.#patch(exchange, route, route.name, "main");
      case "DELETE":
        return this.#delete(exchange, route, route.name);
      default:
        throw methodNotAllowed(method);
    }
  }

  #filter(exchange: Exchange, route: ResourceRoute): WatchFilter {
    const { endpoint } = route;
    return {
      endpoint,
      namespace: route.namespace,
      labelSelector: parseLabelSelector(exchange.query.get("labelSelector")),
      fieldSelector: parseFieldSelector(exchange.query.get("fieldSelector"), endpoint.storage.selectableFields),
    };
  }

  #list(exchange: Exchange, route: ResourceRoute): void {
    const { endpoint } = route;
    const filter = this.#filter(exchange, route);
    const limitText = exchange.query.get("limit");
    const limit = limitText === null || limitText === "" ? 0 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: invalid value "${limitText}": must be a non-negative integer`);
    const continueText = exchange.query.get("continue") ?? "";
    let items: readonly JsonObject[];
    let resourceVersion: number;
    let snapshotId: string;
    let offset = 0;
    if (continueText !== "") {
      const position = decodeContinue(continueText);
      const snapshot = this.#store.snapshot(position.snapshotId);
      if (snapshot === undefined || snapshot.storage !== endpoint.storage.key) {
        // kube-apiserver's wording; it also puts a token for an inconsistent continuation in the
        // Status's metadata.continue, which the fake does not (docs/fake-kube.md, differences).
        throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, " +
            "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an " +
            "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      items = snapshot.items;
      resourceVersion = snapshot.resourceVersion;
      snapshotId = position.snapshotId;
      offset = position.offset;
    } else {
      items = this.#store.list(endpoint.storage.key, route.namespace).filter((obj) => matchesFilter(filter, obj));
      resourceVersion = this.#store.resourceVersion;
      snapshotId = randomUUID();
    }
    const end = limit === 0 ? items.length : Math.min(items.length, offset + limit);
    const page = items.slice(offset, end);
    let continueToken: string | undefined;
    if (end < items.length) {
      if (continueText === "") this.#store.saveSnapshot(snapshotId, { storage: endpoint.storage.key, resourceVersion, items });
      continueToken = encodeContinue({ snapshotId, resourceVersion, offset: end });
    }
    const views = page.map((obj) => endpoint.toView(obj));
    if (wantsTable(exchange.header("accept"))) {
      const table = toTable(views, {
        kind: endpoint.kind,
        now: this.#now(),
        includeObject: includeObjectOf(exchange.query),
        resourceVersion: String(resourceVersion),
        ...(continueToken === undefined ? {} : { continueToken }),
        withColumns: true,
      });
      exchange.send(200, table, TABLE_CONTENT_TYPE);
      return;
    }
    const metadata: JsonObject = { resourceVersion: String(resourceVersion) };
    if (continueToken !== undefined) {
      metadata["continue"] = continueToken;
      const hasSelectors = filter.labelSelector.requirements.length > 0 || filter.fieldSelector.requirements.length > 0;
      if (!hasSelectors) metadata["remainingItemCount"] = items.length - end;
    }
    exchange.send(200, { kind: endpoint.listKind, apiVersion: apiVersionOf(endpoint), metadata, items: views });
  }

  #watch(exchange: Exchange, route: ResourceRoute): void {
    const { endpoint } = route;
    const filter = this.#filter(exchange, route);
    const rvText = exchange.query.get("resourceVersion") ?? "";
    const allowBookmarks = exchange.query.get("allowWatchBookmarks") === "true";
    const sendInitialEvents = exchange.query.get("sendInitialEvents") === "true";
    const timeoutText = exchange.query.get("timeoutSeconds");
    const timeoutSeconds = timeoutText === null || timeoutText === "" ? undefined : Number(timeoutText);
    if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) {
      throw badRequest(`timeoutSeconds: invalid value "${timeoutText}": must be a non-negative number`);
    }
    const synthetic = rvText === "" || rvText === "0" || sendInitialEvents;
    const fromRv = synthetic ? this.#store.resourceVersion : parseResourceVersion(rvText);
    const changes = synthetic ? [] : this.#store.changesSince(fromRv);
    const table = wantsTable(exchange.header("accept"));
    const includeObject = includeObjectOf(exchange.query);
    if (changes === "expired") {
      const gone = expired(`too old resource version: ${fromRv} (${this.#store.compactedThrough})`);
      if (this.#expiredAs410) {
        exchange.sendError(gone);
        return;
      }
      exchange.startStream(200, "application/json");
      exchange.response.end(`${JSON.stringify({ type: "ERROR", object: gone.toStatus() })}\n`);
      return;
    }
    exchange.startStream(200, table ? TABLE_CONTENT_TYPE : "application/json");
    let firstTable = true;
    const stream = new WatchStream({
      response: exchange.response,
      filter,
      allowBookmarks,
      description: `${exchange.url.pathname}${exchange.url.search}`,
      ...(synthetic ? {} : { fromResourceVersion: fromRv }),
      render: (view) => {
        if (!table) return view;
        const rendered = toTable([view], { kind: endpoint.kind, now: this.#now(), includeObject, withColumns: firstTable });
        firstTable = false;
        return rendered;
      },
    });
    // Replay and subscription happen in the same tick, so no change can fall between them.
    if (synthetic) {
      for (const obj of this.#store.list(endpoint.storage.key, route.namespace)) {
        if (matchesFilter(filter, obj)) stream.sendObject("ADDED", obj);
      }
    } else {
      for (const change of changes) stream.deliver(change);
    }
    if (sendInitialEvents) stream.bookmark(this.#store.resourceVersion, { "k8s.io/initial-events-end": "true" });
    else if (allowBookmarks) stream.bookmark(this.#store.resourceVersion);
    this.#hub.add(stream);
    let timer: NodeJS.Timeout | undefined;
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      timer = setTimeout(() => stream.close(), timeoutSeconds * 1000);
      timer.unref();
    }
    exchange.response.on("close", () => {
      if (timer !== undefined) clearTimeout(timer);
      this.#hub.remove(stream);
    });
  }

  #respondObject(exchange: Exchange, route: ResourceRoute, status: number, stored: JsonObject): void {
    const view = route.endpoint.toView(stored);
    if (wantsTable(exchange.header("accept"))) {
      const table = toTable([view], { kind: route.endpoint.kind, now: this.#now(), includeObject: includeObjectOf(exchange.query), withColumns: true });
      exchange.send(status, table, TABLE_CONTENT_TYPE);
      return;
    }
    exchange.send(status, view);
  }

  #get(exchange: Exchange, route: ResourceRoute, name: string): void {
    const stored = this.#registry.get(route.endpoint.storage.key, route.namespace, name, errorSubject(route.endpoint));
    this.#respondObject(exchange, route, 200, stored);
  }

  /** The request body as this endpoint's object, checked against its apiVersion and kind. */
  #bodyObject(exchange: Exchange, route: ResourceRoute): JsonObject {
    const body = exchange.jsonObject(`${route.endpoint.kind} body`);
    const apiVersion = apiVersionOf(route.endpoint);
    const givenApiVersion = stringField(body, "apiVersion");
    if (givenApiVersion !== undefined && givenApiVersion !== "" && givenApiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${givenApiVersion}) does not match the expected API version (${apiVersion})`);
    }
    const givenKind = stringField(body, "kind");
    if (givenKind !== undefined && givenKind !== "" && givenKind !== route.endpoint.kind) {
      throw badRequest(`the kind in the data (${givenKind}) does not match the expected kind (${route.endpoint.kind})`);
    }
    return route.endpoint.fromView({ ...body, apiVersion, kind: route.endpoint.kind });
  }

  #create(exchange: Exchange, route: ResourceRoute): void {
    const stored = this.#registry.create(route.endpoint.storage.key, route.namespace, this.#bodyObject(exchange, route), {
      dryRun: isDryRun(exchange.query),
      subject: errorSubject(route.endpoint),
    });
    this.#respondObject(exchange, route, 201, stored);
  }

  #update(exchange: Exchange, route: ResourceRoute, name: string, scope: WriteScope): void {
    const body = this.#bodyObject(exchange, route);
    const { object, created } = this.#registry.update(route.endpoint.storage.key, route.namespace, name, () => body, scope, {
      dryRun: isDryRun(exchange.query),
      subject: errorSubject(route.endpoint),
    });
    this.#respondObject(exchange, route, created ? 201 : 200, object);
  }

  #patch(exchange: Exchange, route: ResourceRoute, name: string, scope: WriteScope): void {
    const { endpoint } = route;
    const contentType = (exchange.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const patchType = (PATCH_TYPES as Record<string, "merge" | "strategic" | undefined>)[contentType];
    if (patchType === undefined) {
      throw new KubeStatusError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(", ")}`,
      );
    }
    const patch = exchange.json("patch");
    if (patch === undefined) throw badRequest("the patch body is empty");
    const { object } = this.#registry.update(
      endpoint.storage.key,
      route.namespace,
      name,
      (current) => {
        if (current === undefined) throw notFound(errorSubject(endpoint), name);
        const view = endpoint.toView(current);
        const patched = patchType === "merge" ? applyMergePatch(view, patch) : applyStrategicMergePatch(view, patch, endpoint.storage.patchSchema);
        return endpoint.fromView(patched);
      },
      scope,
      { dryRun: isDryRun(exchange.query), subject: errorSubject(endpoint) },
    );
    this.#respondObject(exchange, route, 200, object);
  }

  #delete(exchange: Exchange, route: ResourceRoute, name: string): void {
    const body = exchange.json("DeleteOptions");
    const options = isObject(body) ? body : {};
    const preconditions = isObject(options["preconditions"]) ? options["preconditions"] : {};
    const bodyDryRun = Array.isArray(options["dryRun"]) && options["dryRun"].includes("All");
    const result = this.#registry.delete(route.endpoint.storage.key, route.namespace, name, {
      dryRun: isDryRun(exchange.query) || bodyDryRun,
      subject: errorSubject(route.endpoint),
      preconditions: {
        ...(typeof preconditions["uid"] === "string" ? { uid: preconditions["uid"] } : {}),
        ...(typeof preconditions["resourceVersion"] === "string" ? { resourceVersion: preconditions["resourceVersion"] } : {}),
      },
    });
    if (!result.deleted) {
      this.#respondObject(exchange, route, 200, result.object);
      return;
    }
    exchange.send(200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, group: route.endpoint.group, kind: route.endpoint.plural, uid: metadataOf(result.object)["uid"] },
    });
  }
}
