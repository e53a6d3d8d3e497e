/**
 * The server under load, in a process of its own (forked by server-load.ts over IPC): the sandbox
 * gateway and the checkout server from test/support/stack.ts, on 127.0.0.1, with a SQLite file store
 * (WAL, as `npm start` uses) and info-level logging formatted as in production but not printed.
 * Kept apart from autocannon so that the load generator does not share the server's event loop.
 * With BENCH_WEBHOOK_URL in its environment the server has one webhook endpoint there (webhooks.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore } from "../../server/store/types.ts";
import { TEST_WEBHOOK_SECRET } from "../support/webhook-receiver.ts";
import { startStack } from "../support/stack.ts";

export type ToStack = { cmd: "latency"; ms: number } | { cmd: "reset"; latencyMs: number } | { cmd: "stats" } | { cmd: "close" };
export type FromStack =
  | { type: "ready"; url: string; gatewayUrl: string }
  | {
      type: "stats";
      gatewayCalls: Record<string, number>;
      lastOrderNew: Record<string, string> | null;
      logLines: number;
      problems: string[];
      /** Calls to the store by method, and the time each kept the event loop (better-sqlite3 is synchronous). */
      store: Record<string, { calls: number; ms: number }>;
      /** This process's CPU time so far (user + system), in microseconds, and the wall clock then. */
      cpuMicros: number;
      at: number;
    }
  | { type: "ok" };

const send = (message: FromStack) => process.send!(message);

/**
 * The store, timed: how long each call holds the event loop before it returns its promise. With
 * better-sqlite3 that is all of a read's work; a write only joins the turn's group commit, which
 * runs after (sqlite-group-commit.ts), so for writes only the count means anything.
 */
function timedStore(store: OrderStore, calls: Record<string, { calls: number; ms: number }>): OrderStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || typeof name !== "string") return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        try {
          return (value as (...args: unknown[]) => unknown).apply(target, args);
        } finally {
          const entry = (calls[name] ??= { calls: 0, ms: 0 });
          entry.calls++;
          entry.ms += performance.now() - started;
        }
      };
    },
  });
}

async function main() {
  const webhookUrl = process.env.BENCH_WEBHOOK_URL;
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-"));
  const storeCalls: Record<string, { calls: number; ms: number }> = {};
  const store = timedStore(createSqliteStore({ filename: join(dir, "orders.sqlite") }), storeCalls);
  let logLines = 0;
  const problems: string[] = [];
  const stack = await startStack({
    store,
    // Production's default: an order is re-read from the gateway when a shopper asks and it is older than this.
    config: { refreshAfterSeconds: 5 },
    server: {
      // Every request comes from 127.0.0.1: the per-address create limit is not what is measured.
      rateLimit: { windowMs: 60_000, max: 10_000_000 },
      // BENCH_WEBHOOK_URL: one webhook endpoint (webhooks.ts's receiver), so each change writes the outbox.
      ...(webhookUrl ? { webhooks: [{ name: "bench", url: webhookUrl, secret: TEST_WEBHOOK_SECRET, types: null }], allowPrivateWebhookUrls: true } : {}),
      logger: createLogger({
        level: "info",
        write: (line) => {
          logLines++;
          if (problems.length < 5 && !line.startsWith('{"level":"info"')) problems.push(line.slice(0, 300));
        },
      }),
    },
  });
  process.on("message", (message: ToStack) => {
    void (async () => {
      if (message.cmd === "latency") {
        stack.sandbox.controls.setLatency(message.ms);
        send({ type: "ok" });
      } else if (message.cmd === "reset") {
        // Forgets every sandbox order: its expiry sweep runs on each API call over all open orders,
        // so a book grown by an earlier run would make a later run slower.
        stack.sandbox.controls.reset();
        stack.sandbox.controls.setLatency(message.latencyMs);
        send({ type: "ok" });
      } else if (message.cmd === "stats") {
        const gatewayCalls: Record<string, number> = {};
        for (const path of stack.gatewayCalls) gatewayCalls[path] = (gatewayCalls[path] ?? 0) + 1;
        const lastNew = stack.gatewayRequests.findLast((request) => request.path === "order/new");
        const cpu = process.cpuUsage();
        send({ type: "stats", gatewayCalls, lastOrderNew: lastNew?.body ?? null, logLines, problems, store: structuredClone(storeCalls), cpuMicros: cpu.user + cpu.system, at: performance.now() });
      } else {
        await stack.close();
        rmSync(dir, { recursive: true, force: true });
        send({ type: "ok" });
        process.disconnect();
      }
    })();
  });
  send({ type: "ready", url: stack.url, gatewayUrl: stack.gatewayServed.url });
}

void main();
