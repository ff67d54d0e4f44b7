// Locating kubectl for the conformance tests: $KUBECTL when set, else `kubectl` on PATH.
// Tests that need it are skipped with a message when there is none (.ci/run installs Debian's).
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export function findKubectl(): string | undefined {
  const explicit = process.env["KUBECTL"];
  if (explicit !== undefined && explicit !== "") return explicit;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "kubectl");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
