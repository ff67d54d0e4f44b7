// The small HTTP server for /metrics, /healthz and /readyz. Plain node:http: the surface is a few
// GET routes, and a framework would only add dependencies. close() also ends keep-alive
// connections (Prometheus keeps its scrape connection open), so shutdown does not hang.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { parseBindAddress } from "./bind-address.js";
import { closeServer, listen } from "../util/http-listen.js";
import type { Metrics } from "./metrics.js";
import { errorMessage } from "../errors.js";

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  /** @default "text/plain; charset=utf-8" */
  readonly contentType?: string;
}

/** Answers a GET (or HEAD) of one path. A thrown error becomes a 500 with its message. */
export type RouteHandler = () => HttpResponse | Promise<HttpResponse>;

export interface HttpServerOptions {
  /** ":PORT", "HOST:PORT" or "[IPv6]:PORT"; port 0 picks a free port. */
  readonly bindAddress: string;
  /** Exact paths (query strings are ignored) to handlers. */
  readonly routes: Readonly<Record<string, RouteHandler>>;
  /** Serve https with this PEM certificate and key instead of http. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /**
   * Asked before every request is served, with its Authorization header (e.g. delegated to the
   * API server: src/kube/metrics-authorizer.ts). Refusals answer 401 (with WWW-Authenticate), 403 or 500.
   */
  readonly authorize?: ((authorizationHeader: string | undefined) => Promise<AccessDecision>) | undefined;
}

/** What an `authorize` hook decided. */
export type AccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly reason: string };

export interface RunningHttpServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** The address actually bound, e.g. "127.0.0.1" or "::". */
  readonly address: string;
  /** Stop listening, end every open connection, resolve when the server is closed. Idempotent. */
  close(): Promise<void>;
}

/** A health check: `ok` decides 200 or 503; `detail` is a short reason shown in the body. */
export interface HealthStatus {
  readonly ok: boolean;
  readonly detail?: string | undefined;
}
export type HealthCheck = () => HealthStatus | Promise<HealthStatus>;

export interface HealthChecks {
  /** Liveness: is the process able to make progress (not: is the cloud reachable). */
  readonly healthz: HealthCheck;
  /** Readiness: e.g. informer synced and configuration valid. */
  readonly readyz: HealthCheck;
}

const TEXT = "text/plain; charset=utf-8";

function send(req: IncomingMessage, res: ServerResponse, response: HttpResponse, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(response.body, "utf8");
  res.writeHead(response.status, {
    "Content-Type": response.contentType ?? TEXT,
    "Content-Length": String(body.length),
    "Cache-Control": "no-store",
    ...extraHeaders,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

async function handle(routes: Readonly<Record<string, RouteHandler>>, req: IncomingMessage, res: ServerResponse, authorize: HttpServerOptions["authorize"]): Promise<void> {
  if (authorize !== undefined) {
    const decision = await authorize(req.headers.authorization);
    if (!decision.allowed) {
      send(req, res, { status: decision.status, body: `${decision.status === 500 ? "error" : "forbidden"}: ${decision.reason}\n` }, decision.status === 401 ? { "WWW-Authenticate": 'Bearer realm="vpc-route-sync"' } : {});
      return;
    }
  }
  const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
  const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (handler === undefined) {
    send(req, res, { status: 404, body: `not found: ${path}\n` });
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(req, res, { status: 405, body: `method ${req.method ?? ""} not allowed\n` }, { Allow: "GET, HEAD" });
    return;
  }
  let response: HttpResponse;
  try {
    response = await handler();
  } catch (err) {
    response = { status: 500, body: `error: ${errorMessage(err)}\n` };
  }
  send(req, res, response);
}

/** Start a server with the given routes; resolves once it is listening. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { host, port } = parseBindAddress(options.bindAddress);
  const routes = { ...options.routes };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(routes, req, res, options.authorize).catch((err: unknown) => {
      // Only reachable if writing the response itself failed (client gone); nothing left to tell it.
      if (!res.headersSent) send(req, res, { status: 500, body: `error: ${errorMessage(err)}\n` });
      else res.destroy();
    });
  };
  const server = options.tls === undefined ? createServer(listener) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener);
  // Probes and scrapes are tiny; a client that trickles a request must not hold a socket for minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  let bound: AddressInfo;
  try {
    bound = await listen(server, port, host);
  } catch (err) {
    throw new Error(`cannot listen on ${JSON.stringify(options.bindAddress)}: ${errorMessage(err)}`, { cause: err });
  }
  let closing: Promise<void> | undefined;
  return {
    port: bound.port,
    address: bound.address,
    close(): Promise<void> {
      closing ??= closeServer(server);
      return closing;
    },
  };
}

/** `/metrics` serving the registry of `metrics`. */
export function metricsRoutes(metrics: Pick<Metrics, "render" | "contentType">): Record<string, RouteHandler> {
  return {
    "/metrics": async () => ({ status: 200, body: await metrics.render(), contentType: metrics.contentType }),
  };
}

function healthRoute(check: HealthCheck): RouteHandler {
  return async () => {
    let status: HealthStatus;
    try {
      status = await check();
    } catch (err) {
      status = { ok: false, detail: `check failed: ${errorMessage(err)}` };
    }
    const word = status.ok ? "ok" : "not ok";
    const detail = status.detail !== undefined && status.detail !== "" ? `: ${status.detail}` : "";
    return { status: status.ok ? 200 : 503, body: `${word}${detail}\n` };
  };
}

/** `/healthz` and `/readyz`: 200 with "ok" or 503 with "not ok: detail". */
export function healthRoutes(checks: HealthChecks): Record<string, RouteHandler> {
  return { "/healthz": healthRoute(checks.healthz), "/readyz": healthRoute(checks.readyz) };
}

/**
 * A server with only `/metrics`.
 * @internal exported for tests
 */
export function startMetricsServer(metrics: Pick<Metrics, "render" | "contentType">, bindAddress: string): Promise<RunningHttpServer> {
  return startHttpServer({ bindAddress, routes: metricsRoutes(metrics) });
}

/**
 * A server with only `/healthz` and `/readyz`.
 * @internal exported for tests
 */
export function startHealthServer(checks: HealthChecks, bindAddress: string): Promise<RunningHttpServer> {
  return startHttpServer({ bindAddress, routes: healthRoutes(checks) });
}
