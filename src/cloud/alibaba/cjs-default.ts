// The Alibaba SDK packages are CommonJS with `exports.default = Class`. Node's ESM
// loader makes the default import `module.exports` (class at `.default`), while bundler-style
// loaders (vitest) hand over `exports.default` itself. This picks the class in both cases.

export function cjsDefault<T>(imported: { readonly default: T }): T {
  const inner = (imported as { default?: unknown }).default;
  return (typeof inner === "function" ? inner : imported) as T;
}
