// kubectl conformance: create -f, get (Table), get -o json, label, patch (status subresource where
// kubectl supports it), delete — against the fake's own kubeconfig, with HOME and the discovery cache
// in a temp dir. Works with kubectl 1.32 (and the gcloud dispatcher) and Debian bookworm's 1.20.
// Uses $KUBECTL when set, else `kubectl` from PATH; skipped with a message when there is none.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";
import { nodeFixture } from "./helpers.ts";

import { findKubectl } from "../../../test/support/kubectl.js";

const run = promisify(execFile);

const kubectlPath = findKubectl();
if (kubectlPath === undefined) {
  console.warn("fake-kube kubectl conformance test SKIPPED: no kubectl on PATH (set KUBECTL=/path/to/kubectl to run it)");
}

const NODE_YAML = `apiVersion: v1
kind: Node
metadata:
  name: node-b
  labels:
    tier: edge
spec:
  podCIDR: 10.0.2.0/24
  providerID: cn-hangzhou.i-nodeb
status:
  conditions:
  - type: Ready
    status: "True"
`;

describe.skipIf(kubectlPath === undefined)(`kubectl against fake-kube (${kubectlPath ?? "kubectl not found"})`, () => {
  let fake: FakeKubeServer;
  let home: string;
  let minor = 0;

  async function kubectl(...args: string[]): Promise<string> {
    return kubectlWith(fake, ...args);
  }

  async function kubectlWith(server: FakeKubeServer, ...args: string[]): Promise<string> {
    const { stdout } = await run(kubectlPath!, ["--kubeconfig", server.kubeconfigPath, "--cache-dir", join(home, "cache"), ...args], {
      env: { PATH: process.env["PATH"] ?? "", HOME: home },
      timeout: 30_000,
    });
    return stdout;
  }

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "fake-kube-kubectl-"));
    fake = await startFakeKube({ nodes: [nodeFixture("node-a", { labels: { "node-role.kubernetes.io/worker": "" } })] });
    const { stdout } = await run(kubectlPath!, ["version", "--client", "-o", "json"], { env: { PATH: process.env["PATH"] ?? "", HOME: home }, timeout: 30_000 });
    const version = JSON.parse(stdout) as { clientVersion: { minor: string } };
    // The gcloud dispatcher runs the bundled kubectl matching the server's minor version (the fake says 1.32).
    minor = Number.parseInt(version.clientVersion.minor, 10);
  });

  afterAll(async () => {
    await fake?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("creates, reads, labels, patches and deletes a Node", async () => {
    const manifest = join(home, "node.yaml");
    await writeFile(manifest, NODE_YAML);
    // kubectl < 1.29 validates against /openapi/v2 (protobuf), which the fake does not serve.
    const validate = minor < 29 ? ["--validate=false"] : [];
    expect(await kubectl("create", ...validate, "-f", manifest)).toContain("node/node-b created");
    expect(fake.getNode("node-b")).toMatchObject({ metadata: { labels: { tier: "edge" } }, status: { conditions: [{ type: "Ready" }] } });

    const table = await kubectl("get", "nodes");
    expect(table.split("\n")[0]?.split(/\s+/)).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    expect(table).toMatch(/node-a\s+Ready\s+worker\s+/);
    expect(table).toMatch(/node-b\s+Ready\s+<none>\s+/);

    const asJson = JSON.parse(await kubectl("get", "node", "node-b", "-o", "json")) as { kind: string; metadata: { uid: string; resourceVersion: string } };
    expect(asJson.kind).toBe("Node");
    expect(asJson.metadata.uid).toBe((fake.getNode("node-b")?.["metadata"] as { uid: string }).uid);

    expect(await kubectl("label", "node", "node-b", "zone=a")).toContain("node/node-b labeled");
    expect(fake.getNode("node-b")).toMatchObject({ metadata: { labels: { tier: "edge", zone: "a" } } });

    // On the main resource, status in a patch is ignored (labels still change).
    await kubectl("patch", "node", "node-b", "--type=strategic", "-p", '{"metadata":{"labels":{"patched":"yes"}},"status":{"conditions":[{"type":"Ready","status":"False"}]}}');
    expect(fake.getNode("node-b")).toMatchObject({ metadata: { labels: { patched: "yes" } }, status: { conditions: [{ type: "Ready", status: "True" }] } });

    if (minor >= 24) {
      await kubectl(
        "patch",
        "node",
        "node-b",
        "--subresource=status",
        "--type=strategic",
        "-p",
        '{"status":{"conditions":[{"type":"NetworkUnavailable","status":"False","reason":"RouteCreated"}]}}',
      );
      const conditions = (fake.getNode("node-b")?.["status"] as { conditions: { type: string; status: string }[] }).conditions;
      expect(conditions.map((c) => `${c.type}=${c.status}`)).toEqual(["Ready=True", "NetworkUnavailable=False"]);
    }

    expect(await kubectl("delete", "node", "node-b")).toContain('node "node-b" deleted');
    expect(fake.getNode("node-b")).toBeUndefined();
    expect((await kubectl("get", "nodes", "-o", "name")).trim()).toBe("node/node-a");
  });

  it("talks https and sends the bearer token when the fake serves TLS", async () => {
    // Over plain http kubectl sends no credentials at all (client-go attaches them only for https).
    const secure = await startFakeKube({ tls: true, anonymous: false, nodes: [nodeFixture("tls-node")] });
    try {
      expect((await kubectlWith(secure, "get", "nodes", "-o", "name")).trim()).toBe("node/tls-node");
      expect(secure.requests().filter((r) => r.path === "/api/v1/nodes").map((r) => [r.status, r.authenticated])).toEqual([[200, true]]);
    } finally {
      await secure.close();
    }
  });
});
