// Public entry of the fake VPC API (Alibaba Cloud VPC 2016-04-28 over HTTP on 127.0.0.1), used by
// the adapter's contract tests, end-to-end tests, the offline demo and `vpc-route-sync fake-vpc`.
// See docs/fake-vpc.md.
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
} from "./server.js";
export { CONTROL_PREFIX } from "./control-api.js";
export { loadStateFile, parseStateFile, saveStateFile } from "./state-file.js";
export { parseFaultRule } from "./faults.js";
export type { BatchWhileUnstable, OmittedFilters } from "./actions.js";
export type * from "./types.js";
