// The checked-in corpus of malformed configuration files (test/corpus/*), each run through the
// built CLI: the exit code and one-line message are the documented ones, and no secret planted in
// a file (tokens, client keys, AccessKey secrets, in base64 and decoded) appears in any output,
// also at the most verbose log level. Cases are listed in test/corpus/cases.json.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { baseEnv, runCli } from "../support/cli.js";

interface CorpusCase {
  readonly file: string;
  readonly flag: "--kubeconfig" | "--cloud-config" | "--nodes-file";
  readonly exit: number;
  readonly message: string;
  readonly secrets: readonly string[];
}

const CORPUS = fileURLToPath(new URL("../corpus/", import.meta.url));
const { cases } = JSON.parse(readFileSync(`${CORPUS}cases.json`, "utf8")) as { cases: CorpusCase[] };

/** Everything else a `reconcile --dry-run` needs; the VPC endpoint is never reached (a config error comes first). */
function args(c: CorpusCase): string[] {
  const path = `${CORPUS}${c.file}`;
  return [
    "reconcile",
    "--dry-run",
    "--log-level", "trace",
    "--cluster-name", "corpus",
    "--cluster-cidr", "10.244.0.0/16",
    "--route-table-ids", "vtb-corpus000001",
    "--vpc-endpoint", "127.0.0.1:9",
    ...(c.flag === "--cloud-config" ? ["--nodes-file", "-"] : ["--region", "cn-hangzhou"]),
    c.flag, path,
  ];
}

describe("malformed configuration files (test/corpus)", () => {
  it("covers every kind of file", () => {
    expect(new Set(cases.map((c) => c.flag))).toEqual(new Set(["--kubeconfig", "--cloud-config", "--nodes-file"]));
  });

  it.concurrent.each(cases.map((c) => [c.file, c] as const))("%s", async (_file, c) => {
    // The planted secret is really in the file (as is, or base64-encoded): the check below can fail.
    const text = readFileSync(`${CORPUS}${c.file}`, "utf8");
    for (const secret of c.secrets) expect(text.includes(secret) || text.includes(Buffer.from(secret).toString("base64")), secret).toBe(true);
    const result = await runCli(args(c), {
      env: baseEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAI5tCORPUS0000000001", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "corpus-env-secret-0000001" }),
      stdin: "[]",
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(c.exit);
    expect(result.stderr).toContain(c.message);
    expect(result.stderr).toContain(c.file.split("/")[1]);
    expect(result.stderr.trim().split("\n"), "one line").toHaveLength(1);
    for (const secret of c.secrets) expect(output).not.toContain(secret);
  });
});
