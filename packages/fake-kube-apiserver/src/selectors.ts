// Label and field selectors as kube-apiserver parses them from `labelSelector` / `fieldSelector`.
// Label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
// Field selectors: `path=v`, `path==v`, `path!=v` on the fields a resource declares.

import { badRequest } from "./status-error.ts";

export type LabelRequirement =
  | { readonly key: string; readonly op: "in" | "notin"; readonly values: readonly string[] }
  | { readonly key: string; readonly op: "exists" | "!exists" };

export interface FieldRequirement {
  readonly field: string;
  readonly op: "=" | "!=";
  readonly value: string;
}

/** A parsed selector; an empty one matches everything. */
export interface Selector<T> {
  readonly requirements: readonly T[];
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function checkKey(key: string, selector: string): string {
  if (!LABEL_KEY.test(key) || key.length > 316) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!LABEL_VALUE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${selector}"`);
  }
  return value;
}

export function parseLabelSelector(text: string | null | undefined): Selector<LabelRequirement> {
  const source = text ?? "";
  const requirements: LabelRequirement[] = [];
  for (const term of splitTopLevel(source)) {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch !== null) {
      const values = (setMatch[3] ?? "")
        .split(",")
        .map((v) => v.trim())
        .map((v) => checkValue(v, source));
      requirements.push({ key: checkKey(setMatch[1] ?? "", source), op: setMatch[2] === "in" ? "in" : "notin", values });
      continue;
    }
    const opMatch = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (opMatch !== null) {
      const key = checkKey(opMatch[1] ?? "", source);
      const value = checkValue((opMatch[3] ?? "").trim(), source);
      requirements.push({ key, op: opMatch[2] === "!=" ? "notin" : "in", values: [value] });
      continue;
    }
    if (term.startsWith("!")) {
      requirements.push({ key: checkKey(term.slice(1).trim(), source), op: "!exists" });
      continue;
    }
    requirements.push({ key: checkKey(term, source), op: "exists" });
  }
  return { requirements };
}

export function matchesLabels(selector: Selector<LabelRequirement>, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "in":
        return has && req.values.includes(labels[req.key] ?? "");
      case "notin":
        return !has || !req.values.includes(labels[req.key] ?? "");
    }
  });
}

/**
 * Parses a field selector; `allowedFields` is the resource's list of selectable fields, because the
 * real apiserver rejects any other field (a fake that accepted them would hide that bug).
 */
export function parseFieldSelector(
  text: string | null | undefined,
  allowedFields: readonly string[],
): Selector<FieldRequirement> {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTopLevel(text ?? "")) {
    const match = /^([^=!]+)(==|!=|=)(.*)$/.exec(term);
    if (match === null) {
      throw badRequest(`invalid selector: '${text ?? ""}'; can't understand '${term}'`);
    }
    const field = (match[1] ?? "").trim();
    if (!allowedFields.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    requirements.push({ field, op: match[2] === "!=" ? "!=" : "=", value: (match[3] ?? "").trim() });
  }
  return { requirements };
}

export function matchesFields(selector: Selector<FieldRequirement>, fields: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((req) => {
    const actual = fields[req.field] ?? "";
    return req.op === "=" ? actual === req.value : actual !== req.value;
  });
}
