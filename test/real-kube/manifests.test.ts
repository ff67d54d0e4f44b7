// Every install manifest, checked by the real API server: `kubectl apply --dry-run=server` of each
// YAML file under manifests/, of every kustomization in the repository (rendered with
// `kubectl kustomize`; kustomize Components are only checked through the kustomizations that use
// them), and of every Helm chart under charts/ (rendered with `helm template`; skipped with a message
// when helm is not installed). The Prometheus Operator kinds (ServiceMonitor, PrometheusRule) are
// checked after applying minimal copies of their CRDs (test/real-kube/crds/).
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findKubectl } from "../support/kubectl.js";
import { RealCluster, realKube, skipReason, tempDir } from "./support.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const NAMESPACE = "vrs-manifests";
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "build-bench", "build-dev", "build-real-kube", ".vitest-tmp", "coverage"]);

const kubectl = findKubectl();
const helm = findOnPath("helm");
if (realKube !== undefined && kubectl === undefined) console.warn("real-tier manifest checks SKIPPED: no kubectl on PATH (set KUBECTL=/path/to/kubectl)");

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, found);
    else found.push(path);
  }
  return found;
}

const files = walk(ROOT);
const plainManifests = files
  .filter((f) => relative(ROOT, f).startsWith("manifests/") && /\.ya?ml$/.test(f) && !/kustomization\.ya?ml$/.test(f))
  .map((f) => relative(ROOT, f))
  .sort();
const kustomizations = files
  .filter((f) => /(^|\/)kustomization\.ya?ml$/.test(f))
  .filter((f) => (parse(readFileSync(f, "utf8")) as { kind?: string } | null)?.kind !== "Component")
  .map((f) => relative(ROOT, join(f, "..")))
  .sort();
const charts = files.filter((f) => /^charts\/[^/]+\/Chart\.yaml$/.test(relative(ROOT, f))).map((f) => relative(ROOT, join(f, ".."))).sort();
if (realKube !== undefined && kubectl !== undefined && charts.length > 0 && helm === undefined) {
  console.warn(`real-tier Helm render checks SKIPPED: no helm on PATH (charts: ${charts.join(", ")})`);
}

describe.skipIf(realKube === undefined || kubectl === undefined)(`install manifests on a real API server${skipReason ? ` (${skipReason})` : ""}`, () => {
  let cacheDir: { path: string; remove: () => Promise<void> };

  async function kubectlRun(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    const child = run(kubectl!, ["--kubeconfig", realKube!.kubeconfigPath, "--cache-dir", cacheDir.path, ...args], {
      env: { ...process.env, HOME: cacheDir.path },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return child;
  }

  beforeAll(async () => {
    cacheDir = await tempDir("vrs-manifests-");
    await new RealCluster(realKube!).ensureNamespace(NAMESPACE);
    await kubectlRun(["apply", "-f", join(import.meta.dirname, "crds")]);
    await kubectlRun(["wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"]);
  });

  afterAll(async () => {
    await cacheDir?.remove();
  });

  it("finds the manifests to check", () => {
    expect(plainManifests).toContain("manifests/rbac.yaml");
    expect(kustomizations).toContain("manifests");
  });

  it.each(plainManifests)("kubectl apply --dry-run=server -f %s", async (file) => {
    const { stdout } = await kubectlRun(["apply", "--dry-run=server", "-n", NAMESPACE, "-f", join(ROOT, file)]);
    expect(stdout).toMatch(/\(server dry run\)/);
  });

  it.each(kustomizations)("kubectl kustomize %s | kubectl apply --dry-run=server", async (dir) => {
    const rendered = await kubectlRun(["kustomize", join(ROOT, dir)]);
    expect(rendered.stdout).toMatch(/^kind: /m);
    const { stdout } = await kubectlRun(["apply", "--dry-run=server", "-f", "-"], rendered.stdout);
    expect(stdout).toMatch(/\(server dry run\)/);
  });

  it.skipIf(helm === undefined || charts.length === 0).each(charts)("helm template %s | kubectl apply --dry-run=server", async (chart) => {
    const rendered = await run(helm!, ["template", "vpc-route-sync", join(ROOT, chart), "--namespace", NAMESPACE], { maxBuffer: 16 * 1024 * 1024 });
    const { stdout } = await kubectlRun(["apply", "--dry-run=server", "-n", NAMESPACE, "-f", "-"], rendered.stdout);
    expect(stdout).toMatch(/\(server dry run\)/);
  });
});
