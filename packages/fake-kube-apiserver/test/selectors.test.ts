// Label and field selector parsing and matching, table-driven.

import { describe, expect, it } from "vitest";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "../src/selectors.ts";

const labels = { app: "web", tier: "front", "node-role.kubernetes.io/worker": "" };

describe("label selectors", () => {
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["app", true],
    ["!app", false],
    ["!missing", true],
    ["app in (web, db)", true],
    ["app notin (web,db)", false],
    ["app=web,tier=back", false],
    ["app=web, tier in (front)", true],
    ["node-role.kubernetes.io/worker", true],
    ["node-role.kubernetes.io/worker=", true],
  ])("%j matches: %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(["app===web", "-bad=x", "app=in valid"])("rejects %j with 400", (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe("field selectors", () => {
  const allowed = ["metadata.name", "spec.unschedulable"];
  const fields = { "metadata.name": "n1", "spec.unschedulable": "false" };

  it.each([
    ["metadata.name=n1", true],
    ["metadata.name==n1", true],
    ["metadata.name!=n1", false],
    ["metadata.name=n1,spec.unschedulable=true", false],
    ["spec.unschedulable!=true", true],
  ])("%j matches: %s", (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, allowed), fields)).toBe(expected);
  });

  it.each([
    ["spec.providerID=x", "field label not supported: spec.providerID"],
    ["metadata.name", "invalid selector"],
  ])("rejects %j", (selector, message) => {
    expect(() => parseFieldSelector(selector, allowed)).toThrow(message);
  });
});
