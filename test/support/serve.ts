import { serve as nodeServe } from "@hono/node-server";
import type { AddressInfo } from "node:net";

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a fetch handler (a Hono app) on 127.0.0.1 at a free port, for tests over real HTTP. */
export function serve(handler: { fetch: (request: Request, env?: any) => Response | Promise<Response> }, port = 0): Promise<Served> {
  return new Promise((resolve) => {
    const server = nodeServe({ fetch: handler.fetch, hostname: "127.0.0.1", port }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            // Hanging requests (the sandbox's "hang" fault) must not keep a test run alive.
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
