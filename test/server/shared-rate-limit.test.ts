/**
 * The create limit with several instances: shared through the store on PostgreSQL (one limit per
 * client address however many instances there are), in memory on SQLite, and never in the way of
 * an order when its table fails. The PostgreSQL part needs DATABASE_URL and works in schemas of its
 * own, dropped afterwards.
 */
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../server/log.ts";
import { createRateLimiter } from "../../server/middleware/rate-limit.ts";
import { createSharedRateLimiter } from "../../server/middleware/shared-rate-limit.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore, SharedLimitTable } from "../../server/store/types.ts";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

const T = Date.UTC(2026, 11, 2, 12, 0, 0);

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

describe("the create limit when its table fails", () => {
  it("counts in this instance's memory instead, so that orders go on and the limit still holds, with one warning", async () => {
    const logs: string[] = [];
    const broken: SharedLimitTable = { schema: "s", table: "rate_limits", query: () => Promise.reject(new Error("connection refused")) };
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
    const hung: SharedLimitTable = { schema: "s", table: "rate_limits", query: () => new Promise(() => {}) };
    const limiter = limiterOn(hung, { max: 1, timeoutMs: 50, logs });
    const started = performance.now();
    expect(await limiter.hit("203.0.113.1")).toEqual({ allowed: true });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await limiter.hit("203.0.113.1")).toMatchObject({ allowed: false });
    expect(logs).toHaveLength(1);
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
  const storeOn = async (schema: string) => {
    const store = createPostgresStore({ url: url!, schema, max: 2 });
    await store.migrate();
    return store;
  };
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
    const stack = await startStack({ store: await storeOn(schema), server: { rateLimit: { windowMs: 60_000, max: 2 } } });
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
