// The developer entry point: `demo` (two `reconcile` passes against the fake Kubernetes API and
// the fake VPC API) and `fake-vpc` (the fake VPC API alone). Not part of the product: the
// production build (tsconfig.build.json → dist/), the image and `npm pack` leave dev/ and
// packages/ out. Run from a checkout with `npm run demo` / `npm run fake-vpc` (compiled by
// tsconfig.dev.json into build-dev/; the fakes load as TypeScript through Node's type stripping).

import { processCommandIo, runEntryPoint } from "../src/process-entry.js";
import { parseDevConfig } from "./dev-config.js";

async function main(): Promise<number> {
  // A ConfigError ends the process through the product's error policy (one line, exit 2).
  const outcome = parseDevConfig(process.argv.slice(2), process.env);
  if (outcome.kind === "help") {
    process.stdout.write(outcome.text);
    return 0;
  }
  const config = outcome.config;
  const io = processCommandIo();
  switch (config.command) {
    case "demo":
      return (await import("./demo.js")).runDemoCommand(config, io);
    case "fake-vpc":
      return (await import("./fake-vpc.js")).runFakeVpcCommand(config, io);
  }
}

runEntryPoint(main);
