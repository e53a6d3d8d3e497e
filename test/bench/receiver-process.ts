/**
 * A merchant's webhook endpoint for the bench, in a process of its own (forked by webhooks.ts over
 * IPC) so that neither the server under test nor the bench's load generator shares its event loop.
 * It answers 204 at once and does not verify signatures (the test suite does that): what is measured
 * is the sender. It reports each `order.paid` as it arrives, with an absolute time comparable across
 * processes (performance.timeOrigin + performance.now()).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type ToReceiver = { cmd: "count" } | { cmd: "reset" } | { cmd: "close" };
export type FromReceiver =
  | { type: "ready"; url: string }
  | { type: "count"; received: number; distinct: number }
  | { type: "paid"; orderId: string; at: number; eventAt: string }
  | { type: "ok" };

const send = (message: FromReceiver) => process.send!(message);
const now = () => performance.timeOrigin + performance.now();

let received = 0;
let ids = new Set<string>();

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const at = now();
    received++;
    ids.add(String(request.headers["webhook-id"]));
    response.writeHead(204).end();
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { type: string; timestamp: string; data: { id: string } };
    if (body.type === "order.paid") send({ type: "paid", orderId: body.data.id, at, eventAt: body.timestamp });
  });
});
server.keepAliveTimeout = 30_000;

process.on("message", (message: ToReceiver) => {
  if (message.cmd === "count") send({ type: "count", received, distinct: ids.size });
  else if (message.cmd === "reset") {
    received = 0;
    ids = new Set();
    send({ type: "ok" });
  } else {
    server.closeAllConnections();
    server.close(() => {
      send({ type: "ok" });
      process.disconnect();
    });
  }
});

server.listen(0, "127.0.0.1", () => send({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` }));
