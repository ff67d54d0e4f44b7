import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-tmp/results.json" },
    // fast-check draws from a fixed seed (FC_SEED overrides it): no run differs from the last.
    setupFiles: ["test/support/fast-check-seed.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "fake",
          // The product's tests and those of the workspace packages (the fakes).
          include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/real-kube/**"],
          // End-to-end tests spawn processes and servers; two workers fit the 2-core CI machine.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // The real kube-apiserver + etcd tier (docs/testing.md): one server for the run, started by
          // the global setup; files run one at a time because Nodes are cluster-scoped and the
          // controller watches all of them.
          name: "real",
          include: [
            "test/real-kube/**/*.test.ts",
            // Controller end-to-end scenarios defined once, run against both API servers.
            "test/e2e/controller-nodes.test.ts",
            "test/e2e/controller-leader.test.ts",
            "test/e2e/controller-drift.test.ts",
            "test/e2e/controller-guards.test.ts",
            "test/e2e/controller-shutdown.test.ts",
            "test/e2e/bootstrap.test.ts",
            "test/e2e/ccm-takeover.test.ts",
            "test/e2e/controller-truth.test.ts",
            // The fake's conformance tests, run unchanged against the real server (differential).
            "packages/fake-kube-apiserver/test/client-node-nodes.test.ts",
            "packages/fake-kube-apiserver/test/client-node-events-leases.test.ts",
          ],
          globalSetup: ["test/real-kube/global-setup.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
