import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn processes and servers; two workers fit the 2-core CI machine.
    maxWorkers: 2,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
