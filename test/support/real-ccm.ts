// The real Alibaba cloud-controller-manager (route controller only) as a child process, for the
// migration test on the real API server tier (test/real-kube/ccm-migration.test.ts). The binary is
// built outside this repository (/work/shared/tools/real-ccm/README.md describes how): the test skips
// when it is absent. Every SDK endpoint points at the fake VPC, so a stray call shows in its request
// log; the instance metadata service is a small in-process HTTP server that answers and counts.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";

/** The CCM binary: $VRS_REAL_CCM, else the build cache's copy. */
export const REAL_CCM_PATH = process.env["VRS_REAL_CCM"] ?? join(homedir(), ".cache", "vpc-route-sync", "real-ccm", "ccm-manager");

/** Why the real-CCM test cannot run here, or "" when it can. */
export function realCcmMissing(): string {
  return existsSync(REAL_CCM_PATH) ? "" : `real CCM binary not found at ${REAL_CCM_PATH} (set VRS_REAL_CCM; CI has no CCM source)`;
}

export interface MetadataStandIn {
  readonly url: string;
  /** Paths asked, in order (with vpcid and vswitchid in the cloud-config the CCM should ask none). */
  readonly asked: string[];
  close(): Promise<void>;
}

/** Answers /latest/meta-data/<key> from `values` (404 otherwise) and the IMDSv2 token PUT. */
export async function startMetadataStandIn(values: Record<string, string>): Promise<MetadataStandIn> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "";
    asked.push(`${req.method ?? "?"} ${path}`);
    const key = path.startsWith("/latest/meta-data/") ? path.slice("/latest/meta-data/".length) : undefined;
    const body = req.method === "PUT" && path === "/latest/api/token" ? "stand-in-token" : key === undefined ? undefined : values[key];
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "text/plain" }).end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CcmSetup {
  readonly vpcUrl: string;
  readonly metadataUrl: string;
  /** An admin kubeconfig (the CCM patches Node status and records Events; no RBAC is set up for it). */
  readonly kubeconfigPath: string;
  /** Directory for the cloud-config file. */
  readonly dir: string;
  readonly accessKey: { readonly id: string; readonly secret: string };
  readonly regionId: string;
  readonly vpcId: string;
  readonly routeTableId: string;
  readonly clusterCidr: string;
  readonly clusterName: string;
}

/** One run of ccm-manager --controllers=route; stop() ends it by its PID. */
export class RealCcm {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  #output = "";

  private constructor(child: ChildProcess) {
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString("utf8")).slice(-200_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  }

  /** `period` is its --route-reconciliation-period (the periodic pass that deletes conflicting routes). */
  static async start(setup: CcmSetup, configureCloudRoutes: boolean, period = "5m"): Promise<RealCcm> {
    const cloudConfig = join(setup.dir, "cloud-config.json");
    const global = {
      region: setup.regionId,
      vpcid: setup.vpcId,
      vswitchid: "vsw-bp1ccm0000000000001",
      zoneid: `${setup.regionId}-h`,
      routeTableIDs: setup.routeTableId,
      clusterID: setup.clusterName,
    };
    await writeFile(cloudConfig, JSON.stringify({ Global: global }));
    const endpoint = new URL(setup.vpcUrl).host;
    const env = {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: setup.dir,
      ACCESS_KEY_ID: setup.accessKey.id,
      ACCESS_KEY_SECRET: setup.accessKey.secret,
      ALICLOUD_CLIENT_SCHEME: "HTTP",
      ...Object.fromEntries(["VPC", "ECS", "SLB", "NLB", "EFLO_CONTROLLER"].map((api) => [`${api}_ENDPOINT`, endpoint])),
      METADATA_ENDPOINT: setup.metadataUrl,
      KUBECONFIG: setup.kubeconfigPath,
    };
    const args = [
      `--cloud-config=${cloudConfig}`,
      `--kubeconfig=${setup.kubeconfigPath}`,
      "--controllers=route",
      `--configure-cloud-routes=${String(configureCloudRoutes)}`,
      `--cluster-cidr=${setup.clusterCidr}`,
      `--cluster-name=${setup.clusterName}`,
      `--route-reconciliation-period=${period}`,
      "--metrics-bind-addr=0",
      "--health-probe-bind-addr=0",
      "--pprof-bind-addr=0",
      // One CCM at a time here; without leader election a restart does not wait for the old Lease to expire.
      "--leader-elect=false",
      "--v=2",
    ];
    return new RealCcm(spawn(REAL_CCM_PATH, args, { env, stdio: ["ignore", "pipe", "pipe"] }));
  }

  /** The last `lines` lines of its log. */
  output(lines = 40): string {
    return this.#output.split("\n").slice(-lines).join("\n");
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM to its PID, SIGKILL after 10 s; resolves when it has exited. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    process.kill(pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) process.kill(pid, "SIGKILL");
    }, 10_000);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
