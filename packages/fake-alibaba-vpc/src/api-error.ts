// Errors the fake VPC API answers with, carrying the HTTP status and the Alibaba error code, and
// constructors for the codes the real API uses (see README.md and the error-code table in
// the reference). Thrown by validation and state code; turned into a JSON error body by the server.

export class FakeApiError extends Error {
  override readonly name = "FakeApiError";
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const apiErrors = {
  missingParameter: (name: string) =>
    new FakeApiError(
      400,
      "MissingParameter",
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  unknownParameter: (name: string) =>
    new FakeApiError(400, "InvalidParameter", `The parameter "${name}" is not recognized by this action.`),
  invalidParameter: (name: string, detail: string) =>
    new FakeApiError(400, "InvalidParameter", `The specified parameter "${name}" is not valid: ${detail}`),
  regionNotFound: (regionId: string) =>
    new FakeApiError(404, "InvalidRegionId.NotFound", `The specified region "${regionId}" does not exist.`),
  actionNotFound: (action: string) =>
    new FakeApiError(404, "InvalidAction.NotFound", `Specified api "${action}" is not found, please check your url and method.`),
  invalidVersion: (version: string) =>
    new FakeApiError(400, "InvalidVersion", `Specified parameter Version "${version}" is not valid.`),
  routeTableNotFound: (routeTableId: string) =>
    new FakeApiError(404, "InvalidRouteTableId.NotFound", `Specified route table "${routeTableId}" does not exist.`),
  vpcNotFound: (vpcId: string) => new FakeApiError(404, "InvalidVpcId.NotFound", `Specified VPC "${vpcId}" does not exist.`),
  routeEntryNotFound: () => new FakeApiError(400, "InvalidRouteEntry.NotFound", "Route entry not exists."),
  malformedCidr: (name: string, value: string) =>
    new FakeApiError(400, "InvalidCidrBlock.Malformed", `Specified CIDR block "${value}" (${name}) is not valid.`),
  invalidDestination: (value: string, why: string) =>
    new FakeApiError(400, "InvalidDestinationCidrBlock", `Specified destination CIDR block "${value}" is not valid: ${why}.`),
  duplicateCidr: (value: string) =>
    new FakeApiError(400, "InvalidCIDRBlock.Duplicate", `Specified CIDR block is already exists, entry.cidrBlock=${value}`),
  quotaExceeded: () => new FakeApiError(400, "QuotaExceeded", "Route entry quota exceeded in this route table."),
  incorrectStatus: () =>
    new FakeApiError(400, "IncorrectRouteEntryStatus", "The vpc has NotStable routeEntry status."),
  taskConflict: () =>
    new FakeApiError(400, "TaskConflict", "The operation is too frequent, please wait a moment and try again."),
  operationDenied: (why: string) => new FakeApiError(400, "OperationDenied", `The operation is not allowed: ${why}.`),
  forbiddenRam: (action: string) =>
    new FakeApiError(
      403,
      "Forbidden.RAM",
      `User not authorized to operate on the specified resource, or this API doesn't support RAM. (vpc:${action})`,
    ),
  dryRun: () =>
    new FakeApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set."),
  nextTokenInvalid: () => new FakeApiError(400, "IllegalParam.NextToken", "The specified NextToken is invalid."),
  invalidNextHopType: (value: string) =>
    new FakeApiError(400, "InvalidNextHopType", `Specified next hop type "${value}" is not valid.`),
  idempotentMismatch: () =>
    new FakeApiError(
      400,
      "IdempotentParameterMismatch",
      "The request uses the same client token as a previous, but non-identical request.",
    ),
  invalidName: (name: string) =>
    new FakeApiError(400, "InvalidRouteEntryName.Malformed", `The ${name} must be 1 to 128 characters long and must not start with http:// or https://.`),
  invalidDescription: () =>
    new FakeApiError(
      400,
      "InvalidDescription.Malformed",
      "The Description must be 1 to 256 characters long and must not start with http:// or https://.",
    ),
  // Authentication (common error codes, https://www.alibabacloud.com/help/doc-detail/69008.htm)
  incompleteSignature: (why: string) =>
    new FakeApiError(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards: ${why}.`),
  accessKeyNotFound: () => new FakeApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
  signatureMismatch: () =>
    new FakeApiError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."),
  timestampExpired: (value: string) =>
    new FakeApiError(400, "InvalidTimeStamp.Expired", `Specified time stamp or date value "${value}" is expired.`),
  nonceUsed: () => new FakeApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already."),
  missingSecurityToken: () => new FakeApiError(400, "MissingSecurityToken", "The security token is missing."),
  securityTokenMismatch: () =>
    new FakeApiError(400, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not match the access key."),
} as const;
