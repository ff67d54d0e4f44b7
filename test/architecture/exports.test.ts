// The product's public surface is what src/, dev/, bench/ and packages/ import. An export of src/
// that only tests import is a test seam: the test should go through the public function that uses
// it, or the export carries a `@internal` TSDoc tag (docs/architecture.md, "Exports for tests").
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const IMPORTER_DIRS = ["src", "dev", "bench", "packages"];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, false);
}

function hasExportModifier(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

/** Whether the comments just before a declaration hold an `@internal` TSDoc tag. */
function isInternal(file: ts.SourceFile, node: ts.Node): boolean {
  const comments = ts.getLeadingCommentRanges(file.text, node.pos) ?? [];
  return comments.some((c) => /^\/\*\*[\s\S]*@internal\b/.test(file.text.slice(c.pos, c.end)));
}

/**
 * Exported values of one src/ module (functions, constants, classes, enums), with whether each
 * carries `@internal`. Types are left out: an exported type is part of the signatures that use it.
 */
function exportsOf(file: ts.SourceFile): Map<string, boolean> {
  const names = new Map<string, boolean>();
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.moduleSpecifier !== undefined) continue; // a re-export: counted as an import
      if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          if (!statement.isTypeOnly && !element.isTypeOnly) names.set(element.name.text, false);
        }
      }
      continue;
    }
    if (!hasExportModifier(statement)) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) {
          names.set(declaration.name.text, isInternal(file, statement));
        }
      }
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      const internal = isInternal(file, statement);
      names.set(statement.name.text, (names.get(statement.name.text) ?? false) || internal);
    }
  }
  return names;
}

/** The module file a relative specifier names (`./x.js` → `x.ts`), or undefined for packages. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  if (base.endsWith(".js")) return base.slice(0, -3) + ".ts";
  if (base.endsWith(".ts")) return base;
  return base + ".ts";
}

/** Names each importing file takes from each module: module → names ("*" for a namespace). */
function collectImports(files: string[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const use = (module: string | undefined, name: string): void => {
    if (module === undefined) return;
    let set = used.get(module);
    if (!set) used.set(module, (set = new Set()));
    set.add(name);
  };
  for (const path of files) {
    const file = parse(path);
    for (const node of file.statements) {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const module = resolveSpecifier(path, node.moduleSpecifier.text);
        const clause = node.importClause;
        if (clause?.name) use(module, "default");
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) use(module, "*");
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            use(module, (element.propertyName ?? element.name).text);
          }
        }
      } else if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const module = resolveSpecifier(path, node.moduleSpecifier.text);
        if (node.exportClause && ts.isNamedExports(node.exportClause)) {
          for (const element of node.exportClause.elements) {
            use(module, (element.propertyName ?? element.name).text);
          }
        } else use(module, "*");
      }
    }
    // `import("./x.js")`, as a dynamic import or in a type: counted as using the whole module.
    for (const match of file.text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) {
      use(resolveSpecifier(path, match[1] ?? ""), "*");
    }
  }
  return used;
}

/** Exports of src/ that tests import but nothing in src/, dev/, bench/ or packages/, untagged. */
function testOnlyExports(): string[] {
  const used = collectImports(IMPORTER_DIRS.flatMap((dir) => tsFiles(join(root, dir))));
  const usedByTests = collectImports(tsFiles(join(root, "test")));
  const findings: string[] = [];
  for (const path of tsFiles(join(root, "src"))) {
    const names = used.get(path);
    const testNames = usedByTests.get(path);
    if (names?.has("*") || testNames === undefined) continue;
    for (const [name, internal] of exportsOf(parse(path))) {
      if (internal || names?.has(name)) continue;
      if (!testNames.has(name) && !testNames.has("*")) continue;
      const finding = `${relative(root, path)}: ${name}`;
      findings.push(finding);
    }
  }
  return findings.sort();
}

describe("the public surface of src/", () => {
  it("has no export that only tests import, unless it is tagged @internal", () => {
    expect(testOnlyExports()).toEqual([]);
  });
});
