// The checked-in corpus of malformed and hostile Nodes (test/corpus/nodes/*.json): each file holds
// Node objects as the API or a nodes-file would give them, and what each Node must come to: eligible,
// or skipped with a reason and a message that names the problem. One table test drives them all.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyNodes, parseClusterCidrs } from "../../src/domain/eligibility.js";
import { nodeFactsFrom, type NodeLike } from "../../src/domain/node-facts.js";

const DIR = join(import.meta.dirname, "..", "corpus", "nodes");

interface CorpusCase {
  readonly about: string;
  readonly nodes: readonly unknown[];
  readonly expect: Readonly<Record<string, "eligible" | { readonly reason: string; readonly messageContains: string }>>;
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(DIR, file), "utf8")) as CorpusCase] as const);

describe("malformed Node corpus", () => {
  it("is not empty", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("%s", (_file, c) => {
    const result = classifyNodes(
      c.nodes.map((n) => nodeFactsFrom(n as NodeLike)),
      { regionId: "cn-hangzhou", clusterCidrs: parseClusterCidrs(["10.244.0.0/16", "fd00:10:244::/48"]) },
    );
    for (const [nodeName, want] of Object.entries(c.expect)) {
      const skips = result.skipped.filter((s) => s.nodeName === nodeName);
      if (want === "eligible") {
        expect(skips, c.about).toEqual([]);
        expect(result.eligible.map((e) => e.nodeName), c.about).toContain(nodeName);
        continue;
      }
      expect(skips.length, `${c.about}: ${nodeName} is skipped`).toBeGreaterThan(0);
      for (const s of skips) {
        expect(s.reason, c.about).toBe(want.reason);
        expect(s.message, c.about).toContain(want.messageContains);
      }
      expect(result.eligible.map((e) => e.nodeName), c.about).not.toContain(nodeName);
    }
  });
});
