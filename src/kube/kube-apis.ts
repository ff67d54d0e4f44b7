// The Kubernetes API groups `run` calls, each a class with the method names and parameter objects
// of @kubernetes/client-node's generated clients, so the callers read the same; only the calls the
// operator makes exist. Types come from client-node as types (erased at build time); requests go
// through KubeClient (kube-client.ts). Answers are the server's JSON: timestamps stay strings
// (node-object.ts and leader-election.ts accept Date or string).
import type {
  CoreV1Event,
  V1Lease,
  V1Namespace,
  V1Node,
  V1NodeList,
  V1SubjectAccessReview,
  V1TokenReview,
} from "@kubernetes/client-node";
import type { KubeClient, KubeRequestOptions } from "./kube-client.js";

/** Content types of the PATCH flavours used (the names client-node gives them). */
export const PatchStrategy = {
  MergePatch: "application/merge-patch+json",
  StrategicMergePatch: "application/strategic-merge-patch+json",
} as const;

/** A metav1.MicroTime: a Date whose JSON has the 6 fractional digits the API server requires. */
export class V1MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }
}

const segment = encodeURIComponent;

export class CoreV1Api {
  constructor(private readonly client: KubeClient) {}

  listNode(
    params: { limit?: number; _continue?: string; labelSelector?: string; resourceVersion?: string },
    options?: KubeRequestOptions,
  ): Promise<V1NodeList> {
    const { _continue, ...rest } = params;
    return this.client
      .request<V1NodeList & { metadata?: { continue?: string } }>("GET", "/api/v1/nodes", { ...rest, continue: _continue }, undefined, options)
      .then((list) => {
        // client-node's name for the continue token (a reserved word in its generator).
        const token = list.metadata?.continue;
        if (token !== undefined && list.metadata) list.metadata._continue = token;
        return list;
      });
  }

  readNodeStatus(params: { name: string }, options?: KubeRequestOptions): Promise<V1Node> {
    return this.client.request("GET", `/api/v1/nodes/${segment(params.name)}/status`, undefined, undefined, options);
  }

  patchNodeStatus(params: { name: string; body: object; fieldManager?: string }, options?: KubeRequestOptions): Promise<V1Node> {
    const query = { fieldManager: params.fieldManager };
    return this.client.request("PATCH", `/api/v1/nodes/${segment(params.name)}/status`, query, params.body, options);
  }

  readNamespace(params: { name: string }, options?: KubeRequestOptions): Promise<V1Namespace> {
    return this.client.request("GET", `/api/v1/namespaces/${segment(params.name)}`, undefined, undefined, options);
  }

  createNamespacedEvent(params: { namespace: string; body: CoreV1Event }, options?: KubeRequestOptions): Promise<CoreV1Event> {
    return this.client.request("POST", `/api/v1/namespaces/${segment(params.namespace)}/events`, undefined, params.body, options);
  }

  patchNamespacedEvent(params: { name: string; namespace: string; body: object }, options?: KubeRequestOptions): Promise<CoreV1Event> {
    const path = `/api/v1/namespaces/${segment(params.namespace)}/events/${segment(params.name)}`;
    return this.client.request("PATCH", path, undefined, params.body, options);
  }
}

export class CoordinationV1Api {
  constructor(private readonly client: KubeClient) {}

  readNamespacedLease(params: { name: string; namespace: string }, options?: KubeRequestOptions): Promise<V1Lease> {
    return this.client.request("GET", leasePath(params.namespace, params.name), undefined, undefined, options);
  }

  createNamespacedLease(params: { namespace: string; body: V1Lease }, options?: KubeRequestOptions): Promise<V1Lease> {
    return this.client.request("POST", leasePath(params.namespace), undefined, params.body, options);
  }

  replaceNamespacedLease(params: { name: string; namespace: string; body: V1Lease }, options?: KubeRequestOptions): Promise<V1Lease> {
    return this.client.request("PUT", leasePath(params.namespace, params.name), undefined, params.body, options);
  }
}

function leasePath(namespace: string, name?: string): string {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${segment(namespace)}/leases`;
  return name === undefined ? base : `${base}/${segment(name)}`;
}

export class AuthenticationV1Api {
  constructor(private readonly client: KubeClient) {}

  createTokenReview(params: { body: V1TokenReview }, options?: KubeRequestOptions): Promise<V1TokenReview> {
    return this.client.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", undefined, params.body, options);
  }
}

export class AuthorizationV1Api {
  constructor(private readonly client: KubeClient) {}

  createSubjectAccessReview(params: { body: V1SubjectAccessReview }, options?: KubeRequestOptions): Promise<V1SubjectAccessReview> {
    return this.client.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", undefined, params.body, options);
  }
}
