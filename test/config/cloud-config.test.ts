import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseCloudConfig } from "../../src/config/cloud-config.js";
import { ConfigError } from "../../src/config/index.js";
import { base64, parse, parseError } from "./helpers.js";

const KEY_ID = "LTAI5tExampleKeyId0001";
const KEY_SECRET = "Xy9ExampleSecretValue00000000a";

const JSON_CONFIG = JSON.stringify(
  {
    Global: {
      uid: "1234567890",
      accessKeyID: base64(KEY_ID),
      accessKeySecret: base64(KEY_SECRET),
      clusterID: "c0123456789abcdef",
      region: "cn-shanghai",
      vpcid: "vpc-uf6f7l4fg90xxxxxx",
      zoneid: "cn-shanghai-b",
      vswitchid: "vsw-uf6ab1xxxxxx",
      routeTableIDs: "vtb-uf6a1xxxxxx,vtb-uf6b2xxxxxx",
      serviceBackendType: "ecs",
      disablePublicSLB: true,
      nodeMonitorPeriod: 60,
    },
  },
  null,
  "\t",
);

// The spelling of the CCM's own YAML test: lower-case root, different key casing.
const YAML_CONFIG = `
global:
  accessKeyId: ${base64(KEY_ID)}
  accessKeySecret: ${base64(KEY_SECRET)}
  clusterID: c0123456789abcdef
  region: cn-shanghai
  routeTableIDS: vtb-uf6a1xxxxxx
  uid: 123456
  vpcID: vpc-uf6f7l4fg90xxxxxx
  vswitchID: cn-shanghai-b:vsw-1,cn-shanghai-c:vsw-2
  serviceMaxConcurrentReconciles: 5
`;

describe("parseCloudConfig", () => {
  it("reads the CCM JSON format (tab-indented) and decodes the base64 AccessKey", () => {
    const config = parseCloudConfig("/cc.json", JSON_CONFIG);
    expect(config.region).toEqual({ value: "cn-shanghai", key: "Global.region" });
    expect(config.vpcId).toEqual({ value: "vpc-uf6f7l4fg90xxxxxx", key: "Global.vpcid" });
    expect(config.routeTableIds?.value).toBe("vtb-uf6a1xxxxxx,vtb-uf6b2xxxxxx");
    expect(config.clusterId?.value).toBe("c0123456789abcdef");
    expect(config.accessKey?.accessKeyId).toBe(KEY_ID);
    expect(config.accessKey?.accessKeySecret).toBe(KEY_SECRET);
    expect(config.accessKey?.origin).toBe("cloud-config /cc.json");
  });

  it("reads YAML with keys in any case, like the CCM's Go unmarshalling", () => {
    const config = parseCloudConfig("/cc.yaml", YAML_CONFIG);
    expect(config.region?.key).toBe("global.region");
    expect(config.vpcId).toEqual({ value: "vpc-uf6f7l4fg90xxxxxx", key: "global.vpcID" });
    expect(config.routeTableIds).toEqual({ value: "vtb-uf6a1xxxxxx", key: "global.routeTableIDS" });
    expect(config.accessKey?.accessKeyId).toBe(KEY_ID);
  });

  it.each([
    ["an empty file", ""],
    ["an empty object", "{}"],
    ["no Global", '{"Other": {"region": "cn-hangzhou"}}'],
    ["an empty Global", "Global:\n"],
    ["empty values", '{"Global": {"region": "", "vpcid": null, "accessKeyID": "", "accessKeySecret": ""}}'],
  ])("returns nothing for %s", (_name, text) => {
    expect(parseCloudConfig("/cc", text)).toEqual({ file: "/cc" });
  });

  it.each([
    ['{"Global": {"region": "cn-hangzhou",, }}', /cannot parse --cloud-config "\/cc" at line 1, column \d+: .+ \(expected JSON or YAML\)/],
    ["Global:\n  region: a\n   vpcid: b\n", /at line 2, column \d+/],
    ['["a", "b"]', /expected an object with a "Global" object/],
    ['{"Global": "cn-hangzhou"}', /"Global" must be an object/],
    ['{"Global": {"region": ["cn-hangzhou"]}}', /Global.region must be a string/],
  ])("rejects %j", (text, expected) => {
    expect(() => parseCloudConfig("/cc", text)).toThrow(ConfigError);
    expect(() => parseCloudConfig("/cc", text)).toThrow(expected);
  });

  it.each([
    ["only the id", { accessKeyID: base64(KEY_ID) }, "Global.accessKeyID is set but Global.accessKeySecret is not"],
    ["only the secret", { accessKeySecret: base64(KEY_SECRET) }, "Global.accessKeySecret is set but Global.accessKeyID is not"],
    ["a plain-text secret", { accessKeyID: base64(KEY_ID), accessKeySecret: KEY_SECRET }, "invalid Global.accessKeySecret"],
    ["a plain-text id", { accessKeyID: KEY_ID, accessKeySecret: base64(KEY_SECRET) }, "invalid Global.accessKeyID"],
    ["base64 of binary", { accessKeyID: base64(KEY_ID), accessKeySecret: Buffer.from([0, 1, 2, 250]).toString("base64") }, "expected the base64 encoding"],
  ])("rejects credentials with %s, without printing them", (_name, global, expected) => {
    let caught: unknown;
    try {
      parseCloudConfig("/cc", JSON.stringify({ Global: global }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const text = `${(caught as Error).message} ${inspect(caught)}`;
    expect(text).toContain(expected);
    for (const secret of [KEY_SECRET, base64(KEY_SECRET)]) expect(text).not.toContain(secret);
  });

  it("never quotes the source line of a syntax error (it may hold the secret)", () => {
    const text = `{"Global": {"accessKeySecret": "${base64(KEY_SECRET)}" "accessKeyID": "x"}}`;
    let message = "";
    try {
      parseCloudConfig("/cc", text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^cannot parse --cloud-config "\/cc" at line 1/);
    expect(message).not.toContain(base64(KEY_SECRET));
    expect(message).not.toContain("\n");
  });

  it("accepts base64 split over lines as Go's decoder does", () => {
    const encoded = base64(KEY_SECRET);
    const text = `Global:\n  accessKeyID: ${base64(KEY_ID)}\n  accessKeySecret: "${encoded.slice(0, 8)}\\n${encoded.slice(8)}"\n`;
    expect(parseCloudConfig("/cc", text).accessKey?.accessKeySecret).toBe(KEY_SECRET);
  });
});

describe("--cloud-config in parseConfig", () => {
  it("maps region, vpcid, routeTableIDs, clusterID and the AccessKey", () => {
    const config = parse<"run">(["run", "--cluster-cidr", "10.244.0.0/16", "--cloud-config", "/etc/kubernetes/cloud-config"], {}, { "/etc/kubernetes/cloud-config": JSON_CONFIG });
    expect(config).toMatchObject({
      regionId: "cn-shanghai",
      vpcId: "vpc-uf6f7l4fg90xxxxxx",
      routeTableIds: ["vtb-uf6a1xxxxxx", "vtb-uf6b2xxxxxx"],
      clusterName: "c0123456789abcdef",
      cloudConfigPath: "/etc/kubernetes/cloud-config",
      credentials: { kind: "access-key", accessKeyId: KEY_ID, origin: "cloud-config /etc/kubernetes/cloud-config" },
    });
    expect(config.credentials.kind === "access-key" && config.credentials.accessKeySecret).toBe(KEY_SECRET);
  });

  it("reads YAML too", () => {
    expect(parse(["reconcile", "--dry-run", "--cloud-config", "/cc.yaml"], {}, { "/cc.yaml": YAML_CONFIG })).toMatchObject({
      regionId: "cn-shanghai",
      routeTableIds: ["vtb-uf6a1xxxxxx"],
    });
  });

  it("a missing file is a clear error naming the file and where the path came from", () => {
    expect(parseError(["reconcile"], { VPC_ROUTE_SYNC_CLOUD_CONFIG: "/nope.json" }).message).toBe(
      "cannot read --cloud-config \"/nope.json\" (from VPC_ROUTE_SYNC_CLOUD_CONFIG): ENOENT: no such file or directory, open '/nope.json'",
    );
  });

  it("a clusterID that is not a DNS label names the key", () => {
    const message = parseError(["reconcile", "--cloud-config", "/cc"], {}, {
      "/cc": '{"Global": {"region": "cn-hangzhou", "vpcid": "vpc-1", "clusterID": "My_Cluster"}}',
    }).message;
    expect(message).toContain('invalid --cluster-name "My_Cluster" (from Global.clusterID in --cloud-config "/cc")');
  });
});
