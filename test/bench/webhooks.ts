/**
 * Webhooks (the outbox and its dispatcher), measured against a merchant endpoint that answers 204 at
 * once, in a process of its own (receiver-process.ts):
 *  - what the outbox adds to POST /api/checkout: the same server with and without one webhook
 *    endpoint, each in its own process (stack-process.ts), runs alternating, in the same bench run;
 *  - deliveries per second: a batch of events already in the store, a dispatcher draining them
 *    (SQLite file; PostgreSQL too when DATABASE_URL is set, in a schema of its own, dropped after);
 *  - the gateway's "paid" (the shopper's POST on the sandbox's payment page) → the endpoint
 *    receiving `order.paid`, one order at a time, over a few hundred orders.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Request } from "autocannon";
import { createLogger } from "../../server/log.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore } from "../../server/store/types.ts";
import { createWebhookDispatcher } from "../../server/webhooks/dispatcher.ts";
import { TEST_WEBHOOK_SECRET } from "../support/webhook-receiver.ts";
import { newOrder } from "../support/orders.ts";
import { SHOP } from "../support/stack.ts";
import { LATENCY_MS, load, startChild, stopChild, type Load } from "./server-load.ts";
import type { FromStack } from "./stack-process.ts";
import type { FromReceiver, ToReceiver } from "./receiver-process.ts";
import { median, percentile, timed } from "./stats.ts";
import { fmt, type Row } from "./table.ts";

const CONNECTIONS = 20;
const ROUND_SECONDS = 4;
const ROUNDS = 3;
const BATCH_EVENTS = 1_000;
const PAID_ORDERS = 300;

type Paid = FromReceiver & { type: "paid" };

function startReceiver() {
  const child = fork(fileURLToPath(new URL("./receiver-process.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<string, (paid: Paid) => void>();
  const paid: Paid[] = [];
  let answer: ((message: FromReceiver) => void) | null = null;
  child.on("message", (message: FromReceiver) => {
    if (message.type === "paid") {
      paid.push(message);
      waiting.get(message.orderId)?.(message);
      waiting.delete(message.orderId);
    } else answer?.(message);
  });
  const ask = (message: ToReceiver) =>
    new Promise<FromReceiver>((resolve) => {
      answer = resolve;
      child.send(message);
    });
  return new Promise<{
    child: ChildProcess;
    url: string;
    paid: Paid[];
    ask: typeof ask;
    count(): Promise<{ received: number; distinct: number }>;
    /** Resolves when order.paid for `orderId` arrives (register before paying). */
    paidOf(orderId: string, timeoutMs: number): Promise<Paid>;
    close(): Promise<void>;
  }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the bench's webhook receiver exited (${code})`)));
    answer = (message) => {
      if (message.type !== "ready") return reject(new Error(`unexpected first message ${message.type}`));
      child.removeAllListeners("exit");
      resolve({
        child,
        url: message.url,
        paid,
        ask,
        async count() {
          const counted = await ask({ cmd: "count" });
          if (counted.type !== "count") throw new Error(`expected count, got ${counted.type}`);
          return counted;
        },
        paidOf: (orderId, timeoutMs) =>
          new Promise<Paid>((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`order.paid for ${orderId} did not arrive within ${timeoutMs} ms`)), timeoutMs);
            waiting.set(orderId, (message) => {
              clearTimeout(timer);
              done(message);
            });
          }),
        async close() {
          await ask({ cmd: "close" });
          if (child.exitCode === null) await new Promise((done) => child.once("exit", done));
        },
      });
    };
  });
}

/** Waits until the receiver has `distinct` webhook-ids; how long that took, in ms. */
async function drained(receiver: Awaited<ReturnType<typeof startReceiver>>, distinct: number, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await receiver.count()).distinct >= distinct) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the receiver got ${(await receiver.count()).distinct} of ${distinct} webhooks within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

const merged = (runs: Load[]) => {
  const times = runs.flatMap((run) => run.times).sort((a, b) => a - b);
  const ok = runs.reduce((sum, run) => sum + run.ok, 0);
  return { ok, perSecond: ok / (runs.length * ROUND_SECONDS), p50: percentile(times, 50), p99: percentile(times, 99), non2xx: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0) };
};

type Stats = FromStack & { type: "stats" };

/** POST /api/checkout with and without one webhook endpoint, alternating; then paid → order.paid on the one with it. */
async function checkoutRows(receiver: Awaited<ReturnType<typeof startReceiver>>): Promise<Row[]> {
  const plain = await startChild();
  const hooked = await startChild({ BENCH_WEBHOOK_URL: receiver.url });
  try {
    let created = 0;
    const create = (run: string): Request[] => [
      {
        method: "POST",
        path: "/api/checkout",
        body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
        setupRequest: (request) => ({ ...request, headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": `bench-${run}-${++created}` } }),
      },
    ];
    const stats = async (stack: typeof plain) => (await stack.ask({ cmd: "stats" })) as Stats;
    const cpu = { plain: 0, hooked: 0 };
    const runs = { plain: [] as Load[], hooked: [] as Load[] };
    let hookedCreated = 0;
    const drains: number[] = [];
    const round = async (name: "plain" | "hooked", seconds: number, measured: boolean) => {
      const stack = name === "plain" ? plain : hooked;
      await stack.ask({ cmd: "reset", latencyMs: LATENCY_MS });
      const before = await stats(stack);
      const run = await load(stack.url, create(`${name}-${measured}`), seconds);
      const after = await stats(stack);
      if (name === "hooked") {
        // Each created order is one order.created event: wait until the endpoint has them all, so
        // the dispatcher's work does not spill into the next run (it is counted in this one's CPU).
        hookedCreated += run.ok;
        const drain = await drained(receiver, hookedCreated);
        if (measured) drains.push(drain);
      }
      const end = await stats(stack);
      if (measured) {
        runs[name].push(run);
        cpu[name] += (name === "hooked" ? end.cpuMicros : after.cpuMicros) - before.cpuMicros;
      }
    };
    await round("plain", 3, false);
    await round("hooked", 3, false);
    // ABBA: neither goes first every time.
    for (let index = 0; index < ROUNDS; index++) {
      const order: ("plain" | "hooked")[] = index % 2 === 0 ? ["plain", "hooked"] : ["hooked", "plain"];
      for (const name of order) await round(name, ROUND_SECONDS, true);
    }
    const without = merged(runs.plain);
    const withHooks = merged(runs.hooked);
    const cpuPer = (micros: number, ok: number) => micros / 1000 / Math.max(1, ok);

    // paid → order.paid: orders made first (20 at a time), then paid one at a time.
    await hooked.ask({ cmd: "reset", latencyMs: LATENCY_MS });
    const orders: { id: string; paymentUrl: string }[] = [];
    // 5 at a time: these are not measured, and a busy machine would otherwise trip the client's 1 s timeout.
    await timed(PAID_ORDERS + 20, 5, async (index) => {
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${hooked.url}/api/checkout`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": `bench-paid-${index}` },
          body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
        });
        const view = (await response.json()) as { id: string; payment_url: string };
        if (response.status === 201) return void orders.push({ id: view.id, paymentUrl: view.payment_url });
        if (response.status !== 503 || attempt === 3) throw new Error(`POST /api/checkout answered ${response.status}: ${JSON.stringify(view)}`);
      }
    });
    if (orders.length < PAID_ORDERS + 20) throw new Error(`made ${orders.length} orders to pay, not ${PAID_ORDERS + 20}`);
    const total: number[] = [];
    const toEvent: number[] = [];
    const toReceiver: number[] = [];
    const pageAnswered: number[] = [];
    for (const [index, order] of orders.entries()) {
      await (await fetch(order.paymentUrl)).text();
      const arrival = receiver.paidOf(order.id, 10_000);
      const started = performance.timeOrigin + performance.now();
      const response = await fetch(order.paymentUrl, { method: "POST", body: new URLSearchParams({ action: "pay" }), redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      const answered = performance.timeOrigin + performance.now();
      await response.text();
      if (response.status !== 303 && response.status !== 302) throw new Error(`the payment page answered ${response.status}`);
      const paid = await arrival;
      // The first 20 warm the path (JIT, connections) and are not counted.
      if (index < 20) continue;
      total.push(paid.at - started);
      pageAnswered.push(answered - started);
      const eventAt = Date.parse(paid.eventAt);
      toEvent.push(eventAt - started);
      toReceiver.push(paid.at - eventAt);
    }
    total.sort((a, b) => a - b);
    const hookedStats = await stats(hooked);
    const problems = hookedStats.problems.length ? `; the server logged problems, first: ${hookedStats.problems[0]}` : "";
    const setting = `${CONNECTIONS} connections, ${ROUNDS}×${ROUND_SECONDS} s each, alternating, sandbox at ${LATENCY_MS} ms`;
    return [
      {
        what: `POST /api/checkout with one webhook endpoint ÷ without (${setting})`,
        figure: `${fmt(withHooks.perSecond / without.perSecond, 2)}× throughput`,
        note: `with: ${fmt(withHooks.perSecond, 0)} req/s, p50 ${fmt(withHooks.p50)} ms, p99 ${fmt(withHooks.p99)} ms; without: ${fmt(without.perSecond, 0)} req/s, p50 ${fmt(without.p50)} ms, p99 ${fmt(without.p99)} ms; p50 ratio ${fmt(withHooks.p50 / without.p50, 2)}×, p99 ratio ${fmt(withHooks.p99 / without.p99, 2)}×; CPU per checkout in the server's process ${fmt(cpuPer(cpu.hooked, withHooks.ok), 2)} ms with (sending its order.created webhook included) against ${fmt(cpuPer(cpu.plain, without.ok), 2)} ms without; the endpoint had every order.created a median ${fmt(median(drains), 0)} ms after each run's last answer; ${withHooks.non2xx + without.non2xx} answers not 2xx${problems}. Each server in its own process, idle while the other is loaded; the outbox row and its delivery row are written in the transaction that records the gateway's answer`,
      },
      {
        what: `gateway's "paid" (POST on the sandbox's payment page) → endpoint receives order.paid (${total.length} orders, one at a time, sandbox at ${LATENCY_MS} ms)`,
        figure: `${fmt(percentile(total, 50))} ms median, p99 ${fmt(percentile(total, 99))} ms`,
        note: `goal: under 100 ms median. Of which, medians: the gateway's notification reaching the server, its re-read of the order from the gateway (order/get, ${LATENCY_MS} ms) and the commit of order.paid with its delivery row ${fmt(median(toEvent))} ms after the POST (the event's own timestamp, whole ms); then the dispatcher, woken by kick() from the order service, to the endpoint ${fmt(median(toReceiver))} ms (p99 ${fmt(percentile([...toReceiver].sort((a, b) => a - b), 99))} ms). The payment page answered the POST (its redirect) in ${fmt(median(pageAnswered))} ms; ${20} warm-up orders not counted; server and endpoint each in their own process`,
      },
    ];
  } finally {
    await stopChild(plain.child, plain.ask);
    await stopChild(hooked.child, hooked.ask);
  }
}

/** A batch of events in the store and a dispatcher draining them to the receiver: deliveries per second. */
async function drainRate(receiver: Awaited<ReturnType<typeof startReceiver>>, store: OrderStore, count: number): Promise<{ perSecond: number; ms: number; fill: number }> {
  await store.migrate();
  const filled = performance.now();
  // 10 writers at a time (PostgreSQL overlaps them; SQLite's are synchronous anyway).
  await timed(count, 10, async () => {
    // order.created is written with the first status the gateway reports, as a create writes it.
    const { order } = await store.insert(newOrder());
    const at = Date.now();
    await store.recordGatewayAnswer(order, { gatewayState: "created", at }, { status: "pending", source: "create", at });
  });
  const fill = performance.now() - filled;
  await receiver.ask({ cmd: "reset" });
  const dispatcher = createWebhookDispatcher({
    store,
    endpoints: [{ name: "bench", url: receiver.url, secret: TEST_WEBHOOK_SECRET, types: null }],
    logger: createLogger({ level: "warn", write: (line) => console.error(line) }),
    send: { allowPrivate: true, sandbox: false },
  });
  const started = performance.now();
  dispatcher.start();
  await drained(receiver, count, 120_000);
  const ms = performance.now() - started;
  await dispatcher.stop();
  const { received } = await receiver.count();
  if (received !== count) throw new Error(`the receiver got ${received} webhooks for ${count} events`);
  return { perSecond: (count / ms) * 1000, ms, fill };
}

async function deliveryRows(receiver: Awaited<ReturnType<typeof startReceiver>>): Promise<Row[]> {
  const rows: Row[] = [];
  const subscriptions = [{ endpoint: "bench", types: null }];
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-hooks-"));
  const note = (fill: number, count: number) =>
    `${count} order.created events (one per order, so every delivery is the head of its order's queue) written first (${fmt(fill / 1000, 1)} s, 10 writers); the dispatcher's defaults: batches of 25 sent together, each attempt recorded before the next batch is claimed; signing included; endpoint in its own process answering 204`;
  try {
    const sqlite = createSqliteStore({ filename: join(dir, "outbox.sqlite"), subscriptions });
    try {
      const result = await drainRate(receiver, sqlite, BATCH_EVENTS);
      rows.push({ what: `webhook deliveries to a local endpoint, SQLite file (${BATCH_EVENTS} events)`, figure: `${fmt(result.perSecond, 0)}/s`, note: `drained in ${fmt(result.ms / 1000, 2)} s; ${note(result.fill, BATCH_EVENTS)}` });
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    rows.push({ what: "webhook deliveries to a local endpoint, PostgreSQL", figure: "not measured", note: "DATABASE_URL is not set" });
    return rows;
  }
  const schema = `bench_hooks_${process.pid}`;
  const pg = createPostgresStore({ url, schema, subscriptions });
  try {
    const result = await drainRate(receiver, pg, BATCH_EVENTS);
    rows.push({ what: `webhook deliveries to a local endpoint, PostgreSQL (${BATCH_EVENTS} events)`, figure: `${fmt(result.perSecond, 0)}/s`, note: `drained in ${fmt(result.ms / 1000, 2)} s; ${note(result.fill, BATCH_EVENTS)}; PostgreSQL on this machine, a schema of its own dropped after` });
  } finally {
    const admin = (await import("postgres")).default(url, { max: 1, onnotice: () => {} });
    await pg.close();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end({ timeout: 5 });
  }
  return rows;
}

export async function webhookRows(): Promise<Row[]> {
  const receiver = await startReceiver();
  try {
    const checkout = await checkoutRows(receiver);
    const deliveries = await deliveryRows(receiver);
    return [checkout[0]!, ...deliveries, checkout[1]!];
  } finally {
    await receiver.close();
  }
}
