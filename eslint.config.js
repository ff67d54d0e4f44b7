// ESLint flat config: typescript-eslint with type information so that
// floating promises (a classic controller bug) are caught.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "build-bench/**", "build-dev/**", "build-real-kube/**", "build-fuzz/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
    },
  },
  // The shape of the code: levels it meets now (with a little room for work in flight), so it holds.
  // Counted without blank lines and comments. Tests and benchmarks are tables and scripts: no limits.
  {
    files: ["src/**/*.ts", "dev/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 450, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 90, skipBlankLines: true, skipComments: true }],
      complexity: ["error", 25],
    },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 550, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
      complexity: ["error", 30],
    },
  },
  // One decision per SDK error shape, read top to bottom like the table it implements.
  { files: ["src/cloud/alibaba/classify-error.ts"], rules: { complexity: ["error", 41] } },
  // The fake VPC's action dispatch and the fake API server's control endpoints: one branch per action.
  {
    files: ["packages/fake-alibaba-vpc/src/server.ts"],
    rules: { "max-lines-per-function": ["error", { max: 273, skipBlankLines: true, skipComments: true }], complexity: ["error", 51] },
  },
  { files: ["packages/fake-kube-apiserver/src/control-endpoints.ts"], rules: { complexity: ["error", 40] } },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "packages/*/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
