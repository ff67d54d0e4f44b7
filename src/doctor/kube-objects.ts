// Extracts doctor's facts from Kubernetes objects as JSON (a `kubectl get -o json` dump or the
// API's answer serialised the same way). Tolerant like nodeFactsFrom: a missing or mistyped
// field reads as absent, never as an exception, so one odd object cannot stop the report.
import { nodeFactsFrom } from "../domain/node-facts.js";
import type { DoctorNode, NodeSelectorRequirement, NodeSelectorTerm, Placement, PodFacts, Taint, Toleration, WorkloadFacts } from "./facts.js";

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const record = (v: unknown): Json => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const texts = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");

/** NAS is mounted as plain NFS, through the NAS flexvolume (`alicloud/nas`) or the NAS CSI driver. */
const NAS_FLEX_DRIVER = "alicloud/nas";
const NAS_CSI_DRIVER = "nasplugin.csi.alibabacloud.com";

export function doctorNodeFrom(node: unknown): DoctorNode {
  const obj = record(node);
  const spec = record(obj.spec);
  const taints: Taint[] = list(spec.taints).flatMap((t) => {
    const taint = record(t);
    const key = text(taint.key);
    return key === undefined ? [] : [{ key, value: text(taint.value) ?? "", effect: text(taint.effect) ?? "" }];
  });
  const condition = list(record(obj.status).conditions)
    .map(record)
    .find((c) => c.type === "NetworkUnavailable");
  return {
    ...nodeFactsFrom(obj),
    taints,
    networkUnavailable: condition === undefined ? undefined : { status: text(condition.status) ?? "", reason: text(condition.reason) ?? "" },
  };
}

function requirements(v: unknown): NodeSelectorRequirement[] {
  return list(v).flatMap((r) => {
    const req = record(r);
    const key = text(req.key);
    return key === undefined ? [] : [{ key, operator: text(req.operator) ?? "", values: texts(req.values) }];
  });
}

function placementOf(podSpec: Json): Placement {
  const nodeSelector: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(podSpec.nodeSelector))) if (typeof value === "string") nodeSelector[key] = value;
  const required = record(record(record(podSpec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const requiredTerms: NodeSelectorTerm[] | undefined = Array.isArray(required.nodeSelectorTerms)
    ? list(required.nodeSelectorTerms).map((t) => ({
        matchExpressions: requirements(record(t).matchExpressions),
        matchFields: requirements(record(t).matchFields),
      }))
    : undefined;
  const tolerations: Toleration[] = list(podSpec.tolerations).map((t) => {
    const tol = record(t);
    return { key: text(tol.key), operator: text(tol.operator), value: text(tol.value), effect: text(tol.effect) };
  });
  return { nodeSelector, requiredTerms, tolerations };
}

function imagesOf(podSpec: Json): string[] {
  return [...list(podSpec.containers), ...list(podSpec.initContainers)].flatMap((c) => {
    const image = text(record(c).image);
    return image === undefined ? [] : [image];
  });
}

export function podFactsFrom(pod: unknown): PodFacts {
  const obj = record(pod);
  const metadata = record(obj.metadata);
  const spec = record(obj.spec);
  const status = record(obj.status);
  const securityContext = record(spec.securityContext);
  const podIps = list(status.podIPs)
    .map((p) => text(record(p).ip))
    .filter((ip): ip is string => ip !== undefined && ip !== "");
  const single = text(status.podIP);
  const nasVolumes = list(spec.volumes).flatMap((v) => {
    const volume = record(v);
    const name = text(volume.name) ?? "";
    const nas =
      isRecord(volume.nfs) || text(record(volume.flexVolume).driver) === NAS_FLEX_DRIVER || text(record(volume.csi).driver) === NAS_CSI_DRIVER;
    return nas ? [name] : [];
  });
  return {
    namespace: text(metadata.namespace) ?? "",
    name: text(metadata.name) ?? "",
    nodeName: text(spec.nodeName) || undefined,
    hostNetwork: spec.hostNetwork === true,
    podIps: podIps.length > 0 ? podIps : single ? [single] : [],
    fsGroup: typeof securityContext.fsGroup === "number" ? securityContext.fsGroup : undefined,
    fsGroupChangePolicy: text(securityContext.fsGroupChangePolicy),
    nasVolumes,
  };
}

/** A DaemonSet or Deployment: its pod template's images and placement. */
export function workloadFactsFrom(workload: unknown): WorkloadFacts {
  const obj = record(workload);
  const metadata = record(obj.metadata);
  const podSpec = record(record(record(obj.spec).template).spec);
  return {
    namespace: text(metadata.namespace) ?? "",
    name: text(metadata.name) ?? "",
    images: imagesOf(podSpec),
    placement: placementOf(podSpec),
  };
}
