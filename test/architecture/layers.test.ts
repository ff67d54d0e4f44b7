// The import direction docs/architecture.md states, enforced: every import under src/ keeps to
// the layer rules (test/architecture/layers.ts), and the check itself catches a bad import.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LAYER_RULES, layerViolations, type SourceText } from "./layers.js";

const srcDir = resolve(import.meta.dirname, "../../src");

function sources(dir: string): SourceText[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    if (!entry.name.endsWith(".ts")) return [];
    return [{ path: relative(srcDir, path).split("\\").join("/"), text: readFileSync(path, "utf8") }];
  });
}

describe("layers of src/", () => {
  it("every import keeps to the layer rules", () => {
    expect(layerViolations(sources(srcDir))).toEqual([]);
  });

  it("every directory and top-level file of src/ has a rule, and the doc names every layer", () => {
    const layers = readdirSync(srcDir).filter((name) => !name.endsWith(".d.ts"));
    expect(layers.filter((layer) => LAYER_RULES[layer] === undefined)).toEqual([]);
    const doc = readFileSync(resolve(srcDir, "../docs/architecture.md"), "utf8");
    expect(Object.keys(LAYER_RULES).filter((layer) => !doc.includes(layer.endsWith(".ts") ? layer : `${layer}/`))).toEqual([]);
  });
});

describe("the layer check", () => {
  it.each([
    ["an upward import", "domain/plan.ts", 'import { createRouteTable } from "../commands/wiring.js";', "domain/plan.ts imports commands/wiring.ts (domain may not import commands)"],
    ["doctor importing a command", "doctor/gather-cluster.ts", 'import { kubeConfigFor } from "../commands/wiring.js";', "doctor/gather-cluster.ts imports commands/wiring.ts (doctor may not import commands)"],
    ["a type-only import", "kube/node-lister.ts", 'import type { PassResult } from "../reconcile/pass-runner.js";', "kube/node-lister.ts imports reconcile/pass-runner.ts (kube may not import reconcile)"],
    ["a dynamic import", "reconcile/pass-runner.ts", 'const m = await import("../cloud/alibaba/vpc-api.js");', "reconcile/pass-runner.ts imports cloud/alibaba/vpc-api.ts (reconcile may not import cloud)"],
    ["a re-export", "observability/metrics.ts", 'export { Controller } from "../controller/controller.js";', "observability/metrics.ts imports controller/controller.ts (observability may not import controller)"],
  ])("fails on %s", (_what, path, text, violation) => {
    expect(layerViolations([{ path, text }])).toEqual([violation]);
  });

  it.each([
    ["a downward import", "commands/run.ts", 'import { Controller } from "../controller/controller.js";'],
    ["one allowed file of a layer", "reconcile/pass-runner.ts", 'import type { RouteTable } from "../cloud/route-table.js";'],
    ["an import inside the layer", "cloud/alibaba/vpc-api.ts", 'import { classifyError } from "./classify-error.js";'],
    ["a package", "domain/plan.ts", 'import { z } from "zod";'],
  ])("passes %s", (_what, path, text) => {
    expect(layerViolations([{ path, text }])).toEqual([]);
  });

  it("fails on a layer it has no rule for", () => {
    expect(layerViolations([{ path: "plugins/x.ts", text: 'import { a } from "../domain/plan.js";' }])).toEqual([
      "plugins/x.ts: layer plugins has no rule in LAYER_RULES (docs/architecture.md)",
    ]);
  });
});
