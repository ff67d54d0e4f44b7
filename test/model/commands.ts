// The commands of a generated history: plain data, printed one per line when a history fails.
// Each changes the world the operator sees (Nodes, flags, the route table, faults), or runs a pass.
import fc from "fast-check";

/** How a Node is built from a small index: `node-<i>`, instance `i-mdl<i>`, pod CIDRs from the stack. */
export interface NodeGen {
  readonly i: number;
  readonly stack: "v4" | "dual" | "v6";
  /** A wild pod CIDR: replaces the Node's list, or is appended to it. */
  readonly wild?: { readonly cidr: string; readonly how: "replace" | "append" } | undefined;
  readonly label?: "excluded" | "virtual" | undefined;
  readonly deleting?: boolean | undefined;
  readonly providerId?: "alicloud" | "other-region" | "bad" | "none" | undefined;
}

export type ForeignKind =
  | "unmarked"
  | "unmarked-exact"
  | "vpn"
  | "router-interface"
  | "ecmp"
  | "system"
  | "bgp"
  | "cen"
  | "ecr"
  | "other-cluster"
  | "other-name"
  | "legacy"
  | "forged"
  | "other-tool"
  | "damaged-case"
  | "damaged-uid"
  | "damaged-two-clusters";

export type EditKind = "clear" | "other-tool" | "other-uid" | "drop-uid" | "upper-case" | "forge-hold" | "strip-hold" | "forge-ours";

export type FaultKind = "error" | "internal" | "timeout" | "apply-then-drop" | "throttling";

export type Command =
  | { readonly op: "pass" }
  | { readonly op: "restart" }
  | { readonly op: "add-node"; readonly node: NodeGen }
  | { readonly op: "remove-nodes"; readonly at: number; readonly count: number }
  /** A new Node copying node `at`'s providerID, name or pod CIDRs (its other fields from index `as`). */
  | { readonly op: "copy-node"; readonly at: number; readonly copy: "instance" | "name" | "cidr"; readonly as: number }
  /** Node `at` gets a new instance (same name, same pod CIDRs): a replaced machine. */
  | { readonly op: "replace-instance"; readonly at: number; readonly as: number }
  | { readonly op: "set-pod-cidrs"; readonly at: number; readonly cidrs: readonly string[] }
  | { readonly op: "set-nodes"; readonly nodes: readonly NodeGen[] }
  | { readonly op: "cluster-cidrs"; readonly cidrs: readonly string[] }
  | { readonly op: "max-deletions"; readonly value: string }
  | { readonly op: "adopt-unmarked"; readonly on: boolean }
  /** A route someone else made; `dest` is a literal CIDR, `node:<k>:<4|6>` (that Node's pod CIDR) or `free:<k>:<4|6>`. */
  | { readonly op: "foreign-route"; readonly table: number; readonly dest: string; readonly kind: ForeignKind }
  /** A hand edit of the description of the `pick`-th Custom entry (by entry id order). */
  | { readonly op: "edit-description"; readonly pick: number; readonly edit: EditKind }
  | { readonly op: "fault"; readonly action: string; readonly fault: FaultKind; readonly count: number; readonly ratio: number }
  /** The next pass is aborted (the process dies) once `afterCalls` API calls have been answered. */
  | { readonly op: "crash-next-pass"; readonly afterCalls: number }
  | { readonly op: "mode"; readonly mode: "api" | "nodes-file" }
  | { readonly op: "identity"; readonly who: "A" | "B" | "C" }
  /** `--approve-deletions` for the next pass only. */
  | { readonly op: "approve"; readonly what: "all" | "held-id" | "held-dest" | "legacy-id" | "outside-id" }
  | { readonly op: "rename"; readonly to: string };

export const MAX_NODE_INDEX = 11;

/** Pod CIDRs a Node object may carry that no sane IPAM would hand out. */
export const WILD_CIDRS = [
  "0.0.0.0/0",
  "::/0",
  "2000::/3",
  "::10.248.10.0/120",
  "10.0.0.0/8",
  "10.244.0.0/16",
  "10.244.1.0/25",
  "10.244.3.0/24",
  "10.245.3.0/24",
  "10.244.200.0/24",
  "192.168.0.0/24",
  "192.168.7.0/24",
  "172.16.0.0/12",
  "100.64.1.0/24",
  "10.244.1.1/24",
  "fd00:10:244::/64",
  "fd00:10:244:1000::/64",
  "fd00:99::/64",
  "2408:4005:300:1::/64",
  "FD00:10:244:5000:0::/64",
] as const;

export const CLUSTER_CIDR_SETS: readonly (readonly string[])[] = [
  ["10.244.0.0/16"],
  ["10.244.0.0/16", "fd00:10:244::/48"],
  ["fd00:10:244::/48"],
  ["10.244.0.0/21"],
  ["10.244.0.0/16", "fd00:10:244::/52"],
  ["10.244.0.0/21", "fd00:10:244::/48"],
];

const index = fc.integer({ min: 0, max: MAX_NODE_INDEX });

const oddityArb: fc.Arbitrary<Partial<NodeGen>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.record({ cidr: fc.constantFrom(...WILD_CIDRS), how: fc.constantFrom("replace" as const, "append" as const) }).map((wild) => ({ wild })) },
  { weight: 1, arbitrary: fc.constantFrom("excluded" as const, "virtual" as const).map((label) => ({ label })) },
  { weight: 1, arbitrary: fc.constant({ deleting: true }) },
  { weight: 1, arbitrary: fc.constantFrom("alicloud" as const, "other-region" as const, "bad" as const, "none" as const).map((providerId) => ({ providerId })) },
);

/** Mostly ordinary Nodes; one in three carries one oddity. */
export const nodeGenArb: fc.Arbitrary<NodeGen> = fc
  .tuple(index, fc.constantFrom("v4" as const, "v4" as const, "dual" as const, "v6" as const), oddityArb)
  .map(([i, stack, odd]) => ({ i, stack, ...odd }));

/** `node:<k>:<family>`: node k's pod CIDR; `free:<k>:<family>`: inside the cluster CIDR, no Node's. */
const destArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(index, fc.constantFrom("4", "6")).map(([k, f]) => `node:${k}:${f}`) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom("4", "6")).map(([k, f]) => `free:${k}:${f}`) },
  { weight: 1, arbitrary: fc.constantFrom(...WILD_CIDRS) },
);

const FAULT_ACTIONS = ["CreateRouteEntries", "DeleteRouteEntries", "ModifyRouteEntry", "DescribeRouteEntryList", "*"] as const;

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ op: "pass" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "restart" as const }) },
  { weight: 6, arbitrary: nodeGenArb.map((node) => ({ op: "add-node" as const, node })) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("remove-nodes" as const), at: index, count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("copy-node" as const), at: index, copy: fc.constantFrom("instance", "name", "cidr"), as: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("replace-instance" as const), at: index, as: index }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("set-pod-cidrs" as const), at: index, cidrs: fc.array(fc.constantFrom(...WILD_CIDRS), { minLength: 0, maxLength: 2 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("set-nodes" as const), nodes: fc.array(nodeGenArb, { maxLength: 10 }) }) },
  { weight: 2, arbitrary: fc.constantFrom(...CLUSTER_CIDR_SETS).map((cidrs) => ({ op: "cluster-cidrs" as const, cidrs })) },
  { weight: 1, arbitrary: fc.constantFrom("50%", "0", "1", "2", "100%", "34%").map((value) => ({ op: "max-deletions" as const, value })) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ op: "adopt-unmarked" as const, on })) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("foreign-route" as const),
      table: fc.integer({ min: 0, max: 1 }),
      dest: destArb,
      kind: fc.constantFrom<ForeignKind>(
        "unmarked",
        "unmarked-exact",
        "vpn",
        "router-interface",
        "ecmp",
        "system",
        "bgp",
        "cen",
        "ecr",
        "other-cluster",
        "other-name",
        "legacy",
        "forged",
        "other-tool",
        "damaged-case",
        "damaged-uid",
        "damaged-two-clusters",
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("edit-description" as const),
      pick: fc.nat(40),
      edit: fc.constantFrom<EditKind>("clear", "other-tool", "other-uid", "drop-uid", "upper-case", "forge-hold", "strip-hold", "forge-ours"),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("fault" as const),
      action: fc.constantFrom(...FAULT_ACTIONS),
      fault: fc.constantFrom<FaultKind>("error", "internal", "timeout", "apply-then-drop", "throttling"),
      count: fc.integer({ min: 1, max: 2 }),
      ratio: fc.constantFrom(1, 0.5),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("crash-next-pass" as const), afterCalls: fc.integer({ min: 1, max: 14 }) }) },
  { weight: 2, arbitrary: fc.constantFrom("api", "nodes-file").map((mode) => ({ op: "mode" as const, mode: mode })) },
  { weight: 2, arbitrary: fc.constantFrom("A", "A", "B", "C").map((who) => ({ op: "identity" as const, who: who })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("all", "held-id", "held-dest", "legacy-id", "outside-id")
      .map((what) => ({ op: "approve" as const, what: what })),
  },
  { weight: 1, arbitrary: fc.constantFrom("prod", "prod-eu", "blue").map((to) => ({ op: "rename" as const, to })) },
);

export function historyArb(maxLength: number): fc.Arbitrary<Command[]> {
  return fc.array(commandArb, { minLength: 1, maxLength });
}

/** One line per command, as a failure prints them. */
export function formatHistory(history: readonly Command[]): string {
  return history.map((c, i) => `  ${String(i + 1).padStart(3)}. ${JSON.stringify(c)}`).join("\n");
}
