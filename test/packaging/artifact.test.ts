// The production artifact holds the product only: no fake server, no demo, no developer command.
// `npm pack` decides what the npm package holds, and the Dockerfile what the image holds
// (it builds dist/ from src/ alone).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url);
const NOT_PRODUCT = /(^|\/)(packages|dev|test|bench|fakes?|demo)(\/|$)|fake|demo/i;

describe("the production artifact", () => {
  it("npm pack holds the built CLI and nothing of the fakes or the demo", () => {
    // npm test builds dist/ first; --dry-run lists what `npm pack` would put in the tarball.
    const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    const [pack] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
    const paths = pack!.files.map((file) => file.path);
    expect(paths).toContain("dist/cli.js");
    expect(paths).toContain("dist/commands/run.js");
    expect(paths.filter((path) => NOT_PRODUCT.test(path))).toEqual([]);
  });

  it("the Dockerfile copies only what the product needs", () => {
    const dockerfile = readFileSync(new URL("Dockerfile", ROOT), "utf8");
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+\s*$/gm)].flatMap((match) => match[1]!.trim().split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => source === "." || NOT_PRODUCT.test(source))).toEqual([]);
  });
});
