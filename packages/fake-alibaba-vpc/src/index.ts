// Public entry of the fake VPC API (Alibaba Cloud VPC 2016-04-28 over HTTP on 127.0.0.1), used by
// the adapter's contract tests, end-to-end tests, `npm run demo` and `npm run fake-vpc`.
// See the package README.md.
export {
  API_VERSION,
  DEFAULT_ROUTE_TABLE_ID,
  DEFAULT_VPC_ID,
  DEFAULT_VPCS,
  FAKE_ACCESS_KEY_ID,
  FAKE_ACCESS_KEY_SECRET,
  startFakeVpc,
  type FakeVpcOptions,
  type FakeVpcServer,
} from "./server.ts";
export { CONTROL_PREFIX } from "./control-api.ts";
export { loadStateFile, parseStateFile, saveStateFile } from "./state-file.ts";
export { parseFaultRule } from "./faults.ts";
export type { BatchWhileUnstable, OmittedFilters } from "./actions.ts";
export type * from "./types.ts";
