import { describe, expect, it } from "vitest";
import { parseClusterCidrs } from "../../src/domain/eligibility.js";
import { buildPlan } from "../../src/domain/build-plan.js";
import { desiredRoutes } from "../../src/domain/desired-routes.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { plan, type MaxDeletions, type PlanResult } from "../../src/domain/plan.js";
import { parseTables } from "../../src/domain/route-tables.js";
import type { NodeFacts, RouteEntry } from "../../src/domain/types.js";
import { cidrs, CLUSTER, CLUSTER_UID, entry, instance, node, planArgs, type PlanCase, owned, REGION, TABLE, tables } from "./fixtures.js";

interface Summary {
  creates: string[];
  deletes: string[];
  conflicts: string[];
  satisfied: string[];
  heldCreates: string[];
  heldDeletes: string[];
  refused: boolean;
}

function summary(p: PlanResult): Summary {
  return {
    creates: p.creates.map((c) => `${c.routeTableId} ${c.destinationCidr} -> ${c.instanceId}`),
    deletes: p.deletes.map((d) => `${d.routeEntryId} ${d.reason}${d.nodeName ? ` ${d.nodeName}` : ""}`),
    conflicts: p.conflicts.map((c) => `${c.reason} ${c.nodeName} ${c.destinationCidr}`),
    satisfied: p.satisfied.map((s) => `${s.routeTableId} ${s.destination.text}`),
    heldCreates: p.held.creates.map((h) => `${h.action.destinationCidr} ${h.reason}`),
    heldDeletes: p.held.deletes.map((h) => `${h.action.routeEntryId} ${h.reason}`),
    refused: p.refusal !== undefined,
  };
}

function run(nodes: NodeFacts[], entries: RouteEntry[], o: PlanCase = {}, routeTableIds = [TABLE]): PlanResult {
  return buildPlan({ nodes, routeTableIds, tables: tables(...entries), ...planArgs(o) }).plan;
}

const empty: Summary = { creates: [], deletes: [], conflicts: [], satisfied: [], heldCreates: [], heldDeletes: [], refused: false };
const i1 = instance("node-1");
const i2 = instance("node-2");

describe("plan: scenarios", () => {
  it.each<[string, NodeFacts[], RouteEntry[], PlanCase, Partial<Summary>]>([
    ["fresh table: one create per Node", [node("node-1"), node("node-2")], [], {}, {
      creates: [`${TABLE} 10.244.1.0/24 -> ${i1}`, `${TABLE} 10.244.2.0/24 -> ${i2}`],
    }],
    ["everything in place: no actions", [node("node-1"), node("node-2")], [owned("10.244.1.0/24", i1, "node-1"), owned("10.244.2.0/24", i2, "node-2")], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`, `${TABLE} 10.244.2.0/24`],
    }],
    ["CCM-created unmarked route that matches exactly: satisfied, no churn", [node("node-1")], [entry("10.244.1.0/24", i1, { id: "rte-ccm" })], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["same, with adoption on", [node("node-1")], [entry("10.244.1.0/24", i1, { id: "rte-ccm" })], { adoptUnmarked: true }, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["alicloud:// providerID with an existing route: no churn (upstream #298)", [node("node-1", { providerId: `alicloud://${REGION}.${i1}` })], [owned("10.244.1.0/24", i1, "node-1")], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["a Pending route counts", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1", { status: "Pending" })], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["non-canonical destination spelling in the table still matches", [node("node-1", { podCidrs: ["fd00:10:244:1::/64"] })], [owned("FD00:10:244:1:0:0:0:0/64", i1, "node-1")], {}, {
      satisfied: [`${TABLE} fd00:10:244:1::/64`],
    }],
    ["Node replaced by a new instance with the same name: delete then create", [node("node-1", { providerId: `${REGION}.${instance("node-1", "b")}` })], [owned("10.244.1.0/24", i1, "node-1", { id: "rte-old" })], {}, {
      deletes: ["rte-old next-hop-changed node-1"],
      creates: [`${TABLE} 10.244.1.0/24 -> ${instance("node-1", "b")}`],
    }],
    ["pod CIDR changed: old route deleted as cidr-changed, new one created", [node("node-1", { podCidrs: ["10.244.11.0/24"] })], [owned("10.244.1.0/24", i1, "node-1", { id: "rte-old" })], {}, {
      deletes: ["rte-old cidr-changed node-1"],
      creates: [`${TABLE} 10.244.11.0/24 -> ${i1}`],
    }],
    ["destination moved to another Node: next-hop-changed, named after the new Node", [node("node-2", { podCidrs: ["10.244.1.0/24"] })], [owned("10.244.1.0/24", i1, "node-1", { id: "rte-1" })], {}, {
      deletes: ["rte-1 next-hop-changed node-2"],
      creates: [`${TABLE} 10.244.1.0/24 -> ${i2}`],
    }],
    ["Node gone: stale, from the marker (also after a restart)", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1"), owned("10.244.9.0/24", "i-node9aaaa", "node-9", { id: "rte-9" })], {}, {
      deletes: ["rte-9 stale node-9"],
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["Node excluded: its route is left as it is, as the CCM leaves it (issue 17)", [node("node-1", { labels: { "service.alibabacloud.com/exclude-node": "" } })], [owned("10.244.1.0/24", i1, "node-1", { id: "rte-1" })], {}, {
      heldDeletes: ["rte-1 excluded-node"],
    }],
    ["Node excluded (beta label), adopted route: left as it is", [node("node-1", { labels: { "service.beta.kubernetes.io/exclude-node": "true" } })], [entry("10.244.1.0/24", i1, { id: "rte-1" })], { adoptUnmarked: true }, {
      heldDeletes: ["rte-1 excluded-node"],
    }],
    ["Node excluded: no route is created for it", [node("node-1", { labels: { "service.alibabacloud.com/exclude-node": "" } })], [], {}, {}],
    ["Node excluded: a human may still approve the deletion", [node("node-1", { labels: { "service.alibabacloud.com/exclude-node": "" } })], [owned("10.244.1.0/24", i1, "node-1", { id: "rte-1" })], { approveDeletions: ["rte-1"] }, {
      deletes: ["rte-1 stale node-1"],
    }],
    ["our marked route outside the cluster CIDR is reported, not deleted (isResponsibleForRoute)", [], [owned("192.168.9.0/24", "i-oldoldold", "node-9", { id: "rte-9" })], {}, {
      heldDeletes: ["rte-9 outside-cluster-cidr"],
    }],
    ["our marked route outside the cluster CIDR stays even when named for approval (the write gate never deletes outside it)", [], [owned("192.168.9.0/24", "i-oldoldold", "node-9", { id: "rte-9" })], { approveDeletions: ["rte-9"] }, {
      heldDeletes: ["rte-9 outside-cluster-cidr"],
    }],
    ["unmarked route in the cluster CIDR to an unknown instance: left alone", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1"), entry("10.244.7.0/24", "i-unknown1", { id: "rte-u" })], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["same with --adopt-unmarked: its instance is no Node's, so it is never adopted (issue 21)", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1"), entry("10.244.7.0/24", "i-unknown1", { id: "rte-u" })], { adoptUnmarked: true }, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["--adopt-unmarked: an unmarked route to the instance of a Node without a route: adopted, stale", [node("node-1"), node("node-7", { podCidrs: [] })], [owned("10.244.1.0/24", i1, "node-1"), entry("10.244.7.0/24", instance("node-7"), { id: "rte-u" })], { adoptUnmarked: true }, {
      deletes: ["rte-u stale"],
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["adopted unmarked route of an eligible Node with another CIDR: cidr-changed", [node("node-1", { podCidrs: ["10.244.11.0/24"] })], [entry("10.244.1.0/24", i1, { id: "rte-u" })], { adoptUnmarked: true }, {
      deletes: ["rte-u cidr-changed node-1"],
      creates: [`${TABLE} 10.244.11.0/24 -> ${i1}`],
    }],
    ["unmarked route outside the cluster CIDR: never adopted", [], [entry("172.16.0.0/24", "i-unknown1", { id: "rte-u" })], { adoptUnmarked: true }, {}],
    ["unmarked route to the wrong instance at a desired destination: conflict (adoption off)", [node("node-1")], [entry("10.244.1.0/24", "i-someoneelse", { id: "rte-u" })], {}, {
      conflicts: ["destination-held-by-foreign-route node-1 10.244.1.0/24"],
    }],
    ["same with adoption on: replaced", [node("node-1")], [entry("10.244.1.0/24", "i-someoneelse", { id: "rte-u" })], { adoptUnmarked: true }, {
      deletes: ["rte-u next-hop-changed node-1"],
      creates: [`${TABLE} 10.244.1.0/24 -> ${i1}`],
    }],
    ["VPN route with a Node's destination: conflict, untouched", [node("node-1")], [entry("10.244.1.0/24", "vpn-1", { hops: [["VpnGateway", "vpn-1"]] })], { adoptUnmarked: true }, {
      conflicts: ["destination-held-by-foreign-route node-1 10.244.1.0/24"],
    }],
    ["VBR (router interface) route with a Node's destination: conflict", [node("node-1")], [entry("10.244.1.0/24", "ri-1", { hops: [["RouterInterface", "ri-1"]] })], {}, {
      conflicts: ["destination-held-by-foreign-route node-1 10.244.1.0/24"],
    }],
    ["ECMP route with a Node's destination: conflict, even including the Node", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1", { hops: [["Instance", i1], ["Instance", i2]] })], { adoptUnmarked: true }, {
      conflicts: ["destination-held-by-foreign-route node-1 10.244.1.0/24"],
    }],
    ["ECMP, default route, system route and NAT route elsewhere: untouched", [node("node-1")], [
      owned("10.244.1.0/24", i1, "node-1"),
      entry("10.244.8.0/24", i1, { hops: [["Instance", "i-aaaaaaaa"], ["Instance", "i-bbbbbbbb"]] }),
      owned("0.0.0.0/0", "i-gateway1", "node-1"),
      entry("::/0", "i-gateway1"),
      entry("10.244.9.0/24", "i-aaaaaaaa", { type: "System" }),
      entry("10.244.10.0/24", "ngw-1", { hops: [["NatGateway", "ngw-1"]] }),
    ], { adoptUnmarked: true }, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["another cluster's marked route: left alone", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1"), owned("10.244.5.0/24", "i-other0001", "node-5", { cluster: "staging" })], { adoptUnmarked: true }, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["another cluster's marked route at our destination: conflict", [node("node-1")], [owned("10.244.1.0/24", "i-other0001", "node-1", { cluster: "staging" })], { adoptUnmarked: true }, {
      conflicts: ["destination-held-by-foreign-route node-1 10.244.1.0/24"],
    }],
    ["another cluster's marked route that matches exactly: satisfied", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1", { cluster: "staging" })], {}, {
      satisfied: [`${TABLE} 10.244.1.0/24`],
    }],
    ["dual-stack Nodes: one route per family", [node("node-1", { podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"] })], [], {}, {
      creates: [`${TABLE} 10.244.1.0/24 -> ${i1}`, `${TABLE} fd00:10:244:1::/64 -> ${i1}`],
    }],
    ["IPv6 stale route", [], [owned("fd00:10:244:9::/64", "i-node9aaaa", "node-9", { id: "rte-v6" })], {}, {
      deletes: ["rte-v6 stale node-9"],
    }],
    ["stale route in Deleting status: not deleted again", [], [owned("10.244.9.0/24", "i-node9aaaa", "node-9", { status: "Deleting" })], {}, {}],
    ["stale route in Pending status: still planned (the executor waits)", [], [owned("10.244.9.0/24", "i-node9aaaa", "node-9", { id: "rte-p", status: "Pending" })], {}, {
      deletes: ["rte-p stale node-9"],
    }],
    ["matching route being deleted: create waits for it to go", [node("node-1")], [owned("10.244.1.0/24", i1, "node-1", { status: "Deleting" })], {}, {
      heldCreates: ["10.244.1.0/24 destination-being-deleted"],
    }],
    ["deletes not allowed yet: stale kept, replacement held, plain creates go ahead", [node("node-1", { providerId: `${REGION}.${instance("node-1", "b")}` }), node("node-2")], [
      owned("10.244.1.0/24", i1, "node-1", { id: "rte-old" }),
      owned("10.244.9.0/24", "i-node9aaaa", "node-9", { id: "rte-9" }),
    ], { allowDeletes: false }, {
      creates: [`${TABLE} 10.244.2.0/24 -> ${i2}`],
      heldCreates: ["10.244.1.0/24 deletes-not-allowed"],
      heldDeletes: ["rte-old deletes-not-allowed", "rte-9 deletes-not-allowed"],
    }],
  ])("%s", (_name, nodes, entries, o, expected) => {
    expect(summary(run(nodes, entries, o))).toEqual({ ...empty, ...expected });
  });

  it("writes the marker on creates", () => {
    const p = run([node("node-1")], []);
    expect(p.creates).toEqual([
      {
        kind: "create",
        routeTableId: TABLE,
        destinationCidr: "10.244.1.0/24",
        instanceId: i1,
        nodeName: "node-1",
        ...routeMarker(CLUSTER, "node-1", CLUSTER_UID),
      },
    ]);
  });

  it("describes the holder of a destination in the conflict", () => {
    const vpn = entry("10.244.1.0/24", "vpn-1", { id: "rte-vpn", hops: [["VpnGateway", "vpn-1"]] });
    const p = run([node("node-1")], [vpn]);
    expect(p.conflicts[0]).toMatchObject({ routeTableId: TABLE, existing: vpn });
    expect(p.conflicts[0]!.message).toMatch(/held by route entry rte-vpn \(Custom, via VpnGateway vpn-1; not managed by this cluster/);
  });

  it("plans every managed table, deletes and creates per table in a stable order", () => {
    const p = run(
      [node("node-2"), node("node-1")],
      [owned("10.244.2.0/24", i2, "node-2", { table: "vtb-b" }), owned("10.244.9.0/24", "i-node9aaaa", "node-9", { table: "vtb-b", id: "rte-b9" }), owned("10.244.3.0/24", "i-node3aaaa", "node-3", { table: "vtb-a", id: "rte-a3" })],
      {},
      ["vtb-b", "vtb-a"],
    );
    expect(summary(p)).toEqual({
      ...empty,
      creates: [`vtb-a 10.244.1.0/24 -> ${i1}`, `vtb-a 10.244.2.0/24 -> ${i2}`, `vtb-b 10.244.1.0/24 -> ${i1}`],
      deletes: ["rte-a3 stale node-3", "rte-b9 stale node-9"],
      satisfied: ["vtb-b 10.244.2.0/24"],
    });
  });

  it("does not depend on input order", () => {
    const nodes = [node("node-3"), node("node-1"), node("node-2", { podCidrs: ["10.244.2.0/24", "fd00:10:244:2::/64"] })];
    const entries = [owned("10.244.9.0/24", "i-node9aaaa", "node-9"), owned("10.244.8.0/24", "i-node8aaaa", "node-8"), owned("10.244.1.0/24", i1, "node-1")];
    const a = run(nodes, entries);
    const b = run([...nodes].reverse(), [...entries].reverse());
    expect(a).toEqual(b);
  });

  it("passes eligibility skips and overlap conflicts through", () => {
    const p = run([node("node-1"), node("node-2", { podCidrs: ["10.244.1.0/24"] }), node("node-3", { deleting: true })], []);
    expect(summary(p).conflicts).toEqual(["overlapping-pod-cidr node-1 10.244.1.0/24", "overlapping-pod-cidr node-2 10.244.1.0/24"]);
    expect(p.skipped.map((s) => `${s.nodeName} ${s.reason}`)).toEqual(["node-1 overlapping-cidr", "node-2 overlapping-cidr", "node-3 deleting"]);
    expect(p.creates).toEqual([]);
  });

  it("keeps the routes of Nodes in a pod CIDR overlap until it is fixed", () => {
    const p = run(
      [node("node-1", { podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"] }), node("node-2", { podCidrs: ["10.244.1.0/24"] })],
      [
        owned("10.244.1.0/24", i1, "node-1", { id: "rte-1" }),
        owned("fd00:10:244:1::/64", i1, "node-1", { id: "rte-1v6" }),
        entry("10.244.1.0/24", i1, { id: "rte-other", table: "vtb-2" }),
      ],
      { adoptUnmarked: true },
      [TABLE, "vtb-2"],
    );
    expect(summary(p)).toEqual({
      ...empty,
      conflicts: ["overlapping-pod-cidr node-1 10.244.1.0/24", "overlapping-pod-cidr node-2 10.244.1.0/24"],
      heldDeletes: ["rte-other pod-cidr-conflict", "rte-1 pod-cidr-conflict", "rte-1v6 pod-cidr-conflict"], // vtb-2 sorts first
    });
  });

  it("reports two desired routes for one destination as a conflict instead of picking one", () => {
    const p = plan({
      desired: [
        { routeTableId: TABLE, destination: cidrs("10.244.1.0/24")[0]!, instanceId: i1, nodeName: "node-1" },
        { routeTableId: TABLE, destination: cidrs("10.244.1.0/24")[0]!, instanceId: i2, nodeName: "node-2" },
      ],
      tables: tables(owned("10.244.1.0/24", i1, "node-1")),
      ...planArgs(),
    });
    expect(summary(p)).toEqual({ ...empty, conflicts: ["overlapping-pod-cidr node-1 10.244.1.0/24", "overlapping-pod-cidr node-2 10.244.1.0/24"] });
  });

  it("treats a managed table missing from the actual state as empty", () => {
    const desired = desiredRoutes([{ nodeName: "node-1", instanceId: i1, regionId: REGION, podCidrs: cidrs("10.244.1.0/24") }], ["vtb-new"]);
    expect(summary(plan({ desired, tables: new Map(), ...planArgs() })).creates).toEqual([`vtb-new 10.244.1.0/24 -> ${i1}`]);
  });
});

describe("plan: max-deletions", () => {
  // Ten owned routes, three of them stale, plus a replaced Node and a new Node.
  const nodes = [
    ...[1, 2, 3, 4, 5, 6].map((n) => node(`node-${n}`)),
    node("node-7", { providerId: `${REGION}.${instance("node-7", "b")}` }),
    node("node-20"),
  ];
  const entries = [
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => owned(`10.244.${n}.0/24`, instance(`node-${n}`), `node-${n}`, { id: `rte-${n}` })),
    ...[8, 9, 10].map((n) => owned(`10.244.${n}.0/24`, instance(`node-${n}`), `node-${n}`, { id: `rte-${n}` })),
  ];
  const wantedDeletes = 4; // rte-7 (next hop changed), rte-8..10 (stale)

  it.each<[string, MaxDeletions, boolean, RegExp | undefined]>([
    ["count above", { kind: "count", value: 5 }, false, undefined],
    ["count equal", { kind: "count", value: 4 }, false, undefined],
    ["count below", { kind: "count", value: 3 }, true, /^refusing to delete 4 routes: more than --max-deletions=3 allows/],
    ["count zero", { kind: "count", value: 0 }, true, /--max-deletions=0 allows/],
    ["percent allowing 4 of 10", { kind: "percent", value: 40 }, false, undefined],
    ["percent allowing 3 of 10 (ceil)", { kind: "percent", value: 21 }, true, /refusing to delete 4 routes: more than --max-deletions=21% allows \(3 of 10 owned routes\)/],
    ["percent rounding up to 4", { kind: "percent", value: 31 }, false, undefined],
    ["percent floor of one", { kind: "percent", value: 1 }, true, /\(1 of 10 owned routes\)/],
  ])("%s", (_name, maxDeletions, refused, message) => {
    const p = run(nodes, entries, { maxDeletions });
    const s = summary(p);
    expect(s.creates).toContain(`${TABLE} 10.244.20.0/24 -> ${instance("node-20")}`);
    if (!refused) {
      expect(p.refusal).toBeUndefined();
      expect(p.deletes).toHaveLength(wantedDeletes);
      expect(s.creates).toContain(`${TABLE} 10.244.7.0/24 -> ${instance("node-7", "b")}`);
      return;
    }
    expect(p.refusal?.reason).toBe("max-deletions-exceeded");
    expect(p.refusal?.message).toMatch(message!);
    expect(p.deletes).toEqual([]);
    expect(s.heldDeletes).toHaveLength(wantedDeletes);
    expect(s.heldCreates).toEqual(["10.244.7.0/24 max-deletions-exceeded"]);
    expect(s.creates).toEqual([`${TABLE} 10.244.20.0/24 -> ${instance("node-20")}`]);
    expect(p.ownedEntries).toBe(10);
  });

  it("a percent of a single owned route still allows one delete", () => {
    const p = run([], [owned("10.244.9.0/24", "i-node9aaaa", "node-9")], { maxDeletions: { kind: "percent", value: 10 } });
    expect(p.deletes).toHaveLength(1);
  });

  it("no deletes are never refused", () => {
    expect(run([node("node-1")], [], { maxDeletions: { kind: "count", value: 0 } }).refusal).toBeUndefined();
  });

  it("does not refuse when deletes are not allowed anyway", () => {
    const p = run(nodes, entries, { maxDeletions: { kind: "count", value: 0 }, allowDeletes: false });
    expect(p.refusal).toBeUndefined();
    expect(summary(p).heldDeletes.every((h) => h.endsWith("deletes-not-allowed"))).toBe(true);
  });

  it.each([NaN, -1])("a nonsensical limit (%s) refuses rather than deleting everything", (value) => {
    const p = run(nodes, entries, { maxDeletions: { kind: "count", value } });
    expect(p.deletes).toEqual([]);
    expect(p.refusal).toBeDefined();
  });

  it("Infinity means no limit", () => {
    expect(run(nodes, entries, { maxDeletions: { kind: "count", value: Infinity } }).deletes).toHaveLength(wantedDeletes);
  });
});

describe("plan at scale", () => {
  it("plans 5,000 dual-stack Nodes x 3 tables", () => {
    const nodes: NodeFacts[] = [];
    for (let i = 0; i < 5000; i++) {
      nodes.push({
        nodeName: `node-${String(i).padStart(5, "0")}`,
        providerId: `${REGION}.i-bp${String(i).padStart(18, "0")}`,
        podCidrs: [`10.${100 + (i >> 8)}.${i & 0xff}.0/24`, `fd00:10:${(i + 1).toString(16)}::/64`],
        labels: {},
        deleting: false,
      });
    }
    const tableIds = ["vtb-1", "vtb-2", "vtb-3"];
    const actual = new Map<string, RouteEntry[]>(tableIds.map((t) => [t, []]));
    // Half the routes already exist in vtb-1, plus stale ones.
    for (let i = 0; i < 5000; i += 2) {
      const n = nodes[i]!;
      actual.get("vtb-1")!.push(owned(n.podCidrs[0]!, `i-bp${String(i).padStart(18, "0")}`, n.nodeName, { table: "vtb-1", id: `rte-${i}` }));
    }
    for (let i = 0; i < 100; i++) actual.get("vtb-2")!.push(owned(`10.99.${i}.0/24`, "i-goneaaaa", `gone-${i}`, { table: "vtb-2", id: `rte-g${i}` }));
    const { plan: p, eligible } = buildPlan({
      nodes,
      routeTableIds: tableIds,
      tables: parseTables(actual),
      ...planArgs({ clusterCidrs: parseClusterCidrs(["10.0.0.0/8", "fd00::/16"]) }),
    });
    expect(eligible).toHaveLength(5000);
    expect(p.satisfied).toHaveLength(2500);
    expect(p.creates).toHaveLength(5000 * 2 * 3 - 2500);
    expect(p.deletes).toHaveLength(100);
  });
});

describe("plan: pod network scope and cluster identity", () => {
  const UID = "3f1c2b6e-8d4a-4c1e-9b2f-0a1b2c3d4e5f";
  const OTHER_UID = "9e8d7c6b-5a49-4382-a716-151413121110";
  const marks = (p: PlanResult): string[] => p.marks.map((m) => `${m.routeEntryId} ${m.reason}`);

  it("a pod CIDR overlapping a System route of the table (a vSwitch) gets no route", () => {
    const vswitch = entry("10.244.1.0/25", "", { id: "rte-sys", type: "System", hops: [["local", ""]] });
    const p = run([node("node-1"), node("node-2")], [vswitch]);
    expect(summary(p).conflicts).toEqual(["overlaps-vpc-network node-1 10.244.1.0/24"]);
    expect(summary(p).creates).toEqual([`${TABLE} 10.244.2.0/24 -> ${i2}`]);
  });

  describe("the VPC's own network as an input (network: VPC and vSwitch CIDR blocks read from the VPC)", () => {
    const net = { vpcCidrs: ["192.168.0.0/16", "fd00:10:244::/48"], vSwitchCidrs: ["192.168.0.0/24", "10.244.2.128/25"] };
    it.each<[string, NodeFacts[], PlanCase, Partial<Summary>]>([
      ["a pod CIDR containing a vSwitch CIDR: conflict, the others are routed", [node("node-1"), node("node-2")], { network: [net] }, {
        conflicts: ["overlaps-vpc-network node-2 10.244.2.0/24"],
        creates: [`${TABLE} 10.244.1.0/24 -> ${i1}`],
      }],
      ["a pod CIDR inside a vSwitch CIDR", [node("node-1", { podCidrs: ["10.244.2.192/26"] })], { network: [net] }, {
        conflicts: ["overlaps-vpc-network node-1 10.244.2.192/26"],
      }],
      ["a pod CIDR that contains the VPC CIDR (a cluster CIDR of 128.0.0.0/1 lets it through eligibility)", [node("node-1", { podCidrs: ["192.168.0.0/15"] })], { network: [net], clusterCidrs: parseClusterCidrs(["128.0.0.0/1", "10.244.0.0/16"]) }, {
        conflicts: ["overlaps-vpc-network node-1 192.168.0.0/15"],
      }],
      ["an IPv6 pod CIDR inside the VPC's IPv6 block", [node("node-1", { podCidrs: ["fd00:10:244:1::/64"] })], { network: [net], clusterCidrs: parseClusterCidrs(["fd00::/16"]) }, {
        conflicts: ["overlaps-vpc-network node-1 fd00:10:244:1::/64"],
      }],
      ["no overlap: routed as usual", [node("node-1")], { network: [{ vpcCidrs: ["192.168.0.0/16"], vSwitchCidrs: ["192.168.1.0/24"] }] }, {
        creates: [`${TABLE} 10.244.1.0/24 -> ${i1}`],
      }],
      ["network unreadable: no create at all (fail closed), held with the reason", [node("node-1"), node("node-2")], { network: "unreadable" }, {
        heldCreates: ["10.244.1.0/24 vpc-network-unreadable", "10.244.2.0/24 vpc-network-unreadable"],
      }],
      ["a network block that does not parse counts as unreadable", [node("node-1")], { network: [{ vpcCidrs: ["192.168.0.0/33"], vSwitchCidrs: [] }] }, {
        heldCreates: ["10.244.1.0/24 vpc-network-unreadable"],
      }],
    ])("%s", (_name, nodes, o, expected) => {
      expect(summary(run(nodes, [], o))).toEqual({ ...empty, ...expected });
    });

    it("the message names the vSwitch block; an unreadable network still lets deletes of stale routes through", () => {
      const p = run([node("node-2")], [], { network: [net] });
      expect(p.conflicts[0]?.message).toContain("10.244.2.128/25, the CIDR block of a vSwitch");
      const stale = owned("10.244.9.0/24", instance("node-9"), "node-9", { id: "rte-stale" });
      const q = run([node("node-1")], [stale], { network: "unreadable" });
      expect(summary(q)).toEqual({ ...empty, heldCreates: ["10.244.1.0/24 vpc-network-unreadable"], deletes: ["rte-stale stale node-9"] });
    });
  });

  it("creates carry the cluster uid; routes of another cluster with the same name are never touched", () => {
    const theirs = entry("10.244.3.0/24", "i-theirs0001", { id: "rte-theirs", description: routeMarker(CLUSTER, "node-3", OTHER_UID).description });
    const p = run([node("node-1")], [theirs], { clusterUid: UID });
    expect(p.creates[0]!.description).toContain(`uid=${UID}`);
    expect(p.deletes).toEqual([]);
    expect(p.held.deletes).toEqual([]);
  });

  it("a legacy marker (no uid) that serves a Node is re-marked in place, without churn", () => {
    const legacy = owned("10.244.1.0/24", i1, "node-1", { id: "rte-legacy", uid: null });
    const p = run([node("node-1")], [legacy], { clusterUid: UID });
    expect(summary(p)).toEqual({ ...empty, satisfied: [`${TABLE} 10.244.1.0/24`] });
    expect(marks(p)).toEqual(["rte-legacy migrate-marker"]);
    expect(p.marks[0]!.description).toBe(routeMarker(CLUSTER, "node-1", UID).description);
  });

  it("a stale legacy marker cannot be proven ours: held and reported, never deleted automatically", () => {
    const legacy = owned("10.244.9.0/24", "i-gone0001", "node-9", { id: "rte-legacy", uid: null });
    const p = run([node("node-1")], [legacy], { clusterUid: UID });
    expect(summary(p).heldDeletes).toEqual(["rte-legacy legacy-marker"]);
    expect(summary(p).deletes).toEqual([]);
    expect(summary(run([node("node-1")], [legacy], { clusterUid: UID, approveDeletions: ["10.244.9.0/24"] })).deletes).toEqual(["rte-legacy stale node-9"]);
  });

  it("without our uid (--nodes-file, no --cluster-uid) a name-only marker is still legacy: kept and reported, never deleted automatically, never rewritten to itself", () => {
    const stale = owned("10.244.9.0/24", "i-gone0001", "node-9", { id: "rte-legacy", uid: null });
    const serving = owned("10.244.1.0/24", i1, "node-1", { id: "rte-serving", uid: null });
    const p = run([node("node-1")], [stale, serving], { clusterUid: undefined });
    expect(summary(p)).toEqual({ ...empty, satisfied: [`${TABLE} 10.244.1.0/24`], heldDeletes: ["rte-legacy legacy-marker"] });
    // No churn: the marker we would write is the one the entry carries.
    expect(marks(p)).toEqual([]);
    expect(summary(run([node("node-1")], [stale], { clusterUid: undefined, approveDeletions: ["rte-legacy"] })).deletes).toEqual(["rte-legacy stale node-9"]);
    // A name-only marker that names another node is rewritten once, to the Node it serves.
    const renamedNode = owned("10.244.1.0/24", i1, "node-old", { id: "rte-serving", uid: null });
    expect(marks(run([node("node-1")], [renamedNode], { clusterUid: undefined }))).toEqual(["rte-serving migrate-marker"]);
  });

  it("a marker in another letter case is damaged: a conflict when wanted, never deleted when stale", () => {
    const upper = entry("10.244.1.0/24", "i-other0001", { id: "rte-upper", description: "Managed-By=VPC-Route-Sync cluster=prod node=node-1" });
    const stale = entry("10.244.9.0/24", "i-other0002", { id: "rte-upper2", description: "managed-by=vpc-route-sync cluster=PROD node=node-9" });
    const p = run([node("node-1")], [upper, stale]);
    expect(summary(p).conflicts).toEqual(["destination-held-by-foreign-route node-1 10.244.1.0/24"]);
    expect(p.conflicts[0]!.message).toContain("damaged");
    expect(p.deletes).toEqual([]);
  });
});
