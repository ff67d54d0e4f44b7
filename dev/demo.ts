// `npm run demo` (dev/cli.ts demo): the real one-shot reconcile path against an embedded simulated cluster
// (fake Kubernetes API) and VPC (fake Alibaba VPC API), both on 127.0.0.1. Pass 1 converges the
// route table; pass 2 shows there is nothing left to do. --keep-running leaves both up.
import { PassThrough } from "node:stream";
import type { CommandIo, ReconcileConfig } from "../src/config/index.js";
import { parseClusterCidrs } from "../src/domain/eligibility.js";
import type { DemoConfig } from "./dev-config.js";
import {
  DEMO_CLUSTER_CIDR,
  DEMO_CLUSTER_NAME,
  DEMO_REGION_ID,
  DEMO_ROUTE_TABLE_ID,
  DEMO_VPC_ID,
  demoNodes,
  demoVpcs,
} from "./demo-world.js";
import { startFakeKube } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc } from "@vpc-route-sync/fake-alibaba-vpc";
import type { JsonReport } from "../src/reconcile/report.js";
import { runReconcileCommand } from "../src/commands/reconcile.js";

export async function runDemoCommand(config: DemoConfig, io: CommandIo): Promise<number> {
  const kube = await startFakeKube({ nodes: demoNodes() });
  const vpc = await startFakeVpc({ regionId: DEMO_REGION_ID, vpcs: demoVpcs(kube.namespaceUid("kube-system")), pendingMs: 300 });
  try {
    const reconcileConfig: ReconcileConfig = {
      command: "reconcile",
      regionId: DEMO_REGION_ID,
      vpcId: DEMO_VPC_ID,
      routeTableIds: [],
      clusterName: DEMO_CLUSTER_NAME,
      clusterCidrs: parseClusterCidrs([DEMO_CLUSTER_CIDR]),
      adoptUnmarked: false,
      maxDeletions: { kind: "percent", value: 50 },
      vpcEndpoint: { host: vpc.endpoint, protocol: "http" },
      apiQps: 20,
      logLevel: config.logLevel,
      logFormat: "auto",
      kubeconfig: kube.kubeconfigPath,
      credentials: { kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "demo" },
      approveDeletions: [],
      dryRun: false,
      output: config.output,
      detailedExitcode: false,
      progress: true,
    };
    const text = config.output === "text";
    const say = (line: string): void => {
      if (text) io.stdout.write(`${line}\n`);
    };

    say("vpc-route-sync demo: a simulated cluster and VPC on 127.0.0.1 (no cloud account needed)");
    say(`  Kubernetes API ${kube.url}: ${demoNodes().length} Nodes (ECS, ECI virtual, malformed, other region, no pod CIDR, excluded)`);
    say(`  VPC API        ${vpc.url}: ${DEMO_VPC_ID}, route table ${DEMO_ROUTE_TABLE_ID} with system, VPN, Express Connect,`);
    say("                 one stale route of this cluster and one route a cloud controller manager made earlier");
    say("");
    say("== Pass 1: reconcile (plan, apply, wait until the routes are Available)");
    const first = await capture(io, text, (passIo) => runReconcileCommand(reconcileConfig, passIo));
    say("");
    say("== Pass 2: reconcile again (idempotent: nothing left to do)");
    const second = await capture(io, text, (passIo) => runReconcileCommand(reconcileConfig, passIo));

    if (!text) {
      const reports = [first, second].map((p) => JSON.parse(p.output) as JsonReport);
      io.stdout.write(`${JSON.stringify({ passes: reports }, null, 2)}\n`);
    }
    say("");
    say("Route table after the demo:");
    for (const e of vpc.entries(DEMO_ROUTE_TABLE_ID)) {
      const hops = e.nextHops.map((h) => `${h.nextHopType}:${h.nextHopId || "-"}`).join(",");
      say(`  ${e.destinationCidr.padEnd(16)} ${e.type.padEnd(7)} ${e.status.padEnd(10)} ${hops.padEnd(36)} ${e.description ?? ""}`);
    }

    const ok = first.code === 0 && second.code === 0;
    if (config.keepRunning) {
      say("");
      say("Both fakes keep running (Ctrl-C to stop). Try:");
      say(`  export KUBECONFIG=${kube.kubeconfigPath}`);
      say("  kubectl get nodes");
      say(`  kubectl label node cn-hangzhou.192.168.0.13 service.alibabacloud.com/exclude-node=true`);
      say(
        `  ALIBABA_CLOUD_ACCESS_KEY_ID=${FAKE_ACCESS_KEY_ID} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${FAKE_ACCESS_KEY_SECRET} \\`,
      );
      say(
        `    npx node build-dev/src/cli.js reconcile --region ${DEMO_REGION_ID} --vpc-id ${DEMO_VPC_ID} --cluster-name ${DEMO_CLUSTER_NAME} --vpc-endpoint ${vpc.url} --dry-run`,
      );
      say(`  curl ${vpc.url}/__fake/state`);
      if (!text) {
        io.stderr.write(`${JSON.stringify({ kubeconfig: kube.kubeconfigPath, vpcEndpoint: vpc.url })}\n`);
      }
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    return ok ? 0 : 1;
  } finally {
    await Promise.all([kube.close(), vpc.close()]);
  }
}

/** Runs one pass with its stdout either passed through (text) or collected (json). */
async function capture(
  io: CommandIo,
  passThrough: boolean,
  run: (io: CommandIo) => Promise<number>,
): Promise<{ code: number; output: string }> {
  if (passThrough) return { code: await run(io), output: "" };
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (c: Buffer) => chunks.push(c));
  const code = await run({ ...io, stdout: sink, stdoutIsTTY: false });
  sink.end();
  return { code, output: Buffer.concat(chunks).toString("utf8") };
}
