// Parses a Node's spec.providerID into the region and ECS instance the route must point at.
// Alibaba Cloud writes `<region-id>.<ecs-instance-id>` (ACK, the cloud CCM), some installers
// prefix it with `alicloud://`. Both spellings must yield the same instanceId, or the planner
// would see a different next hop on every pass and flap the route (upstream CCM issue #298).
// Pure: never throws, returns a reason and a message quoting the offending value.
import { quote } from "./cidr.js";

const ALICLOUD_PREFIX = "alicloud://";
const HYBRID_PREFIX = "ack-hybrid://";

/** Anything longer is not a providerID; refuse before running patterns over it. */
const MAX_PROVIDER_ID_LENGTH = 256;

/**
 * Region ids are lower-case words joined by single hyphens, starting with a letter:
 * `cn-hangzhou`, `ap-southeast-1`, `us-west-1`, `cn-shanghai-finance-1`, `cn-zhengzhou-jva`.
 */
const REGION_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;
const MAX_REGION_ID_LENGTH = 48;

/**
 * ECS instance ids are `i-` and lower-case alphanumerics (20 today, e.g. `i-bp1ac8cl6n9wyg0fabcd`;
 * older ones are shorter). Bounds are loose on purpose: reject garbage, not a new id length.
 */
const INSTANCE_ID = /^i-[a-z0-9]+$/;
const MIN_INSTANCE_SUFFIX = 4;
const MAX_INSTANCE_SUFFIX = 40;

export type ProviderIdFailureReason = "no-provider-id" | "invalid-provider-id" | "other-region";

export type ProviderIdResult =
  | { readonly ok: true; readonly regionId: string; readonly instanceId: string }
  | { readonly ok: false; readonly reason: ProviderIdFailureReason; readonly message: string };

const invalid = (message: string): ProviderIdResult => ({ ok: false, reason: "invalid-provider-id", message });

/** True for providerIDs of ACK hybrid (non-ECS) nodes, which never get a VPC route. */
export function isHybridProviderId(raw: string | undefined): boolean {
  return typeof raw === "string" && raw.startsWith(HYBRID_PREFIX);
}

/** Checks the shape of an ECS instance id; returns a problem description or undefined. */
function instanceIdProblem(instanceId: string): string | undefined {
  if (!instanceId.startsWith("i-")) return `instance id ${quote(instanceId)} does not start with "i-"`;
  const suffix = instanceId.slice(2);
  if (/[A-Z]/.test(suffix)) return `instance id ${quote(instanceId)} has upper-case letters; ECS instance ids are lower-case`;
  if (!INSTANCE_ID.test(instanceId)) {
    return `instance id ${quote(instanceId)} may only contain lower-case letters and digits after "i-"`;
  }
  if (suffix.length < MIN_INSTANCE_SUFFIX || suffix.length > MAX_INSTANCE_SUFFIX) {
    return `instance id ${quote(instanceId)} has ${suffix.length} characters after "i-", expected ${MIN_INSTANCE_SUFFIX}-${MAX_INSTANCE_SUFFIX}`;
  }
  return undefined;
}

/** Checks the shape of a region id; returns a problem description or undefined. */
function regionIdProblem(regionId: string): string | undefined {
  if (regionId === "") return "region id is empty";
  if (regionId.length > MAX_REGION_ID_LENGTH) return `region id ${quote(regionId)} is too long`;
  if (/[A-Z]/.test(regionId)) return `region id ${quote(regionId)} has upper-case letters; region ids are lower-case (e.g. cn-hangzhou)`;
  if (!REGION_ID.test(regionId)) {
    return `region id ${quote(regionId)} is not lower-case words joined by hyphens (e.g. cn-hangzhou, ap-southeast-1)`;
  }
  return undefined;
}

/**
 * Parses `[alicloud://]<region-id>.<ecs-instance-id>` and checks the region against the one this
 * operator manages. `ack-hybrid://` ids are reported invalid here; eligibility checks
 * {@link isHybridProviderId} first and reports them as `hybrid`.
 */
export function parseProviderId(raw: string | undefined, expectedRegionId: string): ProviderIdResult {
  if (raw == null || raw === "") {
    return { ok: false, reason: "no-provider-id", message: "spec.providerID is not set (the cloud provider has not initialised the node yet?)" };
  }
  if (typeof raw !== "string") return invalid(`spec.providerID must be a string, got ${typeof raw}`);
  if (raw.length > MAX_PROVIDER_ID_LENGTH) {
    return invalid(`providerID ${quote(raw, 40)} is ${raw.length} characters long, more than ${MAX_PROVIDER_ID_LENGTH}`);
  }
  const ws = /\s/.exec(raw);
  if (ws) return invalid(`providerID ${quote(raw)} contains whitespace at position ${ws.index + 1}`);
  if (raw.startsWith(HYBRID_PREFIX)) {
    return invalid(`providerID ${quote(raw)} belongs to an ACK hybrid node, which is not an ECS instance`);
  }
  let rest = raw;
  if (rest.startsWith(ALICLOUD_PREFIX)) {
    rest = rest.slice(ALICLOUD_PREFIX.length);
  } else {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
    if (scheme) {
      return invalid(`providerID ${quote(raw)} has scheme "${scheme[1]}://"; expected <region-id>.<instance-id>, optionally prefixed with ${ALICLOUD_PREFIX}`);
    }
  }
  const dot = rest.indexOf(".");
  if (dot < 0) {
    return invalid(`providerID ${quote(raw)} has no "." between region id and instance id (expected e.g. cn-hangzhou.i-bp1ac8cl6n9wyg0fabcd)`);
  }
  const regionId = rest.slice(0, dot);
  const instanceId = rest.slice(dot + 1);
  const regionProblem = regionIdProblem(regionId);
  if (regionProblem) return invalid(`providerID ${quote(raw)}: ${regionProblem}`);
  if (instanceId === "") return invalid(`providerID ${quote(raw)} has no instance id after the "."`);
  const instanceProblem = instanceIdProblem(instanceId);
  if (instanceProblem) return invalid(`providerID ${quote(raw)}: ${instanceProblem}`);
  if (regionId !== expectedRegionId) {
    return {
      ok: false,
      reason: "other-region",
      message: `providerID ${quote(raw)} is in region ${regionId}, but this operator manages region ${expectedRegionId}`,
    };
  }
  return { ok: true, regionId, instanceId };
}
