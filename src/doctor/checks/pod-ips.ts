// Every Pod IP must lie inside its Node's pod CIDR: the VPC routes the Node's pod CIDR to the
// Node, so a Pod addressed outside it is unreachable from the VPC. Host-network Pods use the
// Node's own address and Pods on virtual nodes get VPC addresses: both are excepted.
import { contains, parseCidr, type Cidr } from "../../domain/cidr.js";
import { readPodCidrs } from "../../domain/eligibility.js";
import { isVirtualNode } from "../analysis.js";
import { count, fail, notRead, pass, type Check, type CheckObject } from "../check.js";

export const podIpsCheck: Check = {
  id: "pod-ips",
  area: "pods",
  title: "Pod IPs inside their Node's pod CIDR",
  run({ cluster }) {
    if (cluster.pods === undefined) return notRead(cluster, "pods");
    const cidrsByNode = new Map<string, Cidr[]>();
    const virtual = new Set<string>();
    for (const node of cluster.nodes) {
      if (isVirtualNode(node)) virtual.add(node.nodeName);
      // As eligibility reads them: the ones that parse (a Node whose others do not is the pod-cidrs check's).
      cidrsByNode.set(node.nodeName, readPodCidrs(node.podCidrs).cidrs);
    }
    const objects: CheckObject[] = [];
    const nodes = new Set<string>();
    let checked = 0;
    for (const pod of cluster.pods) {
      if (pod.hostNetwork || pod.nodeName === undefined || virtual.has(pod.nodeName)) continue;
      const cidrs = cidrsByNode.get(pod.nodeName);
      if (cidrs === undefined || cidrs.length === 0) continue; // no pod CIDR: the pod-cidrs check reports the Node
      for (const ip of pod.podIps) {
        const address = parseCidr(ip.includes(":") ? `${ip}/128` : `${ip}/32`);
        if (!address.ok) continue;
        checked++;
        const family = cidrs.filter((c) => c.family === address.cidr.family);
        if (family.length === 0 || family.some((c) => contains(c, address.cidr))) continue;
        nodes.add(pod.nodeName);
        objects.push({
          kind: "Pod",
          namespace: pod.namespace,
          name: pod.name,
          detail: `IP ${ip} is outside pod CIDR ${family.map((c) => c.text).join(", ")} of Node ${pod.nodeName}`,
        });
      }
    }
    if (objects.length === 0) return pass(`${count(checked, "Pod IP")} checked, all inside their Node's pod CIDR`);
    return fail(
      `${count(objects.length, "Pod IP")} on ${count(nodes.size, "Node")} outside the Node's pod CIDR (${[...nodes].sort().join(", ")})`,
      objects,
      "configure the CNI's IPAM to use the Node's pod CIDR from the Kubernetes API (Calico: ipam type host-local with subnet usePodCidr), then restart the Pods named",
    );
  },
};
