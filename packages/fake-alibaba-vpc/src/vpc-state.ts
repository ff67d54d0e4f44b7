// The fake's model of the VPCs of one region: route tables and their entries, with the asynchronous
// status life cycle computed lazily from the injected clock (Pending/Modifying -> Available,
// Deleting -> gone, once `settlesAt` has passed) so tests control time without timers. API rules
// (uniqueness, quota, stability) are enforced by the action handlers; hand edits bypass them.
import { apiErrors, FakeApiError } from "./api-error.ts";
import { cidrWithin, parseCidr, type ParsedCidr } from "./cidr.ts";
import type { Prng } from "./prng.ts";
import type {
  EntryPatch,
  FakeEntryStatus,
  FakeEntryType,
  FakeNextHop,
  FakeRouteEntry,
  FakeRouteTable,
  FakeVpcSnapshot,
  SeedEntry,
  SeedNextHop,
  SeedTable,
  SeedVpc,
  SeedVpcNetwork,
  FakeVpcNetwork,
} from "./types.ts";

interface EntryRecord {
  routeTableId: string;
  routeEntryId: string;
  destinationCidr: string;
  parsed: ParsedCidr;
  type: FakeEntryType;
  status: FakeEntryStatus;
  nextHops: FakeNextHop[];
  routeEntryName: string;
  description: string;
  seq: number;
  modifiedAt: number;
  settlesAt: number | undefined;
}

interface TableRecord {
  readonly info: FakeRouteTable;
  readonly entries: Map<string, EntryRecord>;
}

export interface VpcStateOptions {
  readonly regionId: string;
  readonly pendingMs: number;
  readonly now: () => number;
  readonly prng: Prng;
}

/** A full entry as persisted in the state file (fake-clock times in ms). */
export type StoredEntry = FakeRouteEntry;
export type StoredTable = FakeRouteTable & { readonly entries: readonly StoredEntry[] };

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function toNextHops(hops: readonly SeedNextHop[]): FakeNextHop[] {
  return hops.map((h) => ({ nextHopType: h.nextHopType, nextHopId: h.nextHopId, weight: h.weight ?? 0, enabled: h.enabled ?? true }));
}

function seedNextHops(seed: SeedEntry): FakeNextHop[] {
  if (seed.nextHops && seed.nextHops.length > 0) return toNextHops(seed.nextHops);
  if (seed.nextHopId !== undefined) return toNextHops([{ nextHopType: seed.nextHopType ?? "Instance", nextHopId: seed.nextHopId }]);
  throw new TypeError(`seed entry ${seed.destinationCidr}: nextHops (or nextHopId) is required`);
}

function copyEntry(e: EntryRecord): FakeRouteEntry {
  return {
    routeTableId: e.routeTableId,
    routeEntryId: e.routeEntryId,
    destinationCidr: e.destinationCidr,
    type: e.type,
    status: e.status,
    nextHops: e.nextHops.map((h) => ({ ...h })),
    routeEntryName: e.routeEntryName,
    description: e.description,
    ipVersion: e.parsed.version === 4 ? "ipv4" : "ipv6",
    seq: e.seq,
    modifiedAt: e.modifiedAt,
    settlesAt: e.settlesAt,
  };
}

export class VpcState {
  readonly regionId: string;
  #pendingMs: number;
  readonly #now: () => number;
  readonly #prng: Prng;
  readonly #tables = new Map<string, TableRecord>();
  /** Networks given explicitly (seed or control API); other VPCs with tables get the default. */
  readonly #networks = new Map<string, SeedVpcNetwork>();
  #seq = 0;
  #dirty = false;
  #frozen = false;

  constructor(options: VpcStateOptions) {
    this.regionId = options.regionId;
    this.#pendingMs = options.pendingMs;
    this.#now = options.now;
    this.#prng = options.prng;
  }

  /** How long later changes stay Pending/Modifying/Deleting (entries already unsettled keep their time). */
  setPendingMs(ms: number): void {
    this.#pendingMs = ms;
  }

  /** True once since the last call if anything changed (used to decide when to save). */
  takeDirty(): boolean {
    this.settle();
    const dirty = this.#dirty;
    this.#dirty = false;
    return dirty;
  }

  /**
   * Runs one API call against a consistent view: due transitions are applied first, none during
   * the call (with pendingMs 0 an entry created by item 1 of a batch is still Pending for item 2).
   */
  atomic<T>(run: () => T): T {
    this.settle();
    this.#frozen = true;
    try {
      return run();
    } finally {
      this.#frozen = false;
    }
  }

  /** Applies every due status transition. Called before every read and write. */
  settle(): void {
    if (this.#frozen) return;
    const now = this.#now();
    for (const table of this.#tables.values()) {
      for (const [id, entry] of table.entries) {
        if (entry.settlesAt === undefined || entry.settlesAt > now) continue;
        if (entry.status === "Deleting") {
          table.entries.delete(id);
        } else {
          entry.status = "Available";
          entry.settlesAt = undefined;
          entry.modifiedAt = now;
        }
        this.#dirty = true;
      }
    }
  }

  // ---- seeding and persistence -------------------------------------------------------------

  seedVpc(vpc: SeedVpc): void {
    if (vpc.cidrBlock !== undefined) this.setNetwork(vpc.vpcId, { ...vpc, cidrBlock: vpc.cidrBlock });
    vpc.tables.forEach((table, i) => this.addTable(vpc.vpcId, table, i === 0 ? "System" : "Custom"));
  }

  /** Sets a VPC's CIDR blocks and vSwitches (creating the VPC if it has no table yet). */
  setNetwork(vpcId: string, network: SeedVpcNetwork): FakeVpcNetwork {
    const cidrs = [network.cidrBlock, ...(network.secondaryCidrBlocks ?? []), ...(network.ipv6CidrBlocks ?? [])];
    for (const v of network.vSwitches ?? []) cidrs.push(v.cidrBlock, ...(v.ipv6CidrBlock ? [v.ipv6CidrBlock] : []));
    for (const cidr of cidrs) if (!parseCidr(cidr)) throw new TypeError(`VPC ${vpcId}: bad CIDR block ${JSON.stringify(cidr)}`);
    this.#networks.set(vpcId, network);
    return this.network(vpcId)!;
  }

  /** The VPC's network, or undefined for a VPC the fake does not know (no network and no table). */
  network(vpcId: string): FakeVpcNetwork | undefined {
    const zoneId = `${this.regionId}-a`;
    const given = this.#networks.get(vpcId);
    if (given) {
      return {
        vpcId,
        cidrBlock: given.cidrBlock,
        secondaryCidrBlocks: [...(given.secondaryCidrBlocks ?? [])],
        ipv6CidrBlocks: [...(given.ipv6CidrBlocks ?? [])],
        vSwitches: (given.vSwitches ?? []).map((v) => ({ vSwitchId: v.vSwitchId, cidrBlock: v.cidrBlock, ipv6CidrBlock: v.ipv6CidrBlock ?? "", zoneId: v.zoneId ?? zoneId })),
      };
    }
    const tables = [...this.#tables.values()].filter((t) => t.info.vpcId === vpcId);
    if (tables.length === 0) return undefined;
    const local = new Set<string>();
    for (const t of tables) {
      for (const e of t.entries.values()) if (e.type === "System" && e.nextHops.some((h) => h.nextHopType === "local")) local.add(e.destinationCidr);
    }
    const vSwitches = [...local].map((cidrBlock, i) => ({
      vSwitchId: `vsw-${vpcId.replace(/^vpc-/, "")}${String(i + 1).padStart(2, "0")}`,
      cidrBlock,
      ipv6CidrBlock: "",
      zoneId,
    }));
    return { vpcId, cidrBlock: "192.168.0.0/16", secondaryCidrBlocks: [], ipv6CidrBlocks: [], vSwitches };
  }

  addTable(vpcId: string, seed: SeedTable, defaultType: "System" | "Custom" = "Custom"): FakeRouteTable {
    if (this.#tables.has(seed.routeTableId)) throw new TypeError(`route table ${seed.routeTableId} already exists`);
    const info: FakeRouteTable = {
      vpcId,
      routeTableId: seed.routeTableId,
      routeTableType: seed.routeTableType ?? defaultType,
      routeTableName: seed.routeTableName ?? "",
      routerId: `vrt-${vpcId.replace(/^vpc-/, "")}`,
      createdAt: this.#now(),
    };
    this.#tables.set(seed.routeTableId, { info, entries: new Map() });
    for (const entry of seed.entries ?? []) this.addEntry(seed.routeTableId, entry);
    this.#dirty = true;
    return info;
  }

  /** Restores a persisted table verbatim (ids, statuses, settle times). */
  restoreTable(table: StoredTable): void {
    if (this.#tables.has(table.routeTableId)) throw new TypeError(`route table ${table.routeTableId} appears twice`);
    const { entries, ...info } = table;
    const record: TableRecord = { info, entries: new Map() };
    this.#tables.set(info.routeTableId, record);
    for (const e of entries) {
      const parsed = parseCidr(e.destinationCidr);
      if (!parsed) throw new TypeError(`entry ${e.routeEntryId}: bad destinationCidr ${e.destinationCidr}`);
      record.entries.set(e.routeEntryId, {
        ...e,
        routeTableId: info.routeTableId,
        parsed,
        nextHops: e.nextHops.map((h) => ({ ...h })),
        settlesAt: e.settlesAt,
      });
      this.#seq = Math.max(this.#seq, e.seq);
    }
  }

  snapshot(): FakeVpcSnapshot {
    this.settle();
    const vpcs = new Map<string, Array<FakeRouteTable & { entries: FakeRouteEntry[] }>>();
    for (const table of this.#tables.values()) {
      const list = vpcs.get(table.info.vpcId) ?? [];
      list.push({ ...table.info, entries: this.#sorted(table).map(copyEntry) });
      vpcs.set(table.info.vpcId, list);
    }
    return { regionId: this.regionId, vpcs: [...vpcs.entries()].map(([vpcId, tables]) => ({ vpcId, tables })) };
  }

  // ---- reads --------------------------------------------------------------------------------

  tables(): FakeRouteTable[] {
    return [...this.#tables.values()].map((t) => ({ ...t.info }));
  }

  hasTable(routeTableId: string): boolean {
    return this.#tables.has(routeTableId);
  }

  tableInfo(routeTableId: string): FakeRouteTable {
    return this.#table(routeTableId).info;
  }

  entries(routeTableId: string): FakeRouteEntry[] {
    this.settle();
    return this.#sorted(this.#table(routeTableId)).map(copyEntry);
  }

  entry(routeEntryId: string): FakeRouteEntry | undefined {
    this.settle();
    const found = this.#findEntry(routeEntryId);
    return found ? copyEntry(found) : undefined;
  }

  /** VPC id of the table holding the entry, if any. */
  vpcOfEntry(routeEntryId: string): string | undefined {
    const found = this.#findEntry(routeEntryId);
    return found ? this.#table(found.routeTableId).info.vpcId : undefined;
  }

  entryByDestination(routeTableId: string, destinationCidr: string): FakeRouteEntry | undefined {
    this.settle();
    const found = this.#byDestination(this.#table(routeTableId), destinationCidr);
    return found ? copyEntry(found) : undefined;
  }

  /** True when nothing in the VPC is Pending, Modifying or Deleting. */
  isStable(vpcId: string): boolean {
    this.settle();
    for (const table of this.#tables.values()) {
      if (table.info.vpcId !== vpcId) continue;
      for (const entry of table.entries.values()) if (entry.status !== "Available") return false;
    }
    return true;
  }

  customCount(routeTableId: string): number {
    let count = 0;
    for (const entry of this.#table(routeTableId).entries.values()) if (entry.type === "Custom") count++;
    return count;
  }

  /**
   * Why a new custom destination is not allowed in this table (vSwitch or 100.64.0.0/10 rule), or
   * undefined. vSwitch CIDRs are the table's System entries whose next hop type is "local".
   */
  destinationProblem(routeTableId: string, parsed: ParsedCidr): string | undefined {
    const carrierGrade = parseCidr("100.64.0.0/10");
    if (carrierGrade && cidrWithin(parsed, carrierGrade)) return "it must not be 100.64.0.0/10 or inside it";
    for (const entry of this.#table(routeTableId).entries.values()) {
      if (entry.type === "System" && entry.nextHops.some((h) => h.nextHopType === "local") && cidrWithin(parsed, entry.parsed)) {
        return `it must not be equal to or inside the vSwitch CIDR block ${entry.destinationCidr}`;
      }
    }
    return undefined;
  }

  // ---- API writes (rules are checked by the caller) -------------------------------------------

  /** Creates a custom entry in `Pending`, settling after pendingMs. */
  create(routeTableId: string, parsed: ParsedCidr, nextHops: FakeNextHop[], routeEntryName: string, description: string): FakeRouteEntry {
    const now = this.#now();
    const record: EntryRecord = {
      routeTableId,
      routeEntryId: this.#newId(),
      destinationCidr: parsed.text,
      parsed,
      type: "Custom",
      status: "Pending",
      nextHops,
      routeEntryName,
      description,
      seq: ++this.#seq,
      modifiedAt: now,
      settlesAt: now + this.#pendingMs,
    };
    this.#table(routeTableId).entries.set(record.routeEntryId, record);
    this.#dirty = true;
    return copyEntry(record);
  }

  /** Starts the asynchronous delete of an entry. */
  startDelete(routeEntryId: string): void {
    const entry = this.#requireEntry(routeEntryId);
    const now = this.#now();
    entry.status = "Deleting";
    entry.modifiedAt = now;
    entry.settlesAt = now + this.#pendingMs;
    this.#dirty = true;
  }

  /** Changes the next hop asynchronously (Modifying until it settles). */
  startModifyNextHop(routeEntryId: string, nextHop: FakeNextHop): void {
    const entry = this.#requireEntry(routeEntryId);
    const now = this.#now();
    entry.nextHops = [nextHop];
    entry.status = "Modifying";
    entry.modifiedAt = now;
    entry.settlesAt = now + this.#pendingMs;
    this.#dirty = true;
  }

  /** Name and description changes take effect at once. */
  rename(routeEntryId: string, routeEntryName: string | undefined, description: string | undefined): void {
    const entry = this.#requireEntry(routeEntryId);
    if (routeEntryName !== undefined) entry.routeEntryName = routeEntryName;
    if (description !== undefined) entry.description = description;
    entry.modifiedAt = this.#now();
    this.#dirty = true;
  }

  // ---- hand edits (control API): immediate, no API rules except table existence and unique ids ----

  addEntry(routeTableId: string, seed: SeedEntry): FakeRouteEntry {
    const table = this.#table(routeTableId);
    const parsed = parseCidr(seed.destinationCidr);
    if (!parsed) throw new FakeApiError(400, "InvalidCidrBlock.Malformed", `destinationCidr "${seed.destinationCidr}" is not a CIDR block`);
    const routeEntryId = seed.routeEntryId ?? this.#newId();
    if (this.#findEntry(routeEntryId)) throw new FakeApiError(400, "InvalidRouteEntry.Duplicate", `route entry ${routeEntryId} already exists`);
    const record: EntryRecord = {
      routeTableId,
      routeEntryId,
      destinationCidr: parsed.text,
      parsed,
      type: seed.type ?? "Custom",
      status: seed.status ?? "Available",
      nextHops: seedNextHops(seed),
      routeEntryName: seed.routeEntryName ?? "",
      description: seed.description ?? "",
      seq: ++this.#seq,
      modifiedAt: this.#now(),
      settlesAt: undefined,
    };
    table.entries.set(routeEntryId, record);
    this.#dirty = true;
    return copyEntry(record);
  }

  removeEntry(routeEntryId: string): void {
    const entry = this.#requireEntry(routeEntryId);
    this.#table(entry.routeTableId).entries.delete(routeEntryId);
    this.#dirty = true;
  }

  /** Edits an entry in place (see EntryPatch for how a hand-set status settles). */
  editEntry(routeEntryId: string, patch: EntryPatch): FakeRouteEntry {
    const entry = this.#requireEntry(routeEntryId);
    if (patch.destinationCidr !== undefined) {
      const parsed = parseCidr(patch.destinationCidr);
      if (!parsed) throw new FakeApiError(400, "InvalidCidrBlock.Malformed", `destinationCidr "${patch.destinationCidr}" is not a CIDR block`);
      entry.parsed = parsed;
      entry.destinationCidr = parsed.text;
    }
    if (patch.nextHops !== undefined) entry.nextHops = toNextHops(patch.nextHops);
    if (patch.routeEntryName !== undefined) entry.routeEntryName = patch.routeEntryName;
    if (patch.description !== undefined) entry.description = patch.description;
    if (patch.type !== undefined) entry.type = patch.type;
    if (patch.status !== undefined) {
      entry.status = patch.status;
      entry.settlesAt = undefined;
    }
    if (patch.settlesInMs !== undefined) entry.settlesAt = this.#now() + patch.settlesInMs;
    entry.modifiedAt = this.#now();
    this.#dirty = true;
    return copyEntry(entry);
  }

  // ---- internals ----------------------------------------------------------------------------

  #table(routeTableId: string): TableRecord {
    const table = this.#tables.get(routeTableId);
    if (!table) throw apiErrors.routeTableNotFound(routeTableId);
    return table;
  }

  #sorted(table: TableRecord): EntryRecord[] {
    return [...table.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  #findEntry(routeEntryId: string): EntryRecord | undefined {
    for (const table of this.#tables.values()) {
      const entry = table.entries.get(routeEntryId);
      if (entry) return entry;
    }
    return undefined;
  }

  #requireEntry(routeEntryId: string): EntryRecord {
    const entry = this.#findEntry(routeEntryId);
    if (!entry) throw apiErrors.routeEntryNotFound();
    return entry;
  }

  #byDestination(table: TableRecord, destinationCidr: string): EntryRecord | undefined {
    const parsed = parseCidr(destinationCidr);
    const text = parsed?.text ?? destinationCidr;
    for (const entry of table.entries.values()) if (entry.destinationCidr === text) return entry;
    return undefined;
  }

  #newId(): string {
    for (;;) {
      const id = `rte-${this.#prng.string(20, ID_ALPHABET)}`;
      if (!this.#findEntry(id)) return id;
    }
  }
}
