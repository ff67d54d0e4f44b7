// docs/install.md reads the region and instance id from the ECS metadata service to build the
// kubelet's --provider-id. Its commands are run here, as written, against a metadata service on
// 127.0.0.1 that, like an instance set to security hardening (token) mode only, answers reads only
// with a token from `PUT /latest/api/token` (curl's --connect-to sends 100.100.100.200:80 there).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../support/renderings.js";

const run = promisify(execFile);
const TOKEN = "AQAEAGqYMDEx-token";

/** The shell block of "1. What the cluster must provide" that prints --provider-id. */
const block = /```sh\n((?:(?!```).*\n)*?.*--provider-id=.*\n)\s*```/.exec(readFileSync(join(REPO, "docs/install.md"), "utf8"))?.[1] ?? "";

let server: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method ?? ""} ${req.url ?? ""}`);
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      const ttl = Number(req.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]);
      res.writeHead(ttl >= 1 && ttl <= 21600 ? 200 : 400).end(ttl >= 1 && ttl <= 21600 ? TOKEN : "bad ttl");
      return;
    }
    if (req.headers["x-aliyun-ecs-metadata-token"] !== TOKEN) {
      res.writeHead(403).end("token required");
      return;
    }
    const answers: Record<string, string> = { "/latest/meta-data/region-id": "cn-hangzhou", "/latest/meta-data/instance-id": "i-bp1docs00000000001" };
    const answer = answers[req.url ?? ""];
    res.writeHead(answer === undefined ? 404 : 200).end(answer ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

/** Runs shell text with every curl sent to the local service instead of 100.100.100.200:80. */
async function shell(text: string): Promise<string> {
  const curl = `curl() { command curl --connect-to 100.100.100.200:80:127.0.0.1:${port} "$@"; }\n`;
  const { stdout } = await run("bash", ["-c", `set -e\n${curl}${text}`], { encoding: "utf8", timeout: 30_000 });
  return stdout;
}

const haveCurl = await run("curl", ["--version"]).then(
  () => true,
  () => false,
);
if (!haveCurl) console.warn("test/deploy/install-metadata: SKIPPED: no curl on PATH");

describe.skipIf(!haveCurl)("docs/install.md: the kubelet's --provider-id from the metadata service", () => {
  it("works on an instance that allows only token mode", async () => {
    expect(block).toContain("/latest/api/token");
    expect(await shell(block)).toBe("--provider-id=cn-hangzhou.i-bp1docs00000000001\n");
    expect(seen).toEqual(["PUT /latest/api/token", "GET /latest/meta-data/region-id", "GET /latest/meta-data/instance-id"]);
  });

  it("where the normal mode (no token) is refused", async () => {
    await expect(shell("curl -sf http://100.100.100.200/latest/meta-data/region-id")).rejects.toThrow();
  });
});
