import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { SKIP_REASONS } from "../../src/domain/types.js";
import { DEFAULT_METRIC_GROUPS, METRIC_DEFINITIONS, METRIC_PREFIX } from "../../src/observability/metric-definitions.js";
import { Metrics, OVERFLOW_LABEL } from "../../src/observability/metrics.js";

async function families(metrics: Metrics): Promise<Map<string, ParsedFamily>> {
  const parsed = parsePrometheusTextFormat(await metrics.render());
  return new Map(parsed.map((f) => [f.name, f]));
}

function sample(family: ParsedFamily | undefined, labels: Record<string, string>): string | undefined {
  return family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;
}

/** A Metrics with every family holding at least one sample. */
function exercised(): Metrics {
  const metrics = new Metrics({ now: () => 1_700_000_000_000, version: "1.2.3" });
  metrics.observeReconcile("success", 1.5);
  metrics.routeOperation("create", "success", 3);
  metrics.writeRefused("delete", "deletion-budget");
  metrics.setRoutes("vtb-aaa", { desired: 3, present: 2, missing: 1 });
  metrics.setNodeEligibility({ eligible: 3, "virtual-kubelet": 1 });
  const observer = metrics.cloudObserver();
  observer.onApiCall?.("CreateRouteEntries", "OK", 120);
  observer.onRetry?.("CreateRouteEntries", "Throttling.User", 500);
  observer.onThrottle?.("CreateRouteEntries");
  metrics.setQuota("vtb-aaa", 12, 200);
  metrics.setRouteTableReadable("vtb-aaa", true);
  metrics.observeNodeRouteLatency(4.2);
  metrics.setLeader(true);
  metrics.setInformerSynced(true);
  metrics.informerRestarted();
  return metrics;
}

describe("Metrics exposition", () => {
  it("parses as Prometheus text and contains every documented family with its type and help", async () => {
    const metrics = exercised();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const byName = await families(metrics);
    for (const definition of METRIC_DEFINITIONS) {
      const family = byName.get(definition.name);
      expect(family, definition.name).toBeDefined();
      expect(family?.type).toBe(definition.type.toUpperCase());
      expect(family?.help).toBe(definition.help);
      expect(family?.metrics.length, definition.name).toBeGreaterThan(0);
    }
    for (const group of DEFAULT_METRIC_GROUPS) {
      expect([...byName.keys()].some((name) => name.startsWith(group.prefix)), group.prefix).toBe(true);
    }
  });

  it("exports only prefixed families and the process/runtime group", async () => {
    const byName = await families(exercised());
    const allowed = [METRIC_PREFIX, ...DEFAULT_METRIC_GROUPS.map((g) => g.prefix)];
    for (const name of byName.keys()) expect(allowed.some((p) => name.startsWith(p)), name).toBe(true);
  });

  it("leaves the default metrics out when asked", async () => {
    const byName = await families(new Metrics({ defaultMetrics: false }));
    expect([...byName.keys()].every((name) => name.startsWith(METRIC_PREFIX))).toBe(true);
  });

  it("keeps two instances independent (no global registry)", async () => {
    const a = new Metrics({ defaultMetrics: false });
    const b = new Metrics({ defaultMetrics: false });
    a.setLeader(true);
    expect(sample((await families(a)).get("vpc_route_sync_leader"), {})).toBe("1");
    expect(sample((await families(b)).get("vpc_route_sync_leader"), {})).toBe("0");
  });

  it("uses only the documented label names", async () => {
    const byName = await families(exercised());
    for (const definition of METRIC_DEFINITIONS) {
      const family = byName.get(definition.name)!;
      for (const m of family.metrics) {
        const names = Object.keys(m.labels ?? {}).filter((n) => n !== "le");
        for (const n of names) expect(definition.labels, `${definition.name} label ${n}`).toContain(n);
      }
    }
  });
});

describe("Metrics values", () => {
  it("pre-initialises every eligibility value and every reconcile result to 0", async () => {
    const byName = await families(new Metrics({ defaultMetrics: false }));
    for (const eligibility of ["eligible", ...SKIP_REASONS]) {
      expect(sample(byName.get("vpc_route_sync_nodes"), { eligibility }), eligibility).toBe("0");
    }
    for (const result of ["success", "error", "refused"]) {
      expect(sample(byName.get("vpc_route_sync_reconcile_total"), { result }), result).toBe("0");
    }
    expect(sample(byName.get("vpc_route_sync_last_successful_reconcile_timestamp_seconds"), {})).toBe("0");
  });

  it("moves the last-success timestamp only on success, using the injected clock", async () => {
    let now = 1_000_000;
    const metrics = new Metrics({ defaultMetrics: false, now: () => now });
    metrics.observeReconcile("success", 0.2);
    now = 5_000_000;
    metrics.observeReconcile("error", 0.3);
    metrics.observeReconcile("refused", 0.1);
    const byName = await families(metrics);
    expect(sample(byName.get("vpc_route_sync_last_successful_reconcile_timestamp_seconds"), {})).toBe("1000");
    expect(sample(byName.get("vpc_route_sync_reconcile_total"), { result: "error" })).toBe("1");
    expect(byName.get("vpc_route_sync_reconcile_duration_seconds")?.metrics[0]?.count).toBe("3");
  });

  it("sets every route state of a table and forgets tables no longer managed", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.setRoutes("vtb-aaa", { desired: 5, present: 4, missing: 1 });
    metrics.setRoutes("vtb-bbb", { desired: 1, present: 1, stale: 2, conflict: 1 });
    metrics.setQuota("vtb-bbb", 150, 200);
    let routes = (await families(metrics)).get("vpc_route_sync_routes");
    expect(sample(routes, { route_table_id: "vtb-aaa", state: "stale" })).toBe("0");
    expect(sample(routes, { route_table_id: "vtb-bbb", state: "conflict" })).toBe("1");

    metrics.retainRouteTables(["vtb-aaa"]);
    const byName = await families(metrics);
    routes = byName.get("vpc_route_sync_routes");
    expect(routes?.metrics.filter((m) => m.labels?.route_table_id === "vtb-bbb")).toEqual([]);
    expect(routes?.metrics.filter((m) => m.labels?.route_table_id === "vtb-aaa")).toHaveLength(5);
    expect(byName.get("vpc_route_sync_route_table_entries")?.metrics ?? []).toEqual([]);
  });

  it("clears the pass state (routes, quota, Node counts) for a replica that lost the lease", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.setRoutes("vtb-aaa", { desired: 5, missing: 5 });
    metrics.setQuota("vtb-aaa", 10, 200);
    metrics.setNodeEligibility({ eligible: 5 });
    metrics.clearPassState();
    const byName = await families(metrics);
    expect(byName.get("vpc_route_sync_routes")?.metrics ?? []).toEqual([]);
    expect(sample(byName.get("vpc_route_sync_nodes"), { eligibility: "eligible" })).toBe("0");
  });

  it("counts cloud calls by action and code, and caps the distinct codes", async () => {
    const metrics = new Metrics({ defaultMetrics: false, maxErrorCodes: 2 });
    const observer = metrics.cloudObserver();
    for (const code of ["OK", "Throttling.User", "QuotaExceeded", "Forbidden.RAM", "OK", "Throttling.User"]) {
      observer.onApiCall?.("DescribeRouteEntryList", code, 50);
    }
    observer.onApiCall?.("DescribeRouteEntryList", "a message with spaces, not a code", 50);
    const calls = (await families(metrics)).get("vpc_route_sync_cloud_api_calls_total");
    const byCode = Object.fromEntries(calls!.metrics.map((m) => [m.labels?.code, m.value]));
    expect(byCode).toEqual({ OK: "2", "Throttling.User": "2", QuotaExceeded: "1", [OVERFLOW_LABEL]: "2" });
  });

  it("records call durations in seconds, retries and throttles per action", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const observer = metrics.cloudObserver();
    observer.onApiCall?.("CreateRouteEntries", "OK", 250);
    observer.onRetry?.("CreateRouteEntries", "TaskConflict", 1000);
    observer.onRetry?.("CreateRouteEntries", "Throttling", 1000);
    observer.onThrottle?.("CreateRouteEntries");
    const text = await metrics.render();
    // parse-prometheus-text-format drops sum/count of labelled histograms when `le` comes first
    // (as prom-client writes it), so these series are read from the text.
    const series = (line: string): string | undefined =>
      text.split("\n").find((l) => l.startsWith(`${line} `))?.slice(line.length + 1);
    const name = "vpc_route_sync_cloud_api_call_duration_seconds";
    expect(series(`${name}_sum{action="CreateRouteEntries"}`)).toBe("0.25");
    expect(series(`${name}_bucket{le="0.25",action="CreateRouteEntries"}`)).toBe("1");
    expect(series(`${name}_bucket{le="0.1",action="CreateRouteEntries"}`)).toBe("0");
    const byName = await families(metrics);
    expect(sample(byName.get("vpc_route_sync_cloud_api_retries_total"), { action: "CreateRouteEntries" })).toBe("2");
    expect(sample(byName.get("vpc_route_sync_cloud_api_throttles_total"), { action: "CreateRouteEntries" })).toBe("1");
  });

  it("buckets the Node-to-route latency from 0.5 s to 15 min", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.observeNodeRouteLatency(0.3);
    metrics.observeNodeRouteLatency(1000);
    const latency = (await families(metrics)).get("vpc_route_sync_node_route_latency_seconds")?.metrics[0];
    const bounds = Object.keys(latency?.buckets ?? {}).filter((b) => b !== "+Inf").map(Number).sort((a, b) => a - b);
    expect(bounds[0]).toBe(0.5);
    expect(bounds.at(-1)).toBe(900);
    expect(latency?.buckets?.["0.5"]).toBe("1");
    expect(latency?.buckets?.["900"]).toBe("1");
    expect(latency?.count).toBe("2");
  });

  it.each([
    ["a negative duration", (m: Metrics) => m.observeReconcile("success", -1), /reconcile duration/],
    ["NaN routes", (m: Metrics) => m.setRoutes("vtb-a", { desired: Number.NaN }), /routes desired/],
    ["a route table id with spaces", (m: Metrics) => m.setRoutes("vtb a", {}), /routeTableId/],
    ["an unknown eligibility", (m: Metrics) => m.setNodeEligibility({ bogus: 1 } as never), /unknown node eligibility "bogus"/],
    ["an unknown reconcile result", (m: Metrics) => m.observeReconcile("maybe" as never, 1), /unknown reconcile result "maybe"/],
    ["an unknown operation", (m: Metrics) => m.routeOperation("update" as never, "success"), /unknown route operation "update"/],
    ["a negative quota", (m: Metrics) => m.setQuota("vtb-a", -1, 200), /route table entries/],
  ])("rejects %s with a message naming it", (_what, act, message) => {
    const metrics = new Metrics({ defaultMetrics: false });
    expect(() => act(metrics)).toThrow(message);
  });

  it("counts what periodic Node re-lists corrected and every list whose resourceVersion went back", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.nodeListed({ reason: "start", rewoundFrom: undefined, added: 5, updated: 0, deleted: 0 });
    metrics.nodeListed({ reason: "periodic", rewoundFrom: undefined, added: 0, updated: 0, deleted: 0 });
    metrics.nodeListed({ reason: "periodic", rewoundFrom: "30", added: 2, updated: 1, deleted: 3 });
    metrics.nodeListed({ reason: "expired", rewoundFrom: "15", added: 1, updated: 0, deleted: 0 });
    const byName = await families(metrics);
    const corrections = byName.get("vpc_route_sync_informer_relist_corrections_total");
    expect(["add", "update", "delete"].map((kind) => sample(corrections, { kind }))).toEqual(["2", "1", "3"]);
    expect(sample(byName.get("vpc_route_sync_informer_resource_version_rewinds_total"), {})).toBe("2");
  });

  it("rejects a bad cap option", () => {
    expect(() => new Metrics({ defaultMetrics: false, maxErrorCodes: 0 })).toThrow(/maxErrorCodes/);
  });
});
