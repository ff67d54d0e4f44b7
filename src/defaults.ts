// One constant per default value that more than one place needs: the flag table (config/flags.ts,
// which --help, the parser and docs/configuration.md read) and the code that falls back to the same
// value when a caller leaves it out (the adapter, the leader elector, the controller, doctor's
// probe). Change a default here and every one of them follows; test/config/defaults.test.ts checks
// that docs/configuration.md shows what the flag table says.

export const DEFAULTS = {
  /** `--api-qps`: VPC API calls per second across one adapter. */
  apiQps: 5,
  /** `--leader-election-id`: the name of the leader election Lease. */
  leaseName: "vpc-route-sync",
  /** `--lease-duration`: how long a Lease holds without renewal. */
  leaseDurationMs: 15_000,
  /** `--renew-deadline`: a leader that could not renew for this long steps down. */
  renewDeadlineMs: 10_000,
  /** `--retry-period`: time between attempts to acquire or renew the Lease. */
  retryPeriodMs: 2_000,
  /** `--route-table-quota`: custom entries a route table may hold (Alibaba Cloud's default quota). */
  routeTableQuota: 200,
  /** SDK socket connect/inactivity timeout of every VPC API call (no flag). */
  connectTimeoutMs: 5_000,
  /** SDK read timeout of every VPC API call (no flag). */
  readTimeoutMs: 10_000,
} as const;
