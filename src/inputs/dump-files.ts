// The dump files a command reads instead of the Kubernetes API (`--nodes-file`, doctor's
// `--pods-file` and the like): `kubectl get <plural> -o json` output, a single object or an array.
// Shared by commands/ and doctor/ (docs/architecture.md).
import { readFile } from "node:fs/promises";
import type { CommandIo } from "../config/index.js";
import { nodeFactsFrom } from "../domain/node-facts.js";
import type { NodeFacts } from "../domain/types.js";
import { ConfigError, errorMessage } from "../errors.js";
import { describeJsonError } from "../observability/safe-parse-error.js";

/** Error for a `--nodes-file` (or another dump file) that cannot be used; the message names the file and the problem. */
export class NodesFileError extends ConfigError {
  override readonly name: string = "NodesFileError";
}

/**
 * Reads Nodes from `kubectl get nodes -o json` output (a List with `items`), a single Node, or
 * a JSON array of Nodes. `-` reads standard input.
 */
export async function readNodesFile(path: string, io: CommandIo): Promise<NodeFacts[]> {
  const label = path === "-" ? "standard input" : path;
  const items = await readObjectsFile(path, { flag: "nodes-file", kind: "Node", plural: "nodes" }, io);
  return items.map((item, i) => {
    const facts = nodeFactsFrom(item);
    if (!facts.nodeName) throw new NodesFileError(`--nodes-file ${label}: item ${i} has no metadata.name`);
    return facts;
  });
}

/**
 * The objects of a `kubectl get <plural> [-A] -o json` dump (a List with `items`), of a single
 * object of `kind`, or of a JSON array. `-` reads standard input. Every item is an object.
 */
export async function readObjectsFile(
  path: string,
  what: { readonly flag: string; readonly kind: string; readonly plural: string },
  io: CommandIo,
): Promise<Record<string, unknown>[]> {
  const label = path === "-" ? "standard input" : path;
  let text: string;
  try {
    text = path === "-" ? await readStream(io.stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new NodesFileError(`cannot read --${what.flag} ${label}: ${errorMessage(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Never the parser's message: V8 quotes the input there, and a dump may hold secrets
    // (annotations, labels, env values); the position is enough to find the problem.
    throw new NodesFileError(
      `--${what.flag} ${label} is ${describeJsonError(error as SyntaxError, text)}; expected the output of 'kubectl get ${what.plural} -o json'`,
    );
  }
  const items = listItems(parsed, what.kind);
  if (!items) {
    throw new NodesFileError(
      `--${what.flag} ${label} holds no ${what.kind}s: expected a ${what.kind}List/List with "items", a ${what.kind}, or an array of ${what.kind}s`,
    );
  }
  return items.map((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new NodesFileError(`--${what.flag} ${label}: item ${i} is not an object`);
    }
    return item as Record<string, unknown>;
  });
}

function listItems(parsed: unknown, kind: string): unknown[] | undefined {
  if (Array.isArray(parsed)) return parsed as unknown[];
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const obj = parsed as { kind?: unknown; items?: unknown };
  if (Array.isArray(obj.items)) return obj.items as unknown[];
  if (obj.kind === kind) return [parsed];
  return undefined;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
