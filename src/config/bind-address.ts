// Splits a validated `[host]:port` bind address into what net.Server.listen takes.

export interface ListenAddress {
  /** Undefined for ":port" (all interfaces). IPv6 without brackets. */
  readonly host?: string | undefined;
  readonly port: number;
}

export function splitBindAddress(address: string): ListenAddress {
  const colon = address.lastIndexOf(":");
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host: host === "" ? undefined : host, port: Number(address.slice(colon + 1)) };
}
