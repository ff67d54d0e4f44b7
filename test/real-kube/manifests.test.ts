// Every install rendering, checked by the real API server: `kubectl apply --dry-run=server` of each
// one that test/support/renderings.ts returns — the kustomize base, every overlay, the example, the
// example with each component, and the Helm chart with each of its value sets (helm built by
// scripts/build-helm.sh). The Prometheus Operator kinds (ServiceMonitor, PrometheusRule) are checked
// after applying minimal copies of their CRDs (test/real-kube/crds/). A missing helm fails the run
// (Go, which this tier needs anyway, builds it); a kubectl without kustomize v4+ skips the kustomize
// renderings with a warning.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubectl } from "../support/kubectl.js";
import { CHART_CASES, componentSets, kustomizations, renderings } from "../support/renderings.js";
import { realKube, skipReason, tempDir } from "./support.js";

const run = promisify(execFile);

const kubectl = findKubectl();
if (realKube !== undefined && kubectl === undefined) console.warn("real-tier manifest checks SKIPPED: no kubectl on PATH (set KUBECTL=/path/to/kubectl)");

const { renderings: all, skipped } = realKube !== undefined && kubectl !== undefined ? await renderings() : { renderings: [], skipped: [] };
for (const reason of skipped) console.warn(`real-tier manifest checks: renderings SKIPPED: ${reason}`);

describe.skipIf(realKube === undefined || kubectl === undefined)(`install renderings on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cacheDir: { path: string; remove: () => Promise<void> };

  async function kubectlRun(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    const child = run(kubectl!, ["--kubeconfig", realKube!.kubeconfigPath, "--cache-dir", cacheDir.path, ...args], {
      env: { ...process.env, HOME: cacheDir.path },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) child.child.stdin?.end(input);
    return child;
  }

  beforeAll(async () => {
    cacheDir = await tempDir("vrs-manifests-");
    await kubectlRun(["apply", "-f", join(import.meta.dirname, "crds")]);
    await kubectlRun(["wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"]);
  });

  afterAll(async () => {
    await cacheDir?.remove();
  });

  // helm is built with Go like this tier's servers, so it must be there; a kubectl without kustomize
  // v4+ (Debian's 1.20) only skips the kustomize renderings, with the warning above.
  it("renders the chart with every value set, and every kustomization and component kubectl can build", () => {
    expect(skipped.filter((reason) => !reason.startsWith("kustomize:"))).toEqual([]);
    const kustomizeSkipped = skipped.some((reason) => reason.startsWith("kustomize:"));
    const expected = [
      ...(kustomizeSkipped ? [] : kustomizations().map((d) => `kustomize/${d}`)),
      ...(kustomizeSkipped ? [] : componentSets().map((set) => `kustomize/example+components/${set.join("+")}`)),
      ...Object.keys(CHART_CASES).map((c) => `helm/${c}`),
    ];
    expect(all.map((r) => r.name).sort()).toEqual(expected.sort());
    expect(expected).toContain("helm/access-key");
  });

  // Applied on its own, outside every kustomization (see its header).
  it("kubectl apply --dry-run=server of deploy/kustomize/base/doctor-rbac.yaml", async () => {
    const file = join(import.meta.dirname, "..", "..", "deploy", "kustomize", "base", "doctor-rbac.yaml");
    const { stdout } = await kubectlRun(["apply", "--dry-run=server", "-n", "kube-system", "-f", file]);
    expect(stdout.trim().split("\n").filter((l) => l.includes("(server dry run)"))).toHaveLength(2);
  });

  it.each(all.map((r) => [r.name, r.yaml] as const))("kubectl apply --dry-run=server of %s", async (_name, yaml) => {
    expect(yaml).toMatch(/^kind: /m);
    const { stdout } = await kubectlRun(["apply", "--dry-run=server", "-f", "-"], yaml);
    expect(stdout).toMatch(/\(server dry run\)/);
    // Every object of the rendering was accepted (one line per object).
    const objects = yaml.split(/^---$/m).filter((doc) => /^kind: /m.test(doc)).length;
    expect(stdout.trim().split("\n").filter((l) => l.includes("(server dry run)"))).toHaveLength(objects);
  });
});
