/**
 * The create limit with several instances: shared through the store on PostgreSQL (one limit per
 * client address however many instances there are), in memory on SQLite, and never in the way of
 * an order when its table fails. The PostgreSQL part needs DATABASE_URL and works in schemas of its
 * own, dropped afterwards.
 */
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../server/log.ts";
import { CheckoutError } from "../../server/errors.ts";
import { createRateLimiter, type RateLimitResult } from "../../server/middleware/rate-limit.ts";
import { createSharedRateLimiter, type SharedRateLimiter } from "../../server/middleware/shared-rate-limit.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { NewOrder, OrderRecord, OrderStore, SharedLimitTable } from "../../server/store/types.ts";
import { startPgWireCounter } from "../support/pg-wire-count.ts";
import { newOrder } from "../support/orders.ts";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

const T = Date.UTC(2026, 11, 2, 12, 0, 0);

/**
 * Another session holds rate_limits (an operator's ALTER, a VACUUM FULL) from the moment this
 * resolves until `release`; `close` lets go if still held and ends that session.
 */
async function lockRateLimits(schema: string) {
  const locker = postgres(url!, { max: 1, onnotice: () => {} });
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = locker.begin(async (tx) => {
    await tx.unsafe(`LOCK TABLE "${schema}".rate_limits IN ACCESS EXCLUSIVE MODE`);
    locked();
    await new Promise<void>((resolve) => (release = resolve));
  });
  const close = async () => {
    release?.();
    await held.catch(() => {});
    await locker.end({ timeout: 5 });
  };
  // A lock that cannot be taken fails here instead of leaving the test waiting for it.
  await Promise.race([isLocked, held.then(() => Promise.reject(new Error("the lock's transaction ended before it locked")))]).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return {
    release: async () => {
      release();
      await held;
    },
    close,
  };
}

function logsInto(lines: string[]) {
  return createLogger({ level: "debug", write: (line) => lines.push(line) });
}

/** The shared limiter over a table the test controls, with the in-memory fallback of the app. */
function limiterOn(table: SharedLimitTable, options: { max: number; windowMs?: number; timeoutMs?: number; logs?: string[] }) {
  const windowMs = options.windowMs ?? 60_000;
  return createSharedRateLimiter({
    table,
    name: "create",
    windowMs,
    max: options.max,
    fallback: createRateLimiter({ windowMs, max: options.max }),
    logger: logsInto(options.logs ?? []),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

afterEach(() => {
  vi.useRealTimers();
});

/** A table whose statements all fail as `answer` does; its plain insert (the fallback's) succeeds. */
function failingTable(answer: () => Promise<never>, inserted: NewOrder[] = []): SharedLimitTable {
  return {
    schema: "s",
    table: "rate_limits",
    query: answer,
    insertCounted: (_order, _hit, signal) =>
      // A statement that is cancelled fails, as postgres.js's does when its cancel request lands.
      Promise.race([answer(), new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new Error("canceling statement due to user request"))))]),
    insert: async (order) => {
      inserted.push(order);
      return { inserted: true, order: { ...order, updatedAt: order.createdAt, refreshedAt: null } as OrderRecord };
    },
  };
}

/** What one create does to the limit on PostgreSQL: `defer`, then the order's insert through it. */
async function createThrough(limiter: SharedRateLimiter, key: string, order = newOrder({ createdAt: Date.now() })): Promise<RateLimitResult> {
  const hit = limiter.defer(key);
  if (!hit.allowed) return hit;
  try {
    await hit.insert(order);
    return { allowed: true };
  } catch (error) {
    if (error instanceof CheckoutError && error.code === "rate_limited") return { allowed: false, retryAfterSeconds: Number(error.headers?.["Retry-After"]) };
    throw error;
  } finally {
    await hit.finish();
  }
}

describe("the create limit when its table fails", () => {
  it("counts in this instance's memory instead, so that orders go on and the limit still holds, with one warning", async () => {
    const logs: string[] = [];
    const broken = failingTable(() => Promise.reject(new Error("connection refused")));
    const limiter = limiterOn(broken, { max: 2, logs });
    expect(await limiter.hit("203.0.113.1")).toEqual({ allowed: true });
    expect(await limiter.hit("203.0.113.1")).toEqual({ allowed: true });
    const refused = await limiter.hit("203.0.113.1");
    expect(refused).toMatchObject({ allowed: false });
    expect(await limiter.hit("203.0.113.2")).toEqual({ allowed: true });
    const warnings = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "warn", msg: expect.stringContaining("counting in this instance's memory"), error: { message: "connection refused" } });
    // The address is not in the line: a client's address is not the operator's business here.
    expect(logs[0]).not.toContain("203.0.113");
  });

  it("does not keep a shopper waiting on a table that does not answer", async () => {
    const logs: string[] = [];
    const hung = failingTable(() => new Promise<never>(() => {}));
    const limiter = limiterOn(hung, { max: 1, timeoutMs: 50, logs });
    const started = performance.now();
    expect(await limiter.hit("203.0.113.1")).toEqual({ allowed: true });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await limiter.hit("203.0.113.1")).toMatchObject({ allowed: false });
    expect(logs).toHaveLength(1);
  });

  it("inserts a create's order alone, counted in memory, when the statement that counts it fails or hangs", async () => {
    for (const answer of [() => Promise.reject<never>(new Error("relation does not exist")), () => new Promise<never>(() => {})]) {
      const logs: string[] = [];
      const inserted: NewOrder[] = [];
      const limiter = limiterOn(failingTable(answer, inserted), { max: 2, timeoutMs: 50, logs });
      const started = performance.now();
      expect(await createThrough(limiter, "203.0.113.1")).toEqual({ allowed: true });
      expect(await createThrough(limiter, "203.0.113.1")).toEqual({ allowed: true });
      expect(performance.now() - started).toBeLessThan(2_000);
      // The third is refused by the memory count, before its order is inserted.
      expect(await createThrough(limiter, "203.0.113.1")).toMatchObject({ allowed: false });
      expect(inserted).toHaveLength(2);
      expect(logs).toHaveLength(1);
      expect(JSON.parse(logs[0]!)).toMatchObject({ level: "warn", msg: expect.stringContaining("counting in this instance's memory") });
      expect(logs[0]).not.toContain("203.0.113");
    }
  });
});

describe("the create limit on SQLite", () => {
  it("stays in memory: the store offers no shared table, and the limit holds per instance", async () => {
    const store = createSqliteStore({ filename: ":memory:" });
    expect(store.limitTable).toBeUndefined();
    await store.close();
    const stack = await startStack({ server: { rateLimit: { windowMs: 60_000, max: 2 } } });
    try {
      expect((await createCheckout(stack, gcash)).status).toBe(201);
      expect((await createCheckout(stack, gcash)).status).toBe(201);
      expect((await createCheckout(stack, gcash)).status).toBe(429);
    } finally {
      await stack.close();
    }
  });
});

const url = process.env.DATABASE_URL;
if (!url) console.warn("The create limit shared through PostgreSQL: skipped, DATABASE_URL is not set");

describe.skipIf(!url)("the create limit shared through PostgreSQL", () => {
  const run = `${process.pid}_${Date.now().toString(36)}`;
  let schemas = 0;
  const made: string[] = [];
  const admin = url ? postgres(url, { max: 1, onnotice: () => {} }) : null;
  const newSchema = () => {
    const schema = `limit_test_${run}_${++schemas}`;
    made.push(schema);
    return schema;
  };
  /** A store of its own pool on `schema`, as another server process would have. */
  const storeOn = async (schema: string, through = url!) => {
    const store = createPostgresStore({ url: through, schema, max: 2 });
    await store.migrate();
    return store;
  };
  /** One instance on a store of its own on `schema`, with a create limit of `max` a minute. */
  const stackOn = async (schema: string, max: number, through = url!) => startStack({ store: await storeOn(schema, through), server: { rateLimit: { windowMs: 60_000, max } } });
  const orderCount = async (schema: string) => Number((await admin!.unsafe(`SELECT count(*) AS n FROM "${schema}".orders`))[0]!.n);
  const rows = async (schema: string) => (await admin!.unsafe(`SELECT key, points, expire FROM "${schema}".rate_limits ORDER BY key`)) as unknown as { key: string; points: number; expire: string }[];
  afterAll(async () => {
    for (const schema of made) await admin!.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end({ timeout: 5 });
  });

  it("refuses the creates over the limit whichever instance they reach, each address on its own", async () => {
    const schema = newSchema();
    // Two instances behind one proxy (this test, at 127.0.0.1), which says who the shopper is.
    const server = { rateLimit: { windowMs: 60_000, max: 3 }, trustedProxies: ["127.0.0.1"] };
    const stacks: Stack[] = [];
    try {
      stacks.push(await startStack({ store: await storeOn(schema), server }));
      stacks.push(await startStack({ store: await storeOn(schema), server }));
      const [a, b] = stacks as [Stack, Stack];
      const from = (stack: Stack, address: string) => createCheckout(stack, gcash, { "X-Forwarded-For": address });
      const shopper = "203.0.113.10";
      const statuses = [];
      for (const stack of [a, b, a]) statuses.push((await from(stack, shopper)).status);
      expect(statuses).toEqual([201, 201, 201]);
      // The fourth and fifth, one at each instance: each alone has seen fewer than three.
      const fourth = await from(b, shopper);
      expect(fourth.status).toBe(429);
      expect((await readJson<ErrorBody>(fourth)).error.code).toBe("rate_limited");
      const retryAfter = Number(fourth.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await from(a, shopper)).status).toBe(429);
      // Once refused, an instance refuses the address from memory until the window ends: a flood
      // from one address costs one write per instance, so these two leave the row at 5.
      expect((await from(b, shopper)).status).toBe(429);
      expect((await from(a, shopper)).status).toBe(429);
      // Refused before the gateway: three orders in all, one gateway order each.
      expect(a.gatewayCalls.filter((path) => path === "order/new").length + b.gatewayCalls.filter((path) => path === "order/new").length).toBe(3);
      // Another address has its own three, at either instance.
      expect((await from(b, "203.0.113.11")).status).toBe(201);
      expect((await from(a, "203.0.113.11")).status).toBe(201);
      // One row per address, shared: the count is in the store, not in either instance.
      expect((await rows(schema)).map((row) => [row.key, row.points])).toEqual([
        ["create:203.0.113.10", 5],
        ["create:203.0.113.11", 2],
      ]);
    } finally {
      for (const stack of stacks) await stack.close();
    }
  });

  it("allows exactly the limit when instances race for the last creates", async () => {
    const schema = newSchema();
    const stores: OrderStore[] = [await storeOn(schema), await storeOn(schema)];
    try {
      // Both pools open, so that the hits really run side by side.
      await Promise.all(stores.flatMap((store) => [store.ping(), store.ping()]));
      const limiters = stores.map((store) => limiterOn(store.limitTable!, { max: 10 }));
      const results = await Promise.all(Array.from({ length: 40 }, (_, index) => limiters[index % 2]!.hit("198.51.100.7")));
      expect(results.filter((result) => result.allowed)).toHaveLength(10);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it("allows exactly the limit when creates race through their orders' inserts, and inserts only those orders", async () => {
    const schema = newSchema();
    const stores: OrderStore[] = [await storeOn(schema), await storeOn(schema)];
    try {
      await Promise.all(stores.flatMap((store) => [store.ping(), store.ping()]));
      const limiters = stores.map((store) => limiterOn(store.limitTable!, { max: 10 }));
      const results = await Promise.all(Array.from({ length: 40 }, (_, index) => createThrough(limiters[index % 2]!, "198.51.100.7")));
      expect(results.filter((result) => result.allowed)).toHaveLength(10);
      expect(await orderCount(schema)).toBe(10);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it("sends the creates that arrive from one address while its statement runs together in the next, each counted and inserted as if alone", async () => {
    const schema = newSchema();
    const counter = await startPgWireCounter(url!);
    const store = await storeOn(schema, counter.url);
    try {
      await Promise.all([store.ping(), store.ping()]);
      const limiter = limiterOn(store.limitTable!, { max: 5 });
      const before = counter.counts();
      const results = await Promise.all(Array.from({ length: 10 }, () => createThrough(limiter, "198.51.100.8")));
      // The first went alone; the nine that came meanwhile waited for it, then went in one statement
      // (one lock of the address's row and one commit), where one at a time they would have queued
      // on that row in the database, each commit waiting for the one before.
      expect(counter.counts().tableTransactions - before.tableTransactions).toBe(2);
      expect(results.map((result) => result.allowed)).toEqual([true, true, true, true, true, false, false, false, false, false]);
      expect(await orderCount(schema)).toBe(5);
      expect((await rows(schema)).map((row) => [row.key, row.points])).toEqual([["create:198.51.100.8", 10]]);
    } finally {
      await store.close();
      await counter.close();
    }
  });

  it("answers a create that repeats an idempotency key of its own statement with the order of the first", async () => {
    const schema = newSchema();
    const store = await storeOn(schema);
    try {
      const table = store.limitTable!;
      const hit = { key: "create:198.51.100.9", max: 3, windowMs: 60_000, at: Date.now() };
      const orders = [newOrder({ idempotencyKey: "k-first" }), newOrder({ idempotencyKey: "k-first" }), newOrder({ idempotencyKey: "k-second" }), newOrder({ idempotencyKey: "k-third" })];
      // The first alone, the other three together: the fourth is over the limit.
      const counted = await Promise.all(orders.map((order) => table.insertCounted(order, hit, new AbortController().signal)));
      expect(counted.map((one) => one.points)).toEqual([1, 2, 3, 4]);
      expect(counted.map((one) => one.insert && { inserted: one.insert.inserted, id: one.insert.order.id })).toEqual([
        { inserted: true, id: orders[0]!.id },
        { inserted: false, id: orders[0]!.id },
        { inserted: true, id: orders[2]!.id },
        null,
      ]);
      expect(await orderCount(schema)).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("stores every column of a create the same whether it went alone (positional parameters) or with others (one JSON array)", async () => {
    const schema = newSchema();
    const store = await storeOn(schema);
    try {
      const hit = { key: "create:198.51.100.11", max: 10, windowMs: 60_000, at: Date.now() };
      // Every optional column set, with the types that can go wrong in a parameter: numbers, JSON, an accent.
      const full = (n: number): NewOrder =>
        newOrder({
          idempotencyKey: `https://shop.example full-${n}`,
          requestHash: `hash-${n}`,
          channel: "qrph",
          customer: "Mañana Store",
          description: "Order #42",
          product: "t-shirt",
          refreshedAt: T + n,
          sessionId: `cs_${n}`,
          metadata: { cart: `c${n}`, note: "naïve" },
          createdBy: "cli",
        });
      const orders = [full(1), full(2), full(3)];
      // The first alone; the other two wait behind it and go together.
      const counted = await Promise.all(orders.map((order) => store.limitTable!.insertCounted(order, hit, new AbortController().signal)));
      expect(counted.map((one) => one.insert?.inserted)).toEqual([true, true, true]);
      for (const [i, order] of orders.entries()) {
        const stored = await store.get(order.id);
        expect(stored).toEqual(counted[i]!.insert!.order);
        expect(stored).toMatchObject({ customer: "Mañana Store", refreshedAt: T + i + 1, sessionId: `cs_${i + 1}`, metadata: { cart: `c${i + 1}`, note: "naïve" }, channel: "qrph" });
      }
    } finally {
      await store.close();
    }
  });

  it("lets the creates waiting behind a statement that does not answer go at their deadline, having written nothing", async () => {
    const schema = newSchema();
    const store = await storeOn(schema);
    const lock = await lockRateLimits(schema);
    try {
      const hit = { key: "create:198.51.100.10", max: 10, windowMs: 60_000, at: Date.now() };
      const deadlines = [new AbortController(), new AbortController(), new AbortController()];
      // The first's statement waits on the lock; the other two wait for it, in this process.
      const settled = Promise.allSettled(deadlines.map((deadline) => store.limitTable!.insertCounted(newOrder(), hit, deadline.signal)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      deadlines[2]!.abort();
      deadlines[1]!.abort();
      deadlines[0]!.abort();
      expect((await settled).map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
      await lock.release();
      expect(await rows(schema)).toEqual([]);
      expect(await orderCount(schema)).toBe(0);
      // The address is not stuck behind them: the next create goes at once.
      expect((await store.limitTable!.insertCounted(newOrder(), hit, new AbortController().signal)).points).toBe(1);
    } finally {
      await lock.close();
      await store.close();
    }
  });

  it("costs a create no transaction or round trip of its own: 2 transactions and 2 round trips per create, counted on the wire", async () => {
    const schema = newSchema();
    const counter = await startPgWireCounter(url!);
    const stack = await stackOn(schema, 100, counter.url);
    try {
      for (let i = 0; i < 3; i++) expect((await createCheckout(stack, gcash)).status).toBe(201);
      const before = counter.counts();
      for (let i = 0; i < 10; i++) expect((await createCheckout(stack, gcash)).status).toBe(201);
      const after = counter.counts();
      // The insert with the count, then order/new's answer; each one statement, prepared.
      expect({ transactions: after.transactions - before.transactions, roundTrips: after.roundTrips - before.roundTrips, limit: after.tableTransactions - before.tableTransactions }).toEqual({
        transactions: 20,
        roundTrips: 20,
        limit: 10,
      });
      expect((await rows(schema)).map((row) => row.points)).toEqual([13]);
    } finally {
      await stack.close();
      await counter.close();
    }
  });

  it("counts a create with its order's insert exactly as the library counts a hit, in one window and the next", async () => {
    // The insert's statement is ours, the hit's the library's: the same steps on two addresses, one
    // always through the library, the other mostly through the insert, leave the same rows.
    const schema = newSchema();
    const store = await storeOn(schema);
    try {
      await Promise.all([store.ping(), store.ping()]);
      vi.useFakeTimers({ toFake: ["Date"], now: T });
      const limiter = limiterOn(store.limitTable!, { max: 2 });
      const steps: [number, "insert" | "hit", boolean][] = [
        [0, "insert", true],
        [30_000, "hit", true],
        [40_000, "insert", false],
        [50_000, "insert", false],
        [60_000, "insert", true],
        [61_000, "insert", true],
        [62_000, "hit", false],
        [63_000, "insert", false],
      ];
      for (const [offset, way, allowed] of steps) {
        vi.setSystemTime(T + offset);
        const byLibrary = await limiter.hit("192.0.2.1");
        const byInsert = way === "hit" ? await limiter.hit("192.0.2.2") : await createThrough(limiter, "192.0.2.2");
        expect(byInsert, `at +${offset} ms`).toEqual(byLibrary);
        expect(byInsert.allowed, `at +${offset} ms`).toBe(allowed);
        const [library, ours] = await rows(schema);
        expect({ points: ours!.points, expire: ours!.expire }, `at +${offset} ms`).toEqual({ points: library!.points, expire: library!.expire });
      }
      // Two windows, two creates each inserted; the refused ones were counted up to the first refusal.
      expect((await rows(schema)).map((row) => [row.key, row.points, Number(row.expire)])).toEqual([
        ["create:192.0.2.1", 3, T + 120_000],
        ["create:192.0.2.2", 3, T + 120_000],
      ]);
      expect(await orderCount(schema)).toBe(3);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });

  it("counts a create that ends before its order is inserted (a session's error) all the same", async () => {
    const schema = newSchema();
    const stack = await stackOn(schema, 2);
    try {
      const unknownSession = { session: `cs_${"A".repeat(22)}` };
      expect((await createCheckout(stack, unknownSession)).status).toBe(404);
      expect((await createCheckout(stack, unknownSession)).status).toBe(404);
      expect((await createCheckout(stack, gcash)).status).toBe(429);
      expect((await rows(schema)).map((row) => row.points)).toEqual([3]);
      expect(stack.gatewayCalls).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it("does not keep a shopper waiting on a locked table: the create's statement is cancelled and its order inserted alone", async () => {
    const schema = newSchema();
    const stack = await stackOn(schema, 2);
    const lock = await lockRateLimits(schema);
    try {
      const started = performance.now();
      const created = await createCheckout(stack, gcash);
      expect(created.status).toBe(201);
      // The limiter's second, then the order's own work.
      expect(performance.now() - started).toBeLessThan(3_000);
      await lock.release();
      // Cancelled, so it wrote nothing: no count in the table, one order.
      expect(await rows(schema)).toEqual([]);
      expect(await orderCount(schema)).toBe(1);
      const warnings = stack.logs.filter((line) => line.includes("create limit"));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: "warn", error: { message: expect.stringContaining("did not answer within 1000 ms") } });
    } finally {
      await lock.close();
      await stack.close();
    }
  });

  it("starts a new window for an address once its minute is over, on every instance", async () => {
    const schema = newSchema();
    const stores: OrderStore[] = [await storeOn(schema), await storeOn(schema)];
    try {
      // Only Date is fake: the database and its sockets run for real, the limiter's clock jumps.
      vi.useFakeTimers({ toFake: ["Date"], now: T });
      const [a, b] = stores.map((store) => limiterOn(store.limitTable!, { max: 2 }));
      expect(await a!.hit("198.51.100.1")).toEqual({ allowed: true });
      vi.setSystemTime(T + 30_000);
      expect(await b!.hit("198.51.100.1")).toEqual({ allowed: true });
      expect(await a!.hit("198.51.100.1")).toEqual({ allowed: false, retryAfterSeconds: 30 });
      expect(await b!.hit("198.51.100.1")).toEqual({ allowed: false, retryAfterSeconds: 30 });
      vi.setSystemTime(T + 59_999);
      expect(await b!.hit("198.51.100.1")).toMatchObject({ allowed: false });
      vi.setSystemTime(T + 60_000);
      expect(await b!.hit("198.51.100.1")).toEqual({ allowed: true });
      expect(await a!.hit("198.51.100.1")).toEqual({ allowed: true });
      expect(await a!.hit("198.51.100.1")).toEqual({ allowed: false, retryAfterSeconds: 60 });
    } finally {
      vi.useRealTimers();
      for (const store of stores) await store.close();
    }
  });

  it("deletes the rows of windows that ended over an hour ago, so the table does not grow without bound", async () => {
    const schema = newSchema();
    const store = await storeOn(schema);
    try {
      // Connections opened first: one opened under fake timers would wait for a fake connect timer.
      await Promise.all([store.ping(), store.ping()]);
      expect(await rows(schema)).toEqual([]);
      // The library deletes on a five-minute timer, started when the limiter is made.
      vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"], now: T });
      const limiter = limiterOn(store.limitTable!, { max: 5 });
      for (let index = 0; index < 20; index++) expect(await limiter.hit(`192.0.2.${index}`)).toEqual({ allowed: true });
      vi.setSystemTime(T + 61 * 60_000);
      expect(await limiter.hit("192.0.2.200")).toEqual({ allowed: true });
      expect(await rows(schema)).toHaveLength(21);
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      // The delete runs on the real database: wait for it without moving any clock.
      for (let tries = 0; tries < 500 && (await rows(schema)).length > 1; tries++) await new Promise((resolve) => setImmediate(resolve));
      expect((await rows(schema)).map((row) => row.key)).toEqual(["create:192.0.2.200"]);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });

  it("lets orders through, with a warning, when the table fails", async () => {
    const schema = newSchema();
    const stack = await stackOn(schema, 2);
    try {
      expect((await createCheckout(stack, gcash)).status).toBe(201);
      // An operator's mistake, or a migration gone wrong: the orders table is fine, the limit's is not.
      await admin!.unsafe(`DROP TABLE "${schema}".rate_limits`);
      const created = await createCheckout(stack, gcash);
      expect(created.status).toBe(201);
      expect((await stack.store.get((await readJson<{ id: string }>(created)).id))?.gatewayState).toBe("created");
      // Counted in memory meanwhile: the limit still holds on this instance.
      expect((await createCheckout(stack, gcash)).status).toBe(201);
      expect((await createCheckout(stack, gcash)).status).toBe(429);
      const warnings = stack.logs.filter((line) => line.includes("create limit"));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: "warn", error: { message: expect.stringContaining("rate_limits") } });
    } finally {
      await stack.close();
    }
  });
});
