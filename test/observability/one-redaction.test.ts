// One redaction marker and one secret heuristic: observability/secret-scrubber.ts defines the
// marker; the credentials' views, kubeconfig messages and parse-error descriptions all use it, and
// the parse-error helper finds candidate values through the scrubber, not a heuristic of its own.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AccessKeyCredential } from "../../src/config/index.js";
import { REDACTED, redactValuesOf } from "../../src/observability/secret-scrubber.js";
import { describeWithoutContent } from "../../src/observability/safe-parse-error.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("the redaction marker", () => {
  it("is spelled in one file of src/", () => {
    const spelling = /\[redacted\]/i;
    const files = sources(SRC).filter((file) => spelling.test(readFileSync(file, "utf8")));
    expect(files.map((file) => file.slice(SRC.length))).toEqual(["observability/secret-scrubber.ts"]);
  });

  it("is what the credentials show and what parse errors put in place of a value", () => {
    const credential = new AccessKeyCredential({ accessKeyId: "LTAI5tExample", accessKeySecret: "s3cretValue0", origin: "test" });
    expect(JSON.stringify(credential)).toContain(`"accessKeySecret":"${REDACTED}"`);
    const text = "token: tok3nValue9\nbroken: [";
    expect(describeWithoutContent(new Error("bad line near tok3nValue9"), text)).toBe(`bad line near ${REDACTED}`);
    expect(redactValuesOf("password=hunter2hunter and tok3nValue9", text)).toBe(`password=${REDACTED} and ${REDACTED}`);
  });
});
