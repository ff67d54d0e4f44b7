// Starting and stopping the fake's node:http(s) server. The package depends on nothing of the
// product, so it keeps its own copy of these two helpers (the product's is src/util/http-listen.ts).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on `host:port` (port 0: a free port); resolves with the bound address, rejects on a listen error. */
export function listen(server: Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Closes the server now: keep-alive sockets (the SDKs keep them open) would otherwise hold close() open. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
