// doctor's DryRun write probes name only what the controller itself could write: the create probe a
// destination inside the cluster CIDR that the table does not hold, the delete probe an entry this
// cluster owns (by its marker) or an id that cannot exist, never another owner's route (a VPN route
// first in the table, another cluster's route). The doctor command against the fake Kubernetes API
// and the fake VPC API; the probes are read back from the fake VPC's request log.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runDoctorCommand } from "../../src/commands/doctor.js";
import { parseConfig, type CommandIo, type DoctorConfig } from "../../src/config/index.js";
import { routeMarker } from "../../src/domain/ownership.js";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, startFakeVpc, type FakeVpcServer, type SeedEntry } from "@vpc-route-sync/fake-alibaba-vpc";
import { nodeObject } from "../support/nodes.js";

const REGION = "cn-hangzhou";
const VPC = "vpc-probe0001";
const TABLE = "vtb-probe0001";
const CLUSTER = "probe-test";
const CLUSTER_UID = "6b1e0c3a-2f4d-4e5a-8b7c-9d0e1f2a3b4c";
const OTHER_UID = "11111111-2222-4333-8444-555555555555";

const node = (name: string, n: number, podCidr: string): object => nodeObject(name, { region: REGION, instance: `i-bp1probe00000${n}`, podCidrs: [podCidr] });

const VPN: SeedEntry = { routeEntryId: "rte-vpn0001", destinationCidr: "10.100.0.0/16", nextHopType: "VpnGateway", nextHopId: "vpn-probe0001" };
const OTHER_CLUSTER: SeedEntry = {
  routeEntryId: "rte-other0001",
  destinationCidr: "10.244.7.0/24",
  nextHopType: "Instance",
  nextHopId: "i-bp1other000001",
  ...routeMarker(CLUSTER, "node-7", OTHER_UID),
};
const own = (id: string, cidr: string, nodeName: string, n: number): SeedEntry => ({
  routeEntryId: id,
  destinationCidr: cidr,
  nextHopType: "Instance",
  nextHopId: `i-bp1probe00000${n}`,
  ...routeMarker(CLUSTER, nodeName, CLUSTER_UID),
});

let kube: FakeKubeServer | undefined;
let vpc: FakeVpcServer | undefined;
afterEach(async () => {
  await Promise.all([kube?.close(), vpc?.close()]);
  kube = vpc = undefined;
});

function commandIo(): CommandIo {
  return {
    stdout: new PassThrough().resume(),
    stderr: new PassThrough().resume(),
    stdin: new PassThrough(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    hostname: "test",
    signal: new AbortController().signal,
  };
}

/** Runs doctor and returns what its DryRun probes named in the table. */
async function probes(nodes: object[], entries: SeedEntry[]): Promise<{ create: string | undefined; delete: string | undefined }> {
  kube = await startFakeKube({ nodes, namespaceUids: { "kube-system": CLUSTER_UID } });
  vpc = await startFakeVpc({ regionId: REGION, vpcs: [{ vpcId: VPC, tables: [{ routeTableId: TABLE, entries }] }] });
  const argv = ["doctor", "--region", REGION, "--vpc-id", VPC, "--cluster-name", CLUSTER, "--cluster-cidr", "10.244.0.0/16", "--vpc-endpoint", vpc.url, "--kubeconfig", kube.kubeconfigPath, "--log-level", "silent"];
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY_SECRET };
  const outcome = parseConfig(argv, env);
  if (outcome.kind !== "config") throw new Error("expected a config");
  await runDoctorCommand(outcome.config as DoctorConfig, commandIo());
  const dryRun = (action: string) => vpc!.requests().filter((r) => r.action === action && r.params["DryRun"] === "true");
  expect(dryRun("CreateRouteEntries")).toHaveLength(1);
  expect(dryRun("DeleteRouteEntries")).toHaveLength(1);
  expect(vpc.requests().filter((r) => /^(Create|Delete|Modify)Route/.test(r.action) && r.params["DryRun"] !== "true")).toEqual([]);
  return { create: dryRun("CreateRouteEntries")[0]?.params["RouteEntries.1.DstCidrBlock"], delete: dryRun("DeleteRouteEntries")[0]?.params["RouteEntries.1.RouteEntryId"] };
}

describe("doctor's DryRun write probes", () => {
  it("create: an eligible Node's pod CIDR inside the cluster CIDR and not yet routed; delete: an entry this cluster owns", async () => {
    const nodes = [node("outside", 9, "10.250.0.0/24"), node("node-1", 1, "10.244.1.0/24"), node("node-2", 2, "10.244.2.0/24")];
    const named = await probes(nodes, [VPN, OTHER_CLUSTER, own("rte-own0001", "10.244.1.0/24", "node-1", 1)]);
    expect(named).toEqual({ create: "10.244.2.0/24", delete: "rte-own0001" });
  });

  it("create: a free block at the end of the cluster CIDR when every eligible Node is routed; delete: an id that cannot exist when nothing is ours", async () => {
    const nodes = [node("node-1", 1, "10.244.1.0/24")];
    const named = await probes(nodes, [VPN, OTHER_CLUSTER, { ...VPN, routeEntryId: "rte-vpn0002", destinationCidr: "10.244.255.0/24" }, { ...OTHER_CLUSTER, routeEntryId: "rte-other0002", destinationCidr: "10.244.1.0/24" }]);
    expect(named).toEqual({ create: "10.244.254.0/24", delete: "rte-vpcroutesyncdoctor" });
  });
});
