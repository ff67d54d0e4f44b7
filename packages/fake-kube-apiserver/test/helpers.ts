// Shared helpers for the fake-kube tests: a client-node KubeConfig for a fake, condition waiting with
// a deadline, Node fixtures, and a raw watch reader for asserting on the exact event stream.

import { readFile } from "node:fs/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { RealCluster, realKube } from "../../../test/real-kube/support.ts";
import { backendKind } from "../../../test/support/kube-backend.ts";
import { startFakeKube, type FakeKubeServer } from "../src/index.ts";

export function kubeConfigFor(fake: FakeKubeServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(fake.kubeconfigPath);
  return kc;
}

/** Resolves once `condition()` is truthy; rejects with `what` after the deadline. */
export async function waitFor<T>(what: string, condition: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function nodeFixture(name: string, extra: { labels?: Record<string, string>; ready?: boolean; podCIDR?: string } = {}): object {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: extra.labels ?? {} },
    spec: { podCIDR: extra.podCIDR ?? "10.0.0.0/24", providerID: `cn-hangzhou.i-${name}` },
    status: { conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }] },
  };
}

export interface WatchEvent {
  readonly type: string;
  readonly object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; message?: string; reason?: string; [key: string]: unknown };
}

/** A raw watch over fetch that collects events, for asserting on what goes over the wire. */
export class RawWatch {
  readonly events: WatchEvent[] = [];
  status = 0;
  contentType = "";
  ended = false;
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;

  constructor(fake: FakeKubeServer, pathAndQuery: string, headers: Record<string, string> = {}) {
    this.#done = this.#run(fake, pathAndQuery, headers);
  }

  async #run(fake: FakeKubeServer, pathAndQuery: string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(`${fake.url}${pathAndQuery}`, {
        headers: { Authorization: `Bearer ${fake.token}`, ...headers },
        signal: this.#controller.signal,
      });
      this.status = response.status;
      this.contentType = response.headers.get("content-type") ?? "";
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() !== "") this.events.push(JSON.parse(line) as WatchEvent);
          newline = buffer.indexOf("\n");
        }
      }
    } catch (error) {
      if ((error as Error).name !== "AbortError") throw error;
    } finally {
      this.ended = true;
    }
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.code ?? ""}`.trim());
  }

  async until(what: string, predicate: (events: WatchEvent[]) => boolean): Promise<void> {
    await waitFor(what, () => predicate(this.events) || (this.ended ? Promise.reject(new Error(`watch ended before ${what}: ${this.summary().join(", ")}`)) : false));
  }

  async finished(): Promise<void> {
    await this.#done;
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}

/**
 * The API server a conformance test runs against: the fake (project "fake") or, in project "real",
 * the real kube-apiserver + etcd (differential testing: the same test, both servers). Only what both
 * can do; tests of the fake's own controls (faults, request log, resourceVersion counter) stay fake-only.
 */
export interface KubeUnderTest {
  readonly kind: "fake" | "real";
  readonly url: string;
  readonly token: string;
  /** The admin kubeconfig text. */
  readonly kubeconfig: string;
  createNode(node: object): Promise<void>;
  getNode(name: string): Promise<object | undefined>;
  /** A strategic merge patch of the Node (main resource). */
  patchNode(name: string, patch: object): Promise<void>;
  deleteNode(name: string): Promise<void>;
  close(): Promise<void>;
}

export function kubeConfigOf(kube: KubeUnderTest): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig);
  return kc;
}

/** Starts the fake with `nodes`, or empties the real server's Nodes and creates `nodes` there. */
export async function startKubeUnderTest(nodes: readonly object[]): Promise<KubeUnderTest> {
  if (backendKind() === "fake") {
    const fake = await startFakeKube({ nodes: [...nodes] });
    return {
      kind: "fake",
      url: fake.url,
      token: fake.token,
      kubeconfig: fake.kubeconfig,
      createNode: (node) => Promise.resolve(void fake.createNode(node)),
      getNode: (name) => Promise.resolve(fake.getNode(name)),
      patchNode: (name, patch) => Promise.resolve(void fake.patchNode(name, patch)),
      deleteNode: (name) => Promise.resolve(void fake.deleteNode(name)),
      close: () => fake.close(),
    };
  }
  const cluster = new RealCluster(realKube!);
  await cluster.deleteAllNodes();
  for (const node of nodes) await cluster.createNode(node);
  return {
    kind: "real",
    url: realKube!.url,
    token: realKube!.token,
    kubeconfig: await readFile(realKube!.kubeconfigPath, "utf8"),
    createNode: async (node) => void (await cluster.createNode(node)),
    getNode: (name) => cluster.getNode(name),
    patchNode: async (name, patch) => void (await cluster.call("PATCH", `/api/v1/nodes/${name}`, patch, "application/strategic-merge-patch+json")),
    deleteNode: (name) => cluster.deleteNode(name),
    close: () => cluster.deleteAllNodes(),
  };
}
