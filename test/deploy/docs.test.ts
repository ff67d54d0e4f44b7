// The install and troubleshooting docs stay complete: every Event reason, skip reason and alert has a
// row in docs/troubleshooting.md, every alert's runbook link resolves to a heading in the docs, and the
// files the install docs point at exist.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SKIP_REASONS } from "../../src/domain/types.js";
import { EventReasons } from "../../src/kube/event-recorder.js";
import { REPO } from "../support/renderings.js";

const read = (path: string): string => readFileSync(join(REPO, path), "utf8");
const troubleshooting = read("docs/troubleshooting.md");
const rule = parse(read("deploy/kustomize/components/prometheus-operator/prometheusrule.yaml")) as {
  spec: { groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[] };
};
const alerts = rule.spec.groups.flatMap((g) => g.rules);

/** GitHub's anchor for a heading. */
const anchor = (heading: string): string => heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");

describe("docs/troubleshooting.md", () => {
  it.each(Object.values(EventReasons))("has a row for the Event reason %s", (reason) => {
    expect(troubleshooting).toMatch(new RegExp(`^\\| \`${reason}\` \\|`, "m"));
  });

  it.each([...SKIP_REASONS])("has a row for the skip reason %s", (reason) => {
    expect(troubleshooting).toMatch(new RegExp(`^\\| \`${reason}\` \\|`, "m"));
  });

  it.each(alerts.map((a) => a.alert))("has a row for the alert %s", (alert) => {
    expect(troubleshooting).toMatch(new RegExp(`^\\| \`${alert}\` \\|`, "m"));
  });
});

describe("docs/cli.md", () => {
  it("lists every skip reason of the code in the JSON report's schema, and no other", () => {
    const block = /^ {2}"skipped": \[\{ "nodeName": "\.\.\.", "reason": ([^]*?), "message"/m.exec(read("docs/cli.md"))?.[1];
    expect(block, "the skipped line of the JSON schema").toBeDefined();
    expect([...block!.matchAll(/"([a-z-]+)"/g)].map((m) => m[1])).toEqual([...SKIP_REASONS]);
  });
});

describe("reading the passes' logs", () => {
  // Only the leader reconciles, so only its pod logs the passes; `logs deploy/…` picks any replica.
  // The Lease holder is the leader's pod name: every rendering runs with --identity=$(POD_NAME).
  it.each(["docs/migrate-from-ccm.md", "docs/troubleshooting.md", "docs/metrics.md", "docs/operations.md", "docs/install.md"])("%s reads the passes from the Lease holder's pod", (doc) => {
    const text = read(doc);
    for (const line of text.split("\n").filter((l) => /kubectl -n \S+ logs /.test(l) && !l.includes("--previous"))) {
      expect(line, doc).toContain('logs "$leader"');
      expect(text, doc).toContain("leader=$(kubectl -n ");
    }
  });

  it("the chart's NOTES.txt does too, while leader election is on", () => {
    const [withElection] = read("charts/vpc-route-sync/templates/NOTES.txt").split("{{- else }}");
    expect(withElection).toMatch(/logs "\$\(kubectl .* get lease \{\{ \.Values\.leaderElection\.leaseName \}\} -o jsonpath='\{\.spec\.holderIdentity\}'\)" \| grep/);
    expect(withElection).not.toMatch(/logs deploy\//);
  });

  it("the renderings name each replica after its pod, so the Lease holder is the leader's pod", () => {
    for (const file of ["deploy/kustomize/base/deployment.yaml", "charts/vpc-route-sync/templates/deployment.yaml"]) {
      expect(read(file), file).toContain("- --identity=$(POD_NAME)");
    }
  });
});

describe("runbook links", () => {
  it.each(alerts.map((a) => [a.alert, a.annotations.runbook_url] as const))("%s links to a heading that exists", (_alert, url) => {
    const match = /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/(docs\/[\w-]+\.md)#([\w-]+)$/.exec(url);
    expect(match, url).not.toBeNull();
    const headings = read(match![1]!).split("\n").filter((l) => l.startsWith("#")).map((l) => anchor(l.replace(/^#+/, "")));
    expect(headings).toContain(match![2]);
  });
});

describe("the install docs", () => {
  it.each(["docs/install.md", "docs/rrsa.md", "docs/migrate-from-ccm.md", "docs/troubleshooting.md"])("%s links only to files that exist", (doc) => {
    const text = read(doc);
    const targets = [...text.matchAll(/\]\((\.\.\/[^)#]+|[\w-]+\.md)(#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(existsSync(join(REPO, "docs", target)), `${doc} → ${target}`).toBe(true);
  });

  it("README points new users to docs/install.md", () => {
    expect(read("README.md")).toContain("docs/install.md");
  });
});
