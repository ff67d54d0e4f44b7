// What doctor knows about the cluster and the VPC, gathered once (gather-cluster.ts,
// gather-cloud.ts) and then only read by the checks, which are pure functions of it.
import type { CloudErrorKind } from "../cloud/errors.js";
import type { VpcNetwork } from "../cloud/vpc-network.js";
import type { NodeFacts, RouteEntry } from "../domain/types.js";

/** NodeFacts plus what only doctor reads: taints and the NetworkUnavailable condition. */
export interface DoctorNode extends NodeFacts {
  readonly taints: readonly Taint[];
  /** `status.conditions[type=NetworkUnavailable]`, absent when the Node has none. */
  readonly networkUnavailable?: { readonly status: string; readonly reason: string } | undefined;
}

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

export interface Toleration {
  readonly key?: string | undefined;
  readonly operator?: string | undefined;
  readonly value?: string | undefined;
  readonly effect?: string | undefined;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** `nodeSelectorTerms`: terms are ORed, the requirements inside one term ANDed. */
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly NodeSelectorRequirement[];
  readonly matchFields: readonly NodeSelectorRequirement[];
}

/** Where a pod template may be scheduled. */
export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`; undefined: none. */
  readonly requiredTerms?: readonly NodeSelectorTerm[] | undefined;
  readonly tolerations: readonly Toleration[];
}

export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName?: string | undefined;
  readonly hostNetwork: boolean;
  /** `status.podIPs[].ip`, else `[status.podIP]`. */
  readonly podIps: readonly string[];
  readonly fsGroup?: number | undefined;
  readonly fsGroupChangePolicy?: string | undefined;
  /** Names of the volumes served by NAS/NFS (nfs, the NAS flexvolume or CSI driver). */
  readonly nasVolumes: readonly string[];
}

export interface WorkloadFacts {
  readonly namespace: string;
  readonly name: string;
  readonly images: readonly string[];
  readonly placement: Placement;
}

export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

/** A kind doctor could not read, and why (the checks that need it are skipped). */
export interface Unavailable {
  readonly kind: "pods" | "daemonsets" | "deployments" | "version" | "identity";
  readonly reason: string;
}

export interface ClusterFacts {
  readonly source: "api" | "files";
  readonly nodes: readonly DoctorNode[];
  readonly pods?: readonly PodFacts[] | undefined;
  readonly daemonSets?: readonly WorkloadFacts[] | undefined;
  readonly deployments?: readonly WorkloadFacts[] | undefined;
  readonly serverVersion?: ServerVersion | undefined;
  /** The kube-system namespace UID (this cluster's identity in route markers); undefined offline. */
  readonly clusterUid?: string | undefined;
  readonly unavailable: readonly Unavailable[];
}

export interface CloudFailure {
  readonly code: string;
  readonly kind: CloudErrorKind;
  readonly message: string;
}

export interface TableFacts {
  readonly routeTableId: string;
  /** Every entry the adapter lists; undefined when the table could not be read. */
  readonly entries?: readonly RouteEntry[] | undefined;
  readonly error?: CloudFailure | undefined;
}

/** Result of one write action sent with DryRun=true. */
export interface DryRunProbe {
  readonly action: string;
  readonly routeTableId: string;
  /** allowed: DryRunOperation; denied: a permission/credential error; unknown: anything else. */
  readonly outcome: "allowed" | "denied" | "unknown";
  readonly code: string;
  readonly message: string;
}

export interface CloudFacts {
  /** The first call (listing the VPC's tables, else reading the first table): did the credentials work? */
  readonly access: { readonly ok: true; readonly action: string } | { readonly ok: false; readonly action: string; readonly error: CloudFailure };
  /** Tables listed in the VPC (when --vpc-id is set and the listing worked). */
  readonly vpcTableIds?: readonly string[] | undefined;
  /** The managed tables: the configured ones, else the discovered ones. */
  readonly routeTableIds: readonly string[];
  readonly tables: readonly TableFacts[];
  readonly writeProbes: readonly DryRunProbe[];
  /**
   * The VPC's own network (VPC and vSwitch CIDR blocks), read as the controller reads it each pass;
   * absent without a source (or when access failed), an error when the read failed.
   */
  readonly vpcNetwork?: { readonly networks: readonly VpcNetwork[] } | { readonly error: CloudFailure } | undefined;
}
