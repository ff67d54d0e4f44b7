// End-to-end: a kubeconfig whose server URL carries user info (`https://user:password@host`) never
// has its password printed by `reconcile`, `doctor` or `run`, whatever the password holds ("/", "@",
// "%2F"): the kubeconfig is refused at load with a message that shows the URL without it. Also the
// scrubber every log line passes through, and a cloud-config alias error (exit 2, alias name hidden).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { DEFAULT_VPC_ID, FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer } from "@vpc-route-sync/fake-alibaba-vpc";
import { createSecretScrubber } from "../../src/observability/secret-scrubber.js";
import { baseEnv, runCli } from "../support/cli.js";

const REGION = "cn-hangzhou";
/** The secret part of each password: what must never show, in any spelling. */
const SECRET = "Qz7xWv3Kp9Lm";

/** Server URLs as a user may write them; `%HOST%` becomes the fake's host:port. */
const SERVERS: readonly (readonly [string, string])[] = [
  ["a plain password", `http://admin:${SECRET}@%HOST%`],
  ["a '/' in the password", `http://admin:pa/${SECRET}@%HOST%`],
  ["an '@' in the password", `http://admin:p@${SECRET}@%HOST%`],
  ["'%2F' and '%40' in the password", `http://admin:pa%2F${SECRET}%40x@%HOST%`],
  ["no scheme", `admin:${SECRET}@%HOST%`],
];

let kube: FakeKubeServer;
let vpc: FakeVpcServer;
let dir: string;

beforeAll(async () => {
  kube = await startFakeKube({ nodes: [{ metadata: { name: "node-1" }, spec: { providerID: `${REGION}.i-bp1secret0000001`, podCIDR: "10.244.1.0/24" } }] });
  vpc = await startFakeVpc({ regionId: REGION });
  dir = await mkdtemp(join(tmpdir(), "vrs-kubeconfig-secrets-"));
});

afterAll(async () => {
  await Promise.all([kube?.close(), vpc?.close(), dir ? rm(dir, { recursive: true, force: true }) : undefined]);
});

async function kubeconfigWith(name: string, server: string): Promise<string> {
  const path = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
  const host = new URL(kube.url).host;
  await writeFile(path, kube.kubeconfig.replace(/server: ".*"/, `server: ${JSON.stringify(server.replace("%HOST%", host))}`));
  return path;
}

function args(command: "reconcile" | "doctor" | "run", kubeconfig: string): string[] {
  const common = [command, "--region", REGION, "--vpc-id", DEFAULT_VPC_ID, "--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", vpc.url, "--kubeconfig", kubeconfig, "--log-level", "trace", "--log-format", "json"];
  if (command !== "run") return common;
  return [...common, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--leader-election-namespace", "kube-system"];
}

/** The secret as is, percent-encoded, and every 6-character piece of it. */
function leakForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  for (let i = 0; i + 6 <= value.length; i++) forms.add(value.slice(i, i + 6));
  return [...forms];
}

describe("a kubeconfig server URL with user info", () => {
  // Every spelling through reconcile; two through doctor and run, which load the kubeconfig the same way.
  const cases = SERVERS.flatMap(([name, server], i) =>
    (i < 2 ? (["reconcile", "doctor", "run"] as const) : (["reconcile"] as const)).map((command) => [name, command, server] as const),
  );
  it.for(cases)("%s: %s never prints the password", { timeout: 60_000 }, async ([name, command, server]) => {
    const kubeconfig = await kubeconfigWith(`${name}-${command}`, server);
    const env = baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET });
    const result = await runCli(args(command, kubeconfig), { env, timeoutMs: 45_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    for (const form of leakForms(SECRET)) expect(output, `"${form}" appears in:\n${output}`).not.toContain(form);
    expect(result.code).not.toBe(0);
    expect(output).toContain("has user info in its server URL");
    expect(output).toContain(`[redacted]@${new URL(kube.url).host}`);
  });
});

describe("the log scrubber", () => {
  it.each([
    [`dial http://admin:${SECRET}@10.0.0.1:6443/api failed`, "dial http://[redacted]@10.0.0.1:6443/api failed"],
    [`{"url":"https://u:p/${SECRET}@k8s.example:443/x"}`, '{"url":"https://[redacted]@k8s.example:443/x"}'],
    [`proxy socks5://a:${SECRET}@b@proxy:1080 down`, "proxy socks5://[redacted]@proxy:1080 down"],
    ["no user info: https://k8s.example/api?x=1", "no user info: https://k8s.example/api?x=1"],
  ])("%s", (line, expected) => {
    expect(createSecretScrubber()(line)).toBe(expected);
  });
});

describe("a cloud-config YAML alias", () => {
  const ALIAS = "c2VjcmV0VmFsdWVJc0hlcmU";
  it.each([
    ["an alias to no anchor", `Global:\n  region: ${REGION}\n  vpcid: ${DEFAULT_VPC_ID}\n  accessKeySecret: *${ALIAS}\n`, "at line 4, column 20: a YAML alias"],
    ["too many aliases", `a: &${ALIAS} [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill(`*${ALIAS}`).join(", ")}]\nc: [${Array(20).fill("*b").join(", ")}]\n`, "too many YAML aliases"],
  ])("%s: exit 2, the alias name not printed", async (_name, text, message) => {
    const file = join(dir, `alias-${message.length}.yaml`);
    await writeFile(file, text);
    const result = await runCli(["reconcile", "--dry-run", "--region", REGION, "--vpc-id", DEFAULT_VPC_ID, "--cloud-config", file], { env: baseEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vpc-route-sync: cannot parse --cloud-config "/);
    expect(result.stderr).toContain(message);
    for (const form of leakForms(ALIAS)) expect(result.stderr).not.toContain(form);
  });
});
