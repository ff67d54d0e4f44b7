// A complete, paginated list of Nodes. Big clusters answer `limit`/`continue` pages; a continue
// token that expired between pages (HTTP 410) restarts the list once from the beginning, because a
// partial list stitched from two snapshots could miss or duplicate Nodes.

import type { V1Node } from "@kubernetes/client-node";
import type { CoreV1Api } from "./kube-apis.js";
import { describeKubeError, isGone, unreachableMessage } from "./api-error.js";
import { KubernetesError } from "../errors.js";
import { abortable } from "./request-options.js";

export interface ListAllNodesOptions {
  /** Nodes per page. @default 500 (what kubectl uses) */
  pageSize?: number;
  /** Restrict the list; the informer passes none. */
  labelSelector?: string;
  /** Aborts every page request (the informer's list deadline). */
  signal?: AbortSignal;
}

export interface NodeListResult {
  readonly items: V1Node[];
  /** The resourceVersion of the (first page's) snapshot; a watch started from it misses nothing. */
  readonly resourceVersion: string;
}

export class NodeListError extends KubernetesError {
  override readonly name: string = "NodeListError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export async function listAllNodes(core: CoreV1Api, options: ListAllNodesOptions = {}): Promise<NodeListResult> {
  const pageSize = options.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new NodeListError(`pageSize must be a positive integer, got ${pageSize}`);
  }
  try {
    return await listOnce(core, pageSize, options.labelSelector, options.signal);
  } catch (error) {
    if (!isGone(error)) throw wrap(error);
  }
  try {
    return await listOnce(core, pageSize, options.labelSelector, options.signal);
  } catch (error) {
    throw wrap(error);
  }
}

async function listOnce(core: CoreV1Api, limit: number, labelSelector: string | undefined, signal: AbortSignal | undefined): Promise<NodeListResult> {
  const items: V1Node[] = [];
  let resourceVersion = "";
  let continueToken: string | undefined;
  do {
    const page = await core.listNode({
      limit,
      ...(continueToken ? { _continue: continueToken } : {}),
      ...(labelSelector ? { labelSelector } : {}),
    }, signal ? abortable(signal) : undefined);
    items.push(...page.items);
    // Every page of one paginated list belongs to the same snapshot; keep the first page's version.
    if (resourceVersion === "") resourceVersion = page.metadata?.resourceVersion ?? "";
    continueToken = page.metadata?._continue || undefined;
  } while (continueToken);
  return { items, resourceVersion };
}

function wrap(error: unknown): NodeListError {
  return new NodeListError(unreachableMessage(error) ?? `cannot list Nodes from the Kubernetes API: ${describeKubeError(error)}`, { cause: error });
}
