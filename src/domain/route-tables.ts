// The managed route tables as read, each entry with its destination parsed once, where the tables
// enter (the pass runner, after its listing and again for hidden holders; doctor). The planner
// (buildPlan) and the write gate decide on this one view: neither parses an entry's text again.
import { parseCidr, type Cidr } from "./cidr.js";
import type { RouteEntry } from "./types.js";

/** A route entry as read, with its destination parsed, or the reason it does not parse. */
export type ParsedEntry =
  | { readonly entry: RouteEntry; readonly destination: Cidr; readonly unparsable?: undefined }
  | { readonly entry: RouteEntry; readonly destination?: undefined; readonly unparsable: string };

/** Route tables by id, as read and parsed. */
export type ParsedTables = ReadonlyMap<string, readonly ParsedEntry[]>;

/** One entry, parsed. Never throws, whatever the entry looks like (the planner's totality rests on it). */
export function parseEntry(entry: RouteEntry): ParsedEntry {
  // parseCidr words what is wrong with a destination that is not even text (JSON from the API).
  const parsed = parseCidr(entry?.destinationCidr);
  return parsed.ok ? { entry, destination: parsed.cidr } : { entry, unparsable: parsed.message };
}

export function parseEntries(entries: readonly RouteEntry[]): ParsedEntry[] {
  return entries.map(parseEntry);
}

/** Every table of `actual`, parsed (doctor, tests and benchmarks read their tables whole). */
export function parseTables(actual: ReadonlyMap<string, readonly RouteEntry[]>): Map<string, ParsedEntry[]> {
  return new Map([...actual].map(([id, entries]) => [id, parseEntries(entries)]));
}

/** The entries as read, without their parses (what a pass reports and Node route states read). */
export function entriesOf(tables: ParsedTables): Map<string, RouteEntry[]> {
  return new Map([...tables].map(([id, entries]) => [id, entries.map((p) => p.entry)]));
}

/** The destination as the planner and the gate compare it: canonical when it parses, the text as read when not (it can only match itself). */
export function destinationKey(p: ParsedEntry): string {
  return p.destination?.text ?? p.entry.destinationCidr;
}
