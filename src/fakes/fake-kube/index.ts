// Public entry of the fake Kubernetes API server used by end-to-end tests, CLI tests and the demo.

export { startFakeKube } from "./fake-kube-server.js";
export type { FakeKubeOptions, FakeKubeServer, ObjectEdit, WorkloadResource } from "./fake-kube-server.js";
export type { ServerVersion } from "./discovery.js";
export type { DropMode, ErrorRule, FaultControls, LatencyRule } from "./faults.js";
export type { RequestLogEntry } from "./request-log.js";
export type { DeleteResult } from "./registry.js";
export type { JsonObject } from "./json.js";
export { FAKE_KUBE_VERSION } from "./discovery.js";
