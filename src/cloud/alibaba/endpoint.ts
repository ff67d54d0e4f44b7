// Parses the user's VPC endpoint setting into what the SDK Config wants: a host[:port] (signed as
// the `host` header) and a protocol. Accepts a URL ("http://127.0.0.1:1234") or a bare host
// ("vpc-vpc.cn-shanghai.aliyuncs.com", "127.0.0.1:1234"). See docs/cloud-adapter.md (Options).
import { isLoopbackHost } from "../../util/loopback-host.js";

export interface ParsedEndpoint {
  /** host or host:port, exactly as it goes into the SDK Config. */
  readonly endpoint: string;
  readonly protocol: "http" | "https";
}

/**
 * A bare loopback host defaults to http (the fake VPC server and local proxies speak plain HTTP);
 * any other bare host defaults to https, as the real API requires.
 */
export function parseEndpoint(value: string): ParsedEndpoint {
  const text = value.trim();
  if (text === "") throw new TypeError("VPC endpoint is empty: give a host (vpc.cn-shanghai.aliyuncs.com) or a URL (http://127.0.0.1:8080)");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch (error) {
      throw new TypeError(`VPC endpoint ${JSON.stringify(value)} is not a valid URL`, { cause: error });
    }
    const scheme = url.protocol.replace(/:$/, "").toLowerCase();
    if (scheme !== "http" && scheme !== "https") {
      throw new TypeError(`VPC endpoint ${JSON.stringify(value)} has protocol ${scheme}; only http and https are supported`);
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "" || url.username !== "") {
      throw new TypeError(`VPC endpoint ${JSON.stringify(value)} must be a bare origin (no path, query, fragment or user info)`);
    }
    if (scheme === "http" && !isLoopbackHost(url.hostname)) {
      throw new TypeError(
        `VPC endpoint ${JSON.stringify(value)} uses plain http to a host other than loopback: the signed requests and the STS token would cross the network in clear text (use https)`,
      );
    }
    return { endpoint: url.host, protocol: scheme };
  }
  if (/[/?#@\s]/.test(text)) {
    throw new TypeError(`VPC endpoint ${JSON.stringify(value)} is neither a host[:port] nor an http(s) URL`);
  }
  const host = text.startsWith("[") ? text.slice(1, text.indexOf("]")) : text.split(":")[0] ?? "";
  return { endpoint: text, protocol: isLoopbackHost(host) ? "http" : "https" };
}
