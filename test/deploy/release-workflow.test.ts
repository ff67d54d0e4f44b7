// The release workflow cannot run here; this keeps it consistent with the repository it ships:
// it triggers on version tags, builds the Dockerfile for both architectures, pushes the chart from
// charts/vpc-route-sync as an OCI artifact, uses the helm version the tests build, and rewrites the
// chart's image repository line that exists in values.yaml.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO } from "../support/renderings.js";

type Step = { uses?: string; run?: string; with?: Record<string, string> };
const workflow = parse(readFileSync(join(REPO, ".github/workflows/release.yml"), "utf8")) as {
  on: { push: { tags: string[] } };
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[]; needs?: string }>;
};
const steps = (job: string): Step[] => workflow.jobs[job]?.steps ?? [];

describe(".github/workflows/release.yml", () => {
  it("runs on version tags, after the tests", () => {
    expect(workflow.on.push.tags).toEqual(["v*.*.*"]);
    expect(steps("test").some((s) => s.run === "bash .ci/run")).toBe(true);
    expect(workflow.jobs.image?.needs).toBe("test");
    expect(workflow.jobs.chart?.needs).toBe("test");
  });

  it("builds and pushes the image for linux/amd64 and linux/arm64", () => {
    const build = steps("image").find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(build?.with).toMatchObject({ context: ".", platforms: "linux/amd64,linux/arm64", push: true });
  });

  it("packages charts/vpc-route-sync and pushes it as an OCI artifact, with the helm the tests pin", () => {
    const script = steps("chart").map((s) => s.run ?? "").join("\n");
    expect(script).toContain("helm package charts/vpc-route-sync");
    expect(script).toMatch(/helm push \S+ "oci:\/\//);
    expect(readFileSync(join(REPO, "scripts/build-helm.sh"), "utf8")).toContain(`version="\${HELM_VERSION:-${workflow.env.HELM_VERSION}}"`);
    const values = readFileSync(join(REPO, "charts/vpc-route-sync/values.yaml"), "utf8");
    expect(values.match(/^ {2}repository: .*$/gm)).toHaveLength(1);
  });
});
