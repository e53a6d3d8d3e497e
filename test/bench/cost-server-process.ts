/**
 * Our server alone in a process, as `npm start` builds it for a live gateway (server/main.ts):
 * createCheckoutServer on @hono/node-server, the gateway client pointed at the standalone sandbox
 * (BENCH_GATEWAY_URL), info-level JSON logs written to stdout (which the bench sends nowhere), the
 * store a SQLite file in BENCH_SQLITE_DIR or PostgreSQL at BENCH_DATABASE_URL in BENCH_SCHEMA.
 * What differs from production, for the measurement: the create limit is raised (every request
 * comes from 127.0.0.1), the periodic sweep is off (background work, not a request's), and
 * BENCH_REFRESH_SECONDS sets refreshAfterSeconds. With BENCH_WEBHOOK_URL the server has one
 * webhook endpoint there, so that each create also writes and sends its order.created.
 * Store calls are counted by method (a counting proxy, no timing).
 */
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createCheckoutServer, type CheckoutServer } from "../../server/app.ts";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { createOctopusClient } from "../../server/gateway/index.ts";
import { createLogger, stdoutLines } from "../../server/log.ts";
import { createPostgresStore, createStore } from "../../server/store/index.ts";
import { TEST_WEBHOOK_SECRET } from "../support/webhook-receiver.ts";
import { TEST_CONFIG } from "../support/stack.ts";
import { cpuNow, type ChildMessage } from "./child.ts";

const send = (message: ChildMessage) => process.send!(message);
const env = (name: string) => process.env[name] ?? "";

/** Counts calls by method name; `limitTable`'s (PostgreSQL's create limit, whose insertCounted inserts the order) as `limitTable.name`. */
function countingStore<T extends object>(store: T, calls: Record<string, number>, prefix = ""): T {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (name === "limitTable" && value) return countingStore(value, calls, "limitTable.");
      if (typeof value !== "function" || typeof name !== "string") return value;
      return (...args: unknown[]) => {
        calls[prefix + name] = (calls[prefix + name] ?? 0) + 1;
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const storeCalls: Record<string, number> = {};
const raw = env("BENCH_DATABASE_URL")
  ? createPostgresStore({ url: env("BENCH_DATABASE_URL"), schema: env("BENCH_SCHEMA") })
  : createStore({ sqliteFile: join(env("BENCH_SQLITE_DIR"), "orders.sqlite") });
await raw.migrate();
const store = countingStore(raw, storeCalls);

const parsed = parseCheckoutConfig({ ...TEST_CONFIG, refreshAfterSeconds: Number(env("BENCH_REFRESH_SECONDS") || 5) }, "bench config");
if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
const gateway = createOctopusClient({ baseUrl: env("BENCH_GATEWAY_URL"), apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", timeoutMs: 10_000 });

let logLines = 0;
const problems: string[] = [];
// Counted on the way to the writer npm start uses (server/log.ts's stdoutLines), so that the log costs what it costs there.
const toStdout = stdoutLines();
const logger = createLogger({
  level: "info",
  write: (line) => {
    logLines++;
    if (problems.length < 5 && !line.startsWith('{"level":"info"')) problems.push(line.slice(0, 300));
    toStdout(line);
  },
});

const webhookUrl = env("BENCH_WEBHOOK_URL");
let app: CheckoutServer | undefined;
// Node's request goes on to the app (its second argument): the client address is read from it.
const server = serve({ fetch: (request, bindings) => app!.app.fetch(request, bindings), hostname: "127.0.0.1", port: 0 }, (info) => {
  const url = `http://127.0.0.1:${info.port}`;
  app = createCheckoutServer({
    config: parsed.config,
    store,
    gateway,
    publicUrl: url,
    logger,
    sweep: false,
    rateLimit: { windowMs: 60_000, max: 10_000_000 },
    ...(webhookUrl ? { webhooks: [{ name: "bench", url: webhookUrl, secret: TEST_WEBHOOK_SECRET, types: null }], allowPrivateWebhookUrls: true } : {}),
  });
  send({ type: "ready", url });
});

process.on("message", (message: { cmd: string }) => {
  if (message.cmd === "stats") send({ type: "stats", ...cpuNow(), storeCalls: { ...storeCalls }, logLines, problems });
  else {
    void app?.close().then(() => {
      if ("closeAllConnections" in server) server.closeAllConnections();
      server.close(() => {
        void raw.close().then(() => {
          send({ type: "ok" });
          process.disconnect();
        });
      });
    });
  }
});
