import { request as httpRequest } from "node:http";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, describe, expect, it } from "vitest";
import { BindAddressError, parseBindAddress } from "../../src/observability/bind-address.js";
import {
  healthRoutes,
  metricsRoutes,
  startHealthServer,
  startHttpServer,
  startMetricsServer,
  type HealthStatus,
  type RunningHttpServer,
} from "../../src/observability/http-server.js";
import { Metrics } from "../../src/observability/metrics.js";

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function track(server: Promise<RunningHttpServer>): Promise<RunningHttpServer> {
  const started = await server;
  servers.push(started);
  return started;
}

async function get(server: RunningHttpServer, path: string, method = "GET"): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}${path}`, { method });
}

describe("parseBindAddress", () => {
  it.each([
    [":9090", undefined, 9090],
    ["127.0.0.1:0", "127.0.0.1", 0],
    ["0.0.0.0:8081", "0.0.0.0", 8081],
    ["localhost:65535", "localhost", 65535],
    ["[::]:8081", "::", 8081],
    ["[::1]:0", "::1", 0],
    [" :9090 ", undefined, 9090],
  ])("parses %j", (text, host, port) => {
    expect(parseBindAddress(text)).toEqual({ host, port });
  });

  it.each([
    ["9090", /missing ':PORT'/],
    [":", /"" is not a port number/],
    [":http", /"http" is not a port number/],
    [":70000", /port 70000 is above 65535/],
    [":-1", /"-1" is not a port number/],
    ["::1:80", /IPv6 address must be written in brackets/],
    ["[::1]80", /missing ':PORT' after '\]'/],
    ["[::1:80", /missing '\]'/],
    ["[127.0.0.1]:80", /"127.0.0.1" is not an IPv6 address/],
    ["bad host:80", /"bad host" is not an IPv4 address or host name/],
  ])("rejects %j naming it", (text, problem) => {
    let error: unknown;
    try {
      parseBindAddress(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BindAddressError);
    expect((error as Error).message).toContain(`invalid bind address ${JSON.stringify(text)}`);
    expect((error as Error).message).toMatch(problem);
  });
});

describe("startMetricsServer", () => {
  it("serves /metrics in the Prometheus text format and returns the bound port", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.setLeader(true);
    const server = await track(startMetricsServer(metrics, "127.0.0.1:0"));
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe("127.0.0.1");

    const res = await get(server, "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(metrics.contentType);
    const leader = parsePrometheusTextFormat(await res.text()).find((f) => f.name === "vpc_route_sync_leader");
    expect(leader?.metrics[0]?.value).toBe("1");
  });

  it.each([
    ["/", 404],
    ["/metricsx", 404],
    ["/healthz", 404],
  ])("answers %s with %i", async (path, status) => {
    const server = await track(startMetricsServer(new Metrics({ defaultMetrics: false }), "127.0.0.1:0"));
    const res = await get(server, path);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(`not found: ${path}\n`);
  });

  it("ignores the query string, answers HEAD without a body and refuses other methods", async () => {
    const server = await track(startMetricsServer(new Metrics({ defaultMetrics: false }), "127.0.0.1:0"));
    expect((await get(server, "/metrics?x=1")).status).toBe(200);
    const head = await get(server, "/metrics", "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await get(server, "/metrics", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 500 when rendering fails", async () => {
    const failing = { contentType: "text/plain", render: () => Promise.reject(new Error("registry broke")) };
    const server = await track(startMetricsServer(failing, "127.0.0.1:0"));
    const res = await get(server, "/metrics");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("error: registry broke\n");
  });
});

describe("startHealthServer", () => {
  it.each<[string, HealthStatus, number, string]>([
    ["healthy", { ok: true }, 200, "ok\n"],
    ["healthy with detail", { ok: true, detail: "leader" }, 200, "ok: leader\n"],
    ["unhealthy", { ok: false, detail: "informer not synced" }, 503, "not ok: informer not synced\n"],
  ])("/readyz when %s", async (_what, status, code, body) => {
    const server = await track(startHealthServer({ healthz: () => ({ ok: true }), readyz: () => status }, "127.0.0.1:0"));
    const res = await get(server, "/readyz");
    expect(res.status).toBe(code);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe(body);
  });

  it("reports 503 when a check throws or rejects", async () => {
    const server = await track(
      startHealthServer(
        {
          healthz: () => {
            throw new Error("loop stuck");
          },
          readyz: () => Promise.reject(new Error("no lease")),
        },
        "127.0.0.1:0",
      ),
    );
    const healthz = await get(server, "/healthz");
    expect([healthz.status, await healthz.text()]).toEqual([503, "not ok: check failed: loop stuck\n"]);
    const readyz = await get(server, "/readyz");
    expect([readyz.status, await readyz.text()]).toEqual([503, "not ok: check failed: no lease\n"]);
  });

  it("reflects the current state on each request", async () => {
    let ready = false;
    const server = await track(startHealthServer({ healthz: () => ({ ok: true }), readyz: () => ({ ok: ready }) }, "127.0.0.1:0"));
    expect((await get(server, "/readyz")).status).toBe(503);
    ready = true;
    expect((await get(server, "/readyz")).status).toBe(200);
  });
});

describe("startHttpServer", () => {
  it("serves metrics and health routes on one port", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const server = await track(
      startHttpServer({
        bindAddress: "127.0.0.1:0",
        routes: { ...metricsRoutes(metrics), ...healthRoutes({ healthz: () => ({ ok: true }), readyz: () => ({ ok: true }) }) },
      }),
    );
    expect((await get(server, "/metrics")).status).toBe(200);
    expect((await get(server, "/healthz")).status).toBe(200);
    expect((await get(server, "/readyz")).status).toBe(200);
  });

  it("rejects a bad bind address before listening", async () => {
    await expect(startHttpServer({ bindAddress: "9090", routes: {} })).rejects.toThrow(/invalid bind address "9090"/);
  });

  it("names the address when the port is taken", async () => {
    const first = await track(startHttpServer({ bindAddress: "127.0.0.1:0", routes: {} }));
    const taken = `127.0.0.1:${first.port}`;
    await expect(startHttpServer({ bindAddress: taken, routes: {} })).rejects.toThrow(`cannot listen on "${taken}"`);
  });

  it("close() ends open keep-alive connections and is idempotent", async () => {
    const server = await startHttpServer({ bindAddress: "127.0.0.1:0", routes: { "/x": () => ({ status: 200, body: "x" }) } });
    // A keep-alive client that holds its socket open after the response, as Prometheus does.
    const socketClosed = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/x", headers: { connection: "keep-alive" } }, (res) => {
        res.resume();
        res.on("end", () => {
          req.socket?.once("close", () => resolve());
          void server.close();
        });
      });
      req.on("error", reject);
      req.end();
    });
    await socketClosed;
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/x`)).rejects.toThrow();
  });
});
