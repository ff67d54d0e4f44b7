// The cluster's identity for the ownership marker: the UID of the `kube-system` namespace. It is
// created with the cluster and never changes, and two clusters never share it, even when they share
// a --cluster-name. Read once at start by `run` and by `reconcile` from the
// API; needs RBAC `get` on namespaces/kube-system (deploy/kustomize/base/rbac.yaml, the chart).
import type { CoreV1Api } from "./kube-apis.js";
import { isClusterUid } from "../domain/ownership.js";
import { KubernetesError } from "../errors.js";
import { describeKubeError, isDenied, unreachableMessage } from "./api-error.js";

export const IDENTITY_NAMESPACE = "kube-system";

export class ClusterIdentityError extends KubernetesError {
  override readonly name: string = "ClusterIdentityError";
}

export async function readClusterUid(core: CoreV1Api): Promise<string> {
  let uid: unknown;
  try {
    const namespace = await core.readNamespace({ name: IDENTITY_NAMESPACE });
    uid = namespace.metadata?.uid;
  } catch (error) {
    // Only an answer of the API server is about RBAC; a request that never arrived says so instead.
    const rbac = isDenied(error) ? ` (RBAC: get on namespaces/${IDENTITY_NAMESPACE}, see deploy/kustomize/base/rbac.yaml)` : "";
    throw new ClusterIdentityError(
      unreachableMessage(error) ??
        `cannot read the ${IDENTITY_NAMESPACE} namespace, whose UID identifies this cluster's routes${rbac}: ${describeKubeError(error)}`,
      { cause: error },
    );
  }
  if (!isClusterUid(uid)) {
    throw new ClusterIdentityError(`the ${IDENTITY_NAMESPACE} namespace has no usable metadata.uid (${JSON.stringify(uid)})`);
  }
  return uid;
}
