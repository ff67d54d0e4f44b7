// Test fixtures for the fake VPC tests: a real @alicloud/vpc20160428 client pointed at a fake, a
// manual clock, and a helper that captures the error an SDK call rejects with.
import Vpc from "@alicloud/vpc20160428";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, type FakeVpcServer } from "../src/index.ts";

export type VpcClient = InstanceType<typeof Vpc.default>;

// Node's ESM loader makes the default import `module.exports` (client class at `.default`), while
// vitest's loader hands over the class itself; accept both.
const VpcClientClass = (typeof (Vpc as unknown as { default?: unknown }).default === "function" ? Vpc.default : Vpc) as typeof Vpc.default;

export interface ClientOverrides {
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly securityToken?: string;
  readonly signatureAlgorithm?: string;
  readonly connectTimeout?: number;
  readonly readTimeout?: number;
}

/** A real SDK client talking to the fake over plain HTTP. */
export function sdkClient(fake: FakeVpcServer, overrides: ClientOverrides = {}): VpcClient {
  return new VpcClientClass(
    new $OpenApiUtil.Config({
      accessKeyId: FAKE_ACCESS_KEY_ID,
      accessKeySecret: FAKE_ACCESS_KEY_SECRET,
      endpoint: fake.endpoint,
      protocol: "http",
      regionId: fake.regionId,
      connectTimeout: 5_000,
      readTimeout: 5_000,
      ...overrides,
    }),
  );
}

/** Simulated time for entry status transitions. */
export class ManualClock {
  #now: number;
  constructor(start = 1_767_225_600_000) {
    this.#now = start;
  }
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface SdkError {
  readonly name: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message: string;
  readonly retryAfter?: number;
  readonly data?: Record<string, unknown>;
}

/** Awaits a call that must fail and returns what it threw. */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the SDK call to fail, but it succeeded");
}

/** Polls `condition` until it holds or the deadline passes (for states reached by other tasks). */
export async function until(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
