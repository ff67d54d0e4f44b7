// End-to-end: the built CLI's `reconcile` against the fake Kubernetes API and the fake VPC API.
import { GATE_RULES } from "../../src/domain/write-gate.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DEMO_CLUSTER_CIDR,
  DEMO_CLUSTER_NAME,
  DEMO_REGION_ID,
  DEMO_ROUTE_TABLE_ID,
  DEMO_VPC_ID,
  demoNodes,
  demoVpcs,
} from "../../dev/demo-world.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv, collect, runCli, startCli } from "../support/cli.js";
import { waitFor } from "../support/wait-for.js";

const WRITE_ACTIONS = new Set(["CreateRouteEntry", "CreateRouteEntries", "DeleteRouteEntry", "DeleteRouteEntries", "ModifyRouteEntry"]);

// The documented JSON report (docs/cli.md, schemaVersion 1).
const errorSchema = z.object({ code: z.string(), message: z.string(), requestId: z.string().nullable() }).strict();
const reportSchema = z
  .object({
    schemaVersion: z.literal(1),
    dryRun: z.boolean(),
    routeTableIds: z.array(z.string()),
    actions: z.array(
      z
        .object({
          kind: z.enum(["create", "delete"]),
          routeTableId: z.string(),
          destinationCidr: z.string(),
          instanceId: z.string(),
          nodeName: z.string().nullable(),
          reason: z.enum(["missing", "stale", "next-hop-changed", "cidr-changed"]),
          result: z.enum(["planned", "succeeded", "failed", "unknown"]),
          error: errorSchema.nullable(),
        })
        .strict(),
    ),
    conflicts: z.array(
      z
        .object({
          reason: z.string(),
          routeTableId: z.string().nullable(),
          destinationCidr: z.string(),
          nodeName: z.string(),
          message: z.string(),
        })
        .strict(),
    ),
    skipped: z.array(z.object({ nodeName: z.string(), reason: z.string(), message: z.string() }).strict()),
    refusal: z.object({ reason: z.string(), message: z.string() }).strict().nullable(),
    held: z.array(
      z
        .object({
          kind: z.enum(["create", "delete"]),
          routeTableId: z.string(),
          routeEntryId: z.string().nullable(),
          destinationCidr: z.string(),
          instanceId: z.string(),
          nodeName: z.string().nullable(),
          reason: z.string(),
        })
        .strict(),
    ),
    marks: z.array(
      z
        .object({
          routeTableId: z.string(),
          routeEntryId: z.string(),
          destinationCidr: z.string(),
          nodeName: z.string().nullable(),
          reason: z.enum(["hold-deletion", "release-hold", "migrate-marker", "claim"]),
          result: z.enum(["planned", "succeeded", "failed"]),
          error: errorSchema.nullable(),
        })
        .strict(),
    ),
    unclaimed: z.array(
      z.object({ routeTableId: z.string(), routeEntryId: z.string(), destinationCidr: z.string(), instanceId: z.string(), nodeName: z.string() }).strict(),
    ),
    tableErrors: z.array(z.object({ routeTableId: z.string(), code: z.string(), message: z.string() }).strict()),
    networkError: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
    refusedWrites: z.array(
      z
        .object({ kind: z.enum(["create", "delete", "modify"]), routeTableId: z.string(), destinationCidr: z.string(), rule: z.enum(GATE_RULES), message: z.string() })
        .strict(),
    ),
    summary: z
      .object({
        nodes: z.number(),
        eligible: z.number(),
        skipped: z.number(),
        satisfied: z.number(),
        creates: z.number(),
        deletes: z.number(),
        conflicts: z.number(),
        failed: z.number(),
        unknown: z.number(),
      })
      .strict(),
    result: z.enum(["in-sync", "applied", "changes-pending", "failed", "refused"]),
  })
  .strict();

let kube: FakeKubeServer;
let vpc: FakeVpcServer;

beforeEach(async () => {
  kube = await startFakeKube({ nodes: demoNodes() });
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(kube.namespaceUid("kube-system")), pendingMs: 100 });
});

afterEach(async () => {
  await Promise.all([kube.close(), vpc.close()]);
});

function args(...extra: string[]): string[] {
  return [
    "reconcile",
    "--region",
    DEMO_REGION_ID,
    "--vpc-id",
    DEMO_VPC_ID,
    "--cluster-name",
    DEMO_CLUSTER_NAME,
    "--cluster-cidr",
    DEMO_CLUSTER_CIDR,
    "--vpc-endpoint",
    vpc.url,
    "--kubeconfig",
    kube.kubeconfigPath,
    "--api-qps",
    "50",
    ...extra,
  ];
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET, ...extra });
}

function routes(): string[] {
  return vpc
    .entries(DEMO_ROUTE_TABLE_ID)
    .map((e) => `${e.destinationCidr}>${e.nextHops.map((h) => h.nextHopId).join("+")}`)
    .sort();
}

function writeCalls(): number {
  return vpc.requests().filter((r) => WRITE_ACTIONS.has(r.action)).length;
}

describe("vpc-route-sync reconcile", () => {
  it("applies the plan, leaves foreign routes alone, and a second run finds nothing to do", async () => {
    const first = await runCli(args(), { env: env() });
    expect(first.stderr).not.toContain("Error");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Result: applied");
    expect(routes()).toEqual([
      "10.10.0.0/16>ri-bp1demo00000001",
      "10.244.0.0/24>i-bp1demo000000000001",
      "10.244.1.0/24>i-bp1demo000000000002",
      "10.244.2.0/24>i-bp1demo000000000003",
      "10.244.3.0/24>i-bp1demo000000000004",
      "100.64.0.0/10>",
      "172.16.0.0/16>vpn-bp1demo00000001",
      "192.168.0.0/24>",
    ]);
    vpc.resetRequests();
    const second = await runCli(args(), { env: env() });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Result: in-sync");
    expect(writeCalls()).toBe(0);
  });

  it("--dry-run makes no write call; --detailed-exitcode exits 3 on pending changes and 0 when in sync", async () => {
    const before = routes();
    const dry = await runCli(args("--dry-run", "--detailed-exitcode"), { env: env() });
    expect(dry.code).toBe(3);
    expect(writeCalls()).toBe(0);
    expect(routes()).toEqual(before);
    expect(dry.stdout).toContain("dry run");

    const plain = await runCli(args("--dry-run"), { env: env() });
    expect(plain.code).toBe(0);

    expect((await runCli(args(), { env: env() })).code).toBe(0);
    const inSync = await runCli(args("--dry-run", "--detailed-exitcode"), { env: env() });
    expect(inSync.code).toBe(0);
  });

  it("--output json follows the documented schema", async () => {
    const dry = await runCli(args("--dry-run", "--output", "json"), { env: env() });
    expect(dry.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(dry.stdout));
    expect(report.dryRun).toBe(true);
    expect(report.actions.map((a) => [a.kind, a.destinationCidr, a.reason, a.result])).toEqual([
      ["delete", "10.244.9.0/24", "stale", "planned"],
      ["create", "10.244.0.0/24", "missing", "planned"],
      ["create", "10.244.1.0/24", "missing", "planned"],
      ["create", "10.244.2.0/24", "missing", "planned"],
    ]);
    expect(report.skipped.map((s) => s.reason).sort()).toEqual([
      "excluded",
      "invalid-provider-id",
      "no-pod-cidr",
      "other-region",
      "virtual-kubelet",
    ]);
    const applied = reportSchema.parse(JSON.parse((await runCli(args("--output", "json"), { env: env() })).stdout));
    expect(applied.result).toBe("applied");
    expect(applied.actions.every((a) => a.result === "succeeded")).toBe(true);
  });

  it("two clusters sharing one --cluster-name in one VPC never delete each other's routes", async () => {
    expect((await runCli(args(), { env: env() })).code).toBe(0);
    const clusterA = routes();
    // Cluster B: another API server (another kube-system UID), same name, one Node of its own.
    const other = await startFakeKube({
      nodes: [{ metadata: { name: "b-node-1" }, spec: { providerID: `${DEMO_REGION_ID}.i-bp1other00000001`, podCIDR: "10.244.77.0/24" } }],
    });
    try {
      const asB = args("--max-deletions", "100%").map((a) => (a === kube.kubeconfigPath ? other.kubeconfigPath : a));
      const result = await runCli(asB, { env: env() });
      expect(result.code).toBe(0);
    } finally {
      await other.close();
    }
    expect(routes()).toEqual([...clusterA, "10.244.77.0/24>i-bp1other00000001"].sort());
  }, 120_000);

  it("--cluster-uid that is not this cluster's kube-system UID: exit 2, nothing written", async () => {
    const before = routes();
    const result = await runCli(args("--cluster-uid", "11111111-2222-4333-8444-555555555555"), { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not this cluster's kube-system namespace UID");
    expect(routes()).toEqual(before);
  }, 120_000);

  describe("the VPC's own network (read from the VPC, not only from System entries)", () => {
    const node2 = "cn-hangzhou.192.168.0.12";

    it("a Node whose pod CIDR contains a vSwitch CIDR gets no route and is reported; the others are routed (VPC found from --route-table-ids)", async () => {
      vpc.setVpcNetwork(DEMO_VPC_ID, {
        cidrBlock: "192.168.0.0/16",
        vSwitches: [
          { vSwitchId: "vsw-bp1demo0001", cidrBlock: "192.168.0.0/24" },
          // A vSwitch carved out of the pod network: Node 2's 10.244.1.0/24 would capture its traffic.
          { vSwitchId: "vsw-bp1demo0002", cidrBlock: "10.244.1.0/25" },
        ],
      });
      const byTable = args("--output", "json").filter((a, i, all) => a !== "--vpc-id" && all[i - 1] !== "--vpc-id");
      const result = await runCli([...byTable, "--route-table-ids", DEMO_ROUTE_TABLE_ID], { env: env() });
      expect(result.stderr).not.toContain("Error");
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.conflicts.map((c) => [c.reason, c.nodeName, c.destinationCidr])).toEqual([["overlaps-vpc-network", node2, "10.244.1.0/24"]]);
      expect(report.conflicts[0]?.message).toContain("10.244.1.0/25, the CIDR block of a vSwitch");
      expect(report.networkError).toBeNull();
      // The conflict leaves an eligible Node without a route: exit 4 (docs/cli.md), the others are applied.
      expect(result.code).toBe(4);
      expect(routes()).toEqual([
        "10.10.0.0/16>ri-bp1demo00000001",
        "10.244.0.0/24>i-bp1demo000000000001",
        "10.244.2.0/24>i-bp1demo000000000003",
        "10.244.3.0/24>i-bp1demo000000000004",
        "100.64.0.0/10>",
        "172.16.0.0/16>vpn-bp1demo00000001",
        "192.168.0.0/24>",
      ]);
      const reads = new Set(vpc.requests().map((r) => r.action));
      expect(reads.has("DescribeVpcAttribute") && reads.has("DescribeVSwitches")).toBe(true);
    });

    it("fails closed when the VPC cannot be read: no route is created, the failure is reported, exit 1", async () => {
      vpc.addFault({ action: "DescribeVpcAttribute", fault: { type: "error", status: 403, code: "Forbidden.RAM", message: "User not authorized to operate on the specified resource." } });
      const result = await runCli(args("--output", "json"), { env: env() });
      expect(result.code).toBe(1);
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.result).toBe("failed");
      expect(report.networkError?.code).toBe("Forbidden.RAM");
      expect(report.actions.filter((a) => a.kind === "create")).toEqual([]);
      expect(report.held.filter((h) => h.kind === "create").map((h) => [h.destinationCidr, h.reason])).toEqual([
        ["10.244.0.0/24", "vpc-network-unreadable"],
        ["10.244.1.0/24", "vpc-network-unreadable"],
        ["10.244.2.0/24", "vpc-network-unreadable"],
      ]);
      expect(vpc.requests().some((r) => r.action === "CreateRouteEntries" || r.action === "CreateRouteEntry")).toBe(false);
      expect(routes().filter((r) => r.startsWith("10.244.") && !r.startsWith("10.244.9.") && !r.startsWith("10.244.3."))).toEqual([]);
    });
  });

  it("reads Nodes from --nodes-file - (kubectl get nodes -o json on stdin) without the Kubernetes API", async () => {
    const list = { apiVersion: "v1", kind: "List", items: demoNodes() };
    const withoutKube = args("--output", "json").filter((a, i, all) => a !== "--kubeconfig" && all[i - 1] !== "--kubeconfig");
    const result = await runCli([...withoutKube, "--nodes-file", "-"], { env: env(), stdin: JSON.stringify(list) });
    expect(result.code).toBe(0);
    expect(reportSchema.parse(JSON.parse(result.stdout)).summary).toMatchObject({ nodes: 9, eligible: 4, creates: 3 });
    expect(kube.requests().length).toBe(0);
  });

  it("exits 1 when an action fails (route table quota) and reports the code", async () => {
    await vpc.close();
    vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(kube.namespaceUid("kube-system")), quotaPerTable: 5 });
    const result = await runCli(args("--output", "json"), { env: env() });
    expect(result.code).toBe(1);
    const report = reportSchema.parse(JSON.parse(result.stdout));
    expect(report.result).toBe("failed");
    expect(report.actions.filter((a) => a.result === "failed").map((a) => a.error?.code)).toContain("QuotaExceeded");
  });

  it("an unreadable route table is a failure of that table (exit 1, listed), never \"no changes\"", async () => {
    expect((await runCli(args(), { env: env() })).code).toBe(0);
    const withMissing = [...args("--route-table-ids", `${DEMO_ROUTE_TABLE_ID},vtb-bp1gone0000000001`)];
    const text = await runCli(withMissing, { env: env() });
    expect(text.code).toBe(1);
    expect(text.stdout).not.toContain("every eligible Node's route is in place");
    expect(text.stdout).toContain("1 route table(s) could not be read");
    expect(text.stdout).toMatch(/Route tables that could not be read:\n.*\n\s+vtb-bp1gone0000000001/);
    const json = reportSchema.parse(JSON.parse((await runCli([...withMissing, "--output", "json"], { env: env() })).stdout));
    expect(json.result).toBe("failed");
    expect(json.tableErrors.map((e) => e.routeTableId)).toEqual(["vtb-bp1gone0000000001"]);
  });

  it("SIGTERM after a delete was sent reports it unknown (never failed), and the unsent creates as not applied", async () => {
    await vpc.close();
    // Entries stay Deleting/Pending for 10 minutes: the run is still waiting for them when stopped.
    vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(kube.namespaceUid("kube-system")), pendingMs: 600_000 });
    const child = startCli(args("--output", "json"), { env: env() });
    const done = collect(child, { timeoutMs: 60_000 });
    await waitFor("the delete to be accepted", () => vpc.requests().some((r) => r.action === "DeleteRouteEntries" && r.status === 200));
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(1);
    const report = reportSchema.parse(JSON.parse(result.stdout));
    const stale = report.actions.find((a) => a.kind === "delete")!;
    // The server applied it (the entry is Deleting there): "failed" would be a lie.
    expect(vpc.entries(DEMO_ROUTE_TABLE_ID).find((e) => e.destinationCidr === stale.destinationCidr)?.status).toBe("Deleting");
    expect(stale).toMatchObject({ result: "unknown", error: { code: "Unconfirmed" } });
    for (const create of report.actions.filter((a) => a.kind === "create")) expect(create).toMatchObject({ result: "failed", error: { code: "Aborted" } });
    expect(report.summary).toMatchObject({ unknown: 1, failed: 3 });
    expect(vpc.requests().filter((r) => r.action === "CreateRouteEntries")).toHaveLength(0);
  });

  it("a wrong AccessKey secret fails with a clear message, exit 1, and the secret in no output", async () => {
    const secret = "wrong-secret-Zx81QpL0vT3mNc7bd";
    for (const extra of [[], ["--output", "json"], ["--log-level", "trace"], ["--dry-run", "--log-format", "text", "--log-level", "debug"]]) {
      const result = await runCli(args(...extra), { env: env({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret }) });
      expect(result.code).toBe(1);
      expect(`${result.stdout}\n${result.stderr}`).toMatch(/AccessKey/);
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  it("a VPC endpoint that does not answer fails with exit 1 naming the endpoint problem, secret not printed", async () => {
    const deadUrl = vpc.url;
    await vpc.close();
    const secret = FAKE_ACCESS_KEY_SECRET;
    vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs() });
    const result = await runCli(
      args("--dry-run").map((a) => (a === vpc.url ? deadUrl : a)),
      { env: env(), timeoutMs: 120_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe("vpc-route-sync reconcile: usage errors exit 2 and name the culprit", () => {
  it.each([
    [["--api-qps", "abc"], {}, "--api-qps"],
    [["--max-deletions", "-3"], {}, "--max-deletions"],
    [["--cluster-cidr", "10.244.0.1/16"], {}, "--cluster-cidr"],
    [["--output", "yaml"], {}, "--output"],
    [["--detailed-exitcode"], {}, "--detailed-exitcode"],
    [["--no-such-flag"], {}, "--no-such-flag"],
    [[], { VPC_ROUTE_SYNC_OUTPUT: "yaml" }, "VPC_ROUTE_SYNC_OUTPUT"],
    [[], { VPC_ROUTE_SYNC_ADOPT_UNMARKED: "maybe" }, "VPC_ROUTE_SYNC_ADOPT_UNMARKED"],
    [[], { VPC_ROUTE_SYNC_MAX_DELETIONS: "lots" }, "VPC_ROUTE_SYNC_MAX_DELETIONS"],
    [[], { VPC_ROUTE_SYNC_LOG_LEVEL: "loud" }, "VPC_ROUTE_SYNC_LOG_LEVEL"],
    [["--nodes-file", "/nonexistent/nodes.json"], {}, "/nonexistent/nodes.json"],
  ] as const)("%j %j", async (extra, extraEnv, culprit) => {
    const result = await runCli(args(...extra), { env: env(extraEnv) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(culprit);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an unknown command exits 2", async () => {
    const result = await runCli(["reconcil"], { env: baseEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("reconcil");
  });
});
