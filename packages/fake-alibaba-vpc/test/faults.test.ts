// Fault injection as the real SDK sees it: each fault kind must surface as the error the reference
// (§6) describes, a faulted call must leave the state untouched (except apply-then-drop), and
// ratio rules must be reproducible from the seed.
import {
  CreateRouteEntriesRequest,
  CreateRouteEntriesRequestRouteEntries,
  CreateRouteEntryRequest,
  DescribeRouteEntryListRequest,
} from "@alicloud/vpc20160428";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, startFakeVpc, type Fault, type FakeVpcOptions, type FakeVpcServer } from "../src/index.ts";
import { sdkClient, sdkError, until, type SdkError, type VpcClient } from "./sdk-fixture.ts";

const REGION = "cn-hangzhou";
const TABLE = DEFAULT_ROUTE_TABLE_ID;
const fakes: FakeVpcServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function start(options: FakeVpcOptions = {}): Promise<{ fake: FakeVpcServer; client: VpcClient }> {
  const fake = await startFakeVpc(options);
  fakes.push(fake);
  return { fake, client: sdkClient(fake, { connectTimeout: 2_000, readTimeout: 2_000 }) };
}

const createBatch = (n: number) =>
  new CreateRouteEntriesRequest({
    regionId: REGION,
    routeEntries: Array.from(
      { length: n },
      (_, i) => new CreateRouteEntriesRequestRouteEntries({ routeTableId: TABLE, dstCidrBlock: `10.244.${i}.0/24`, nextHop: `i-n${i}`, nextHopType: "Instance" }),
    ),
  });
const customCount = (fake: FakeVpcServer) => fake.entries(TABLE).filter((e) => e.type === "Custom").length;

describe("fake VPC fault injection", () => {
  it.each<[string, Fault, Partial<SdkError>]>([
    ["throttling", { type: "throttling", retryAfterMs: 250 }, { name: "ThrottlingError", code: "Throttling.User", statusCode: 400, retryAfter: 250 }],
    ["operation-conflict", { type: "operation-conflict" }, { name: "ClientError", code: "OperationConflict", statusCode: 409 }],
    ["internal-error", { type: "internal-error" }, { name: "ServerError", code: "InternalError", statusCode: 500 }],
    ["service-unavailable", { type: "service-unavailable" }, { name: "ServerError", code: "ServiceUnavailable", statusCode: 503 }],
    ["error", { type: "error", status: 400, code: "TaskConflict" }, { name: "ClientError", code: "TaskConflict", statusCode: 400 }],
    ["html", { type: "html" }, { name: "SyntaxError" }],
  ])("%s reaches the SDK as the documented error and changes nothing", async (_kind, fault, expected) => {
    const { fake, client } = await start();
    fake.addFault({ action: "CreateRouteEntries", count: 1, fault });
    const error = await sdkError(client.createRouteEntries(createBatch(3)));
    expect(error).toMatchObject(expected);
    expect(customCount(fake)).toBe(0);
    const [logged] = fake.requests();
    expect(logged?.fault).toBe(fault.type);
    // The rule had count 1: the retry goes through.
    await client.createRouteEntries(createBatch(3));
    expect(customCount(fake)).toBe(3);
  });

  it("throttling message has the real text", async () => {
    const { fake, client } = await start();
    fake.addFault({ fault: { type: "throttling" } });
    const error = await sdkError(client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE })));
    expect(error.message).toMatch(/^Throttling\.User: code: 400, Request was denied due to user flow control\. request id: [0-9A-F-]{36}/);
  });

  it("drop destroys the socket: a network error, no state change", async () => {
    const { fake, client } = await start();
    fake.addFault({ count: 1, fault: { type: "drop" } });
    const error = await sdkError(client.createRouteEntries(createBatch(2)));
    expect(error.code).toMatch(/ECONNRESET|EPIPE/);
    expect(customCount(fake)).toBe(0);
  });

  it("drop with partial cuts the connection in the middle of a 200 response", async () => {
    const { fake, client } = await start();
    fake.addFault({ count: 1, fault: { type: "drop", partial: true } });
    const error = await sdkError(client.createRouteEntries(createBatch(2)));
    expect([error.code, error.message]).toEqual(["ECONNRESET", "aborted"]);
    expect(customCount(fake)).toBe(0);
  });

  it("apply-then-drop applies the change and loses the answer", async () => {
    const { fake, client } = await start();
    fake.addFault({ action: "CreateRouteEntries", count: 1, fault: { type: "apply-then-drop" } });
    const error = await sdkError(client.createRouteEntries(createBatch(2)));
    expect(error.code).toMatch(/ECONNRESET|EPIPE/);
    expect(customCount(fake)).toBe(2);
  });

  it("timeout never answers: the SDK gives up after its timeout, no state change", async () => {
    const { fake } = await start();
    const client = sdkClient(fake, { connectTimeout: 200, readTimeout: 200 });
    fake.addFault({ count: 1, fault: { type: "timeout" } });
    const error = await sdkError(client.createRouteEntries(createBatch(2)));
    // ReadTimeout or ConnectTimeout, whichever of the SDK's two equal timers fires first.
    expect(`${error.name} ${error.message}`).toMatch(/(Read|Connect)Timeout/);
    expect(customCount(fake)).toBe(0);
  });

  it("latency holds a mutating call open; an overlapping change of the same VPC gets TaskConflict", async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fake, client } = await start({ sleep: () => gate });
    fake.addFault({ action: "CreateRouteEntries", count: 1, fault: { type: "latency", ms: 1_000 } });
    const slow = client.createRouteEntries(createBatch(2));
    await until(() => fake.inFlight() === 1, "the slow call to be in flight");
    const conflict = await sdkError(
      client.createRouteEntry(new CreateRouteEntryRequest({ regionId: REGION, routeTableId: TABLE, destinationCidrBlock: "10.1.0.0/24", nextHopId: "i-x" })),
    );
    expect([conflict.code, conflict.statusCode]).toEqual(["TaskConflict", 400]);
    // Reads are not blocked by an in-flight change.
    await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE }));
    release();
    const res = await slow;
    expect(res.body?.successCount).toBe(2);
    expect(fake.inFlight()).toBe(0);
  });

  it("ratio rules are reproducible from the seed and count rules stop after N calls", async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      const { fake, client } = await start({ seed, faults: [{ action: "DescribeRouteEntryList", ratio: 0.5, fault: { type: "internal-error" } }] });
      const result: string[] = [];
      for (let i = 0; i < 20; i++) {
        try {
          await client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE }));
          result.push("ok");
        } catch (error) {
          result.push((error as SdkError).code ?? "?");
        }
      }
      expect(fake.counters().DescribeRouteEntryList).toEqual({ requests: 20, errors: result.filter((r) => r !== "ok").length, faults: result.filter((r) => r !== "ok").length });
      return result;
    };
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    expect(first).toContain("ok");
    expect(first).toContain("InternalError");

    const { fake, client } = await start({ faults: [{ count: 2, fault: { type: "service-unavailable" } }] });
    const describe = () => client.describeRouteEntryList(new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE }));
    expect((await sdkError(describe())).code).toBe("ServiceUnavailable");
    expect((await sdkError(describe())).code).toBe("ServiceUnavailable");
    await describe();
    expect(fake.faults()).toEqual([]);
  });

  it("rejects malformed rules with a message naming the field", async () => {
    const { fake } = await start();
    expect(() => fake.addFault({ ratio: 2, fault: { type: "drop" } })).toThrow(/ratio/);
    expect(() => fake.addFault({ fault: { type: "nonsense" } as unknown as Fault })).toThrow(/fault\.type/);
  });
});
