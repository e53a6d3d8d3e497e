/**
 * Counts what a PostgreSQL client really does, from the wire: a TCP proxy on 127.0.0.1 in front of
 * the database that reads the protocol's messages as they pass.
 *  - round trips: per connection, each time the client sends after the server last spoke (a
 *    pipelined batch of queries is one);
 *  - transactions: each ReadyForQuery that reports the connection idle again ('I') after a query
 *    (a lone statement is its own transaction; BEGIN … COMMIT is one), and of those the ones that
 *    ran a statement whose text holds INSERT, UPDATE or DELETE (writes: read from the Parse or
 *    Query message, then followed through Bind by statement name, as postgres.js prepares once; a
 *    CTE that writes completes as "SELECT", so the completion tags cannot tell).
 * The connection's startup and authentication are not counted. Used by the bench's counting runs
 * and by tests; the bench's throughput runs connect to the database directly.
 */
import { createConnection, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface WireCounts {
  roundTrips: number;
  transactions: number;
  writeTransactions: number;
  statements: number;
  /** Transactions that touched `table` (startPgWireCounter's option): the shared create limit's. */
  tableTransactions: number;
}

/** Splits a byte stream into protocol messages (type byte + int32 length); `skipFirst` for the untyped startup packet. */
function messageReader(onMessage: (type: number, body: Buffer) => void, untypedFirst: boolean) {
  let buffer: Buffer = Buffer.alloc(0);
  let untyped = untypedFirst;
  return (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (untyped) {
        // Startup or SSLRequest: int32 length (itself included), no type byte.
        if (buffer.length < 4) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        // An SSLRequest (80877103) is followed by another untyped startup packet.
        if (code !== 80877103) untyped = false;
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      onMessage(buffer[0]!, buffer.subarray(5, 1 + length));
      buffer = buffer.subarray(1 + length);
    }
  };
}

export async function startPgWireCounter(databaseUrl: string, table = "rate_limits"): Promise<{ url: string; counts(): WireCounts; close(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const counts: WireCounts = { roundTrips: 0, transactions: 0, writeTransactions: 0, statements: 0, tableTransactions: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(client).add(upstream);
    let ready = false;
    let serverSpokeLast = true;
    let writes = false;
    let queried = false;
    const writing = new Map<string, boolean>();
    const touching = new Map<string, boolean>();
    let touched = false;
    const WRITE = /\b(INSERT|UPDATE|DELETE)\b/i;
    const cString = (body: Buffer, from: number) => {
      const end = body.indexOf(0, from);
      return { text: body.toString("utf8", from, end), next: end + 1 };
    };
    const fromClient = messageReader((type, body) => {
      if (type === 0x50 /* P: Parse: name, query */) {
        const name = cString(body, 0);
        const text = cString(body, name.next).text;
        writing.set(name.text, WRITE.test(text));
        touching.set(name.text, text.includes(table));
      } else if (type === 0x42 /* B: Bind: portal, statement */) {
        const portal = cString(body, 0);
        const statement = cString(body, portal.next).text;
        if (writing.get(statement)) writes = true;
        if (touching.get(statement)) touched = true;
      } else if (type === 0x51 /* Q: simple query */) {
        const text = body.toString("utf8");
        if (WRITE.test(text)) writes = true;
        if (text.includes(table)) touched = true;
      }
    }, true);
    const fromServer = messageReader((type, body) => {
      if (type === 0x43 /* C: CommandComplete */) {
        queried = true;
        if (ready) counts.statements++;
      } else if (type === 0x5a /* Z: ReadyForQuery */) {
        const status = String.fromCharCode(body[0]!);
        if (ready && status === "I" && queried) {
          counts.transactions++;
          if (writes) counts.writeTransactions++;
          if (touched) counts.tableTransactions++;
        }
        if (status === "I") {
          writes = false;
          touched = false;
          queried = false;
        }
        ready = true;
      }
    }, false);
    client.on("data", (chunk: Buffer) => {
      if (ready && serverSpokeLast) counts.roundTrips++;
      serverSpokeLast = false;
      fromClient(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      serverSpokeLast = true;
      fromServer(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
