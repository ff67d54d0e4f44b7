// Reads the Alibaba Cloud CCM `cloud-config` file for drop-in migration from the CCM route
// controller. The CCM (kubernetes/cloud-provider-alibaba-cloud, pkg/config/cloud_config.go)
// unmarshals it with a YAML-to-JSON library into a struct with a `Global` object, so both JSON
// and YAML work and key matching is case-insensitive (Go's encoding/json): `vpcid`, `vpcID`
// and `VpcID` are the same key. Its `accessKeyID`/`accessKeySecret` are always base64-encoded
// (the CCM's LoadAK base64-decodes them), and so are they here.

import { isAlias, parseDocument, visit, type Document } from "yaml";
import { positionOf } from "../observability/safe-parse-error.js";
import { AccessKeyCredential } from "./access-key-credential.js";
import { ConfigError } from "../errors.js";

/** A string value from the cloud-config with the key spelling found, for messages. */
export interface CloudConfigValue {
  readonly value: string;
  /** e.g. "Global.vpcid" as spelled in the file. */
  readonly key: string;
}

export interface CloudConfig {
  readonly file: string;
  readonly region?: CloudConfigValue | undefined;
  readonly vpcId?: CloudConfigValue | undefined;
  /** Comma-separated, as in the CCM. */
  readonly routeTableIds?: CloudConfigValue | undefined;
  readonly clusterId?: CloudConfigValue | undefined;
  /** Both keys decoded; absent when the file has neither. */
  readonly accessKey?: AccessKeyCredential | undefined;
}

/**
 * Parses the text of a cloud-config file. Unknown keys are ignored. Throws ConfigError naming
 * the file and the line, or the key, that is wrong; never includes key material.
 */
export function parseCloudConfig(file: string, text: string): CloudConfig {
  const document = parseDocument(text, { schema: "failsafe" });
  const error = document.errors[0];
  if (error !== undefined) {
    // The library's message can quote the offending source line, which may hold a secret:
    // keep only its reason and position.
    const reason = (error.message.split(/ at line \d+|\n/)[0] ?? "").replace(/:.*$/, "").trim();
    const position = error.linePos?.[0];
    const where = position === undefined ? "" : ` at line ${position.line}, column ${position.col}`;
    throw new ConfigError(`cannot parse --cloud-config "${file}"${where}: ${reason || error.code} (expected JSON or YAML)`);
  }
  const root = resolveAliases(file, text, document);
  if (root === null || root === undefined || root === "") return { file };
  if (!isRecord(root)) {
    throw new ConfigError(`cannot use --cloud-config "${file}": expected an object with a "Global" object`);
  }
  const globalKey = findKey(root, "Global");
  if (globalKey === undefined) return { file };
  const global = root[globalKey];
  if (global === null || global === undefined || global === "") return { file };
  if (!isRecord(global)) {
    throw new ConfigError(`cannot use --cloud-config "${file}": "${globalKey}" must be an object`);
  }

  const read = (name: string): CloudConfigValue | undefined => {
    const key = findKey(global, name);
    if (key === undefined) return undefined;
    const value = global[key];
    if (typeof value !== "string") {
      throw new ConfigError(`cannot use --cloud-config "${file}": ${globalKey}.${key} must be a string`);
    }
    const trimmed = value.trim();
    // Go would leave an explicit JSON null as the empty string: both mean "not set".
    if (trimmed === "" || trimmed === "null") return undefined;
    return { value: trimmed, key: `${globalKey}.${key}` };
  };

  const accessKeyId = read("accessKeyID");
  const accessKeySecret = read("accessKeySecret");
  let accessKey: AccessKeyCredential | undefined;
  if (accessKeyId !== undefined || accessKeySecret !== undefined) {
    if (accessKeyId === undefined || accessKeySecret === undefined) {
      const missing = accessKeyId === undefined ? "accessKeyID" : "accessKeySecret";
      const present = accessKeyId === undefined ? accessKeySecret?.key : accessKeyId.key;
      throw new ConfigError(
        `incomplete credentials in --cloud-config "${file}": ${present} is set but ${globalKey}.${missing} is not (set both or neither)`,
      );
    }
    accessKey = new AccessKeyCredential({
      accessKeyId: decodeKey(file, accessKeyId),
      accessKeySecret: decodeKey(file, accessKeySecret),
      origin: `cloud-config ${file}`,
    });
  }

  return {
    file,
    region: read("region"),
    vpcId: read("vpcid"),
    routeTableIds: read("routeTableIDs"),
    clusterId: read("clusterID"),
    accessKey,
  };
}

/**
 * The document as plain values. Resolving YAML aliases can fail (an alias to no anchor, too many
 * aliases); the library's message then ends with the alias name, which may be the secret itself
 * (`accessKeySecret: *c2VjcmV0` is an alias, not a value): tell the line, never the name.
 */
function resolveAliases(file: string, text: string, document: Document): unknown {
  try {
    return document.toJS();
  } catch (error) {
    let offset: number | undefined;
    visit(document, {
      Alias(_key, node) {
        if (offset !== undefined || !isAlias(node) || node.resolve(document) !== undefined) return;
        offset = node.range?.[0];
      },
    });
    const where = offset === undefined ? "" : ` at ${positionOf(text, offset)}`;
    const excessive = error instanceof Error && error.message.startsWith("Excessive alias count");
    const reason = excessive ? "too many YAML aliases (*name)" : "a YAML alias (*name) refers to no anchor (&name) set before it";
    throw new ConfigError(`cannot parse --cloud-config "${file}"${where}: ${reason} (expected JSON or YAML; write the value itself)`);
  }
}

function decodeKey(file: string, encoded: CloudConfigValue): string {
  const compact = encoded.value.replace(/[\r\n]/g, "");
  const wellFormed = /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0;
  const decoded = wellFormed ? Buffer.from(compact, "base64").toString("utf8") : "";
  // AccessKey ids and secrets are printable ASCII; anything else means the value was not
  // base64 of a key (typically a plain-text key pasted into the file).
  if (!/^[\x21-\x7e]+$/.test(decoded)) {
    throw new ConfigError(
      `invalid ${encoded.key} in --cloud-config "${file}": expected the base64 encoding of the key, as the Alibaba CCM reads it (e.g. printf %s "$KEY" | base64)`,
    );
  }
  return decoded;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Exact key first, else the last case-insensitive match (as Go's encoding/json ends up with). */
function findKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object)
    .filter((key) => key.toLowerCase() === lower)
    .at(-1);
}
