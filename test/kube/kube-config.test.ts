import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeConfigError, loadKubeConfig } from "../../src/kube/kube-config.js";

function kubeconfig(name: string, server: string, options: { insecure?: boolean; extraContext?: string } = {}): string {
  const contexts = [name, ...(options.extraContext ? [options.extraContext] : [])];
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    ...(options.insecure === false ? [] : ["    insecure-skip-tls-verify: true"]),
    "contexts:",
    ...contexts.flatMap((c) => [`- name: ${c}`, "  context:", `    cluster: ${name}`, `    user: ${name}`]),
    `current-context: ${name}`,
    "users:",
    `- name: ${name}`,
    "  user:",
    "    token: t",
    "",
  ].join("\n");
}

describe("loadKubeConfig", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kube-config-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prefers the explicit path over KUBECONFIG and in-cluster", async () => {
    await writeFile(join(dir, "a"), kubeconfig("a", "http://127.0.0.1:1001"));
    await writeFile(join(dir, "b"), kubeconfig("b", "http://127.0.0.1:1002"));
    const kc = loadKubeConfig({
      kubeconfigPath: join(dir, "a"),
      kubeconfigEnv: join(dir, "b"),
      inCluster: { serviceHost: "10.0.0.1", servicePort: "443" },
    });
    expect(kc.getCurrentCluster()?.server).toBe("http://127.0.0.1:1001");
  });

  it("uses the first KUBECONFIG file's context and merges the others", async () => {
    await writeFile(join(dir, "a"), kubeconfig("a", "http://127.0.0.1:1001"));
    await writeFile(join(dir, "b"), kubeconfig("b", "http://127.0.0.1:1002"));
    const kc = loadKubeConfig({ kubeconfigEnv: `${join(dir, "a")}:${join(dir, "b")}` });
    expect(kc.getCurrentCluster()?.server).toBe("http://127.0.0.1:1001");
    expect(kc.getContexts().map((c) => c.name)).toEqual(["a", "b"]);
    const other = loadKubeConfig({ kubeconfigEnv: `${join(dir, "a")}:${join(dir, "b")}`, context: "b" });
    expect(other.getCurrentCluster()?.server).toBe("http://127.0.0.1:1002");
  });

  it("builds an in-cluster config from passed-in values and the service account files", async () => {
    const sa = join(dir, "sa");
    await mkdir(sa);
    await writeFile(join(sa, "token"), "sa-token");
    await writeFile(join(sa, "ca.crt"), "not really a CA");
    await writeFile(join(sa, "namespace"), "kube-system\n");
    const kc = loadKubeConfig({ inCluster: { serviceHost: "fd00::1", servicePort: "443", serviceAccountDir: sa } });
    expect(kc.getCurrentCluster()).toMatchObject({ server: "https://[fd00::1]:443", caFile: join(sa, "ca.crt"), skipTLSVerify: false });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe("kube-system");
    expect(kc.getCurrentUser()?.authProvider).toEqual({ name: "tokenFile", config: { tokenFile: join(sa, "token") } });
  });

  it("falls back to ~/.kube/config when a home directory is given", async () => {
    await mkdir(join(dir, ".kube"));
    await writeFile(join(dir, ".kube", "config"), kubeconfig("home", "http://127.0.0.1:1003"));
    expect(loadKubeConfig({ homeDir: dir }).getCurrentCluster()?.server).toBe("http://127.0.0.1:1003");
  });

  it.each<[string, () => Parameters<typeof loadKubeConfig>[0], RegExp]>([
    ["nothing configured", () => ({}), /no Kubernetes configuration found; tried: --kubeconfig \(not set\), KUBECONFIG \(not set\), in-cluster/],
    ["missing explicit file", () => ({ kubeconfigPath: join(dir, "nope") }), /--kubeconfig: kubeconfig file .*nope does not exist/],
    ["missing KUBECONFIG file", () => ({ kubeconfigEnv: join(dir, "nope") }), /KUBECONFIG: kubeconfig file .*nope does not exist/],
    ["in-cluster without token", () => ({ inCluster: { serviceHost: "10.0.0.1", servicePort: "443", serviceAccountDir: join(dir, "none") } }), /service account token .* does not exist/],
    ["unknown context", () => ({ kubeconfigPath: join(dir, "ok"), context: "other" }), /context "other" not found \(known contexts: ok\)/],
    ["plain http without skip-tls-verify", () => ({ kubeconfigPath: join(dir, "plain") }), /uses plain HTTP .*insecure-skip-tls-verify: true/],
    ["not YAML", () => ({ kubeconfigPath: join(dir, "garbage") }), /cannot load kubeconfig file .*garbage/],
  ])("fails clearly: %s", async (_name, options, message) => {
    await writeFile(join(dir, "ok"), kubeconfig("ok", "http://127.0.0.1:1001"));
    await writeFile(join(dir, "plain"), kubeconfig("plain", "http://127.0.0.1:1001", { insecure: false }));
    await writeFile(join(dir, "garbage"), "clusters: [unclosed");
    expect(() => loadKubeConfig(options())).toThrow(KubeConfigError);
    expect(() => loadKubeConfig(options())).toThrow(message);
  });
});
