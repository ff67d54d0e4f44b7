// Executor strategies of other route controllers, run against the same fake VPC as ours (models
// written from their documented behaviour, docs/performance.md "Peers"):
// - "generic": the Kubernetes cloud-provider route controller - a full pass every 10 s: list the
//   routes, then one CreateRouteEntry per missing route, up to 200 at once, failures left to the
//   next pass.
// - "ccm": the Alibaba cloud-controller-manager route controller - a batch worker that waits 1 s
//   after the first queued Node, takes up to 50 Nodes, lists the table, sends one
//   CreateRouteEntries without waiting for Pending entries (one global lock), treats
//   VPC_ROUTE_ENTRY_STATUS_ERROR and CIDR duplicates as success, and requeues failed Nodes with a
//   per-Node backoff of 5 s doubling to 300 s.
import vpcModule, { CreateRouteEntryRequest } from "@alicloud/vpc20160428";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { RuntimeOptions } from "@darabonba/typescript";
import { cjsDefault } from "../src/cloud/alibaba/cjs-default.js";
import { createCredential } from "../src/cloud/alibaba/credentials.js";
import { parseEndpoint } from "../src/cloud/alibaba/endpoint.js";
import { VpcApi } from "../src/cloud/alibaba/vpc-api.js";
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET } from "@vpc-route-sync/fake-alibaba-vpc";
import type { RouteEntry } from "../src/domain/types.js";
import type { GatedCreate } from "../src/domain/write-gate.js";

const VpcClient = cjsDefault(vpcModule);

export interface WantedRoute {
  readonly destinationCidr: string;
  readonly instanceId: string;
}

export interface PeerTarget {
  readonly url: string;
  readonly regionId: string;
  readonly routeTableId: string;
}

const credential = () =>
  createCredential({ kind: "access-key", accessKeyId: FAKE_ACCESS_KEY_ID, accessKeySecret: FAKE_ACCESS_KEY_SECRET, origin: "bench" });

function api(target: PeerTarget): VpcApi {
  return new VpcApi({ regionId: target.regionId, endpoint: parseEndpoint(target.url), credential: credential(), connectTimeoutMs: 5000, readTimeoutMs: 30_000 });
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

async function listAll(vpc: VpcApi, routeTableId: string): Promise<RouteEntry[]> {
  const out: RouteEntry[] = [];
  let token: string | undefined;
  do {
    const page = await vpc.describeRouteEntryList(routeTableId, { nextHopType: "Instance" }, token, 100);
    out.push(...page.entries);
    token = page.nextToken;
  } while (token !== undefined);
  return out;
}

/** The generic route controller: a pass every `periodMs` until `signal` aborts. */
export async function runGeneric(target: PeerTarget, wanted: () => readonly WantedRoute[], signal: AbortSignal, periodMs = 10_000): Promise<void> {
  const vpc = api(target);
  const client = new VpcClient(
    new $OpenApiUtil.Config({ credential: credential(), regionId: target.regionId, ...(() => { const e = parseEndpoint(target.url); return { endpoint: e.endpoint, protocol: e.protocol }; })() }),
  );
  const runtime = new RuntimeOptions({ connectTimeout: 5000, readTimeout: 30_000 });
  while (!signal.aborted) {
    const started = Date.now();
    try {
      const present = new Set((await listAll(vpc, target.routeTableId)).map((e) => e.destinationCidr));
      const missing = wanted().filter((w) => !present.has(w.destinationCidr));
      // maxConcurrentRouteOperations = 200 goroutines; failures wait for the next pass.
      for (let i = 0; i < missing.length && !signal.aborted; i += 200) {
        await Promise.allSettled(
          missing.slice(i, i + 200).map((w) =>
            client.createRouteEntryWithOptions(
              new CreateRouteEntryRequest({ regionId: target.regionId, routeTableId: target.routeTableId, destinationCidrBlock: w.destinationCidr, nextHopType: "Instance", nextHopId: w.instanceId }),
              runtime,
            ),
          ),
        );
      }
    } catch {
      // a failed list: the next pass retries
    }
    await sleep(Math.max(0, periodMs - (Date.now() - started)), signal);
  }
}

/** The Alibaba CCM route controller's batch worker; `enqueue` adds Node keys (here: wanted routes). */
export class CcmModel {
  readonly #vpc: VpcApi;
  readonly #target: PeerTarget;
  readonly #queue = new Map<string, WantedRoute>();
  readonly #delayed = new Map<string, { route: WantedRoute; at: number }>();
  readonly #failures = new Map<string, number>();
  #wake: (() => void) | undefined;

  constructor(target: PeerTarget) {
    this.#target = target;
    this.#vpc = api(target);
  }

  enqueue(route: WantedRoute): void {
    this.#queue.set(route.destinationCidr, route);
    this.#wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener("abort", () => this.#wake?.(), { once: true });
    while (!signal.aborted) {
      this.#promoteDue();
      if (this.#queue.size === 0) {
        const nextDue = Math.min(...[...this.#delayed.values()].map((d) => d.at), Date.now() + 1000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, nextDue - Date.now()));
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        continue;
      }
      await sleep(1000, signal); // NodeEventAggregationWaitSeconds
      this.#promoteDue();
      const batch = [...this.#queue.values()].slice(0, 50);
      for (const r of batch) this.#queue.delete(r.destinationCidr);
      await this.#sync(batch);
    }
  }

  #promoteDue(): void {
    const now = Date.now();
    for (const [key, d] of this.#delayed) {
      if (d.at <= now) {
        this.#delayed.delete(key);
        this.#queue.set(key, d.route);
      }
    }
  }

  #requeue(route: WantedRoute): void {
    const n = (this.#failures.get(route.destinationCidr) ?? 0) + 1;
    this.#failures.set(route.destinationCidr, n);
    this.#delayed.set(route.destinationCidr, { route, at: Date.now() + Math.min(300_000, 5000 * 2 ** (n - 1)) });
  }

  async #sync(batch: readonly WantedRoute[]): Promise<void> {
    let present: Set<string>;
    try {
      present = new Set((await listAll(this.#vpc, this.#target.routeTableId)).map((e) => e.destinationCidr));
    } catch {
      for (const r of batch) this.#requeue(r);
      return;
    }
    const missing = batch.filter((r) => !present.has(r.destinationCidr));
    if (missing.length === 0) return;
    try {
      // A model of another controller (the CCM), not the operator: its writes do not pass our gate.
      const writes = missing.map((r) => ({ routeTableId: this.#target.routeTableId, destinationCidr: r.destinationCidr, instanceId: r.instanceId, routeEntryName: "", description: "" }));
      const result = await this.#vpc.createRouteEntries(writes as unknown as readonly GatedCreate[]);
      const ok = new Set(["VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE", "VPC_ROUTE_ENTRY_STATUS_ERROR"]);
      // Failed entries are matched back by next hop only (as the CCM does).
      const failedHops = new Set(result.failures.filter((f) => !ok.has(f.failedCode ?? "")).map((f) => f.nextHop));
      for (const r of missing) if (failedHops.has(r.instanceId)) this.#requeue(r);
    } catch {
      for (const r of missing) this.#requeue(r);
    }
  }
}
