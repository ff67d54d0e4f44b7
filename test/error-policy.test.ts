// The error hierarchy (src/errors.ts) and the two decisions read from it (src/error-policy.ts).
import { describe, expect, it } from "vitest";
import { CloudError, asCloudError } from "../src/cloud/errors.js";
import { ConfigError } from "../src/config/index.js";
import { ConfigurationError, KubernetesError } from "../src/errors.js";
import { errorPolicy, exitCodeForError } from "../src/error-policy.js";
import { NodesFileError } from "../src/commands/wiring.js";
import { KubeConfigError } from "../src/kube/kube-config.js";
import { NodeListError } from "../src/kube/node-lister.js";
import { LeaderElectionError } from "../src/kube/leader-election.js";

const cloud = (retryable: boolean): CloudError => new CloudError("x", { code: "Throttling", kind: "throttled", retryable });

describe("the error hierarchy", () => {
  it("files every error class of the product under one of the three kinds", () => {
    expect(new ConfigError("x")).toBeInstanceOf(ConfigurationError);
    expect(new NodesFileError("x")).toBeInstanceOf(ConfigurationError);
    expect(new KubeConfigError("x")).toBeInstanceOf(KubernetesError);
    expect(new NodeListError("x")).toBeInstanceOf(KubernetesError);
    expect(new LeaderElectionError("x")).toBeInstanceOf(KubernetesError);
  });
});

describe("exitCodeForError", () => {
  it.each([
    ["a configuration error", new ConfigurationError("no route table", { code: "Config.NoRouteTable" }), 2],
    ["a --nodes-file error", new NodesFileError("bad file"), 2],
    ["a cloud error", cloud(false), 1],
    ["a Kubernetes error", new KubeConfigError("no kubeconfig"), 1],
    ["anything else", new Error("bug"), 1],
  ])("%s exits %i", (_name, error, code) => {
    expect(exitCodeForError(error)).toBe(code);
  });
});

describe("errorPolicy (the controller's one error policy)", () => {
  it.each([
    ["a retryable cloud error", cloud(true), "backoff"],
    ["a final cloud error", cloud(false), "give-up"],
    ["a Kubernetes error", new NodeListError("list failed"), "backoff"],
    ["a configuration error", new ConfigurationError("VPC has no route table"), "give-up"],
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
