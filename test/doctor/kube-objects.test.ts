// Facts extracted from Kubernetes JSON: tolerant of odd objects, exact about the fields read.
import { describe, expect, it } from "vitest";
import { doctorNodeFrom, podFactsFrom, workloadFactsFrom } from "../../src/doctor/kube-objects.js";

describe("kube objects -> doctor facts", () => {
  it.each([null, 42, "x", [], {}, { spec: "no", status: { podIPs: "no" } }])("never throws on %j", (obj) => {
    expect(() => [podFactsFrom(obj), workloadFactsFrom(obj), doctorNodeFrom(obj)]).not.toThrow();
  });

  it("reads NAS volumes (nfs, the NAS flexvolume, the NAS CSI driver), fsGroup and Pod IPs", () => {
    const facts = podFactsFrom({
      metadata: { namespace: "ns", name: "p" },
      spec: {
        nodeName: "vk",
        securityContext: { fsGroup: 1000, fsGroupChangePolicy: "Always" },
        volumes: [
          { name: "a", nfs: { server: "s", path: "/" } },
          { name: "b", flexVolume: { driver: "alicloud/nas" } },
          { name: "c", csi: { driver: "nasplugin.csi.alibabacloud.com" } },
          { name: "d", csi: { driver: "diskplugin.csi.alibabacloud.com" } },
          { name: "e", emptyDir: {} },
        ],
      },
      status: { podIP: "10.0.0.1", podIPs: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }] },
    });
    expect(facts).toEqual({
      namespace: "ns",
      name: "p",
      nodeName: "vk",
      hostNetwork: false,
      podIps: ["10.0.0.1", "fd00::1"],
      fsGroup: 1000,
      fsGroupChangePolicy: "Always",
      nasVolumes: ["a", "b", "c"],
    });
  });

  it("reads the NetworkUnavailable condition and taints of a Node", () => {
    const node = doctorNodeFrom({
      metadata: { name: "n" },
      spec: { taints: [{ key: "k", effect: "NoSchedule" }] },
      status: { conditions: [{ type: "Ready", status: "True" }, { type: "NetworkUnavailable", status: "False", reason: "RouteCreated" }] },
    });
    expect(node.taints).toEqual([{ key: "k", value: "", effect: "NoSchedule" }]);
    expect(node.networkUnavailable).toEqual({ status: "False", reason: "RouteCreated" });
  });
});
