// End-to-end: no credential value reaches the output of the built CLI. `run` and `reconcile` are
// driven through the happy path and every error path a credential could leak on (rejected
// signature, rejected STS token, VPC endpoint down, throttling storm, 5xx, Kubernetes API failing
// or rejecting its token) at `--log-level trace`, in both log formats; everything they print on
// stdout and stderr is searched for the secrets in every encoding an HTTP client or a logger could
// produce (as is, URL-encoded, base64, hex, and any 12-character fragment).
import { createServer } from "node:net";
import { describe, it, type ExpectStatic } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { DEFAULT_VPC_ID, startFakeVpc, type FakeVpcServer, type FaultRule } from "@vpc-route-sync/fake-alibaba-vpc";
import { baseEnv, type CliResult } from "../support/cli.js";
import { RunningCli } from "./metrics-harness.js";

const REGION_ID = "cn-hangzhou";
/** An STS AccessKey id: not a secret, and deliberately sharing no fragment with the values below. */
const ACCESS_KEY_ID = "STS.NUk7eE2eLoggingKeyId";
const ACCESS_KEY_SECRET = "q7Vx2Lp9Rk4Wm8Tz3Nf6Hb1Yc5Jd0G";
/** Real STS tokens start with CAIS (the logger also redacts that shape whatever the value). */
const STS_TOKEN = "CAISzP4q+Yh8uJ1oK3mN5bV7cX9zA2sD4fG6hJ8kL0qW2eR4tY6uI8oP/aS1dF3gH5jK7lZ9xC1vB3nM5qW7eR9tY1uI3oP5aS7dF9g==";
/** A token of another shape, so that only the value-based redaction can catch it. */
const OPAQUE_TOKEN = "Tk9pXw3Re7Ty1Ui5Op9As3Df7Gh1Jk5Lz9Xc3Vb7Nm1Qw5Er9Ty3Ui7";
const KUBE_TOKEN = "kube-bearer-Jw4Xk9Qm2Rv7Tp5Lz8Hd3Fs6";

/** Every way a value could appear in a line: raw, URL-encoded (once, twice), base64 (both alphabets, any alignment), hex. */
function leakForms(value: string): string[] {
  const forms = new Set<string>([value, encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value))]);
  forms.add(encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  forms.add(Buffer.from(value).toString("hex"));
  const bytes = Buffer.from(value);
  for (let offset = 0; offset < 3; offset++) {
    // With `offset` bytes before it, only the base64 groups made of the value's own bytes are fixed.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const firstGroup = Math.ceil(offset / 3);
    const lastGroup = Math.floor((offset + bytes.length) / 3);
    const core = encoded.slice(firstGroup * 4, lastGroup * 4);
    forms.add(core);
    forms.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  for (let i = 0; i + 12 <= value.length; i++) forms.add(value.slice(i, i + 12));
  return [...forms];
}

function expectNoLeak(expect: ExpectStatic, output: string, secrets: Readonly<Record<string, string>>): void {
  for (const [what, value] of Object.entries(secrets)) {
    for (const form of leakForms(value)) {
      const at = output.indexOf(form);
      const context = at < 0 ? "" : output.slice(Math.max(0, at - 200), at + form.length + 200);
      expect(at, `${what} appears as ${JSON.stringify(form)} in:\n${context}`).toBe(-1);
    }
  }
}

type Command = "run" | "reconcile";
type Format = "json" | "text";

interface World {
  readonly kube: FakeKubeServer;
  readonly vpc: FakeVpcServer;
  readonly vpcUrl: string;
}

interface Scenario {
  readonly name: string;
  /** What the fake VPC knows about the key (default: the key with its secret and token). */
  readonly vpcCredentials?: (token: string) => Record<string, { secret: string; securityToken?: string }>;
  readonly faults?: FaultRule[];
  /** Point the CLI at a port where nothing listens. */
  readonly vpcDown?: boolean;
  readonly prepareKube?: (kube: FakeKubeServer) => void;
  /** Expected exit code of `reconcile`. */
  readonly reconcileExit: number;
  /** Output that proves the path was taken, per command (for `run`: awaited before SIGTERM). */
  readonly evidence: Readonly<Record<Command, RegExp>>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "happy path with an STS key",
    reconcileExit: 0,
    evidence: { reconcile: /Result: applied/, run: /route created[\s\S]*reconcile finished/ },
  },
  {
    name: "wrong AccessKey secret (signature rejected)",
    vpcCredentials: (token) => ({ [ACCESS_KEY_ID]: { secret: "the-right-secret-is-another-one", securityToken: token } }),
    reconcileExit: 1,
    evidence: { reconcile: /SignatureDoesNotMatch/, run: /SignatureDoesNotMatch[\s\S]*reconcile failed/ },
  },
  {
    name: "wrong STS security token",
    vpcCredentials: () => ({ [ACCESS_KEY_ID]: { secret: ACCESS_KEY_SECRET, securityToken: "CAISanotherTokenThatTheKeyReallyHas0123456789abcdef" } }),
    reconcileExit: 1,
    evidence: { reconcile: /InvalidSecurityToken\.MismatchWithAccessKey/, run: /InvalidSecurityToken\.MismatchWithAccessKey[\s\S]*reconcile failed/ },
  },
  {
    name: "VPC endpoint down",
    vpcDown: true,
    reconcileExit: 1,
    evidence: { reconcile: /ECONNREFUSED/, run: /ECONNREFUSED[\s\S]*reconcile failed/ },
  },
  {
    name: "throttling storm",
    faults: [{ fault: { type: "throttling", retryAfterMs: 10 } }],
    reconcileExit: 1,
    evidence: { reconcile: /Throttling\.User/, run: /Throttling\.User[\s\S]*reconcile failed/ },
  },
  {
    name: "VPC API answering 500 and 503",
    faults: [{ ratio: 0.5, fault: { type: "internal-error" } }, { fault: { type: "service-unavailable" } }],
    reconcileExit: 1,
    evidence: { reconcile: /InternalError|ServiceUnavailable/, run: /(InternalError|ServiceUnavailable)[\s\S]*reconcile failed/ },
  },
  {
    name: "Kubernetes API failing",
    prepareKube: (kube) => kube.faults.failRequests({ status: 500 }),
    reconcileExit: 1,
    evidence: { reconcile: /cannot list Nodes|cannot read the kube-system namespace/, run: /node informer failed|cluster identity unavailable/ },
  },
  {
    name: "Kubernetes API rejecting the token",
    prepareKube: (kube) => kube.faults.failRequests({ status: 401, reason: "Unauthorized", message: "Unauthorized" }),
    reconcileExit: 1,
    evidence: { reconcile: /cannot list Nodes|cannot read the kube-system namespace/, run: /node informer failed|cluster identity unavailable/ },
  },
];

const NODES = [
  { metadata: { name: "ecs-node-1" }, spec: { providerID: `${REGION_ID}.i-bp1logging000001`, podCIDR: "10.244.1.0/24" } },
  { metadata: { name: "ecs-node-2" }, spec: { providerID: `${REGION_ID}.i-bp1logging000002`, podCIDR: "10.244.2.0/24" } },
];

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function startWorld(scenario: Scenario, token: string): Promise<World> {
  const kube = await startFakeKube({ nodes: NODES, token: KUBE_TOKEN });
  const credentials = scenario.vpcCredentials?.(token) ?? { [ACCESS_KEY_ID]: { secret: ACCESS_KEY_SECRET, securityToken: token } };
  const vpc = await startFakeVpc({ regionId: REGION_ID, credentials, faults: scenario.faults ?? [], pendingMs: 50 });
  scenario.prepareKube?.(kube);
  return { kube, vpc, vpcUrl: scenario.vpcDown ? await closedPortUrl() : vpc.url };
}

function cliArgs(command: Command, format: Format, world: World): string[] {
  const common = [
    command,
    "--region",
    REGION_ID,
    "--vpc-id",
    DEFAULT_VPC_ID,
    "--cluster-name",
    "logging",
    "--cluster-cidr",
    "10.244.0.0/16",
    "--vpc-endpoint",
    world.vpcUrl,
    "--kubeconfig",
    world.kube.kubeconfigPath,
    "--api-qps",
    "50",
    "--log-level",
    "trace",
    "--log-format",
    format,
  ];
  if (command === "reconcile") return common;
  return [
    ...common,
    "--aggregation-window",
    "100ms",
    "--metrics-bind-address",
    "127.0.0.1:0",
    "--health-probe-bind-address",
    "127.0.0.1:0",
    "--leader-election-namespace",
    "kube-system",
    "--identity",
    "logging-test",
  ];
}

/** Runs one command through one scenario; `run` is stopped with SIGTERM once the evidence is out. */
async function runScenario(scenario: Scenario, command: Command, format: Format, token: string): Promise<{ result: CliResult; tail: string }> {
  const world = await startWorld(scenario, token);
  try {
    const env = baseEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      ALIBABA_CLOUD_SECURITY_TOKEN: token,
    });
    const cli = new RunningCli(cliArgs(command, format, world), env);
    if (command === "run") {
      try {
        await cli.waitForOutput(scenario.name, (output) => scenario.evidence.run.test(output), 45_000);
      } finally {
        await cli.stop();
      }
    }
    return { result: await cli.exited(), tail: cli.tail() };
  } finally {
    await Promise.all([world.kube.close(), world.vpc.close()]);
  }
}

// Every scenario runs both commands, one in each log format (alternating per scenario), so each
// pair of scenario, command and format is covered without running the full product. The STS token
// has the real CAIS shape in JSON runs and an opaque shape in text runs, so both redaction layers
// (by shape and by value) are exercised end to end.
const CASES = SCENARIOS.flatMap((scenario, i) => {
  const [reconcileFormat, runFormat]: [Format, Format] = i % 2 === 0 ? ["json", "text"] : ["text", "json"];
  return [[scenario.name, "reconcile", reconcileFormat, scenario] as const, [scenario.name, "run", runFormat, scenario] as const];
});

describe("no credential in any output line", () => {
  it.concurrent.for(CASES)("%s: %s --log-format %s --log-level trace", { timeout: 120_000 }, async ([, command, format, scenario], { expect }) => {
    const token = format === "json" ? STS_TOKEN : OPAQUE_TOKEN;
    const { result, tail } = await runScenario(scenario, command, format, token);
    const output = `${result.stdout}\n${result.stderr}`;
    // `run` exits 0 after SIGTERM whatever went wrong before; `reconcile` reports the failure in its exit code.
    expect(result.code, tail).toBe(command === "run" ? 0 : scenario.reconcileExit);
    expect(output).toMatch(scenario.evidence[command]);
    expectNoLeak(expect, output, { "the AccessKey secret": ACCESS_KEY_SECRET, "the STS security token": token, "the Kubernetes bearer token": KUBE_TOKEN });
    // There was output to leak into.
    expect(output.trim()).not.toBe("");
    if (format === "json") {
      // `run` logs to stdout, `reconcile` to stderr (its stdout is the report).
      const logs = command === "run" ? result.stdout : result.stderr;
      for (const line of logs.split("\n").filter((l) => l.startsWith("{"))) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    }
  });
});
