// A real Kubernetes API server for tests and for `npm run real-kube`: builds (or finds in its cache)
// kube-apiserver and etcd with build.sh, starts both on 127.0.0.1 with free ports and a throwaway
// data directory, RBAC authorization, service-account token signing (keys made at start) and an
// admin bearer token in group system:masters, and writes an admin kubeconfig. stop() ends both
// processes by their PIDs and removes the data directory.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSelfSignedCertificate, renderKubeconfig } from "@vpc-route-sync/fake-kube-apiserver";
import { freePort } from "../../bench/child-process.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository's test/real-kube directory (also when this file runs compiled from build-real-kube/). */
export const REAL_KUBE_DIR = resolve(HERE.includes("build-real-kube") ? join(HERE, "..", "..", "..", "test", "real-kube") : HERE);

/** The pinned versions; build.sh holds the same numbers. */
export const KUBE_VERSION = "1.34.4";
export const ETCD_VERSION = "3.6.16";

export class GoMissingError extends Error {
  constructor() {
    super("Go is not installed, so kube-apiserver and etcd cannot be built; install Go 1.24+ (CI does: .ci/run)");
    this.name = "GoMissingError";
  }
}

/** Runs build.sh and resolves with the directory holding bin/kube-apiserver and bin/etcd. */
export function buildRealKube(options: { readonly log?: (line: string) => void } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile("bash", [join(REAL_KUBE_DIR, "build.sh")], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        if (child.exitCode === 3) reject(new GoMissingError());
        else reject(new Error(`test/real-kube/build.sh failed (${child.exitCode ?? child.signalCode}):\n${stderr.split("\n").slice(-30).join("\n")}`));
        return;
      }
      const lines = stdout.trim().split("\n");
      resolvePromise(lines[lines.length - 1] ?? "");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.startsWith("real-kube:")) options.log?.(line);
    });
  });
}

export interface RealKubeInfo {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** Bearer token of the admin user (group system:masters). */
  readonly token: string;
  /** PEM of the serving certificate, which kubeconfigs trust as the cluster CA. */
  readonly caPem: string;
  /** The admin kubeconfig. */
  readonly kubeconfigPath: string;
  /** http://127.0.0.1:PORT of etcd (its JSON gateway serves /v3/kv/compaction). */
  readonly etcdUrl: string;
  /** kube-apiserver's audit log (JSON lines, level Metadata): who made which call, and its status. */
  readonly auditLogPath: string;
  readonly kubeApiserverPid: number;
  readonly etcdPid: number;
}

export interface StartOptions {
  /** Directory with bin/kube-apiserver and bin/etcd (from buildRealKube()). */
  readonly binDir: string;
  /** Where the processes' output goes (a file each) — default: inside the temp directory. */
  readonly logDir?: string;
  /** Extra kube-apiserver flags. */
  readonly apiserverFlags?: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request to an API server (https: trusting `caPem`; plain http for the fake). */
export function apiRequest(info: { readonly url: string; readonly caPem?: string | undefined }, token: string, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const request = info.url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(
      `${info.url}${path}`,
      {
        method,
        ...(info.caPem === undefined ? {} : { ca: info.caPem }),
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(payload === undefined ? {} : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolveAnswer({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once("exit", () => resolveExit()));
}

async function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}

function tail(text: string, lines = 25): string {
  return text.split("\n").slice(-lines).join("\n");
}

/** How to start one of the two processes again (same binary, flags, ports and data directory). */
interface Launch {
  readonly what: "etcd" | "kube-apiserver";
  readonly command: string;
  readonly args: readonly string[];
  readonly log: WriteStream;
  readonly healthy: () => Promise<boolean>;
  readonly timeoutMs: number;
}

/** Starts `launch` and resolves once it is healthy; its output goes to its log and `output`. */
async function launchChild(launch: Launch, output: { text: string }): Promise<ChildProcess> {
  const child = spawn(launch.command, launch.args, { stdio: ["ignore", "pipe", "pipe"] });
  const keep = (c: Buffer): void => {
    output.text = tail(output.text + c.toString("utf8"), 200);
    launch.log.write(c);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  try {
    await waitHealthy(launch.what, child, launch.healthy, () => output.text, launch.timeoutMs);
  } catch (error) {
    await stopChild(child, 5_000);
    throw error;
  }
  return child;
}

export class RealKube {
  readonly info: RealKubeInfo;
  readonly #dir: string;
  readonly #launches: { readonly etcd: Launch; readonly apiserver: Launch };
  #etcd: ChildProcess | undefined;
  #apiserver: ChildProcess;
  readonly #logs: WriteStream[];
  #stopped: Promise<void> | undefined;

  private constructor(info: RealKubeInfo, dir: string, etcd: ChildProcess, apiserver: ChildProcess, logs: WriteStream[], launches: { etcd: Launch; apiserver: Launch }) {
    this.info = info;
    this.#dir = dir;
    this.#etcd = etcd;
    this.#apiserver = apiserver;
    this.#logs = logs;
    this.#launches = launches;
  }

  /** etcd's data directory (stop etcd before copying it: a cold, file-level backup). */
  get etcdDataDir(): string {
    return join(this.#dir, "etcd");
  }

  /** PIDs of the processes running now (they change when one is started again). */
  get pids(): { readonly etcd: number | undefined; readonly kubeApiserver: number | undefined } {
    return { etcd: this.#etcd?.pid, kubeApiserver: this.#apiserver.pid };
  }

  /** Stops etcd (SIGTERM, SIGKILL after 10 s); kube-apiserver keeps running and retries it. */
  async stopEtcd(): Promise<void> {
    await stopChild(this.#etcd, 10_000);
    this.#etcd = undefined;
  }

  /** Starts etcd again with the same flags, ports and data directory, and waits until it is healthy. */
  async startEtcd(): Promise<void> {
    if (this.#etcd !== undefined) throw new Error("etcd is running");
    this.#etcd = await launchChild(this.#launches.etcd, { text: "" });
  }

  /** Stops kube-apiserver and starts it again on the same port (its watch cache is rebuilt from etcd). */
  async restartApiserver(): Promise<void> {
    await stopChild(this.#apiserver, 10_000);
    this.#apiserver = await launchChild(this.#launches.apiserver, { text: "" });
  }

  /** The temp directory holding the data, keys, logs and kubeconfig. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Starts etcd and kube-apiserver. Ports are found free just before the start, so another process
   * can take one meanwhile: then the start is tried again with new ports (three tries).
   */
  static async start(options: StartOptions): Promise<RealKube> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await RealKube.#startOnce(options);
      } catch (error) {
        if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
      }
    }
  }

  static async #startOnce(options: StartOptions): Promise<RealKube> {
    const dir = await mkdtemp(join(tmpdir(), "vrs-real-kube-"));
    const logDir = options.logDir ?? dir;
    const etcdLog = createWriteStream(join(logDir, "etcd.log"));
    const apiLog = createWriteStream(join(logDir, "kube-apiserver.log"));
    let etcd: ChildProcess | undefined;
    let apiserver: ChildProcess | undefined;
    try {
      // etcd: one member, no fsync (throwaway data), client and peer ports on loopback.
      const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
      const etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const etcdLaunch: Launch = {
        what: "etcd",
        command: join(options.binDir, "bin", "etcd"),
        args: [
          "--name", "real-kube",
          "--data-dir", join(dir, "etcd"),
          "--listen-client-urls", etcdUrl,
          "--advertise-client-urls", etcdUrl,
          "--listen-peer-urls", peerUrl,
          "--initial-advertise-peer-urls", peerUrl,
          "--initial-cluster", `real-kube=${peerUrl}`,
          "--unsafe-no-fsync",
          "--log-level", "warn",
          "--quota-backend-bytes", String(2 * 1024 * 1024 * 1024),
        ],
        log: etcdLog,
        healthy: async () => {
          const res = await fetch(`${etcdUrl}/health`).catch(() => undefined);
          return res?.status === 200;
        },
        timeoutMs: 60_000,
      };
      etcd = await launchChild(etcdLaunch, { text: "" });

      // Keys and certificates made now: service-account signing (RSA) and the serving certificate.
      const sa = generateKeyPairSync("rsa", { modulusLength: 2048 });
      await writeFile(join(dir, "sa.key"), sa.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      await writeFile(join(dir, "sa.pub"), sa.publicKey.export({ type: "spki", format: "pem" }));
      const serving = createSelfSignedCertificate(["127.0.0.1", "localhost"]);
      await writeFile(join(dir, "serving.crt"), serving.certPem);
      await writeFile(join(dir, "serving.key"), serving.keyPem, { mode: 0o600 });
      const token = randomBytes(24).toString("hex");
      await writeFile(join(dir, "tokens.csv"), `${token},real-kube-admin,real-kube-admin,"system:masters"\n`, { mode: 0o600 });

      // Every request at level Metadata, so tests can check which calls a ServiceAccount made and
      // whether RBAC allowed them.
      const auditLogPath = join(dir, "audit.log");
      await writeFile(
        join(dir, "audit-policy.yaml"),
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n",
      );

      const url = `https://127.0.0.1:${securePort}`;
      const probe = { url, caPem: serving.certPem };
      const apiserverLaunch: Launch = {
        what: "kube-apiserver",
        command: join(options.binDir, "bin", "kube-apiserver"),
        args: [
          "--etcd-servers", etcdUrl,
          "--bind-address", "127.0.0.1",
          "--advertise-address", "127.0.0.1",
          "--secure-port", String(securePort),
          "--tls-cert-file", join(dir, "serving.crt"),
          "--tls-private-key-file", join(dir, "serving.key"),
          "--cert-dir", join(dir, "certs"),
          "--authorization-mode", "RBAC",
          "--token-auth-file", join(dir, "tokens.csv"),
          "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
          "--service-account-key-file", join(dir, "sa.pub"),
          "--service-account-signing-key-file", join(dir, "sa.key"),
          "--api-audiences", "https://kubernetes.default.svc.cluster.local",
          "--service-cluster-ip-range", "10.96.0.0/16",
          "--allow-privileged=false",
          "--profiling=false",
          "--enable-priority-and-fairness=false",
          "--audit-policy-file", join(dir, "audit-policy.yaml"),
          "--audit-log-path", auditLogPath,
          "--audit-log-mode", "blocking",
          "--v", "1",
          ...(options.apiserverFlags ?? []),
        ],
        log: apiLog,
        healthy: async () => {
          const answer = await apiRequest(probe, token, "GET", "/readyz").catch(() => undefined);
          return answer?.status === 200;
        },
        timeoutMs: 120_000,
      };
      apiserver = await launchChild(apiserverLaunch, { text: "" });

      const kubeconfigPath = join(dir, "admin.kubeconfig");
      await writeFile(kubeconfigPath, renderKubeconfig({ server: url, token, name: "real-kube", certificateAuthorityPem: serving.certPem }), { mode: 0o600 });
      const info: RealKubeInfo = {
        url,
        token,
        caPem: serving.certPem,
        kubeconfigPath,
        etcdUrl,
        auditLogPath,
        kubeApiserverPid: apiserver.pid ?? 0,
        etcdPid: etcd.pid ?? 0,
      };
      return new RealKube(info, dir, etcd, apiserver, [etcdLog, apiLog], { etcd: etcdLaunch, apiserver: apiserverLaunch });
    } catch (error) {
      await stopChild(apiserver, 5_000);
      await stopChild(etcd, 5_000);
      etcdLog.end();
      apiLog.end();
      if (options.logDir === undefined) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Ends kube-apiserver, then etcd (SIGTERM, SIGKILL after 10 s), and removes the data directory. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await stopChild(this.#apiserver, 10_000);
      await stopChild(this.#etcd, 10_000);
      for (const log of this.#logs) log.end();
      await rm(this.#dir, { recursive: true, force: true });
    })();
    return this.#stopped;
  }

  /** Reads a file the launcher wrote (e.g. the kubeconfig), for copying elsewhere. */
  kubeconfig(): Promise<string> {
    return readFile(this.info.kubeconfigPath, "utf8");
  }
}

async function waitHealthy(what: string, child: ChildProcess, healthy: () => Promise<boolean>, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) while starting:\n${tail(output())}`);
    }
    if (await healthy()) return;
    if (Date.now() > deadline) throw new Error(`${what} not healthy after ${timeoutMs / 1000} s:\n${tail(output())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
