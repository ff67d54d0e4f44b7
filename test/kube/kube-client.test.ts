// The operator's own Kubernetes client (kube-client.ts, kube-connection.ts): the credentials it
// implements itself (CA-verified TLS, bearer token, token file re-read), the ones it hands to
// @kubernetes/client-node (an exec plugin), and the promise that `run` never loads client-node.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeKube, type FakeKubeServer } from "@vpc-route-sync/fake-kube-apiserver";
import { CoreV1Api } from "../../src/kube/kube-apis.js";
import { nativeAuth } from "../../src/kube/kube-client.js";
import { loadKubeConfig } from "../../src/kube/kube-config.js";
import { listAllNodes } from "../../src/kube/node-lister.js";
import { nodeBody } from "./helpers.js";

/** The fake's kubeconfig with its user entry replaced by `user` (YAML lines under `user:`). */
function withUser(kubeconfig: string, user: string[]): string {
  const at = kubeconfig.indexOf("users:");
  const name = /- name: (.*)\n/.exec(kubeconfig.slice(at))?.[1] ?? "fake";
  return `${kubeconfig.slice(0, at)}users:\n- name: ${name}\n  user:\n${user.map((line) => `    ${line}`).join("\n")}\n`;
}

describe("the operator's Kubernetes client", () => {
  let fake: FakeKubeServer | undefined;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kube-client-"));
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("verifies the server against the kubeconfig's CA and sends its bearer token, without client-node", async () => {
    fake = await startFakeKube({ tls: true, anonymous: false, nodes: [nodeBody("n1", 1), nodeBody("n2", 2)] });
    const connection = loadKubeConfig({ kubeconfigPath: fake.kubeconfigPath });
    expect(connection.delegatedAuth).toBeUndefined();
    const { items } = await listAllNodes(connection.makeApiClient(CoreV1Api), { pageSize: 1 });
    expect(items.map((n) => n.metadata?.name)).toEqual(["n1", "n2"]);

    const wrongToken = join(dir, "wrong");
    await writeFile(wrongToken, withUser(fake.kubeconfig, ['token: "not-the-token"']));
    const refused = loadKubeConfig({ kubeconfigPath: wrongToken }).makeApiClient(CoreV1Api);
    await expect(refused.readNamespace({ name: "kube-system" })).rejects.toMatchObject({ name: "KubeApiError", code: 401, statusCode: 401 });
  });

  it("reads a token file when first used and again after a minute, not on every request", async () => {
    fake = await startFakeKube({ anonymous: false });
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "stale-token\n");
    let now = 0;
    const auth = nativeAuth({ server: "http://127.0.0.1:1", skipTLSVerify: true, tokenFile }, () => now);
    const header = async (): Promise<string | undefined> => {
      const options = { headers: {} as Record<string, string> };
      await auth(options);
      return options.headers.Authorization;
    };
    expect(await header()).toBe("Bearer stale-token");
    await writeFile(tokenFile, "fresh-token\n");
    now = 59_000;
    expect(await header()).toBe("Bearer stale-token");
    now = 60_000;
    expect(await header()).toBe("Bearer fresh-token");

    // And through a kubeconfig's `tokenFile`, against the server.
    await writeFile(tokenFile, `${fake.token}\n`);
    const config = join(dir, "config");
    await writeFile(config, withUser(fake.kubeconfig, [`tokenFile: ${JSON.stringify(tokenFile)}`]));
    const namespace = await loadKubeConfig({ kubeconfigPath: config }).makeApiClient(CoreV1Api).readNamespace({ name: "kube-system" });
    expect(namespace.metadata?.uid).toBeTruthy();
  });

  it("hands credentials it does not implement (an exec plugin) to client-node, and the calls still work", async () => {
    fake = await startFakeKube({ anonymous: false, nodes: [nodeBody("n1", 1)] });
    const credential = JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: fake.token } });
    const config = join(dir, "config");
    await writeFile(
      config,
      withUser(fake.kubeconfig, [
        "exec:",
        "  apiVersion: client.authentication.k8s.io/v1",
        `  command: ${JSON.stringify(process.execPath)}`,
        `  args: ["-e", ${JSON.stringify(`process.stdout.write(${JSON.stringify(credential)})`)}]`,
        "  interactiveMode: Never",
      ]),
    );
    // The fake refuses requests without its token: the list succeeding means the plugin's token was sent.
    const connection = loadKubeConfig({ kubeconfigPath: config });
    expect(connection.delegatedAuth).toBe("exec plugin");
    const { items } = await listAllNodes(connection.makeApiClient(CoreV1Api));
    expect(items.map((n) => n.metadata?.name)).toEqual(["n1"]);
  });

  it("`run`'s modules never load @kubernetes/client-node", () => {
    // A resolve hook logs every specifier; the built controller and run command are imported.
    const hook = `
      import { registerHooks } from "node:module";
      registerHooks({ resolve(specifier, context, next) { if (specifier.includes("client-node")) process.stdout.write("LOADED " + specifier + "\\n"); return next(specifier, context); } });
      await import(${JSON.stringify(join(process.cwd(), "dist/commands/run.js"))});
      await import(${JSON.stringify(join(process.cwd(), "dist/controller/controller.js"))});
      process.stdout.write("imported\\n");
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", hook], { encoding: "utf8" });
    expect(output).toBe("imported\n");
  });
});
