// Every ECS Node must say which instance it is: `spec.providerID = <region-id>.<ecs-id>` in the
// configured region. Without it the Node gets no route. Uses the controller's own eligibility.
import { count, fail, nodeObject, pass, warn, type Check } from "../check.js";

const FIX =
  "start the kubelet with --provider-id=<region-id>.<ecs-instance-id> (e.g. cn-hangzhou.i-bp1...); spec.providerID cannot change once set, so delete and re-register the Node";

export const providerIdCheck: Check = {
  id: "provider-id",
  area: "nodes",
  title: "providerID of every ECS Node",
  run({ analysis, settings }) {
    const skipped = analysis.eligibility.skipped;
    const bad = skipped.filter((s) => s.reason === "no-provider-id" || s.reason === "invalid-provider-id");
    const otherRegion = skipped.filter((s) => s.reason === "other-region");
    const objects = [...bad, ...otherRegion].map((s) => nodeObject(s.nodeName, s.message));
    if (bad.length > 0) return fail(`no route for ${count(bad.length, "Node")} without a usable providerID`, objects, FIX);
    if (otherRegion.length > 0) {
      return warn(
        `no route for ${count(otherRegion.length, "Node")} in another region than ${settings.regionId}`,
        objects,
        `check --region ${settings.regionId}; Nodes of other regions need their own vpc-route-sync`,
      );
    }
    return pass(`every ECS Node has a providerID in ${settings.regionId}`);
  },
};
