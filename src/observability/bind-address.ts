// Parsing of listen addresses as operators write them in flags: ":9090" (all interfaces),
// "127.0.0.1:9090", "localhost:0", "[::1]:8081", "[::]:8081". Port 0 asks the OS for a free port.

import { isIP } from "node:net";
import { ConfigError } from "../errors.js";

export interface BindAddress {
  /** undefined means all interfaces (IPv6 and IPv4 where the OS allows dual-stack sockets). */
  readonly host: string | undefined;
  readonly port: number;
}

export class BindAddressError extends ConfigError {
  override readonly name: string = "BindAddressError";
  readonly bindAddress: string;

  constructor(bindAddress: string, problem: string) {
    super(`invalid bind address ${JSON.stringify(bindAddress)}: ${problem} (expected ":PORT", "HOST:PORT" or "[IPv6]:PORT", port 0-65535)`);
    this.bindAddress = bindAddress;
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function parseBindAddress(bindAddress: string): BindAddress {
  const text = bindAddress.trim();
  let hostPart: string;
  let portPart: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw new BindAddressError(bindAddress, "missing ']' after the IPv6 address");
    hostPart = text.slice(1, close);
    if (text[close + 1] !== ":") throw new BindAddressError(bindAddress, "missing ':PORT' after ']'");
    portPart = text.slice(close + 2);
    if (isIP(hostPart) !== 6) throw new BindAddressError(bindAddress, `"${hostPart}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new BindAddressError(bindAddress, "missing ':PORT'");
    hostPart = text.slice(0, colon);
    portPart = text.slice(colon + 1);
    if (hostPart.includes(":")) throw new BindAddressError(bindAddress, "an IPv6 address must be written in brackets");
    if (hostPart !== "" && isIP(hostPart) !== 4 && !HOSTNAME.test(hostPart)) {
      throw new BindAddressError(bindAddress, `"${hostPart}" is not an IPv4 address or host name`);
    }
  }
  if (!/^\d{1,5}$/.test(portPart)) throw new BindAddressError(bindAddress, `"${portPart}" is not a port number`);
  const port = Number(portPart);
  if (port > 65535) throw new BindAddressError(bindAddress, `port ${port} is above 65535`);
  return { host: hostPart === "" ? undefined : hostPart, port };
}
