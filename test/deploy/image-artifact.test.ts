// The container image's contents, assembled without Docker the way the Dockerfile does it: the
// build stage's sources compiled in a fresh directory, production dependencies from `npm ci
// --omit=dev` in another (the npm cache makes it quick), then the final stage's COPY lines. The
// artifact must print --help and run `reconcile --dry-run` against the fakes, so a development
// dependency imported by production code fails here even where no image can be built.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLUSTER_CIDR, DEMO_CLUSTER_NAME, DEMO_REGION_ID, DEMO_VPC_ID, demoNodes, demoVpcs } from "../../dev/demo-world.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv } from "../support/cli.js";
import { REPO } from "../support/renderings.js";

const run = promisify(execFile);

interface Copy {
  readonly from?: string;
  readonly sources: string[];
  readonly dest: string;
}
interface Stage {
  readonly name: string;
  readonly copies: Copy[];
  readonly runs: string[];
}

/** The stages of the Dockerfile with their COPY and RUN lines (continuations joined). */
function dockerStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n\s*/g, " ").split("\n").map((l) => l.trim());
  for (const line of lines) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ name: from[1] ?? "final", copies: [], runs: [] });
    const stage = stages.at(-1);
    const copy = /^COPY\s+(?:--from=(\S+)\s+)?(.+)$/i.exec(line);
    if (copy && stage) {
      const parts = copy[2]!.split(/\s+/);
      stage.copies.push({ ...(copy[1] ? { from: copy[1] } : {}), sources: parts.slice(0, -1), dest: parts.at(-1)! });
    }
    const runLine = /^RUN\s+(.+)$/i.exec(line);
    if (runLine && stage) stage.runs.push(runLine[1]!);
  }
  return stages;
}

const stages = dockerStages(readFileSync(join(REPO, "Dockerfile"), "utf8"));
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage ${name}`);
  return found;
};

let work: string;
let image: string;
let kube: FakeKubeServer;
let vpc: FakeVpcServer;

/** Copies the build context paths of one COPY line from the repository into dir. */
function copyFromContext(copy: Copy, dir: string): void {
  for (const source of copy.sources) {
    const target = copy.dest.endsWith("/") || copy.sources.length > 1 || copy.dest === "./" ? join(dir, copy.dest, source) : join(dir, copy.dest);
    cpSync(join(REPO, source), target, { recursive: true });
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "vpc-route-sync-image-"));
  const [build, deps, final] = [join(work, "build"), join(work, "deps"), join(work, "final")];

  // build stage: its sources, and the development install the repository already has.
  for (const copy of stage("build").copies) copyFromContext(copy, build);
  symlinkSync(join(REPO, "node_modules"), join(build, "node_modules"), "dir");
  expect(stage("build").runs.at(-1)).toBe("npx tsc -p tsconfig.build.json --sourceMap false");
  await run(join(REPO, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json", "--sourceMap", "false"], { cwd: build });

  // deps stage: a fresh production install from the lockfile.
  for (const copy of stage("deps").copies) copyFromContext(copy, deps);
  expect(stage("deps").runs[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
  await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: deps,
    env: { ...process.env, NODE_ENV: "production" },
    timeout: 300_000,
  });
  // The stage's other RUN lines (pruning what production never loads), as the image runs them.
  for (const line of stage("deps").runs.slice(1)) await run("sh", ["-c", line], { cwd: deps });

  // final stage: exactly its COPY lines.
  const stageDirs: Record<string, string> = { build, deps };
  for (const copy of stage("final").copies) {
    if (copy.from === undefined) copyFromContext(copy, final);
    else for (const source of copy.sources) cpSync(join(stageDirs[copy.from]!, source.replace(/^\/app\//, "")), join(final, copy.dest), { recursive: true });
  }
  image = final;

  kube = await startFakeKube({ nodes: demoNodes() });
  vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(), pendingMs: 0 });
}, 600_000);

afterAll(async () => {
  await Promise.all([kube?.close(), vpc?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function runImage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(image, "dist/cli.js"), ...args], {
      cwd: image,
      env: baseEnv({ NODE_ENV: "production", ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET }),
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the production artifact (Dockerfile, without Docker)", () => {
  it("holds the final stage's files and only production dependencies", () => {
    expect(readdirSync(image).sort()).toEqual(["LICENSE", "dist", "node_modules", "package.json"]);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    // The lockfile marks every package only the development install needs with "dev": true.
    const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && entry.dev === true).map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(["node_modules/typescript", "node_modules/vitest", "node_modules/eslint"]));
    expect(devOnly.filter((path) => existsSync(join(image, path)))).toEqual([]);
    for (const dependency of Object.keys(pkg.dependencies)) expect(existsSync(join(image, "node_modules", dependency)), dependency).toBe(true);
    // No fake server, demo or workspace package (they live outside src/).
    expect(filesUnder(join(image, "dist")).filter((f) => /fake|demo/i.test(f.slice(image.length)))).toEqual([]);
    expect(existsSync(join(image, "node_modules", "@vpc-route-sync"))).toBe(false);
  });

  it("imports nothing but Node built-ins and installed production packages", () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const offenders: string[] = [];
    for (const file of filesUnder(join(image, "dist")).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(file, "utf8");
      const specifiers = [
        ...text.matchAll(/^(?:import|export)\s[^"';]*?\bfrom\s*["']([^"']+)["']/gm),
        ...text.matchAll(/^import\s*["']([^"']+)["']/gm),
        ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1]!);
      for (const specifier of specifiers) {
        if (specifier.startsWith(".")) continue;
        if (builtins.has(specifier) || builtins.has(specifier.split("/")[0]!)) continue;
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
        if (!existsSync(join(image, "node_modules", name, "package.json"))) offenders.push(`${file.slice(image.length + 1)}: ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("prints --help and --version", async () => {
    const help = await runImage(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: vpc-route-sync");
    for (const command of ["reconcile", "run"]) expect(help.stdout).toContain(command);
    const runHelp = await runImage(["run", "--help"]);
    expect(runHelp.stdout).toContain("--route-reconciliation-period");
    const version = await runImage(["--version"]);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version);
  });

  it("plans with `reconcile --dry-run` against the fake Kubernetes and VPC APIs, changing nothing", async () => {
    const before = vpc.requests().length;
    const result = await runImage([
      "reconcile", "--dry-run", "--output", "json", "--no-progress",
      "--region", DEMO_REGION_ID, "--vpc-id", DEMO_VPC_ID, "--cluster-name", DEMO_CLUSTER_NAME, "--cluster-cidr", DEMO_CLUSTER_CIDR,
      "--vpc-endpoint", vpc.url, "--kubeconfig", kube.kubeconfigPath,
    ]);
    expect(result.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { dryRun: boolean; actions: { kind: string; result: string }[] };
    expect(report.dryRun).toBe(true);
    expect(report.actions.length).toBeGreaterThan(0);
    expect(report.actions.every((a) => a.result === "planned")).toBe(true);
    expect(vpc.requests().slice(before).map((r) => r.action).filter((a) => !a.startsWith("Describe"))).toEqual([]);
  });
});
