// One short history per issue-16 finding of the model-based suite, shrunk by hand from what the
// fuzzer found on the code before the gate. model.test.ts runs each strictly: a history whose id is
// in OPEN_DEFECTS must still break it (the entry is still needed); once the id leaves the list, the
// history must hold (a regression test of the fix).
import type { OmittedFilters } from "@vpc-route-sync/fake-alibaba-vpc";
import type { Command } from "./commands.js";

export interface Witness {
  readonly history: readonly Command[];
  readonly omittedFilters?: OmittedFilters | undefined;
}

const pass: Command = { op: "pass" };

export const WITNESSES: Readonly<Record<string, Witness>> = {
  // Only an IPv4 --cluster-cidr: the Node's second pod CIDR fd00:99::/64 is routed. (2000::/3 is
  // too, in a VPC without IPv6 blocks; this world's VPC has one inside 2000::/3.)
  "ipv6-without-cluster-cidr": { history: [{ op: "add-node", node: { i: 0, stack: "v4", wild: { cidr: "fd00:99::/64", how: "append" } } }, pass] },
  "ipv4-without-cluster-cidr": {
    history: [{ op: "cluster-cidrs", cidrs: ["fd00:10:244::/48"] }, { op: "add-node", node: { i: 0, stack: "v4" } }, pass],
  },
  // An owned IPv6 route is deleted by a run that names no IPv6 cluster CIDR (IPv4 ones are kept).
  "deleted-ipv6-without-cluster-cidr": { history: [{ op: "foreign-route", table: 0, dest: "fd00:10:244:800::/64", kind: "forged" }, pass] },
  "deleted-ipv4-without-cluster-cidr": {
    history: [{ op: "cluster-cidrs", cidrs: ["fd00:10:244::/48"] }, { op: "foreign-route", table: 0, dest: "10.244.50.0/24", kind: "forged" }, pass],
  },
  // --adopt-unmarked takes a route another tool marks (managed-by=terraform) for an unmarked one.
  "touched-other-tool": { history: [{ op: "adopt-unmarked", on: true }, { op: "foreign-route", table: 0, dest: "10.244.50.0/24", kind: "other-tool" }, pass] },
  // Our route serving node-0, its description then replaced by another tool's: claimed back (fuzz seed 90417).
  "touched-other-tool/claim": {
    history: [{ op: "add-node", node: { i: 0, stack: "v4" } }, pass, { op: "edit-description", pick: 0, edit: "other-tool" }, pass],
  },
  // The hold of one of two refused deletions does not land; the next pass deletes the other.
  "piecemeal-deletion": {
    history: [
      { op: "add-node", node: { i: 0, stack: "v4" } },
      pass,
      { op: "fault", action: "ModifyRouteEntry", fault: "error", count: 1, ratio: 1 },
      { op: "remove-nodes", at: 0, count: 1 },
      pass,
      pass,
    ],
  },
  // Three owned routes outside the cluster CIDR let all four in-range routes go at 50 %.
  "budget-counts-undeletable": {
    history: [
      { op: "add-node", node: { i: 0, stack: "v4" } },
      { op: "add-node", node: { i: 1, stack: "v4" } },
      pass,
      { op: "foreign-route", table: 0, dest: "10.245.1.0/24", kind: "forged" },
      { op: "foreign-route", table: 0, dest: "10.245.2.0/24", kind: "forged" },
      { op: "foreign-route", table: 0, dest: "10.245.3.0/24", kind: "forged" },
      { op: "remove-nodes", at: 0, count: 2 },
      pass,
    ],
  },
  // --approve-deletions=all with nothing refused: both stale routes go although 50 % of 2 is 1.
  "approval-beyond-refusal": {
    history: [{ op: "add-node", node: { i: 0, stack: "v4" } }, pass, { op: "remove-nodes", at: 0, count: 1 }, { op: "approve", what: "all" }, pass],
  },
  // A new Node naming node-0's instance: node-0's working route is deleted (the guard allows it at 100 %).
  "deleted-live-node-route": {
    history: [
      { op: "max-deletions", value: "100%" },
      { op: "add-node", node: { i: 0, stack: "v4" } },
      pass,
      { op: "copy-node", at: 0, copy: "instance", as: 1 },
      pass,
    ],
  },
  // Two identical Node objects (a copy of node-0 under its own name) and our route's marker edited
  // to name another node: the route of the Nodes' instance was deleted as stale (fuzz seed 20261207).
  "deleted-live-node-route/duplicate-name": {
    history: [
      { op: "add-node", node: { i: 0, stack: "v4" } },
      pass,
      { op: "copy-node", at: 0, copy: "instance", as: 0 },
      { op: "edit-description", pick: 0, edit: "forge-ours" },
      pass,
    ],
  },
  // --nodes-file: another cluster's route under the same name (another uid) is deleted.
  "touched-other-cluster": {
    history: [{ op: "foreign-route", table: 0, dest: "10.244.50.0/24", kind: "other-cluster" }, { op: "mode", mode: "nodes-file" }, pass],
  },
  "deleted-legacy-marker-nodes-file": {
    history: [{ op: "foreign-route", table: 0, dest: "10.244.50.0/24", kind: "legacy" }, { op: "mode", mode: "nodes-file" }, pass],
  },
  // A BGP route at the Node's pod CIDR: the create is sent anyway.
  "create-at-destination-of-other-type": {
    history: [{ op: "foreign-route", table: 0, dest: "10.244.0.0/24", kind: "bgp" }, { op: "add-node", node: { i: 0, stack: "v4" } }, pass],
  },
  // A custom route to a router interface, which a listing that reads an omitted NextHopType as
  // "Instance" does not return.
  "create-at-unlisted-destination": {
    history: [{ op: "foreign-route", table: 0, dest: "10.244.0.0/24", kind: "router-interface" }, { op: "add-node", node: { i: 0, stack: "v4" } }, pass],
    omittedFilters: { nextHopType: "Instance", ipVersion: "ipv4", routeEntryType: "any" },
  },
  // A CEN route at the Node's pod CIDR, which a listing that reads an omitted RouteEntryType as
  // "Custom" does not return (found by `npm run fuzz -- --seed 20261207 --runs 2000`).
  "create-at-destination-of-other-type/unlisted": {
    history: [{ op: "add-node", node: { i: 0, stack: "v4" } }, { op: "foreign-route", table: 0, dest: "node:0:4", kind: "cen" }, pass],
    omittedFilters: { nextHopType: "any", ipVersion: "any", routeEntryType: "Custom" },
  },
  // A System route (next hop local) at the Node's pod CIDR, which neither a listing nor a lookup by
  // route type returns where an omitted NextHopType means Instance (fuzz seeds 20261207, 771203).
  "create-at-destination-of-other-type/system-local": {
    history: [{ op: "foreign-route", table: 0, dest: "node:0:4", kind: "system" }, { op: "add-node", node: { i: 0, stack: "v4" } }, pass],
    omittedFilters: { nextHopType: "Instance", ipVersion: "ipv4", routeEntryType: "any" },
  },
  // A System route 10.0.0.0/8 that an Instance-only listing leaves out: the Node's 10.244.0.0/24 was
  // created inside it (fuzz seeds 5150, 771203).
  "overlaps-system-route/unlisted": {
    history: [{ op: "add-node", node: { i: 0, stack: "v4" } }, { op: "foreign-route", table: 0, dest: "10.0.0.0/8", kind: "system" }, pass],
    omittedFilters: { nextHopType: "Instance", ipVersion: "ipv4", routeEntryType: "any" },
  },
  // IPv4-only cluster CIDR, a listing without IPv6: our old IPv6 route is neither seen nor reported.
  "unreported-owned-route": {
    history: [{ op: "foreign-route", table: 0, dest: "fd00:10:244:800::/64", kind: "forged" }, pass],
    omittedFilters: { nextHopType: "Instance", ipVersion: "ipv4", routeEntryType: "any" },
  },
  // A System route 10.0.0.0/8 (not a vSwitch the VPC reports): 10.244.1.0/24 is created inside it.
  "overlaps-system-route": {
    history: [{ op: "foreign-route", table: 0, dest: "10.0.0.0/8", kind: "system" }, { op: "add-node", node: { i: 1, stack: "v4" } }, pass],
  },
};
