// Request authentication of the fake: ACS3-HMAC-SHA256 and v1 HMAC-SHA1 from the real SDK are
// accepted; a wrong secret, an unknown key, a missing or wrong STS token, a tampered query, a replayed
// nonce, a stale timestamp and an unsigned request are refused with the real codes and statuses.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeRouteEntryListRequest, ModifyRouteEntryRequest } from "@alicloud/vpc20160428";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ROUTE_TABLE_ID, FAKE_ACCESS_KEY_ID, startFakeVpc, type FakeVpcOptions, type FakeVpcServer } from "../src/index.ts";
import { sdkClient, sdkError, type ClientOverrides } from "./sdk-fixture.ts";

const REGION = "cn-hangzhou";
const TABLE = DEFAULT_ROUTE_TABLE_ID;
const describeRequest = () => new DescribeRouteEntryListRequest({ regionId: REGION, routeTableId: TABLE });

let fake: FakeVpcServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeVpcOptions = {}): Promise<FakeVpcServer> {
  fake = await startFakeVpc(options);
  return fake;
}

interface Captured {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** Lets the real SDK sign one request against a throwaway server and returns it verbatim. */
async function captureSignedRequest(overrides: ClientOverrides): Promise<Captured> {
  let captured: Captured | undefined;
  const server = createServer((req, res) => {
    captured = { method: req.method ?? "", url: req.url ?? "", headers: req.headers };
    res.writeHead(200, { "content-type": "application/json;charset=utf-8" }).end('{"RequestId":"x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const client = sdkClient({ endpoint: `127.0.0.1:${port}`, regionId: REGION } as FakeVpcServer, overrides);
    await client.describeRouteEntryList(describeRequest());
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (!captured) throw new Error("nothing captured");
  return captured;
}

/** Sends a captured request to the fake (the Host header is kept, as it was signed). */
function replay(target: FakeVpcServer, req: Captured, url = req.url): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: "127.0.0.1", port: target.port, method: req.method, path: url, headers: { ...req.headers, connection: "close" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("fake VPC request signatures", () => {
  it.each([
    ["ACS3-HMAC-SHA256", {}],
    ["HMAC-SHA1", { signatureAlgorithm: "v2" }],
  ])("accepts %s from the SDK, including awkward characters in values", async (algorithm, overrides) => {
    const f = await start();
    const client = sdkClient(f, overrides);
    const entry = f.addEntry(TABLE, { destinationCidr: "10.0.0.0/24", nextHopId: "i-1" });
    const res = await client.describeRouteEntryList(describeRequest());
    expect(res.statusCode).toBe(200);
    await client.modifyRouteEntry(new ModifyRouteEntryRequest({ regionId: REGION, routeEntryId: entry.routeEntryId, routeEntryName: "a b&c=d/é*()!'~" }));
    expect(f.entry(entry.routeEntryId)?.routeEntryName).toBe("a b&c=d/é*()!'~");
    expect(f.requests().map((r) => r.signature)).toEqual([algorithm, algorithm]);
  });

  it.each([
    ["ACS3, wrong secret", { accessKeySecret: "wrong" }, "SignatureDoesNotMatch", 400],
    ["v1, wrong secret", { accessKeySecret: "wrong", signatureAlgorithm: "v2" }, "SignatureDoesNotMatch", 400],
    ["ACS3, unknown key", { accessKeyId: "LTAI5tNOSUCHKEY" }, "InvalidAccessKeyId.NotFound", 404],
    ["v1, unknown key", { accessKeyId: "LTAI5tNOSUCHKEY", signatureAlgorithm: "v2" }, "InvalidAccessKeyId.NotFound", 404],
  ])("refuses %s", async (_label, overrides, code, status) => {
    const f = await start();
    const error = await sdkError(sdkClient(f, overrides).describeRouteEntryList(describeRequest()));
    expect([error.name, error.code, error.statusCode]).toEqual(["ClientError", code, status]);
  });

  it("checks the STS security token of keys that have one", async () => {
    const f = await start({ credentials: { "STS.key1": { secret: "s3cret", securityToken: "token-1" } } });
    const sts = { accessKeyId: "STS.key1", accessKeySecret: "s3cret" };
    await sdkClient(f, { ...sts, securityToken: "token-1" }).describeRouteEntryList(describeRequest());
    await sdkClient(f, { ...sts, securityToken: "token-1", signatureAlgorithm: "v2" }).describeRouteEntryList(describeRequest());
    expect((await sdkError(sdkClient(f, sts).describeRouteEntryList(describeRequest()))).code).toBe("MissingSecurityToken");
    expect((await sdkError(sdkClient(f, { ...sts, securityToken: "token-2" }).describeRouteEntryList(describeRequest()))).code).toBe(
      "InvalidSecurityToken.MismatchWithAccessKey",
    );
  });

  it("refuses a tampered query and a replayed nonce", async () => {
    const f = await start();
    const signed = await captureSignedRequest({});
    const tampered = await replay(f, signed, signed.url.replace(`RouteTableId=${TABLE}`, "RouteTableId=vtb-other"));
    expect([tampered.status, tampered.body.Code]).toEqual([400, "SignatureDoesNotMatch"]);
    const first = await replay(f, signed);
    expect(first.status).toBe(200);
    const again = await replay(f, signed);
    expect([again.status, again.body.Code]).toEqual([400, "SignatureNonceUsed"]);
  });

  it("refuses a timestamp outside the 15-minute window of the wall clock", async () => {
    const f = await start({ wallClock: () => Date.now() + 20 * 60_000 });
    const error = await sdkError(sdkClient(f).describeRouteEntryList(describeRequest()));
    expect([error.code, error.statusCode]).toEqual(["InvalidTimeStamp.Expired", 400]);
    const v1 = await sdkError(sdkClient(f, { signatureAlgorithm: "v2" }).describeRouteEntryList(describeRequest()));
    expect(v1.code).toBe("InvalidTimeStamp.Expired");
  });

  it("refuses unsigned requests with IncompleteSignature and JSON error bodies", async () => {
    const f = await start();
    const res = await fetch(`${f.url}/?Action=DescribeRouteEntryList&RegionId=${REGION}&RouteTableId=${TABLE}`, { method: "POST" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json;charset=utf-8");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["Code", "HostId", "Message", "Recommend", "RequestId"]);
    expect(body.Code).toBe("IncompleteSignature");
    const bogus = await fetch(`${f.url}/`, { method: "POST", headers: { authorization: `ACS3-HMAC-SHA256 Credential=${FAKE_ACCESS_KEY_ID}` } });
    expect(((await bogus.json()) as Record<string, unknown>).Code).toBe("IncompleteSignature");
  });
});
