// Which hosts plain HTTP may go to: the loopback interface only (127.0.0.0/8, ::1, localhost).
// Anything sent over plain HTTP to another host crosses a network in clear text; to the VPC API
// that includes the AccessKey id, the request signature and the STS security token.
import { isIPv4 } from "node:net";

/** True for `localhost`, an address in 127.0.0.0/8 and `::1` (also bracketed, as URLs spell it). */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1") return true;
  return isIPv4(name) && name.startsWith("127.");
}
