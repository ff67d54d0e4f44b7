// The shape of one doctor check and the helpers every check uses to answer pass / warn / fail.
// A check is a pure function of the gathered facts (DoctorInput): no I/O, no clock.
import type { SyncScope } from "../domain/settings.js";
import type { Analysis } from "./analysis.js";
import type { CloudFacts, ClusterFacts, Unavailable } from "./facts.js";

export type CheckStatus = "pass" | "warn" | "fail";
export const CHECK_STATUSES: readonly CheckStatus[] = ["pass", "warn", "fail"];

/** The groups of the text report, in order. */
export type CheckArea = "nodes" | "pods" | "virtual-nodes" | "cloud" | "routes";
export const CHECK_AREAS: readonly CheckArea[] = ["nodes", "pods", "virtual-nodes", "cloud", "routes"];

export type ObjectKind = "Node" | "Pod" | "DaemonSet" | "Deployment" | "Cluster" | "RouteTable" | "RouteEntry";
export const OBJECT_KINDS: readonly ObjectKind[] = ["Node", "Pod", "DaemonSet", "Deployment", "Cluster", "RouteTable", "RouteEntry"];

/** An object a check is about, with what is wrong (or notable) about it. */
export interface CheckObject {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly detail: string;
}

export interface CheckOutcome {
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly summary: string;
  readonly objects: readonly CheckObject[];
  /** One line: how to fix it (absent on pass). */
  readonly fix?: string | undefined;
}

/** The settings the checks read: the command's scope (domain/settings.ts) and the account's route-table quota. */
export interface DoctorSettings extends Omit<SyncScope, "routeTableIds"> {
  readonly routeTableQuota: number;
}

export interface DoctorInput {
  readonly settings: DoctorSettings;
  readonly cluster: ClusterFacts;
  readonly cloud: CloudFacts;
  readonly analysis: Analysis;
}

export interface Check {
  /** Stable kebab-case id (JSON output, docs/doctor.md). */
  readonly id: string;
  readonly area: CheckArea;
  readonly title: string;
  run(input: DoctorInput): CheckOutcome;
}

export const pass = (summary: string, objects: readonly CheckObject[] = []): CheckOutcome => ({ status: "pass", summary, objects });
export const warn = (summary: string, objects: readonly CheckObject[], fix: string): CheckOutcome => ({ status: "warn", summary, objects, fix });
export const fail = (summary: string, objects: readonly CheckObject[], fix: string): CheckOutcome => ({ status: "fail", summary, objects, fix });

/** Objects found failing and warning; the check fails if any failed, else warns if any warned, else passes. */
export interface Findings {
  readonly failures: readonly CheckObject[];
  readonly warnings: readonly CheckObject[];
}

export function graded(found: Findings, summaries: { readonly fail: string; readonly warn: string; readonly pass: string }, fix: string): CheckOutcome {
  const objects = [...found.failures, ...found.warnings];
  if (found.failures.length > 0) return fail(summaries.fail, objects, fix);
  if (found.warnings.length > 0) return warn(summaries.warn, objects, fix);
  return pass(summaries.pass);
}

/** A check that cannot run with what was gathered: a warning, so that nothing passes unseen. */
export const skipped = (reason: string, fix: string): CheckOutcome => ({ status: "warn", summary: `skipped: ${reason}`, objects: [], fix });

/** The skip of a check that needs the route tables when none could be read. */
export const NO_ROUTE_TABLES: CheckOutcome = skipped("no route table could be read", "fix the cloud checks first");

const DUMP_FLAGS: Readonly<Record<Unavailable["kind"], string>> = {
  pods: "give --pods-file, or let doctor list Pods (deploy/kustomize/base/doctor-rbac.yaml)",
  daemonsets: "give --daemonsets-file, or let doctor list DaemonSets (deploy/kustomize/base/doctor-rbac.yaml)",
  deployments: "give --deployments-file, or let doctor list Deployments (deploy/kustomize/base/doctor-rbac.yaml)",
  version: "run doctor against the API server to read /version",
  identity: "allow get on namespaces/kube-system (deploy/kustomize/base/rbac.yaml grants it to the controller)",
};

/** The skip of a check that needs a kind doctor could not read, saying why and how to provide it. */
export function notRead(cluster: ClusterFacts, kind: Unavailable["kind"]): CheckOutcome {
  return skipped(cluster.unavailable.find((u) => u.kind === kind)?.reason ?? `${kind} not read`, DUMP_FLAGS[kind]);
}

export const nodeObject = (nodeName: string, detail: string): CheckObject => ({ kind: "Node", name: nodeName, detail });

/** "1 Node" / "3 Nodes". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
