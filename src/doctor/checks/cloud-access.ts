// The credentials resolve and may list route tables: the first call doctor makes to the VPC API.
import { fail, pass, type Check } from "../check.js";

const FIXES: Readonly<Record<string, string>> = {
  credentials:
    "set ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, RRSA (ALIBABA_CLOUD_ROLE_ARN, ...), an ECS RAM role or the cloud-config keys (docs/configuration.md)",
  permission: "grant the RAM identity vpc:DescribeRouteTableList and vpc:DescribeRouteEntryList (docs/doctor.md lists the policy)",
  network: "check --vpc-endpoint and that the VPC API endpoint is reachable from here",
};

export const cloudAccessCheck: Check = {
  id: "cloud-credentials",
  area: "cloud",
  title: "credentials can list route tables",
  run({ cloud }) {
    const { access } = cloud;
    if (access.ok) return pass(`${access.action} succeeded`);
    return fail(
      `${access.action} failed: ${access.error.code}: ${access.error.message}`,
      [],
      FIXES[access.error.kind] ?? "see the error code in docs/operations.md and retry",
    );
  },
};
