// The RAM policy the docs hand out (deploy/ram/vpc-route-sync-policy.json) names exactly the VPC
// actions the code calls: the actions in the fake VPC API's request log over reconcile runs that
// discover route tables, create, re-mark and delete routes, and the calls the adapter's client makes
// (src/cloud/alibaba/vpc-api.ts). An action added to the code without the policy, or left in the
// policy after the code stops calling it, fails here. (Found vpc:ModifyRouteEntry when re-marking
// legacy routes landed.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { DEMO_CLUSTER_CIDR, DEMO_CLUSTER_NAME, DEMO_REGION_ID, DEMO_VPC_ID, demoNodes, demoVpcs } from "../../dev/demo-world.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { baseEnv, runCli } from "../support/cli.js";
import { REPO } from "../support/renderings.js";

const POLICY = JSON.parse(readFileSync(join(REPO, "deploy/ram/vpc-route-sync-policy.json"), "utf8")) as {
  Statement: { Effect: string; Action: string[]; Resource: string }[];
};
const policyActions = (): string[] => POLICY.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action).sort();

let kube: FakeKubeServer;
let vpc: FakeVpcServer;
const logged = new Set<string>();

beforeAll(async () => {
  kube = await startFakeKube({ nodes: demoNodes() });
  // Plus a route with a marker from before the cluster UID (a "legacy" marker) that still serves a
  // Node: the first pass re-marks it in place (ModifyRouteEntry).
  const vpcs = demoVpcs().map((v) => ({
    ...v,
    tables: v.tables.map((t) => ({
      ...t,
      entries: [
        ...(t.entries ?? []),
        { destinationCidr: "10.244.0.0/24", nextHopType: "Instance", nextHopId: "i-bp1demo000000000001", ...routeMarker(DEMO_CLUSTER_NAME, "cn-hangzhou.192.168.0.11") },
      ],
    })),
  }));
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs, pendingMs: 0 });
  const reconcile = (...extra: string[]) =>
    runCli(
      ["reconcile", "--region", DEMO_REGION_ID, "--vpc-id", DEMO_VPC_ID, "--cluster-name", DEMO_CLUSTER_NAME, "--cluster-cidr", DEMO_CLUSTER_CIDR,
        "--vpc-endpoint", vpc.url, "--kubeconfig", kube.kubeconfigPath, "--no-progress", "--max-deletions", "100%", ...extra],
      { env: baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET }) },
    );
  // Discovery from --vpc-id, creates and a re-mark; then a Node goes away and its route is deleted.
  expect((await reconcile()).code).toBe(0);
  const [first] = kube.listNodes();
  kube.deleteNode(String((first as { metadata: { name: string } }).metadata.name));
  const second = await reconcile();
  expect(second.code, second.stderr).toBe(0);
  for (const request of vpc.requests()) logged.add(request.action);
});

afterAll(async () => {
  await Promise.all([kube.close(), vpc.close()]);
});

describe("the RAM policy", () => {
  it("allows exactly the VPC actions the reconcile runs called", () => {
    expect([...logged].map((action) => `vpc:${action}`).sort()).toEqual(policyActions());
  });

  it("allows exactly the calls the adapter's VPC client makes", () => {
    const source = readFileSync(join(REPO, "src/cloud/alibaba/vpc-api.ts"), "utf8");
    const calls = [...new Set([...source.matchAll(/#call\("(\w+)"/g)].map((m) => m[1]!))];
    expect(calls.map((call) => `vpc:${call}`).sort()).toEqual(policyActions());
  });

  it("is the one the docs name, with no other VPC action", () => {
    for (const doc of ["docs/install.md", "docs/rrsa.md", "docs/operations.md", "docs/cloud-adapter.md", "README.md"]) {
      const text = readFileSync(join(REPO, doc), "utf8");
      const named = [...new Set([...text.matchAll(/\bvpc:[A-Z]\w+/g)].map((m) => m[0]))].sort();
      expect(named.filter((action) => !policyActions().includes(action)), doc).toEqual([]);
    }
    expect(readFileSync(join(REPO, "docs/install.md"), "utf8")).toContain("deploy/ram/vpc-route-sync-policy.json");
  });
});
