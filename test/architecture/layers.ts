// The layer rules of docs/architecture.md as data, and the check that every relative import of a
// src/ module keeps to them. A layer is a directory of src/ (or a top-level file); each may import
// itself and what its rule lists: a layer, or one file of a layer.
import { posix } from "node:path";
import ts from "typescript";

/** What each layer of src/ may import besides itself (docs/architecture.md, "Packages and layers"). */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  "errors.ts": [],
  "defaults.ts": [],
  util: ["errors.ts"],
  domain: [],
  observability: ["domain", "util", "errors.ts", "cloud/observer.ts"],
  cloud: ["domain", "util", "errors.ts", "observability", "defaults.ts"],
  kube: ["domain", "util", "errors.ts", "observability", "defaults.ts"],
  config: ["cloud", "kube", "domain", "observability", "util", "errors.ts", "defaults.ts"],
  reconcile: ["cloud/route-table.ts", "cloud/vpc-network.ts", "cloud/errors.ts", "domain", "observability", "util", "errors.ts", "defaults.ts"],
  "error-policy.ts": ["reconcile", "cloud/errors.ts", "errors.ts"],
  inputs: ["config", "kube", "domain", "observability", "util", "errors.ts"],
  controller: ["reconcile", "error-policy.ts", "kube", "cloud", "domain", "observability", "util", "errors.ts", "defaults.ts"],
  doctor: ["inputs", "reconcile", "error-policy.ts", "config", "kube", "cloud", "domain", "observability", "util", "errors.ts", "defaults.ts"],
  commands: ["controller", "doctor", "inputs", "reconcile", "error-policy.ts", "config", "kube", "cloud", "domain", "observability", "util", "errors.ts", "defaults.ts"],
  "process-entry.ts": ["config", "error-policy.ts", "errors.ts"],
  "cli.ts": ["commands", "process-entry.ts", "config"],
};

export interface SourceText {
  /** Path relative to src/, with forward slashes, e.g. "domain/cidr.ts". */
  readonly path: string;
  readonly text: string;
}

/** The layer of a src/-relative path: its first directory, or the file itself at the top. */
export function layerOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

/** Relative module specifiers of a file: imports, re-exports and dynamic imports, type-only ones too. */
function importsOf(file: SourceText): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteral(argument)) found.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith("."));
}

/** One line per import that breaks a layer rule: "domain/x.ts imports commands/wiring.ts (domain may not import commands)". */
export function layerViolations(files: readonly SourceText[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    const allowed = LAYER_RULES[from];
    for (const specifier of importsOf(file)) {
      const target = posix.normalize(posix.join(posix.dirname(file.path), specifier)).replace(/\.js$/, ".ts");
      const to = layerOf(target);
      if (to === from) continue;
      if (allowed === undefined) {
        violations.push(`${file.path}: layer ${from} has no rule in LAYER_RULES (docs/architecture.md)`);
        break;
      }
      if (!allowed.includes(to) && !allowed.includes(target)) {
        violations.push(`${file.path} imports ${target} (${from} may not import ${to})`);
      }
    }
  }
  return violations;
}
