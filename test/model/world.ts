// The world a generated history runs in: the fake VPC API on 127.0.0.1 (real HTTP), the operator's
// real pass runner wired as `reconcile` wires it (configuration parsed from flags, the Alibaba
// adapter over @alicloud/vpc20160428, the VPC network source, --nodes-file read from a file), and
// the model: the Node objects, the flags, who made which route, which deletions were refused.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pino } from "pino";
import {
  FAKE_ACCESS_KEY_ID,
  FAKE_ACCESS_KEY_SECRET,
  startFakeVpc,
  type FakeRouteEntry,
  type Fault,
  type FakeVpcServer,
  type OmittedFilters,
  type SeedEntry,
} from "@vpc-route-sync/fake-alibaba-vpc";
import type { AlibabaRouteTable } from "../../src/cloud/alibaba/alibaba-route-table.js";
import { parseConfig, type CommandIo, type ReconcileConfig } from "../../src/config/index.js";
import { createRouteTable, createVpcNetwork, passSettingsFrom, type AdapterTuning } from "../../src/commands/wiring.js";
import { readNodesFile } from "../../src/inputs/dump-files.js";
import type { V1Node } from "@kubernetes/client-node";
import { nodeFactsFrom } from "../../src/domain/node-facts.js";
import type { NodeFacts } from "../../src/domain/types.js";
import { PassRunner, type PassResult } from "../../src/reconcile/pass-runner.js";
import { nodeObject } from "../support/nodes.js";
import { canonical, parseBlock } from "./cidr.js";
import type { Command, EditKind, FaultKind, ForeignKind, NodeGen } from "./commands.js";
import {
  checkPass,
  checkReported,
  insideClusterCidr,
  missingRoutes,
  readMarkerStrict,
  routableNodes,
  type Identity,
  type ModelNode,
  type PassContext,
  type Violation,
} from "./invariants.js";

export const REGION = "cn-hangzhou";
export const VPC_ID = "vpc-model0001";
export const TABLES = ["vtb-model0001", "vtb-model0002"] as const;
const NETWORK = {
  cidrBlock: "192.168.0.0/16",
  secondaryCidrBlocks: ["172.16.0.0/16"],
  ipv6CidrBlocks: ["2408:4005:300::/56"],
  vSwitches: [
    { vSwitchId: "vsw-model0001", cidrBlock: "192.168.0.0/24", ipv6CidrBlock: "2408:4005:300:1::/64" },
    { vSwitchId: "vsw-model0002", cidrBlock: "172.16.0.0/24" },
  ],
};
const NETWORK_BLOCKS = [NETWORK.cidrBlock, ...NETWORK.secondaryCidrBlocks, ...NETWORK.ipv6CidrBlocks, ...NETWORK.vSwitches.flatMap((v) => [v.cidrBlock, ...(v.ipv6CidrBlock ? [v.ipv6CidrBlock] : [])])];

const UIDS = {
  A: "11111111-1111-4111-8111-111111111111",
  B: "22222222-2222-4222-8222-222222222222",
  C: "33333333-3333-4333-8333-333333333333",
} as const;

/** Short timings: a pass over real HTTP in milliseconds, a timed-out call abandoned after 150 ms. */
const TUNING: AdapterTuning = {
  qps: 10_000,
  callDeadlineMs: 150,
  connectTimeoutMs: 150,
  readTimeoutMs: 150,
  writeDeadlineMs: 3_000,
  pollIntervalMs: 5,
  firstPollMs: 2,
  retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
};

/** How the fake reads an omitted filter and how long changes stay unsettled: drawn per history. */
export interface WorldOptions {
  readonly omittedFilters: OmittedFilters;
  readonly pendingMs: number;
  readonly seed: number;
}

export const instanceOf = (i: number): string => `i-mdl${String(i).padStart(6, "0")}`;
const v4Of = (i: number): string => `10.244.${i}.0/24`;
const v6Of = (i: number): string => `fd00:10:244:${(i * 0x1000).toString(16)}::/64`;

export function materialize(g: NodeGen): ModelNode {
  let podCidrs = g.stack === "v4" ? [v4Of(g.i)] : g.stack === "v6" ? [v6Of(g.i)] : [v4Of(g.i), v6Of(g.i)];
  if (g.wild) podCidrs = g.wild.how === "replace" ? [g.wild.cidr] : [...podCidrs, g.wild.cidr];
  const instance = instanceOf(g.i);
  const providerId = {
    plain: `${REGION}.${instance}`,
    alicloud: `alicloud://${REGION}.${instance}`,
    "other-region": `cn-beijing.${instance}`,
    bad: `${REGION}.I-NOT AN ID`,
    none: undefined,
  }[g.providerId ?? "plain"];
  const labels: Record<string, string> =
    g.label === "excluded" ? { "service.alibabacloud.com/exclude-node": "true" } : g.label === "virtual" ? { type: "virtual-kubelet" } : {};
  return { name: `node-${g.i}`, instance, providerId, podCidrs, labels, deleting: g.deleting === true };
}

/** The k-th model Node as the API server (or a --nodes-file) serves it: the shared test builder. */
function modelNodeObject(n: ModelNode, k: number): V1Node {
  return nodeObject(n.name, {
    uid: `node-uid-${k}`,
    // The providerID as generated, malformed or none ("" means none): never derived from the instance.
    providerId: n.providerId ?? "",
    podCidrs: n.podCidrs,
    labels: n.labels,
    ...(n.deleting ? { deletionTimestamp: new Date("2026-12-01T00:00:00Z") } : {}),
  });
}

export interface StepRecord {
  readonly step: number;
  readonly command: Command;
  readonly violations: readonly Violation[];
  readonly note?: string | undefined;
}

interface Process {
  readonly key: string;
  readonly routeTable: AlibabaRouteTable;
}

const silent = pino({ level: "silent" });

export class ModelWorld {
  readonly fake: FakeVpcServer;
  readonly #dir: string;
  readonly #identities: Record<"A" | "B" | "C", { uid: string; names: string[] }> = {
    A: { uid: UIDS.A, names: ["prod"] },
    B: { uid: UIDS.B, names: ["prod"] },
    C: { uid: UIDS.C, names: ["stage"] },
  };
  nodes: ModelNode[] = [];
  clusterCidrs: readonly string[] = ["10.244.0.0/16"];
  maxDeletions = "50%";
  adopt = false;
  mode: "api" | "nodes-file" = "api";
  who: "A" | "B" | "C" = "A";
  approveNext: Extract<Command, { op: "approve" }>["what"] | undefined;
  crashNext: number | undefined;
  readonly provenance = new Map<string, string>();
  /** Per identity: entries of a refused deletion still in force. */
  readonly refused = new Map<string, Map<string, string>>();
  #process: Process | undefined;
  /** Called on every answered API call of the running pass (crash injection). */
  #onCall: (() => void) | undefined;
  passes = 0;
  apiCalls = 0;

  readonly #options: WorldOptions;

  private constructor(fake: FakeVpcServer, options: WorldOptions) {
    this.fake = fake;
    this.#options = options;
    this.#dir = mkdtempSync(join(tmpdir(), "vrs-model-"));
  }

  static async start(options: WorldOptions): Promise<ModelWorld> {
    const fake = await startFakeVpc({
      regionId: REGION,
      seed: options.seed,
      pendingMs: options.pendingMs,
      omittedFilters: options.omittedFilters,
      requestLogLimit: 100_000,
      vpcs: [
        {
          vpcId: VPC_ID,
          ...NETWORK,
          tables: [
            {
              routeTableId: TABLES[0],
              routeTableType: "System",
              entries: [
                { destinationCidr: "192.168.0.0/24", type: "System", nextHopType: "local", nextHopId: "-" },
                { destinationCidr: "172.16.0.0/24", type: "System", nextHopType: "local", nextHopId: "-" },
                { destinationCidr: "100.64.0.0/10", type: "System", nextHopType: "service", nextHopId: "-" },
              ],
            },
            { routeTableId: TABLES[1], routeTableType: "Custom" },
          ],
        },
      ],
    });
    return new ModelWorld(fake, options);
  }

  async close(): Promise<void> {
    this.#process = undefined;
    await this.fake.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  identity(): Identity {
    const id = this.#identities[this.who];
    return { key: this.who, uid: id.uid, names: [...id.names] };
  }

  #allIdentities(): Identity[] {
    return (["A", "B", "C"] as const).map((k) => ({ key: k, uid: this.#identities[k].uid, names: [...this.#identities[k].names] }));
  }

  entries(): Map<string, FakeRouteEntry> {
    return new Map(TABLES.flatMap((t) => this.fake.entries(t)).map((e) => [e.routeEntryId, e]));
  }

  tables(): Map<string, FakeRouteEntry[]> {
    return new Map(TABLES.map((t) => [t, this.fake.entries(t)]));
  }

  /** Applies one command; a `pass` runs the operator and returns what the invariants found. */
  async apply(command: Command): Promise<{ violations: Violation[]; note?: string }> {
    switch (command.op) {
      case "pass":
        return this.pass();
      case "restart":
        this.#process = undefined;
        return { violations: [] };
      case "add-node":
        this.nodes = [...this.nodes, materialize(command.node)];
        return { violations: [] };
      case "remove-nodes": {
        if (this.nodes.length === 0) return { violations: [] };
        const from = command.at % this.nodes.length;
        this.nodes = this.nodes.filter((_, k) => k < from || k >= from + command.count);
        return { violations: [] };
      }
      case "copy-node": {
        if (this.nodes.length === 0) return { violations: [] };
        const src = this.nodes[command.at % this.nodes.length]!;
        const own = materialize({ i: command.as, stack: "v4" });
        const copy: ModelNode =
          command.copy === "instance"
            ? { ...own, instance: src.instance, providerId: src.providerId }
            : command.copy === "name"
              ? { ...own, name: src.name }
              : { ...own, podCidrs: [...src.podCidrs] };
        this.nodes = [...this.nodes, copy];
        return { violations: [] };
      }
      case "replace-instance": {
        if (this.nodes.length === 0) return { violations: [] };
        const k = command.at % this.nodes.length;
        const n = this.nodes[k]!;
        const instance = `i-new${String(command.as).padStart(6, "0")}`;
        this.nodes = this.nodes.map((m, j) => (j === k ? { ...n, instance, providerId: n.providerId?.replace(n.instance, instance) } : m));
        return { violations: [] };
      }
      case "set-pod-cidrs": {
        if (this.nodes.length === 0) return { violations: [] };
        const k = command.at % this.nodes.length;
        this.nodes = this.nodes.map((m, j) => (j === k ? { ...m, podCidrs: [...command.cidrs] } : m));
        return { violations: [] };
      }
      case "set-nodes":
        this.nodes = command.nodes.map(materialize);
        return { violations: [] };
      case "cluster-cidrs":
        this.clusterCidrs = command.cidrs;
        return { violations: [] };
      case "max-deletions":
        this.maxDeletions = command.value;
        return { violations: [] };
      case "adopt-unmarked":
        this.adopt = command.on;
        return { violations: [] };
      case "foreign-route":
        return { violations: [], note: this.#addForeign(command.table, command.dest, command.kind) };
      case "edit-description":
        return { violations: [], note: this.#edit(command.pick, command.edit) };
      case "fault":
        this.fake.addFault({
          ...(command.action === "*" ? {} : { action: command.action }),
          count: command.count,
          ...(command.ratio < 1 ? { ratio: command.ratio } : {}),
          fault: faultOf(command.fault),
        });
        return { violations: [] };
      case "crash-next-pass":
        this.crashNext = command.afterCalls;
        return { violations: [] };
      case "mode":
        this.mode = command.mode;
        return { violations: [] };
      case "identity":
        this.who = command.who;
        return { violations: [] };
      case "approve":
        this.approveNext = command.what;
        return { violations: [] };
      case "rename": {
        const a = this.#identities.A;
        if (a.names[0] !== command.to) a.names = [command.to, ...a.names.filter((n) => n !== command.to)];
        return { violations: [] };
      }
    }
  }

  #destOf(dest: string): string | undefined {
    const free = /^free:(\d+):([46])$/.exec(dest);
    if (free) return free[2] === "4" ? `10.244.${50 + Number(free[1])}.0/24` : `fd00:10:244:${(0x800 + Number(free[1])).toString(16)}::/64`;
    const m = /^node:(\d+):([46])$/.exec(dest);
    if (!m) return dest;
    const n = this.nodes[Number(m[1]) % Math.max(1, this.nodes.length)];
    if (!n) return m[2] === "4" ? v4Of(Number(m[1])) : v6Of(Number(m[1]));
    return n.podCidrs.find((c) => c.includes(":") === (m[2] === "6")) ?? n.podCidrs[0];
  }

  #addForeign(table: number, destSpec: string, kind: ForeignKind): string {
    const dest = this.#destOf(destSpec);
    const destinationCidr = dest === undefined ? undefined : parseBlock(dest)?.text;
    if (destinationCidr === undefined) return `no route can be made at ${String(dest)}`;
    // A vSwitch (System, next hop local) never covers the whole address space.
    if (kind === "system" && parseBlock(destinationCidr)?.prefix === 0) return "no System default route";
    const tableId = TABLES[table]!;
    if (this.fake.entries(tableId).some((e) => e.destinationCidr === destinationCidr)) return `${destinationCidr} already taken in ${tableId}`;
    const a = this.#identities.A;
    const holder = this.nodes.find((n) => n.podCidrs.some((c) => canonical(c) === destinationCidr));
    const instance = (id: string): SeedEntry["nextHops"] => [{ nextHopType: "Instance", nextHopId: id }];
    const marker = (cluster: string, uid: string | undefined, node = "node-x"): string =>
      ["managed-by=vpc-route-sync", `cluster=${cluster}`, ...(uid ? [`uid=${uid}`] : []), `node=${node}`].join(" ");
    const seeds: Record<ForeignKind, Omit<SeedEntry, "destinationCidr">> = {
      unmarked: { nextHops: instance("i-handmade01") },
      "unmarked-exact": { nextHops: instance(holder?.instance ?? "i-handmade02") },
      vpn: { nextHops: [{ nextHopType: "VpnGateway", nextHopId: "vpn-model01" }] },
      "router-interface": { nextHops: [{ nextHopType: "RouterInterface", nextHopId: "ri-model01" }] },
      ecmp: { nextHops: [{ nextHopType: "Instance", nextHopId: "i-ecmp0001", weight: 50 }, { nextHopType: "Instance", nextHopId: "i-ecmp0002", weight: 50 }] },
      system: { type: "System", nextHops: [{ nextHopType: "local", nextHopId: "-" }] },
      bgp: { type: "BGP", nextHops: [{ nextHopType: "RouterInterface", nextHopId: "ri-bgp01" }] },
      cen: { type: "CEN", nextHops: [{ nextHopType: "Attachment", nextHopId: "tr-attach01" }] },
      ecr: { type: "ECR", nextHops: [{ nextHopType: "Ecr", nextHopId: "ecr-model01" }] },
      "other-cluster": { nextHops: instance("i-other0001"), description: marker("prod", UIDS.B) },
      "other-name": { nextHops: instance("i-other0002"), description: marker("stage", UIDS.C) },
      legacy: { nextHops: instance(holder?.instance ?? "i-legacy001"), description: marker(a.names[0]!, undefined, holder?.name ?? "node-x") },
      forged: { nextHops: instance("i-forged001"), description: marker(a.names[0]!, a.uid) },
      "other-tool": { nextHops: instance("i-tool00001"), description: "managed-by=terraform stack=network" },
      "damaged-case": { nextHops: instance("i-damage001"), description: `Managed-By=VPC-Route-Sync cluster=${a.names[0]!} uid=${a.uid} node=node-x` },
      "damaged-uid": { nextHops: instance("i-damage002"), description: marker(a.names[0]!, undefined).replace("node=", "uid=not-a-uid node=") },
      "damaged-two-clusters": { nextHops: instance("i-damage003"), description: `${marker(a.names[0]!, a.uid)} cluster=stage` },
    };
    const added = this.fake.addEntry(tableId, { destinationCidr, ...seeds[kind] });
    return `added ${added.routeEntryId}`;
  }

  #edit(pick: number, edit: EditKind): string {
    const custom = [...this.entries().values()].filter((e) => e.type === "Custom").sort((x, y) => (x.routeEntryId < y.routeEntryId ? -1 : 1));
    if (custom.length === 0) return "no custom entry";
    const e = custom[pick % custom.length]!;
    const a = this.#identities.A;
    const d = e.description;
    const next: Record<EditKind, string> = {
      clear: "hand-made",
      "other-tool": "managed-by=terraform stack=network",
      "other-uid": d.includes("uid=") ? d.replace(/uid=\S+/, `uid=${UIDS.B}`) : d,
      "drop-uid": d.replace(/\s*uid=\S+/, ""),
      "upper-case": d.toUpperCase(),
      "forge-hold": d.includes("hold=deletion") ? d : `${d} hold=deletion`,
      "strip-hold": d.replace(/\s*hold=deletion/, ""),
      "forge-ours": `managed-by=vpc-route-sync cluster=${a.names[0]!} uid=${a.uid} node=node-forged`,
    };
    const description = next[edit].trim() === "" ? "hand-made" : next[edit];
    this.fake.editEntry(e.routeEntryId, { description });
    // A hand edit hands the route over: what the description now says is all that is known. Holds
    // added or removed by hand leave its maker; a removed hold also ends that route's refusal.
    if (edit !== "forge-hold" && edit !== "strip-hold") this.provenance.delete(e.routeEntryId);
    if (edit === "strip-hold") for (const r of this.refused.values()) r.delete(e.routeEntryId);
    return `${e.routeEntryId} ${e.destinationCidr}: "${d}" -> "${description}"`;
  }

  #approveList(): string[] {
    const what = this.approveNext;
    if (what === undefined) return [];
    if (what === "all") return ["all"];
    const ctx = { identity: this.identity(), identities: this.#allIdentities(), provenance: this.provenance, adopt: this.adopt, clusterCidrs: this.clusterCidrs };
    const sorted = [...this.entries().values()].sort((x, y) => (x.routeEntryId < y.routeEntryId ? -1 : 1));
    const marker = (e: FakeRouteEntry) => readMarkerStrict(e.description);
    const pick =
      what === "held-id" || what === "held-dest"
        ? sorted.find((e) => {
            const m = marker(e);
            return typeof m === "object" && m.held;
          })
        : what === "legacy-id"
          ? sorted.find((e) => {
              const m = marker(e);
              return typeof m === "object" && m.uid === undefined && !this.provenance.has(e.routeEntryId);
            })
          : sorted.find((e) => typeof marker(e) === "object" && !insideClusterCidr(e.destinationCidr, ctx.clusterCidrs));
    if (!pick) return [];
    return [what === "held-dest" ? pick.destinationCidr : pick.routeEntryId];
  }

  #argv(approve: readonly string[], nodesFile: string | undefined): string[] {
    const id = this.#identities[this.who];
    return [
      "reconcile",
      "--region",
      REGION,
      "--vpc-id",
      VPC_ID,
      "--vpc-endpoint",
      this.fake.url,
      "--cluster-name",
      id.names[0]!,
      ...this.clusterCidrs.flatMap((c) => ["--cluster-cidr", c]),
      "--max-deletions",
      this.maxDeletions,
      ...(this.adopt ? ["--adopt-unmarked"] : []),
      ...(nodesFile !== undefined ? ["--nodes-file", nodesFile] : []),
      ...(approve.length > 0 ? ["--approve-deletions", approve.join(",")] : []),
      "--log-level",
      "silent",
    ];
  }

  /** One reconcile pass as the running identity, checked against the invariants. */
  async pass(): Promise<{ violations: Violation[]; note?: string }> {
    const approve = this.#approveList();
    this.approveNext = undefined;
    const crashAfter = this.crashNext;
    this.crashNext = undefined;
    const nodesFile = this.mode === "nodes-file" ? join(this.#dir, "nodes.json") : undefined;
    const argv = this.#argv(approve, nodesFile);
    let config: ReconcileConfig;
    try {
      const outcome = parseConfig(argv, { ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET }, { version: "0.0.0-model", readFile: () => "" });
      if (outcome.kind !== "config" || outcome.config.command !== "reconcile") return { violations: [], note: `no config: ${outcome.kind}` };
      config = outcome.config;
    } catch (error) {
      return { violations: [], note: `configuration refused: ${(error as Error).message}` };
    }
    let nodes: NodeFacts[];
    if (nodesFile !== undefined) {
      writeFileSync(nodesFile, JSON.stringify({ apiVersion: "v1", kind: "List", items: this.nodes.map(modelNodeObject) }));
      nodes = await readNodesFile(nodesFile, commandIo());
    } else {
      nodes = this.nodes.map((n, k) => nodeFactsFrom(modelNodeObject(n, k)));
    }
    const clusterUid = this.mode === "api" ? this.#identities[this.who].uid : undefined;

    const key = JSON.stringify(argv.filter((a, k) => a !== "--approve-deletions" && argv[k - 1] !== "--approve-deletions"));
    if (this.#process?.key !== key) {
      const routeTable = createRouteTable(config, silent, { onApiCall: () => this.#onCall?.() }, TUNING);
      this.#process = { key, routeTable };
    }
    const { routeTable } = this.#process;
    const runner = new PassRunner({ routeTable, vpcNetwork: createVpcNetwork(routeTable), settings: passSettingsFrom(config, clusterUid), logger: silent });

    const ctx: PassContext = {
      identity: this.identity(),
      identities: this.#allIdentities(),
      regionId: REGION,
      clusterCidrs: this.clusterCidrs.map(canonical),
      maxDeletions: this.maxDeletions,
      adopt: this.adopt,
      approve: config.approveDeletions,
      nodes: this.nodes,
      network: NETWORK_BLOCKS,
      provenance: new Map(this.provenance),
      refused: new Map(this.refused.get(this.who) ?? []),
      uidKnown: clusterUid !== undefined,
      unlisted: (e) => {
        const omitted = this.#options.omittedFilters;
        return (
          (omitted.nextHopType === "Instance" && !e.nextHops.some((h) => h.nextHopType === "Instance")) ||
          (omitted.routeEntryType === "Custom" && e.type !== "Custom") ||
          (omitted.ipVersion === "ipv4" && e.ipVersion === "ipv6" && !this.clusterCidrs.some((c) => c.includes(":")))
        );
      },
    };
    const before = this.entries();
    this.fake.resetRequests();
    const abort = new AbortController();
    let calls = 0;
    this.#onCall = () => {
      calls += 1;
      if (crashAfter !== undefined && calls >= crashAfter) abort.abort(new Error("model: the process died"));
    };
    let result: PassResult | undefined;
    let note: string | undefined;
    try {
      result = await runner.run({ nodes, allowDeletes: true, dryRun: false, signal: abort.signal });
    } catch (error) {
      note = `pass threw: ${(error as Error).message}`;
    } finally {
      this.#onCall = undefined;
    }
    this.passes += 1;
    this.apiCalls += calls;
    if (abort.signal.aborted) {
      // The process died: the next pass is a new process with nothing in memory.
      this.#process = undefined;
      result = undefined;
      note = `crashed after ${calls} calls`;
    }
    const log = this.fake.requests();
    const reported = result?.plan.held.deletes.filter((h) => h.reason === "max-deletions-exceeded").map((h) => h.action.routeEntryId);
    const verdict = checkPass(before, log, ctx, reported);
    if (result !== undefined) {
      const ids = new Set([...result.plan.held.deletes.map((h) => h.action.routeEntryId), ...result.plan.deletes.map((d) => d.routeEntryId)]);
      verdict.violations.push(...checkReported(before, ctx, { ids, unreadTables: new Set(result.tableFailures.map((f) => f.routeTableId)) }));
    }

    // What the model learns: routes this pass made are this identity's; the refusal's entries.
    for (const id of this.entries().keys()) if (!before.has(id)) this.provenance.set(id, this.who);
    const refused = this.refused.get(this.who) ?? new Map<string, string>();
    for (const id of verdict.refusalCleared) refused.delete(id);
    for (const [id, dest] of verdict.refusedNow) refused.set(id, dest);
    this.refused.set(this.who, refused);
    return { violations: verdict.violations, ...(note !== undefined ? { note } : { note: result?.outcome }) };
  }

  /** Faults stop; up to `passes` passes; then every routable Node must have its routes. */
  async liveness(passes: number): Promise<{ violations: Violation[]; notes: string[] }> {
    this.fake.clearFaults();
    this.crashNext = undefined;
    this.approveNext = undefined;
    const config = { regionId: REGION, clusterCidrs: this.clusterCidrs, nodes: this.nodes, network: NETWORK_BLOCKS };
    const routable = routableNodes(this.tables(), config);
    const violations: Violation[] = [];
    const notes: string[] = [];
    for (let k = 0; k < passes; k += 1) {
      const step = await this.pass();
      violations.push(...step.violations);
      notes.push(step.note ?? "");
      if (step.note?.startsWith("configuration refused")) return { violations, notes };
      if (routable.every((n) => missingRoutes(n, this.tables()).length === 0)) return { violations, notes };
    }
    for (const n of routable) {
      const missing = missingRoutes(n, this.tables());
      if (missing.length > 0) violations.push({ id: "not-routed", detail: `${n.name} (${n.instance}, ${n.podCidrs.join(", ")}) has no route at ${missing.join(", ")} after ${passes} passes without faults` });
    }
    return { violations, notes };
  }
}

function faultOf(kind: FaultKind): Fault {
  switch (kind) {
    case "error":
      return { type: "error", status: 400, code: "OperationFailed.Model", message: "the model refused this call" };
    case "internal":
      return { type: "internal-error" };
    case "timeout":
      return { type: "timeout", ms: 400 };
    case "apply-then-drop":
      return { type: "apply-then-drop" };
    case "throttling":
      return { type: "throttling" };
  }
}

function commandIo(): CommandIo {
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    hostname: "model",
    signal: new AbortController().signal,
  };
}
