// `npm run fake-vpc` (dev/cli.ts fake-vpc): the fake Alibaba VPC API alone, for trying `reconcile` by hand or
// for tests in other processes. Runs until SIGINT/SIGTERM; with --state the tables survive restarts.
import type { CommandIo } from "../src/config/index.js";
import { endWithError } from "../src/error-policy.js";
import { errorMessage } from "../src/errors.js";
import type { FakeVpcConfig } from "./dev-config.js";
import {
  DEFAULT_ROUTE_TABLE_ID,
  DEFAULT_VPC_ID,
  FAKE_ACCESS_KEY_ID,
  FAKE_ACCESS_KEY_SECRET,
  CONTROL_PREFIX,
  startFakeVpc,
} from "@vpc-route-sync/fake-alibaba-vpc";

export async function runFakeVpcCommand(config: FakeVpcConfig, io: CommandIo): Promise<number> {
  let server;
  try {
    server = await startFakeVpc({
      host: config.host,
      port: config.port,
      regionId: config.regionId,
      pendingMs: config.pendingMs,
      quotaPerTable: config.quota,
      stateFile: config.stateFile,
    });
  } catch (error) {
    return endWithError(new Error(`cannot start the fake VPC API on ${config.host}:${config.port}: ${errorMessage(error)}`, { cause: error }), io.stderr);
  }
  io.stdout.write(
    [
      `fake VPC API listening on ${server.url} (region ${server.regionId})`,
      `  state:        ${config.stateFile ?? "in memory"}`,
      `  inspect:      curl ${server.url}${CONTROL_PREFIX}state`,
      `  try it with:  ALIBABA_CLOUD_ACCESS_KEY_ID=${FAKE_ACCESS_KEY_ID} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${FAKE_ACCESS_KEY_SECRET} \\`,
      `                vpc-route-sync reconcile --vpc-endpoint ${server.url} --region ${server.regionId} \\`,
      `                --route-table-ids ${DEFAULT_ROUTE_TABLE_ID} --nodes-file nodes.json --dry-run   (VPC ${DEFAULT_VPC_ID})`,
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.close();
  return 0;
}
