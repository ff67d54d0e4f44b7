// `npm run real-kube`: a real kube-apiserver + etcd on 127.0.0.1 until SIGTERM/SIGINT.
//   npm run real-kube -- [--kubeconfig-out FILE]
// Prints the admin kubeconfig's path (and copies it to FILE); on SIGTERM/SIGINT stops both
// processes and removes their data.
import { copyFile } from "node:fs/promises";
import { resolve } from "node:path";
import { buildRealKube, ETCD_VERSION, GoMissingError, KUBE_VERSION, RealKube } from "./real-kube.js";

function parseArgs(argv: readonly string[]): { kubeconfigOut?: string } {
  const result: { kubeconfigOut?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--kubeconfig-out") {
      const value = argv[++i];
      if (value === undefined || value === "") throw new Error("--kubeconfig-out needs a file path");
      result.kubeconfigOut = resolve(value);
    } else if (arg?.startsWith("--kubeconfig-out=")) {
      result.kubeconfigOut = resolve(arg.slice("--kubeconfig-out=".length));
    } else if (arg === "--help" || arg === "-h") {
      process.stdout.write("usage: npm run real-kube -- [--kubeconfig-out FILE]\n");
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)} (usage: npm run real-kube -- [--kubeconfig-out FILE])`);
    }
  }
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  say(`real-kube: kube-apiserver v${KUBE_VERSION}, etcd v${ETCD_VERSION}`);
  const binDir = await buildRealKube({ log: say });
  const kube = await RealKube.start({ binDir });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`real-kube: ${signal}: stopping kube-apiserver (pid ${kube.info.kubeApiserverPid}) and etcd (pid ${kube.info.etcdPid})`);
    kube.stop().then(
      () => {
        say("real-kube: stopped; data removed");
        process.exit(0);
      },
      (error: unknown) => {
        say(`real-kube: stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (args.kubeconfigOut !== undefined) await copyFile(kube.info.kubeconfigPath, args.kubeconfigOut);
  const path = args.kubeconfigOut ?? kube.info.kubeconfigPath;
  say(`real-kube: API server ${kube.info.url} (pid ${kube.info.kubeApiserverPid}), etcd ${kube.info.etcdUrl} (pid ${kube.info.etcdPid})`);
  say(`real-kube: logs and data in ${kube.dir}`);
  say("real-kube: ready; Ctrl-C or SIGTERM stops both and removes their data");
  process.stdout.write(`${path}\n`);
  say(`  export KUBECONFIG=${path}; kubectl get nodes`);
}

main().catch((error: unknown) => {
  process.stderr.write(`real-kube: ${error instanceof GoMissingError ? "" : "error: "}${(error as Error).message}\n`);
  process.exit(1);
});
