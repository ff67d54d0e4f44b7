// Public entry of the fake Kubernetes API server used by end-to-end tests, CLI tests and the demo.

export { startFakeKube } from "./fake-kube-server.ts";
export type { FakeKubeOptions, FakeKubeServer, ObjectEdit, WorkloadResource } from "./fake-kube-server.ts";
export type { ServerVersion } from "./discovery.ts";
export type { DropMode, ErrorRule, FaultControls, LatencyRule } from "./faults.ts";
export type { RequestLogEntry } from "./request-log.ts";
export type { DeleteResult } from "./registry.ts";
export type { JsonObject } from "./json.ts";
export type { ReviewIdentity } from "./reviews.ts";
export { FAKE_KUBE_VERSION } from "./discovery.ts";
// Also used by the real kube-apiserver tier's launcher (test/real-kube/): its serving certificate and
// admin kubeconfig are made the same way.
export { renderKubeconfig } from "./kubeconfig.ts";
export { createSelfSignedCertificate } from "./self-signed-certificate.ts";
