// HTTP control endpoints under `/__fake/` (a prefix no Kubernetes client uses) so that tests in other
// processes, and users of `npm run demo`, can inspect the request log and inject faults.

import type { Exchange } from "./exchange.ts";
import type { AnswerDelayRule, DropMode, ErrorRule, FaultControls, LatencyRule } from "./faults.ts";
import { isObject, type JsonObject } from "./json.ts";
import type { RequestLogEntry } from "./request-log.ts";
import { badRequest, methodNotAllowed, pathNotFound } from "./status-error.ts";

export const CONTROL_PREFIX = "/__fake/";

export interface ControlTargets {
  readonly faults: FaultControls;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  state(): JsonObject;
}

function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(`${key}: must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalNumber(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw badRequest(`${key}: must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function dropMode(body: JsonObject): DropMode {
  const mode = optionalString(body, "mode") ?? "close";
  if (mode !== "close" && mode !== "reset") throw badRequest(`mode: must be "close" or "reset", got ${JSON.stringify(mode)}`);
  return mode;
}

/** Runs a fault-controller call, turning its argument errors into 400s. */
function checked<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof TypeError) throw badRequest(error.message, error);
    throw error;
  }
}

export function handleControl(exchange: Exchange, targets: ControlTargets): void {
  const path = exchange.url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  const method = exchange.method;
  const ok = (payload: JsonObject = {}): void => exchange.send(200, { ok: true, ...payload });
  const body = (): JsonObject => controlBody(exchange);
  if (path === "faults/answer-delay") return answerDelay(method, body, targets.faults, ok);
  if (path.startsWith("faults/etcd-")) return etcdBackup(path, method, body, targets.faults, ok);
  return handleOther(exchange, targets, path, method, body, ok);
}

function controlBody(exchange: Exchange): JsonObject {
  const parsed = exchange.json("control request");
  if (parsed === undefined) return {};
  if (!isObject(parsed)) throw badRequest("control request: the body must be a JSON object");
  return parsed;
}

function handleOther(
  exchange: Exchange,
  targets: ControlTargets,
  path: string,
  method: string,
  body: () => JsonObject,
  ok: (payload?: JsonObject) => void,
): void {
  const { faults } = targets;

  if (path === "requests") {
    if (method === "GET") return exchange.send(200, { items: targets.requests() });
    if (method === "DELETE") return (targets.clearRequests(), ok());
    throw methodNotAllowed(method);
  }
  if (path === "state" && method === "GET") return exchange.send(200, targets.state());
  if (path === "faults" && method === "DELETE") return (faults.clear(), ok());
  if (path === "faults/errors") {
    if (method === "POST") {
      const rule = errorRule(body());
      return ok({ id: checked(() => faults.failRequests(rule)) });
    }
    if (method === "DELETE") return (faults.clearErrors(), ok());
    throw methodNotAllowed(method);
  }
  if (path.startsWith("faults/errors/") && method === "DELETE") {
    return (faults.clearErrors(decodeURIComponent(path.slice("faults/errors/".length))), ok());
  }
  if (path === "faults/latency") {
    if (method === "PUT" || method === "POST") {
      const b = body();
      const ms = optionalNumber(b, "ms");
      if (ms === undefined) throw badRequest("ms: required (milliseconds to delay matching requests by)");
      const rule: LatencyRule = {
        ms,
        ...(optionalString(b, "method") === undefined ? {} : { method: optionalString(b, "method") }),
        ...(optionalString(b, "path") === undefined ? {} : { path: optionalString(b, "path") }),
      };
      return (checked(() => faults.setLatency(rule)), ok());
    }
    if (method === "DELETE") return (faults.clearLatency(), ok());
    throw methodNotAllowed(method);
  }
  if (path === "faults/drop-watches" && method === "POST") {
    return ok({ dropped: faults.dropWatches(dropMode(body())) });
  }
  if (path === "faults/drop-watches-every") {
    if (method === "PUT" || method === "POST") {
      const b = body();
      const intervalMs = optionalNumber(b, "intervalMs");
      if (intervalMs === undefined) throw badRequest("intervalMs: required (how often to drop all watches)");
      return (checked(() => faults.dropWatchesEvery(intervalMs, dropMode(b))), ok());
    }
    if (method === "DELETE") return (faults.stopDroppingWatches(), ok());
    throw methodNotAllowed(method);
  }
  if (path === "faults/compact" && method === "POST") return (faults.compactHistory(), ok());
  if (path === "faults/bookmarks" && method === "POST") return ok({ sent: faults.sendBookmarks() });
  throw pathNotFound();
}

/** The ErrorRule of a `POST /__fake/faults/errors` body. */
function errorRule(b: JsonObject): ErrorRule {
  const status = optionalNumber(b, "status");
  if (status === undefined) throw badRequest("status: required (the HTTP status to answer with)");
  const watch = b["watch"];
  if (watch !== undefined && typeof watch !== "boolean") throw badRequest(`watch: must be a boolean, got ${JSON.stringify(watch)}`);
  const asWatchEvent = b["asWatchEvent"];
  if (asWatchEvent !== undefined && typeof asWatchEvent !== "boolean") throw badRequest(`asWatchEvent: must be a boolean, got ${JSON.stringify(asWatchEvent)}`);
  return {
    status,
    ...(optionalString(b, "method") === undefined ? {} : { method: optionalString(b, "method") }),
    ...(optionalString(b, "path") === undefined ? {} : { path: optionalString(b, "path") }),
    ...(optionalString(b, "query") === undefined ? {} : { query: optionalString(b, "query") }),
    ...(watch === undefined ? {} : { watch }),
    ...(asWatchEvent === undefined ? {} : { asWatchEvent }),
    ...(optionalNumber(b, "times") === undefined ? {} : { times: optionalNumber(b, "times") }),
    ...(optionalString(b, "reason") === undefined ? {} : { reason: optionalString(b, "reason") }),
    ...(optionalString(b, "message") === undefined ? {} : { message: optionalString(b, "message") }),
  };
}

/** `POST /__fake/faults/etcd-backup` (answers its id) and `POST /__fake/faults/etcd-restore` `{"id": …}`. */
function etcdBackup(path: string, method: string, body: () => JsonObject, faults: FaultControls, ok: (payload?: JsonObject) => void): void {
  if (method !== "POST") throw methodNotAllowed(method);
  if (path === "faults/etcd-backup") return ok({ id: faults.backupEtcd() });
  if (path !== "faults/etcd-restore") throw pathNotFound();
  const id = optionalString(body(), "id");
  if (id === undefined) throw badRequest("id: required (the id POST /__fake/faults/etcd-backup answered)");
  return ok({ closed: checked(() => faults.restoreEtcd(id)) });
}

/** `PUT|POST|DELETE /__fake/faults/answer-delay`: requests applied at once, answered `ms` later. */
function answerDelay(method: string, body: () => JsonObject, faults: FaultControls, ok: () => void): void {
  if (method === "PUT" || method === "POST") {
    const b = body();
    const ms = optionalNumber(b, "ms");
    if (ms === undefined) throw badRequest("ms: required (milliseconds to hold matching answers back by)");
    const times = optionalNumber(b, "times");
    const rule: AnswerDelayRule = {
      ms,
      ...(optionalString(b, "method") === undefined ? {} : { method: optionalString(b, "method") }),
      ...(optionalString(b, "path") === undefined ? {} : { path: optionalString(b, "path") }),
      ...(times === undefined ? {} : { times }),
    };
    checked(() => faults.delayAnswers(rule));
    return ok();
  }
  if (method === "DELETE") return (faults.clearAnswerDelay(), ok());
  throw methodNotAllowed(method);
}
