// Parsing the --vpc-endpoint value into the SDK's endpoint + protocol.
import { describe, expect, it } from "vitest";
import { parseEndpoint } from "../../src/cloud/alibaba/endpoint.js";
import { defaultVpcEndpoint } from "../../src/cloud/alibaba/vpc-api.js";

describe("parseEndpoint", () => {
  it.each([
    ["http://127.0.0.1:1234", "127.0.0.1:1234", "http"],
    ["https://vpc-vpc.cn-shanghai.aliyuncs.com", "vpc-vpc.cn-shanghai.aliyuncs.com", "https"],
    ["HTTP://localhost:8080/", "localhost:8080", "http"],
    ["127.0.0.1:1234", "127.0.0.1:1234", "http"],
    ["localhost:9", "localhost:9", "http"],
    ["vpc-vpc.cn-shanghai.aliyuncs.com", "vpc-vpc.cn-shanghai.aliyuncs.com", "https"],
    ["vpc.example.internal:8443", "vpc.example.internal:8443", "https"],
    ["  vpc.cn-beijing.aliyuncs.com ", "vpc.cn-beijing.aliyuncs.com", "https"],
  ])("%s -> %s over %s", (input, endpoint, protocol) => {
    expect(parseEndpoint(input)).toEqual({ endpoint, protocol });
  });

  it.each([
    ["", /empty/],
    ["ftp://host", /only http and https/],
    ["http://host/path", /bare origin/],
    ["http://user:pw@host", /bare origin/],
    ["host/path", /neither a host/],
    ["http://", /not a valid URL/],
  ])("rejects %j", (input, message) => {
    expect(() => parseEndpoint(input)).toThrow(message);
  });
});

describe("defaultVpcEndpoint (no endpoint configured)", () => {
  it.each([
    ["cn-shanghai", "vpc.cn-shanghai.aliyuncs.com"],
    ["ap-southeast-1", "vpc.ap-southeast-1.aliyuncs.com"],
    ["cn-hangzhou", "vpc.aliyuncs.com"],
    ["cn-zhangjiakou-na62-a01", "vpc.cn-zhangjiakou.aliyuncs.com"],
  ])("%s -> %s, as the VPC SDK's endpoint map and regional rule", (region, endpoint) => {
    expect(defaultVpcEndpoint(region)).toBe(endpoint);
  });
});
