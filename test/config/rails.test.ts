// Settings that would switch the safety rails off are refused at start (exit 2, naming the flag and
// where the value came from): a cluster CIDR of the whole address space, and plain HTTP to a VPC
// endpoint other than loopback (the signed requests and the STS token would travel in clear text).
// The same schema reads flags and environment variables, and the adapter refuses such an endpoint too.
import { describe, expect, it } from "vitest";
import { parseEndpoint } from "../../src/cloud/alibaba/endpoint.js";
import { baseEnv, runCli } from "../support/cli.js";
import { parse, parseError } from "./helpers.js";

const BASE = ["--region", "cn-hangzhou", "--vpc-id", "vpc-abc123"] as const;

describe("--cluster-cidr of the whole address space", () => {
  it.each([
    ["0.0.0.0/0", ["--cluster-cidr", "0.0.0.0/0"], {}, /^invalid --cluster-cidr "0\.0\.0\.0\/0": expected the pod network, not the whole address space/],
    ["::/0", ["--cluster-cidr", "10.244.0.0/16,::/0"], {}, /invalid --cluster-cidr "::\/0": expected the pod network/],
    ["0.0.0.0/0 from the environment", [], { VPC_ROUTE_SYNC_CLUSTER_CIDR: "0.0.0.0/0" }, /invalid --cluster-cidr "0\.0\.0\.0\/0" \(from VPC_ROUTE_SYNC_CLUSTER_CIDR\)/],
  ] as const)("%s is refused", (_name, flags, env, message) => {
    for (const command of ["reconcile", "run", "doctor"]) {
      expect(parseError([command, ...BASE, ...flags], env).message).toMatch(message);
    }
  });

  it("a real pod network, however wide, is accepted", () => {
    expect(parse(["reconcile", ...BASE, "--cluster-cidr", "0.0.0.0/1,::/1"]).clusterCidrs.map((c) => c.text)).toEqual(["0.0.0.0/1", "::/1"]);
  });
});

describe("--vpc-endpoint over plain HTTP", () => {
  it.each([
    ["http://vpc-vpc.cn-hangzhou.aliyuncs.com", {}],
    ["http://10.0.0.5:8080", {}],
    ["http://[fd00::1]:8080", {}],
    ["http://128.0.0.1", {}],
    ["http://localhost.example.com", {}],
  ])("%s is refused", (endpoint) => {
    const error = parseError(["reconcile", ...BASE, "--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", endpoint]);
    expect(error.message).toContain(`invalid --vpc-endpoint "${endpoint}": expected https`);
    expect(error.message).toContain("clear text");
    expect(() => parseEndpoint(endpoint)).toThrow(/plain http to a host other than loopback/);
  });

  it("from the environment, the message names the variable", () => {
    const error = parseError(["run", ...BASE, "--cluster-cidr", "10.244.0.0/16"], { VPC_ROUTE_SYNC_VPC_ENDPOINT: "http://vpc.internal:80" });
    expect(error.message).toContain('invalid --vpc-endpoint "http://vpc.internal:80" (from VPC_ROUTE_SYNC_VPC_ENDPOINT): expected https');
  });

  it.each([
    ["http://127.0.0.1:8080", { host: "127.0.0.1:8080", protocol: "http" }],
    ["http://127.9.8.7:1", { host: "127.9.8.7:1", protocol: "http" }],
    ["http://localhost:8080", { host: "localhost:8080", protocol: "http" }],
    ["http://[::1]:8080", { host: "[::1]:8080", protocol: "http" }],
    ["https://10.0.0.5:8443", { host: "10.0.0.5:8443", protocol: "https" }],
    ["vpc.internal:8443", { host: "vpc.internal:8443", protocol: "https" }],
  ])("%s is accepted", (endpoint, expected) => {
    expect(parse(["reconcile", ...BASE, "--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", endpoint]).vpcEndpoint).toEqual(expected);
  });
});

describe("the built CLI", () => {
  it.each([
    [["--cluster-cidr", "0.0.0.0/0"], "--cluster-cidr"],
    [["--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", "http://192.0.2.10:8080"], "--vpc-endpoint"],
  ])("exits 2 naming the flag: %j", async (flags, flag) => {
    const result = await runCli(["reconcile", ...BASE, ...flags], { env: baseEnv() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^vpc-route-sync: invalid ${flag} `));
  });
});
