// End-to-end with kubectl: a user manages Nodes with kubectl against the fake Kubernetes API while
// the built `vpc-route-sync run` watches it, and sees the controller's answer with kubectl too (the
// NetworkUnavailable condition, the Events). Create from YAML -> route; label
// type=virtual-kubelet -> route removed; label removed -> route back; delete -> route removed.
// Uses $KUBECTL, else `kubectl` on PATH; skipped with a message when there is none. HOME and the
// discovery cache live in a temp dir. kubectl < 1.29 needs --validate=false (no /openapi/v2).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerWorld, expectedRoutes, instanceId, nodeSpecs, REGION_ID, type NodeSpec } from "../support/controller-world.js";
import { waitFor } from "../support/wait-for.js";

import { findKubectl } from "../support/kubectl.js";

const run = promisify(execFile);

const kubectlPath = findKubectl();
if (kubectlPath === undefined) {
  console.warn("controller kubectl test SKIPPED: no kubectl on PATH (set KUBECTL=/path/to/kubectl to run it)");
}

const NODE: NodeSpec = { name: "cn-hangzhou.192.168.0.50", instanceId: instanceId(50), podCIDR: "10.200.50.0/24" };

const NODE_YAML = `apiVersion: v1
kind: Node
metadata:
  name: ${NODE.name}
  labels:
    kubernetes.io/os: linux
spec:
  podCIDR: ${NODE.podCIDR}
  podCIDRs:
  - ${NODE.podCIDR}
  providerID: ${REGION_ID}.${NODE.instanceId}
status:
  conditions:
  - type: Ready
    status: "True"
`;

describe.skipIf(kubectlPath === undefined)(`vpc-route-sync run with kubectl (${kubectlPath ?? "kubectl not found"})`, () => {
  let world: ControllerWorld;
  let home: string;
  let minor = 0;

  async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run(kubectlPath!, ["--kubeconfig", world.kube.kubeconfigPath, "--cache-dir", join(home, "cache"), ...args], {
      env: { PATH: process.env["PATH"] ?? "", HOME: home },
      timeout: 30_000,
    });
    return stdout;
  }

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "controller-kubectl-"));
    const { stdout } = await run(kubectlPath!, ["version", "--client", "-o", "json"], { env: { PATH: process.env["PATH"] ?? "", HOME: home }, timeout: 30_000 });
    // The gcloud dispatcher runs the bundled kubectl matching the server's minor version (the fake says 1.32).
    minor = Number.parseInt((JSON.parse(stdout) as { clientVersion: { minor: string } }).clientVersion.minor, 10);
  });

  afterAll(async () => {
    await world?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("creates, labels, unlabels and deletes a Node with kubectl; the controller follows each step", async () => {
    // Three Nodes stay throughout, so deleting one route stays inside the default --max-deletions (50%).
    const base = nodeSpecs(3, "base");
    world = await ControllerWorld.start({ nodes: base });
    const w = world;
    const controller = await w.startController("a");
    await w.waitForRoutes(expectedRoutes(base), "the initial routes");

    const manifest = join(home, "node.yaml");
    await writeFile(manifest, NODE_YAML);
    const validate = minor < 29 ? ["--validate=false"] : [];
    expect(await kubectl("create", ...validate, "-f", manifest)).toContain(`node/${NODE.name} created`);
    await w.waitForRoutes(expectedRoutes([...base, NODE]), "a route for the Node kubectl created");
    // What the user sees: the condition through kubectl.
    const jsonpath = '-o=jsonpath={range .status.conditions[?(@.type=="NetworkUnavailable")]}{.status}/{.reason}{end}';
    await waitFor("kubectl to show NetworkUnavailable=False/RouteCreated", async () => (await kubectl("get", "node", NODE.name, jsonpath)) === "False/RouteCreated");

    expect(await kubectl("label", "node", NODE.name, "type=virtual-kubelet")).toContain("labeled");
    await w.waitForRoutes(expectedRoutes(base), "the route removed once the Node is a virtual node");

    // kubectl 1.20 says "labeled" for a removal too.
    expect(await kubectl("label", "node", NODE.name, "type-")).toMatch(/(un)?labeled/);
    await w.waitForRoutes(expectedRoutes([...base, NODE]), "the route back once the label is gone");

    const events = await kubectl("get", "events", "-n", "default", "--field-selector", `involvedObject.name=${NODE.name}`, "-o", "jsonpath={.items[*].reason}");
    expect(events.split(" ")).toEqual(expect.arrayContaining(["RouteCreated", "RouteDeleted"]));

    expect(await kubectl("delete", "node", NODE.name)).toContain(`node "${NODE.name}" deleted`);
    await w.waitForRoutes(expectedRoutes(base), "the route removed with the Node");
    expect((await controller.stop()).code).toBe(0);
  });
});
