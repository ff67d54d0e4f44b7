// The error hierarchy (src/errors.ts) and the decisions read from it (src/error-policy.ts).
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CloudError, asCloudError } from "../src/cloud/errors.js";
import { ConfigError, KubernetesError, errorMessage } from "../src/errors.js";
import { endWithError, errorPolicy, exitCodeFor } from "../src/error-policy.js";
import { NodesFileError } from "../src/inputs/dump-files.js";
import { ClusterIdentityError } from "../src/kube/cluster-identity.js";
import { KubeConfigError } from "../src/kube/kube-config.js";
import { NodeListError } from "../src/kube/node-lister.js";
import { LeaderElectionError } from "../src/kube/leader-election.js";
import { BindAddressError } from "../src/observability/bind-address.js";

const cloud = (retryable: boolean): CloudError => new CloudError("x", { code: "Throttling", kind: "throttled", retryable });

describe("the error hierarchy", () => {
  it("files every error class of the product under one of the three kinds", () => {
    expect(new NodesFileError("x")).toBeInstanceOf(ConfigError);
    expect(new KubeConfigError("x")).toBeInstanceOf(ConfigError);
    expect(new BindAddressError(":x", "bad")).toBeInstanceOf(ConfigError);
    expect(new NodeListError("x")).toBeInstanceOf(KubernetesError);
    expect(new ClusterIdentityError("x")).toBeInstanceOf(KubernetesError);
    expect(new LeaderElectionError("x")).toBeInstanceOf(KubernetesError);
  });
});

describe("exitCodeFor an error", () => {
  it.each([
    ["a configuration error", new ConfigError("no route table", { code: "Config.NoRouteTable" }), 2],
    ["a --nodes-file error", new NodesFileError("bad file"), 2],
    ["an unusable kubeconfig", new KubeConfigError("no kubeconfig"), 2],
    ["a bad bind address", new BindAddressError(":x", "bad"), 2],
    ["a cloud error", cloud(false), 1],
    ["a Kubernetes API error", new NodeListError("list failed"), 1],
    ["the cluster identity unreadable", new ClusterIdentityError("forbidden"), 1],
    ["anything else", new Error("bug"), 1],
    ["a thrown non-Error", "bug", 1],
  ])("%s exits %i", (_name, error, code) => {
    expect(exitCodeFor({ error })).toBe(code);
  });
});

describe("exitCodeFor doctor's checks", () => {
  it.each([
    [false, 0],
    [true, 1],
  ])("checks failed %s: exit %i", (checksFailed, code) => {
    expect(exitCodeFor({ checksFailed })).toBe(code);
  });
});

describe("endWithError", () => {
  it("prints exactly one line prefixed with the program name and returns the exit code", () => {
    const stderr = new PassThrough();
    const code = endWithError(new KubeConfigError("--kubeconfig /x: kubeconfig file /x does not exist"), stderr);
    expect(code).toBe(2);
    expect(String(stderr.read())).toBe("vpc-route-sync: --kubeconfig /x: kubeconfig file /x does not exist\n");
  });
});

describe("errorMessage", () => {
  it("is an Error's message, or the string form of anything else", () => {
    expect(errorMessage(new TypeError("boom"))).toBe("boom");
    expect(errorMessage("text")).toBe("text");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
  });
});

describe("errorPolicy (the controller's one error policy, in the scheduler's words)", () => {
  it.each([
    ["a retryable cloud error", cloud(true), "backoff"],
    ["a final cloud error", cloud(false), "give-up"],
    ["a Kubernetes error", new NodeListError("list failed"), "backoff"],
    ["a configuration error", new ConfigError("VPC has no route table"), "give-up"],
    ["an unknown error (a bug)", new TypeError("bug"), "give-up"],
  ])("%s: %s", (_name, error, policy) => {
    expect(errorPolicy(error)).toBe(policy);
  });

  it("agrees with the classifier on unknown errors: asCloudError makes them final", () => {
    const error = asCloudError(new Error("surprise"));
    expect(error.kind).toBe("unknown");
    expect(error.retryable).toBe(false);
    expect(errorPolicy(error)).toBe("give-up");
  });
});
