// Every installable rendering of the project: the kustomize base, each overlay and the example
// installation (`kubectl kustomize`), and the Helm chart with each credentials mode and every
// optional object switched on (`helm template`). The structure tests in test/deploy/ check them;
// the real API server tier can `kubectl apply --dry-run=server` each one.
//
//   const all = await renderings();   // [{ name, yaml }] — tools that are missing are reported in `skipped`
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { findKubectl } from "./kubectl.js";

const run = promisify(execFile);

export const REPO = join(import.meta.dirname, "../..");
export const KUSTOMIZE_DIR = join(REPO, "deploy/kustomize");
export const CHART_DIR = join(REPO, "charts/vpc-route-sync");

export interface Rendering {
  /** e.g. "kustomize/overlays/rrsa" or "helm/rrsa". */
  readonly name: string;
  readonly yaml: string;
}

/** The values every chart rendering needs (the chart refuses to render without them). */
export const CHART_REQUIRED_VALUES = ["region=cn-hangzhou", "vpcId=vpc-bp1example", "clusterName=test-cluster", "clusterCidr={172.20.0.0/16}"];

/** Chart renderings: one per credentials mode, with every optional object on. */
export const CHART_CASES: Readonly<Record<string, readonly string[]>> = {
  "access-key": ["metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true", "metrics.dashboard.enabled=true", "doctor.rbac.enabled=true"],
  rrsa: ["credentials.mode=rrsa", "credentials.rrsa.roleArn=acs:ram::1234567890123456:role/vpc-route-sync", "credentials.rrsa.oidcProviderArn=acs:ram::1234567890123456:oidc-provider/my-cluster"],
  "ecs-ram-role": ["credentials.mode=ecsRamRole", "credentials.ecsRamRole.roleName=k8s-control-plane"],
  "cloud-config": ["credentials.mode=cloudConfig"],
  default: ["credentials.mode=default", "vpcEndpointType=public", "kubernetesApi.host=192.168.0.10"],
  "secure-metrics": [
    "metrics.secure.enabled=true",
    "metrics.secure.certSecret=vpc-route-sync-metrics-tls",
    "metrics.secure.readers[0].name=prometheus-k8s",
    "metrics.secure.readers[0].namespace=monitoring",
    "metrics.serviceMonitor.enabled=true",
  ],
  // The values users of other charts expect, for the real API server's dry run.
  overrides: [
    "fullnameOverride=routes",
    "commonLabels.team=network",
    "topologySpreadConstraints[0].maxSkew=1",
    "topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
    "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway",
    "podDisruptionBudget.minAvailable=1",
    "podDisruptionBudget.maxUnavailable=null",
    "extraArgs={--resync-period=10m}",
    "metrics.serviceMonitor.enabled=true",
    "metrics.serviceMonitor.relabelings[0].targetLabel=cluster",
    "metrics.serviceMonitor.relabelings[0].replacement=prod-hz-1",
  ],
};

/** kustomization directories, relative to deploy/kustomize. */
export function kustomizations(): string[] {
  const overlays = readdirSync(join(KUSTOMIZE_DIR, "overlays")).map((d) => `overlays/${d}`);
  return ["base", ...overlays, "example"].filter((d) => existsSync(join(KUSTOMIZE_DIR, d, "kustomization.yaml")));
}

/**
 * kubectl, when its built-in kustomize is v4 or newer (Debian's kubectl 1.20 carries kustomize
 * v2, which lacks `patches` and `labels`); else undefined with the reason.
 */
export async function kustomizeCommand(): Promise<{ command?: string[]; reason?: string }> {
  const kubectl = findKubectl();
  if (kubectl === undefined) return { reason: "no kubectl on PATH (set KUBECTL)" };
  const { stdout } = await run(kubectl, ["version", "--client"], { encoding: "utf8" }).catch(() => ({ stdout: "" }));
  const major = Number(/Kustomize Version: v(\d+)/.exec(stdout)?.[1] ?? 0);
  if (major < 4) return { reason: `kubectl at ${kubectl} has no kustomize v4+ (${stdout.split("\n").join(" ").trim() || "no version"})` };
  return { command: [kubectl, "kustomize"] };
}

/**
 * The pinned helm built by scripts/build-helm.sh (from the Go module proxy, cached outside the
 * repository); undefined with the reason when it cannot be had (no Go and nothing cached).
 */
export async function helmBinary(): Promise<{ helm?: string; reason?: string }> {
  try {
    const { stdout } = await run("bash", [join(REPO, "scripts/build-helm.sh")], { encoding: "utf8", timeout: 900_000 });
    return { helm: stdout.trim() };
  } catch (error) {
    return { reason: `helm unavailable: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}` };
  }
}

export async function renderKustomization(dir: string): Promise<string> {
  const { command, reason } = await kustomizeCommand();
  if (command === undefined) throw new Error(reason);
  const [bin, ...args] = command as [string, ...string[]];
  const { stdout } = await run(bin, [...args, join(KUSTOMIZE_DIR, dir)], { encoding: "utf8", maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * The component combinations rendered on top of the example installation: each component alone, and
 * secure-metrics after prometheus-operator (it switches that component's ServiceMonitor to https).
 * Named "a+b" after their directories under deploy/kustomize/components.
 */
export function componentSets(): string[][] {
  const dir = join(KUSTOMIZE_DIR, "components");
  const all = existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, "kustomization.yaml"))) : [];
  const sets = all.map((c) => [c]);
  if (all.includes("prometheus-operator") && all.includes("secure-metrics")) sets.push(["prometheus-operator", "secure-metrics"]);
  return sets;
}

/** The example installation plus components (in order), through a kustomization in a temporary directory. */
export async function renderComponents(components: readonly string[]): Promise<string> {
  const { command, reason } = await kustomizeCommand();
  if (command === undefined) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), "vpc-route-sync-kustomize-"));
  try {
    // kustomize takes only relative paths to other kustomizations.
    const path = (sub: string): string => relative(dir, join(KUSTOMIZE_DIR, sub));
    const listed = components.map((c) => `\n  - ${path(`components/${c}`)}`).join("");
    writeFileSync(join(dir, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${path("example")}\ncomponents:${listed}\n`);
    const [bin, ...args] = command as [string, ...string[]];
    const { stdout } = await run(bin, [...args, dir], { encoding: "utf8", maxBuffer: 16 << 20 });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function renderChart(helm: string, values: readonly string[], namespace = "kube-system"): Promise<string> {
  const args = ["template", "vpc-route-sync", CHART_DIR, "--namespace", namespace];
  for (const value of values) args.push("--set", value);
  const { stdout } = await run(helm, args, { encoding: "utf8", maxBuffer: 16 << 20 });
  return stdout;
}

/** Every rendering whose tool is available; `skipped` says which tool was missing and why. */
export async function renderings(): Promise<{ renderings: Rendering[]; skipped: string[] }> {
  const result: Rendering[] = [];
  const skipped: string[] = [];
  const kustomize = await kustomizeCommand();
  if (kustomize.command === undefined) skipped.push(`kustomize: ${kustomize.reason ?? ""}`);
  else {
    for (const dir of kustomizations()) result.push({ name: `kustomize/${dir}`, yaml: await renderKustomization(dir) });
    for (const set of componentSets()) result.push({ name: `kustomize/example+components/${set.join("+")}`, yaml: await renderComponents(set) });
  }
  const { helm, reason } = await helmBinary();
  if (helm === undefined) skipped.push(`helm: ${reason ?? ""}`);
  else {
    for (const [name, values] of Object.entries(CHART_CASES)) {
      result.push({ name: `helm/${name}`, yaml: await renderChart(helm, [...CHART_REQUIRED_VALUES, ...values]) });
    }
  }
  return { renderings: result, skipped };
}
