// Vitest global setup of the "real" project: builds kube-apiserver and etcd (or finds them in the
// cache; see build.sh) and starts one real API server for the whole run. Each test file then works in
// its own namespace and Node name prefix (see support.ts). Without Go the tier is skipped with one
// message; VRS_REAL_KUBE=0 skips it on purpose.
import type { TestProject } from "vitest/node";
import { buildRealKube, GoMissingError, RealKube, type RealKubeInfo } from "./real-kube.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared server, the directory with its binaries (for tests that need a server of their own), or why the tier is skipped. */
    realKube: { readonly info?: RealKubeInfo; readonly binDir?: string; readonly skipped?: string };
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env["VRS_REAL_KUBE"] === "0") {
    const skipped = "VRS_REAL_KUBE=0";
    console.warn(`real kube-apiserver tier SKIPPED: ${skipped}`);
    project.provide("realKube", { skipped });
    return undefined;
  }
  let binDir: string;
  try {
    binDir = await buildRealKube({ log: (line) => console.warn(line) });
  } catch (error) {
    if (!(error instanceof GoMissingError)) throw error;
    console.warn(`real kube-apiserver tier SKIPPED: ${error.message}`);
    project.provide("realKube", { skipped: error.message });
    return undefined;
  }
  const kube = await RealKube.start({ binDir });
  project.provide("realKube", { info: kube.info, binDir });
  return () => kube.stop();
}
