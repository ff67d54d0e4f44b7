import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The product's tests and those of the workspace packages (the fakes).
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn processes and servers; two workers fit the 2-core CI machine.
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-tmp/results.json" },
  },
});
