// The write gate: every create, delete and modify passes here just before it is sent, and only
// what passes can be sent (the RouteTable seam accepts nothing but the Gated* types made here).
// The planner proposes, the gate disposes: it re-checks every write against the tables as read
// this pass, whatever the planner decided, and a refused write names the rule that refused it.
// Pure: no I/O; `leader` is asked at each admit.
//
// The invariants, once (GATE_RULES, in the order they are checked):
//   leader-only          only the leader writes (asked at every admit, not when the pass began)
//   cluster-cidr-family  the destination's IP family has a configured cluster CIDR
//   inside-cluster-cidr  ... and lies inside it (outsideClusterCidrs, the pod-network rule)
//   not-default-route    never 0.0.0.0/0 or ::/0
//   vpc-network          a create never overlaps the VPC's own network (VPC and vSwitch blocks,
//                        System routes of the table); an unreadable network refuses every create
//   known-identity       a delete or modify touches an entry that exists as read and is ours by
//                        a known identity (entry-ownership.ts); a create or modify writes our marker
//   claim-exact-match    a modify of an entry that is not ours yet (a claim) only writes our marker on
//                        a route that routes exactly an eligible Node's destination to its instance
//   destination-free     a create aims at a destination nothing holds (but our entry deleted in the
//                        same batch); a delete or modify never aims at another's entry
//   deletion-budget      automatic deletes stay within --max-deletions, counted over the deletable
//                        owned routes as they stood before any refusal (held ones included); while
//                        any hold mark stands no automatic delete passes; approved ones are exempt
import type { Approvals } from "./approval.js";
import { equals, isDefaultRoute, overlaps, parseCidr, type Cidr } from "./cidr.js";
import { outsideClusterCidrs } from "./eligibility.js";
import { classifyParsed, type OwnershipContext } from "./entry-ownership.js";
import { isClusterUid, readMarker } from "./ownership.js";
import { allowedDeletes } from "./plan-guard.js";
import type { MaxDeletions } from "./plan.js";
import { routesTo } from "./route-entry.js";
import { destinationKey, type ParsedEntry, type ParsedTables } from "./route-tables.js";
import type { RouteCreate, RouteDelete, RouteEntry, RouteRelabel } from "./types.js";

/** Stable rule ids: the `rule` of a refused write, its error code (`Gate.<rule>`) and metric label. */
export const GATE_RULES = [
  "leader-only",
  "cluster-cidr-family",
  "inside-cluster-cidr",
  "not-default-route",
  "vpc-network",
  "known-identity",
  "claim-exact-match",
  "destination-free",
  "deletion-budget",
] as const;
export type GateRule = (typeof GATE_RULES)[number];

declare const GATED: unique symbol;
/** A write the gate admitted. Only this module makes one; the RouteTable seam takes nothing else. */
export type Gated<A, K extends "create" | "delete" | "modify"> = A & { readonly [GATED]: K };
export type GatedCreate = Gated<RouteCreate, "create">;
export type GatedDelete = Gated<RouteDelete, "delete">;
export type GatedModify = Gated<RouteRelabel, "modify">;

/** A modify names what it is for: the claim rule applies when it is a claim (the entry is not ours yet). */
export interface ModifyProposal extends RouteRelabel {
  readonly reason: string;
}

export interface RefusedWrite<A = RouteCreate | RouteDelete | RouteRelabel> {
  readonly kind: "create" | "delete" | "modify";
  readonly action: A;
  readonly rule: GateRule;
  readonly message: string;
}

export interface GateSettings {
  /** Who we are and where we may act: cluster name and uid (when known), cluster CIDRs, adoption. */
  readonly identity: OwnershipContext;
  readonly maxDeletions: MaxDeletions;
  readonly approvals: Approvals;
}

export interface GateView {
  /** The managed tables as read this pass (only tables that were read): the view the planner was handed. */
  readonly tables: ParsedTables;
  /** The VPC's and its vSwitches' blocks; "unreadable" refuses every create; undefined: System routes only. */
  readonly network: readonly Cidr[] | "unreadable" | undefined;
  /** The destinations eligible, conflict-free Nodes want: `${routeTableId} ${canonical destination}` -> instance id. */
  readonly wanted: ReadonlyMap<string, string>;
  /** Asked at every admit: false once leadership is lost or the pass is aborted. */
  readonly leader: () => boolean;
}

export interface Admitted<A, G> {
  readonly admitted: ReadonlyArray<A & G>;
  readonly refused: ReadonlyArray<RefusedWrite<A>>;
}

type Verdict = { readonly rule: GateRule; readonly message: string } | undefined;
const refuse = (rule: GateRule, message: string): Verdict => ({ rule, message });

/** The gate of one pass: built over what the pass read; counts the deletes it admits across tables. */
export class WriteGate {
  readonly #settings: GateSettings;
  readonly #view: GateView;
  readonly #byId = new Map<string, ParsedEntry>();
  readonly #byDestination = new Map<string, RouteEntry[]>();
  readonly #system = new Map<string, Cidr[]>();
  readonly #allowed: number;
  readonly #holdStands: boolean;
  #automaticAdmitted = 0;

  constructor(settings: GateSettings, view: GateView) {
    this.#settings = settings;
    this.#view = view;
    let base = 0;
    let holdStands = false;
    for (const [routeTableId, entries] of view.tables) {
      for (const parsed of entries) {
        const { entry, destination } = parsed;
        const key = `${routeTableId} ${destinationKey(parsed)}`;
        this.#byId.set(`${routeTableId} ${entry.routeEntryId}`, parsed);
        this.#byDestination.set(key, [...(this.#byDestination.get(key) ?? []), entry]);
        if (entry.type === "System" && destination !== undefined && destination.prefix > 0) {
          this.#system.set(routeTableId, [...(this.#system.get(routeTableId) ?? []), destination]);
        }
        const own = classifyParsed(parsed, settings.identity);
        if (!own.owned || entry.status === "Deleting" || outsideClusterCidrs(own.destination, settings.identity.clusterCidrs)) continue;
        if (own.via === "marker" && own.legacy) continue;
        base++; // deletable owned routes as they stand, held ones included (a refusal does not shrink the base)
        if (own.via === "marker" && own.held) holdStands = true;
      }
    }
    this.#allowed = allowedDeletes(settings.maxDeletions, base);
    this.#holdStands = holdStands;
  }

  /** Admits the writes of one table, or refuses each with its rule. Deletes are judged first (a create may rely on one). */
  admit<C extends RouteCreate, D extends RouteDelete, M extends ModifyProposal>(
    routeTableId: string,
    batch: { readonly creates: readonly C[]; readonly deletes: readonly D[]; readonly modifies?: readonly M[] },
  ): {
    creates: Admitted<C, GatedCreate>;
    deletes: Admitted<D, GatedDelete>;
    modifies: Admitted<M, GatedModify>;
  } {
    const deletes = this.#judge("delete", batch.deletes, (d) => this.#checkDelete(routeTableId, d));
    const freed = new Set(deletes.admitted.map((d) => d.routeEntryId));
    const creates = this.#judge("create", batch.creates, (c) => this.#checkCreate(routeTableId, c, freed));
    const modifies = this.#judge("modify", batch.modifies ?? [], (m) => this.#checkModify(routeTableId, m));
    // The one place a Gated value is made: what passed every rule above.
    return {
      creates: creates as unknown as Admitted<C, GatedCreate>,
      deletes: deletes as unknown as Admitted<D, GatedDelete>,
      modifies: modifies as unknown as Admitted<M, GatedModify>,
    };
  }

  #judge<A>(kind: RefusedWrite["kind"], actions: readonly A[], check: (a: A) => Verdict): { admitted: A[]; refused: RefusedWrite<A>[] } {
    const admitted: A[] = [];
    const refused: RefusedWrite<A>[] = [];
    for (const action of actions) {
      const verdict = this.#view.leader() ? check(action) : refuse("leader-only", "not the leader (or the pass was aborted): nothing is written");
      if (verdict === undefined) admitted.push(action);
      else refused.push({ kind, action, ...verdict });
    }
    return { admitted, refused };
  }

  /** Rules every write shares: a destination inside the pod network that is not a default route. */
  #checkDestination(text: string): Verdict | Cidr {
    const parsed = parseCidr(text);
    return parsed.ok ? this.#checkCidr(parsed.cidr) : unparsable(text, parsed.message);
  }

  #checkCidr(cidr: Cidr): Verdict | Cidr {
    const cidrs = this.#settings.identity.clusterCidrs;
    if (cidrs.length === 0) return refuse("cluster-cidr-family", `${cidr.text}: no cluster CIDR is configured`);
    if (!cidrs.some((c) => c.family === cidr.family)) return refuse("cluster-cidr-family", `${cidr.text}: no IPv${cidr.family} cluster CIDR is configured`);
    const outside = outsideClusterCidrs(cidr, cidrs);
    if (outside !== undefined) return refuse("inside-cluster-cidr", outside);
    if (isDefaultRoute(cidr)) return refuse("not-default-route", `${cidr.text} is a default route`);
    return cidr;
  }

  #checkCreate(routeTableId: string, c: RouteCreate, freed: ReadonlySet<string>): Verdict {
    if (c.routeTableId !== routeTableId) return refuse("known-identity", `create for ${c.routeTableId} sent to ${routeTableId}`);
    const cidr = this.#checkDestination(c.destinationCidr);
    if (!isCidr(cidr)) return cidr;
    const { network } = this.#view;
    if (network === "unreadable") return refuse("vpc-network", `the VPC's network could not be read: ${cidr.text} cannot be checked against it`);
    const block = [...(network ?? []), ...(this.#system.get(routeTableId) ?? [])].find((n) => overlaps(n, cidr));
    if (block) return refuse("vpc-network", `${cidr.text} overlaps ${block.text}, the VPC's own network`);
    if (!this.#writesOurMarker(c.description)) return refuse("known-identity", `the description of ${cidr.text} is not this cluster's marker`);
    const holders = (this.#byDestination.get(`${routeTableId} ${cidr.text}`) ?? []).filter((e) => !freed.has(e.routeEntryId));
    const holder = holders[0];
    if (holder) return refuse("destination-free", `${cidr.text} in ${routeTableId} is held by ${holder.routeEntryId} (${holder.type}, ${holder.status})`);
    return undefined;
  }

  /** The entry a delete or modify aims at, as read this pass, at the destination the write names. */
  #entryAsRead(routeTableId: string, a: { readonly routeEntryId: string; readonly destinationCidr: string }): Verdict | { parsed: ParsedEntry; cidr: Cidr } {
    const parsed = this.#byId.get(`${routeTableId} ${a.routeEntryId}`);
    if (parsed === undefined) return refuse("known-identity", `${a.routeEntryId} was not read in ${routeTableId} this pass`);
    const cidr = parsed.destination === undefined ? unparsable(parsed.entry.destinationCidr, parsed.unparsable) : this.#checkCidr(parsed.destination);
    if (!isCidr(cidr)) return cidr;
    const named = parseCidr(a.destinationCidr);
    if (!named.ok || !equals(named.cidr, cidr)) return refuse("destination-free", `${a.routeEntryId} holds ${cidr.text}, not ${a.destinationCidr}`);
    return { parsed, cidr };
  }

  #checkDelete(routeTableId: string, d: RouteDelete): Verdict {
    const found = this.#entryAsRead(routeTableId, d);
    if (found === undefined || !("parsed" in found)) return found;
    const { parsed, cidr } = found;
    const { entry } = parsed;
    if (entry.status === "Deleting") return refuse("known-identity", `${d.routeEntryId} is already being deleted`);
    const own = classifyParsed(parsed, this.#settings.identity);
    if (!own.owned) return refuse("known-identity", `${d.routeEntryId} (${cidr.text}) is not ours: ${own.detail}`);
    const approved = this.#settings.approvals.covers(entry, cidr.text, this.#settings.identity);
    if (own.via === "marker" && own.legacy && !approved) {
      return refuse("known-identity", `${d.routeEntryId} (${cidr.text}) carries no cluster uid: not provably ours; approve it by name`);
    }
    if (approved) return undefined;
    if (own.via === "marker" && own.held) return refuse("deletion-budget", `${d.routeEntryId} (${cidr.text}) is held: only an approval deletes it`);
    if (this.#holdStands) return refuse("deletion-budget", `a refused deletion is still held in the VPC: no automatic delete until a human acts`);
    if (this.#automaticAdmitted >= this.#allowed) {
      return refuse("deletion-budget", `more than the ${this.#allowed} automatic deletes --max-deletions allows this pass`);
    }
    this.#automaticAdmitted++;
    return undefined;
  }

  #checkModify(routeTableId: string, m: ModifyProposal): Verdict {
    const found = this.#entryAsRead(routeTableId, m);
    if (found === undefined || !("parsed" in found)) return found;
    const { parsed, cidr } = found;
    const { entry } = parsed;
    if (!this.#writesOurMarker(m.description)) return refuse("known-identity", `the new description of ${m.routeEntryId} is not this cluster's marker`);
    const own = classifyParsed(parsed, this.#settings.identity);
    if (own.owned) return undefined;
    // A claim: our marker on a route that is not ours yet. Only on an unmarked route that routes
    // exactly what an eligible Node wants; never on another cluster's or a damaged marker.
    const marker = readMarker(entry, this.#settings.identity.clusterName, this.#settings.identity.clusterUid);
    if (!marker.owned && marker.marked) {
      return refuse("known-identity", `${m.routeEntryId} (${cidr.text}) carries another identity's marker: ${own.detail}`);
    }
    const instance = this.#view.wanted.get(`${routeTableId} ${cidr.text}`);
    if (entry.type !== "Custom" || instance === undefined || !routesTo(entry, instance)) {
      return refuse("claim-exact-match", `${m.routeEntryId} (${cidr.text}) is not ours and does not route exactly an eligible Node's pod CIDR to its instance`);
    }
    return undefined;
  }

  /** A description we write is this cluster's marker, with our uid when it is known (name-only when it is not). */
  #writesOurMarker(description: string): boolean {
    const { clusterName, clusterUid } = this.#settings.identity;
    const marker = readMarker({ description }, clusterName, clusterUid);
    return marker.owned && (!marker.legacy || !isClusterUid(clusterUid));
  }
}

const isCidr = (v: Verdict | Cidr): v is Cidr => v !== undefined && "family" in v;
const unparsable = (text: string, message: string): Verdict => refuse("inside-cluster-cidr", `destination ${text} does not parse: ${message}`);
