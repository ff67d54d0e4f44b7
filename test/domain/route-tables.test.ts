// The parsed view of the route tables the planner and the write gate share: each entry's
// destination parsed once, canonical when it parses, the parser's reason when it does not.
import { describe, expect, it } from "vitest";
import { destinationKey, entriesOf, parseEntry, parseTables } from "../../src/domain/route-tables.js";
import type { RouteEntry } from "../../src/domain/types.js";
import { entry, TABLE } from "./fixtures.js";

describe("parsed route tables", () => {
  it("keys an entry by its canonical destination, or by its text when it does not parse", () => {
    const spelled = parseEntry(entry("FD00:10:244:0001::/64", "i-a"));
    expect(spelled.destination?.text).toBe("fd00:10:244:1::/64");
    expect(destinationKey(spelled)).toBe("fd00:10:244:1::/64");
    const broken = parseEntry(entry("10.244.1.1/24", "i-a"));
    expect(broken.destination).toBeUndefined();
    expect(broken.unparsable).toContain("host bits set");
    expect(destinationKey(broken)).toBe("10.244.1.1/24");
  });

  it("never throws on junk, and says why a destination that is not text does not parse", () => {
    const junk = [{}, null, { destinationCidr: 5 }] as unknown as RouteEntry[];
    const parsed = junk.map(parseEntry);
    expect(parsed.every((p) => p.destination === undefined)).toBe(true);
    expect(parsed[2]?.unparsable).toBe("CIDR must be a string, got number");
  });

  it("keeps the entries as read, table by table (what a pass reports)", () => {
    const a = entry("10.244.1.0/24", "i-a");
    const b = entry("10.244.2.0/24", "i-b", { table: "vtb-2" });
    const actual = new Map([[TABLE, [a]], ["vtb-2", [b]]]);
    const tables = parseTables(actual);
    expect([...tables.keys()]).toEqual([TABLE, "vtb-2"]);
    expect(tables.get(TABLE)?.[0]?.entry).toBe(a);
    expect(entriesOf(tables)).toEqual(actual);
  });
});
