// The program version shown by --version: package.json's, read relative to this module so that
// it works from src/ (tests) and dist/ (the published CLI) alike.

import { readFileSync } from "node:fs";

export function readPackageVersion(): string {
  for (const relative of ["../../package.json", "../package.json"]) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "vpc-route-sync" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // Try the next candidate; the layout differs between src/ and dist/.
    }
  }
  return "0.0.0-unknown";
}
