// End-to-end: the built `vpc-route-sync run` against the fake Kubernetes API and the fake VPC API,
// scraped over HTTP. The values on /metrics must move the way docs/metrics.md says when Nodes
// arrive, when the VPC API throttles, and when leadership changes hands.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import {
  DEFAULT_ROUTE_TABLE_ID,
  DEFAULT_VPC_ID,
  FAKE_ACCESS_KEY_ID,
  FAKE_ACCESS_KEY_SECRET,
  startFakeVpc,
  type FakeVpcServer,
} from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv } from "../support/cli.js";
import { RunningCli, scrape, until, type Scrape } from "./metrics-harness.js";

const REGION_ID = "cn-hangzhou";
const CLUSTER_CIDR = "10.244.0.0/16";
const TABLE = DEFAULT_ROUTE_TABLE_ID;
const DEFAULT_QUOTA = 200;
/** Per test: processes start and several states are awaited, each with its own deadline, on a possibly busy machine. */
const TEST_TIMEOUT_MS = 120_000;

const M = {
  routes: "vpc_route_sync_routes",
  operations: "vpc_route_sync_route_operations_total",
  apiCalls: "vpc_route_sync_cloud_api_calls_total",
  apiDuration: "vpc_route_sync_cloud_api_call_duration_seconds",
  retries: "vpc_route_sync_cloud_api_retries_total",
  throttles: "vpc_route_sync_cloud_api_throttles_total",
  latency: "vpc_route_sync_node_route_latency_seconds",
  nodes: "vpc_route_sync_nodes",
  entries: "vpc_route_sync_route_table_entries",
  entriesLimit: "vpc_route_sync_route_table_entries_limit",
  leader: "vpc_route_sync_leader",
  synced: "vpc_route_sync_informer_synced",
  reconciles: "vpc_route_sync_reconcile_total",
  reconcileDuration: "vpc_route_sync_reconcile_duration_seconds",
  lastSuccess: "vpc_route_sync_last_successful_reconcile_timestamp_seconds",
  informerRestarts: "vpc_route_sync_informer_restarts_total",
} as const;

/** An ECS Node with a valid providerID (`<region>.i-<alnum>`) and a pod CIDR inside the cluster CIDR. */
function ecsNode(index: number): object {
  const podCidr = `10.244.${index}.0/24`;
  return {
    metadata: { name: `ecs-node-${index}`, labels: { "kubernetes.io/os": "linux" } },
    spec: { providerID: `${REGION_ID}.i-bp1e2e${String(index).padStart(10, "0")}`, podCIDR: podCidr, podCIDRs: [podCidr] },
  };
}

/** An ECI virtual node: no ECS instance behind it, so it is counted under `virtual-kubelet`. */
const VIRTUAL_NODE = {
  metadata: { name: "virtual-kubelet-cn-hangzhou-k", labels: { type: "virtual-kubelet" } },
  spec: { podCIDR: "10.244.250.0/24", podCIDRs: ["10.244.250.0/24"] },
};

/** A Node the IPAM has not given a pod CIDR yet. */
const NODE_WITHOUT_CIDR = { metadata: { name: "ecs-node-new" }, spec: { providerID: `${REGION_ID}.i-bp1e2enocidr0001` } };

const running: RunningCli[] = [];
const fakes: { kube?: FakeKubeServer; vpc?: FakeVpcServer } = {};

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  await Promise.all([fakes.kube?.close(), fakes.vpc?.close()]);
  delete fakes.kube;
  delete fakes.vpc;
});

async function startFakes(nodes: object[]): Promise<{ kube: FakeKubeServer; vpc: FakeVpcServer }> {
  const kube = await startFakeKube({ nodes });
  const vpc = await startFakeVpc({ regionId: REGION_ID, pendingMs: 100 });
  fakes.kube = kube;
  fakes.vpc = vpc;
  return { kube, vpc };
}

function startController(kube: FakeKubeServer, vpc: FakeVpcServer, identity: string, extra: string[] = []): RunningCli {
  const cli = new RunningCli(
    [
      "run",
      "--region",
      REGION_ID,
      "--vpc-id",
      DEFAULT_VPC_ID,
      "--cluster-name",
      "e2e",
      "--cluster-cidr",
      CLUSTER_CIDR,
      "--vpc-endpoint",
      vpc.url,
      "--kubeconfig",
      kube.kubeconfigPath,
      "--api-qps",
      "50",
      "--aggregation-window",
      "100ms",
      // Long enough that no periodic pass runs during a test: every pass is caused by a change.
      "--resync-period",
      "10m",
      "--identity",
      identity,
      "--leader-election-namespace",
      "kube-system",
      // Default lease timings (robust on a loaded machine); a short retry period so that a follower
      // takes a released Lease quickly.
      "--retry-period",
      "500ms",
      "--metrics-bind-address",
      "127.0.0.1:0",
      "--health-probe-bind-address",
      "127.0.0.1:0",
      "--log-format",
      "json",
      "--log-level",
      "debug",
      ...extra,
    ],
    baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET }),
  );
  running.push(cli);
  return cli;
}

/** Scrapes until `ready` holds for a scrape, which is returned. */
async function scrapeUntil(cli: RunningCli, port: number, what: string, ready: (s: Scrape) => boolean): Promise<Scrape> {
  let last: Scrape | undefined;
  return until(
    what,
    async () => {
      last = await scrape(port);
      return ready(last) ? last : undefined;
    },
    { describe: () => `${summary(last)}\n${cli.tail()}` },
  );
}

/** The operator's samples of a scrape, one per line, for failure messages. */
function summary(s: Scrape | undefined): string {
  if (!s) return "(no scrape yet)";
  return s.text
    .split("\n")
    .filter((l) => l.startsWith("vpc_route_sync_") && !l.includes("_bucket"))
    .join("\n");
}

/** Answers the fake VPC gave, by action and code (`OK` for a 2xx), as the operator should count them. */
function servedCalls(vpc: FakeVpcServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of vpc.requests()) {
    if (r.status === 0) continue; // no answer sent (dropped or held): the client never saw a code
    const key = `${r.action} ${r.status < 300 ? "OK" : r.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function countedCalls(s: Scrape): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of s.samples.filter((x) => x.name === M.apiCalls)) counts.set(`${m.labels.action ?? ""} ${m.labels.code ?? ""}`, m.value);
  return counts;
}

function sorted(map: Map<string, number>): [string, number][] {
  return [...map].sort(([a], [b]) => a.localeCompare(b));
}

function customEntries(vpc: FakeVpcServer): number {
  return vpc.entries(TABLE).filter((e) => e.type === "Custom").length;
}

describe("vpc-route-sync run: /metrics moves with the world", () => {
  it("10 new Nodes: routes present +10, 10 creates, API calls by action, quota, and 10 event-to-route latencies", async () => {
    const { kube, vpc } = await startFakes([ecsNode(0), VIRTUAL_NODE, NODE_WITHOUT_CIDR]);
    const cli = startController(kube, vpc, "replica-a");
    const port = await cli.metricsPort();

    const before = await scrapeUntil(
      cli,
      port,
      "the first pass to route the existing Node",
      (s) => s.value(M.leader) === 1 && s.value(M.synced) === 1 && s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 1,
    );
    expect(before.value(M.nodes, { eligibility: "eligible" })).toBe(1);
    expect(before.value(M.nodes, { eligibility: "virtual-kubelet" })).toBe(1);
    expect(before.value(M.nodes, { eligibility: "no-pod-cidr" })).toBe(1);

    for (let i = 1; i <= 10; i++) kube.createNode(ecsNode(i));

    const present = (s: Scrape): number => s.valueOr0(M.routes, { route_table_id: TABLE, state: "present" });
    const creates = (s: Scrape): number => s.valueOr0(M.operations, { operation: "create", result: "success" });
    const after = await scrapeUntil(
      cli,
      port,
      "routes present +10, 10 creates and 10 latency observations",
      (s) =>
        present(s) >= present(before) + 10 &&
        creates(s) >= creates(before) + 10 &&
        s.histogramCount(M.latency) >= before.histogramCount(M.latency) + 10,
    );

    expect(present(after) - present(before)).toBe(10);
    expect(creates(after) - creates(before)).toBe(10);
    expect(after.valueOr0(M.operations, { operation: "create", result: "error" })).toBe(0);
    expect(after.histogramCount(M.latency) - before.histogramCount(M.latency)).toBe(10);
    for (const state of ["desired", "present"]) expect(after.value(M.routes, { route_table_id: TABLE, state })).toBe(11);
    for (const state of ["missing", "stale", "conflict"]) expect(after.value(M.routes, { route_table_id: TABLE, state })).toBe(0);

    // Nodes by eligibility: the virtual node and the Node without pod CIDR are counted under their reasons.
    expect(after.value(M.nodes, { eligibility: "eligible" })).toBe(11);
    expect(after.value(M.nodes, { eligibility: "virtual-kubelet" })).toBe(1);
    expect(after.value(M.nodes, { eligibility: "no-pod-cidr" })).toBe(1);
    expect(after.sum(M.nodes)).toBe(13);

    // Quota: what the table really holds, against the default limit.
    expect(after.value(M.entries, { route_table_id: TABLE })).toBe(customEntries(vpc));
    expect(after.value(M.entries, { route_table_id: TABLE })).toBe(11);
    expect(after.value(M.entriesLimit, { route_table_id: TABLE })).toBe(DEFAULT_QUOTA);

    expect(after.value(M.leader)).toBe(1);
    expect(after.value(M.synced)).toBe(1);
    expect(after.valueOr0(M.reconciles, { result: "success" })).toBeGreaterThan(before.valueOr0(M.reconciles, { result: "success" }));
    expect(after.valueOr0(M.reconciles, { result: "error" })).toBe(0);
    expect(after.value(M.lastSuccess)).toBeGreaterThan(0);
    expect(after.histogramCount(M.reconcileDuration)).toBe(after.sum(M.reconciles));

    // API calls by action and code: exactly what the fake VPC answered, once the last pass is over.
    const settled = await scrapeUntil(cli, port, "API call counts equal to the fake's answers", (s) => {
      const counted = countedCalls(s);
      const served = servedCalls(vpc);
      return served.size > 0 && sorted(counted).join() === sorted(served).join();
    });
    expect(settled.valueOr0(M.apiCalls, { action: "CreateRouteEntries", code: "OK" })).toBeGreaterThan(0);
    expect(settled.valueOr0(M.apiCalls, { action: "DescribeRouteEntryList", code: "OK" })).toBeGreaterThan(0);
    expect(settled.valueOr0(M.apiCalls, { action: "DescribeRouteTableList", code: "OK" })).toBeGreaterThan(0);
    for (const action of ["CreateRouteEntries", "DescribeRouteEntryList", "DescribeRouteTableList"]) {
      expect(settled.histogramCount(M.apiDuration, { action }), action).toBe(settled.sum(M.apiCalls, { action }));
    }
    expect(settled.sum(M.throttles)).toBe(0);
    expect(settled.sum(M.retries)).toBe(0);
    expect(vpc.entries(TABLE).filter((e) => e.type === "Custom" && e.status === "Available")).toHaveLength(11);
  }, TEST_TIMEOUT_MS);

  it("throttling injected in the VPC API: throttles and retries are counted, and the routes still converge", async () => {
    const { kube, vpc } = await startFakes([ecsNode(0)]);
    const cli = startController(kube, vpc, "replica-a");
    const port = await cli.metricsPort();
    const before = await scrapeUntil(cli, port, "the first pass", (s) => s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 1);
    expect(before.sum(M.throttles)).toBe(0);

    vpc.addFault({ action: "DescribeRouteEntryList", count: 3, fault: { type: "throttling", retryAfterMs: 20 } });
    vpc.addFault({ action: "CreateRouteEntries", count: 2, fault: { type: "throttling", retryAfterMs: 20 } });
    for (let i = 1; i <= 3; i++) kube.createNode(ecsNode(i));

    const after = await scrapeUntil(
      cli,
      port,
      "the new routes despite throttling",
      (s) => s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 4 && s.sum(M.throttles) >= 5,
    );
    expect(vpc.faults()).toEqual([]); // every injected throttle was served
    expect(after.value(M.throttles, { action: "DescribeRouteEntryList" })).toBe(3);
    expect(after.value(M.throttles, { action: "CreateRouteEntries" })).toBe(2);
    expect(after.value(M.apiCalls, { action: "DescribeRouteEntryList", code: "Throttling.User" })).toBe(3);
    expect(after.value(M.apiCalls, { action: "CreateRouteEntries", code: "Throttling.User" })).toBe(2);
    // A throttled call is retried (the limit is 6 attempts), so each throttle caused at least one retry.
    expect(after.valueOr0(M.retries, { action: "DescribeRouteEntryList" })).toBeGreaterThanOrEqual(3);
    expect(after.valueOr0(M.retries, { action: "CreateRouteEntries" })).toBeGreaterThanOrEqual(2);
    expect(after.valueOr0(M.operations, { operation: "create", result: "success" })).toBe(4);
    expect(after.valueOr0(M.operations, { operation: "create", result: "error" })).toBe(0);
    expect(customEntries(vpc)).toBe(4);
  }, TEST_TIMEOUT_MS);

  it("leader gauge: 1 on the leader and 0 on the follower, which exports no pass state until it takes over", async () => {
    const { kube, vpc } = await startFakes([ecsNode(0), ecsNode(1), VIRTUAL_NODE]);
    const leader = startController(kube, vpc, "replica-a");
    const leaderPort = await leader.metricsPort();
    await scrapeUntil(leader, leaderPort, "replica-a to lead and route", (s) => s.value(M.leader) === 1 && s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 2);

    const follower = startController(kube, vpc, "replica-b");
    const followerPort = await follower.metricsPort();
    const waiting = await scrapeUntil(follower, followerPort, "replica-b to sync its Node cache", (s) => s.value(M.synced) === 1);
    expect(waiting.value(M.leader)).toBe(0);
    expect(waiting.familySamples(M.routes)).toEqual([]);
    expect(waiting.familySamples(M.entries)).toEqual([]);
    expect(waiting.sum(M.nodes)).toBe(0);
    expect(waiting.sum(M.reconciles)).toBe(0);
    expect((await scrape(leaderPort)).value(M.leader)).toBe(1);

    const stopped = await leader.stop();
    expect(stopped.code).toBe(0);
    const took = await scrapeUntil(
      follower,
      followerPort,
      "replica-b to take over after replica-a released the Lease",
      (s) => s.value(M.leader) === 1 && s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 2,
    );
    expect(took.value(M.nodes, { eligibility: "eligible" })).toBe(2);
    expect(took.value(M.nodes, { eligibility: "virtual-kubelet" })).toBe(1);
    expect(took.valueOr0(M.operations, { operation: "create", result: "success" })).toBe(0); // the routes were already there
  }, TEST_TIMEOUT_MS);

  it("informer state: a broken Node watch is counted as a restart and the cache syncs again", async () => {
    const { kube, vpc } = await startFakes([ecsNode(0)]);
    const cli = startController(kube, vpc, "replica-a");
    const port = await cli.metricsPort();
    const before = await scrapeUntil(cli, port, "the first pass", (s) => s.value(M.synced) === 1 && s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 1);
    expect(before.value(M.informerRestarts)).toBe(0);

    await until("an open Node watch", () => (kube.openWatches().some((w) => w.startsWith("/api/v1/nodes")) ? true : undefined));
    expect(kube.faults.dropWatches("reset")).toBeGreaterThan(0);
    kube.createNode(ecsNode(1)); // made while the watch is down: found by the re-list

    const after = await scrapeUntil(
      cli,
      port,
      "a counted restart and the new Node routed",
      (s) => s.valueOr0(M.informerRestarts) >= 1 && s.value(M.synced) === 1 && s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 2,
    );
    expect(after.value(M.leader)).toBe(1);
  }, TEST_TIMEOUT_MS);
});

// Rows of the reference table in docs/metrics.md: | `name` | type | `label`, … or — | meaning |
const DOCS = readFileSync(join(import.meta.dirname, "../../docs/metrics.md"), "utf8");
const documented = new Map(
  [...DOCS.matchAll(/^\| `(vpc_route_sync_\w+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => [
    m[1]!,
    { type: m[2]!, labels: [...m[3]!.matchAll(/`(\w+)`/g)].map((l) => l[1]!).sort() },
  ]),
);
// The process and runtime families are documented as a group: backticked names, `*` a wildcard.
const runtimeStart = DOCS.indexOf("### Process and runtime metrics");
const runtimeSection = DOCS.slice(runtimeStart, DOCS.indexOf("\n#", runtimeStart + 1));
const runtimePatterns = [...runtimeSection.matchAll(/`((?:process|nodejs)_[a-z0-9_*]+)`/g)].map(
  (m) => new RegExp(`^${m[1]!.replace(/\*/g, "[a-z0-9_]*")}$`),
);

describe("vpc-route-sync run: the live exposition", () => {
  it("parses as Prometheus text, and every family it exposes is documented in docs/metrics.md with its type and labels", async () => {
    const { kube, vpc } = await startFakes([ecsNode(0), VIRTUAL_NODE]);
    vpc.addFault({ action: "DescribeRouteEntryList", count: 1, fault: { type: "throttling", retryAfterMs: 20 } });
    const cli = startController(kube, vpc, "replica-a");
    const port = await cli.metricsPort();
    const live = await scrapeUntil(cli, port, "a finished pass", (s) => s.value(M.routes, { route_table_id: TABLE, state: "present" }) === 1);

    // Scrape() parsed every sample line strictly; each belongs to a family announced by # HELP and # TYPE.
    const announced = new Set([...live.text.matchAll(/^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/gm)].map((m) => m[1]!));
    const helped = new Set([...live.text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]!));
    expect([...helped].sort()).toEqual([...announced].sort());
    for (const sample of live.samples) {
      const family = [sample.name, sample.name.replace(/_(bucket|count|sum)$/, "")].find((n) => announced.has(n));
      expect(family, `${sample.name} has no # TYPE`).toBeDefined();
    }
    expect([...live.families.keys()].sort()).toEqual([...announced].sort());

    const operator = [...live.families.values()].filter((f) => f.name.startsWith("vpc_route_sync_"));
    const others = [...live.families.values()].filter((f) => !f.name.startsWith("vpc_route_sync_"));
    for (const family of operator) {
      const doc = documented.get(family.name);
      expect(doc, `${family.name} is exposed but not documented in docs/metrics.md`).toBeDefined();
      expect(doc?.type, family.name).toBe(family.type.toLowerCase());
      const labels = new Set(live.familySamples(family.name).flatMap((m) => Object.keys(m.labels)));
      labels.delete("le");
      if (labels.size > 0) expect([...labels].sort(), `${family.name} labels`).toEqual(doc?.labels);
      expect(family.help, family.name).not.toBe("");
    }
    // Nothing documented that the controller does not expose.
    expect([...documented.keys()].sort()).toEqual(operator.map((f) => f.name).sort());
    // The rest are the default process/runtime collectors, each covered by the group's documentation.
    expect(others.length).toBeGreaterThan(0);
    for (const family of others) {
      expect(family.name, "an undocumented family prefix").toMatch(/^(process|nodejs)_/);
      expect(
        runtimePatterns.some((p) => p.test(family.name)),
        `${family.name} is not covered by the "Process and runtime metrics" section`,
      ).toBe(true);
    }

    // Label values stay bounded: no Node name, instance id or CIDR in any label.
    for (const family of operator) {
      for (const m of live.familySamples(family.name)) {
        for (const value of Object.values(m.labels)) expect(value, family.name).not.toMatch(/ecs-node|i-bp1e2e|\/\d+$|virtual-kubelet-/);
      }
    }
  }, TEST_TIMEOUT_MS);
});
