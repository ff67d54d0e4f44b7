// End-to-end: `run --metrics-secure` serves /metrics over HTTPS only to bearer tokens that the
// (fake) API server authenticates and authorizes for `get /metrics`; the probes stay plain HTTP.
// With --metrics-cert-dir it serves the mounted certificate, else a self-signed one.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "../../src/observability/self-signed-certificate.js";
import { ControllerWorld, expectedRoutes, nodeSpecs } from "../support/controller-world.js";

const PROMETHEUS = "prometheus-token-0001";
const OTHER = "other-token-0001";
const IDENTITIES = {
  [PROMETHEUS]: { username: "system:serviceaccount:monitoring:prometheus", nonResourceGrants: [{ verb: "get", path: "/metrics" }] },
  [OTHER]: { username: "system:serviceaccount:default:other" },
};

let world: ControllerWorld | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function scrape(port: number, token: string | undefined, ca?: string): Promise<{ status: number; body: string; authenticate?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/metrics",
        servername: "localhost",
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers["www-authenticate"] ? { authenticate: res.headers["www-authenticate"] } : {}) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("vpc-route-sync run --metrics-secure", () => {
  it("serves /metrics over HTTPS to authorized tokens only, with a self-signed certificate", async () => {
    const specs = nodeSpecs(2);
    world = await ControllerWorld.start({ nodes: specs, kube: { identities: IDENTITIES } });
    const controller = await world.startController("a", {}, ["--metrics-secure"]);
    await world.waitForRoutes(expectedRoutes(specs));

    const allowed = await scrape(controller.metricsPort, PROMETHEUS);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain("vpc_route_sync_leader");
    expect(await scrape(controller.metricsPort, undefined)).toMatchObject({ status: 401, authenticate: 'Bearer realm="vpc-route-sync"' });
    expect(await scrape(controller.metricsPort, "forged")).toMatchObject({ status: 401 });
    expect(await scrape(controller.metricsPort, OTHER)).toMatchObject({ status: 403, body: "forbidden: system:serviceaccount:default:other may not get /metrics\n" });
    expect((await controller.readyz()).status).toBe(200);
  });

  it("serves the certificate from --metrics-cert-dir", async () => {
    dir = mkdtempSync(join(tmpdir(), "vpc-route-sync-metrics-tls-"));
    const certificate = createSelfSignedCertificate(["localhost"], { commonName: "metrics-test" });
    writeFileSync(join(dir, "tls.crt"), certificate.certPem);
    writeFileSync(join(dir, "tls.key"), certificate.keyPem);
    world = await ControllerWorld.start({ nodes: nodeSpecs(1), kube: { identities: IDENTITIES } });
    const controller = await world.startController("a", {}, ["--metrics-secure", "--metrics-cert-dir", dir]);
    // Verified against that certificate as the only CA: the server must present exactly it.
    expect((await scrape(controller.metricsPort, PROMETHEUS, certificate.certPem)).status).toBe(200);
  });
});
