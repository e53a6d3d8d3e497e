/**
 * An order store that cannot be reached (PostgreSQL stopped or refusing connections, SQLite locked
 * by another writer past its busy timeout) is an outage, not a bug: every route answers 503
 * `store_unavailable` with a short Retry-After in the server's one error format, logs "store
 * unavailable" with the error's code (no stack, no credentials), and /healthz says the store is down.
 * Before, the create, the status read and the merchant API answered 500 internal_error, which tells
 * neither a load balancer nor a shopper's retry that the same request may work in a moment.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutServer, type CheckoutServer } from "../../server/app.ts";
import { OctopusNetworkError } from "../../server/gateway/errors.ts";
import { createLogger } from "../../server/log.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import { storeUnavailableCode } from "../../server/store/unavailable.ts";
import { dropSchema } from "../support/postgres-schema.ts";
import { freePort } from "../support/server-process.ts";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { createCheckout, gcash, SHOP, startStack, type Stack } from "../support/stack.ts";
import { testConfig } from "../support/test-server.ts";

const STACK_FRAME = /\bat .*(\.ts|\.js|node:)[^\n]*:\d+/;
const KEY = "sk_test_0123456789abcdefghijklmnopqrstuvwxyz";
const UNKNOWN_ID = "ck_AAAAAAAAAAAAAAAAAAAAAA";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "checkout-store-down-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What postgres.js rejects a query with when it cannot connect: its first query's error. */
async function postgresErrorAt(url: string): Promise<unknown> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (error) {
    return error;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A SQLite file with a writer holding its lock, and the error another connection's write then gets. */
function sqliteBusyError(): unknown {
  const file = join(dir, `busy-${Math.random().toString(36).slice(2)}.db`);
  const holder = new Database(file);
  holder.exec("CREATE TABLE t (x INTEGER)");
  holder.exec("BEGIN IMMEDIATE");
  const other = new Database(file, { timeout: 0 });
  try {
    other.prepare("INSERT INTO t VALUES (1)").run();
    return null;
  } catch (error) {
    return error;
  } finally {
    other.close();
    holder.exec("ROLLBACK");
    holder.close();
  }
}

describe("storeUnavailableCode", () => {
  it("knows PostgreSQL refusing connections, as postgres.js reports it", async () => {
    const error = await postgresErrorAt(`postgres://checkout:hunter2@127.0.0.1:${await freePort()}/checkout`);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect(storeUnavailableCode(error)).toBe("ECONNREFUSED");
  });

  it.each(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"])("knows postgres.js's own connection error %s", (code) => {
    // The shape of postgres.js's Errors.connection (src/errors.js): the code twice, the address, the port.
    const error = Object.assign(new Error(`write ${code} 10.0.0.5:5432`), { code, errno: code, address: "10.0.0.5", port: 5432 });
    expect(storeUnavailableCode(error)).toBe(code);
  });

  it.each([
    ["57P01", "terminating connection due to administrator command"],
    ["57P03", "the database system is starting up"],
    ["53300", "sorry, too many clients already"],
    ["08006", "connection failure"],
  ])("knows PostgreSQL's SQLSTATE %s (%s)", (code, message) => {
    expect(storeUnavailableCode(new postgres.PostgresError({ code, message, severity: "FATAL" } as never))).toBe(code);
  });

  it("knows SQLite locked by another writer beyond the busy timeout", () => {
    const error = sqliteBusyError();
    expect(error).toMatchObject({ code: "SQLITE_BUSY" });
    expect(storeUnavailableCode(error)).toBe("SQLITE_BUSY");
    expect(storeUnavailableCode(Object.assign(new Error("database table is locked"), { code: "SQLITE_LOCKED_SHAREDCACHE" }))).toBe("SQLITE_LOCKED_SHAREDCACHE");
  });

  it("looks into an AggregateError, as Node's connect to a host of several addresses fails", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" });
    expect(storeUnavailableCode(new AggregateError([refused, refused]))).toBe("ECONNREFUSED");
  });

  it("does not take a database that answered, a bug or the gateway for a store outage", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.9:443"), { code: "ECONNREFUSED" });
    for (const error of [
      new postgres.PostgresError({ code: "23505", message: "duplicate key value violates unique constraint", severity: "ERROR" } as never),
      new postgres.PostgresError({ code: "40001", message: "could not serialize access", severity: "ERROR" } as never),
      new postgres.PostgresError({ code: "28P01", message: "password authentication failed", severity: "FATAL" } as never),
      Object.assign(new Error("UNIQUE constraint failed: orders.id"), { code: "SQLITE_CONSTRAINT_UNIQUE" }),
      new TypeError("Cannot read properties of undefined (reading 'row')"),
      new Error("disk I/O error"),
      // The gateway refusing connections reaches us as fetch's error in a cause: not our store.
      new TypeError("fetch failed", { cause: refused }),
      new OctopusNetworkError("the gateway did not answer", { cause: refused }),
      null,
      "ECONNREFUSED",
    ]) {
      expect(storeUnavailableCode(error), String(error)).toBeNull();
    }
  });
});

describe("with PostgreSQL refusing connections", () => {
  let checkout: CheckoutServer;
  let store: ReturnType<typeof createPostgresStore>;
  const logs: string[] = [];
  beforeAll(async () => {
    // Nothing listens there: the state of a stopped PostgreSQL. The password must reach no log.
    store = createPostgresStore({ url: `postgres://checkout:hunter2@127.0.0.1:${await freePort()}/checkout`, max: 2 });
    checkout = createCheckoutServer({
      config: testConfig(),
      store,
      // Never reached: nothing is stored, so nothing is sent.
      gateway: {} as never,
      publicUrl: "http://127.0.0.1:9",
      secretKeys: [KEY],
      logger: createLogger({ write: (line) => logs.push(line) }),
      sweep: false,
    });
  });
  afterAll(async () => {
    await checkout.close();
    await store.close();
  });

  const merchant = { headers: { Authorization: `Bearer ${KEY}` } };
  it.each([
    ["POST /api/checkout", () => checkout.app.request("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": "store-down-0001" }, body: JSON.stringify(gcash) })],
    ["POST /api/checkout with a session", () => checkout.app.request("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: JSON.stringify({ session: "cs_AAAAAAAAAAAAAAAAAAAAAA", country: "PH", payment: "gcash" }) })],
    ["GET /api/checkout/:id", () => checkout.app.request(`/api/checkout/${UNKNOWN_ID}`)],
    ["GET /api/v1/orders", () => checkout.app.request("/api/v1/orders", merchant)],
    ["GET /api/v1/orders/:id", () => checkout.app.request(`/api/v1/orders/${UNKNOWN_ID}`, merchant)],
    ["POST /api/v1/sessions", () => checkout.app.request("/api/v1/sessions", { method: "POST", headers: { ...merchant.headers, "Content-Type": "application/json" }, body: JSON.stringify({ amount: "100.00", currency: "php" }) })],
  ])("%s answers 503 store_unavailable with Retry-After, logged once by its code", async (_, send) => {
    logs.length = 0;
    const response = await send();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "store_unavailable", message: expect.stringMatching(/try again/i) } });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|hunter2/);
    expect(text).not.toMatch(STACK_FRAME);
    const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.msg === "store unavailable")).toEqual([expect.objectContaining({ level: "warn", store: "postgres", code: "ECONNREFUSED", request_id: expect.any(String) })]);
    expect(lines.filter((line) => line.msg === "unhandled error")).toEqual([]);
    expect(logs.join("\n")).not.toContain("hunter2");
    expect(logs.join("\n")).not.toMatch(STACK_FRAME);
  });

  it.each([
    ["the payment link, GET /pay/:id", "/pay/cs_AAAAAAAAAAAAAAAAAAAAAA?lang=th", "th", "ขณะนี้ไม่สามารถแสดงหน้านี้ได้"],
    ["the gateway's return page, GET /checkout/return/:id", `/checkout/return/${UNKNOWN_ID}`, "en", "This page can&#39;t load right now"],
  ])("%s answers a page in the shopper's language (503, Retry-After) with a link to try again, not JSON", async (_, path, lang, title) => {
    logs.length = 0;
    const response = await checkout.app.request(path, { headers: { Accept: "text/html", "Accept-Language": "en-US,en;q=0.8" } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const page = await response.text();
    expect(page).toContain(`<html lang="${lang}">`);
    expect(page).toContain(`<h1${lang === "th" ? ' id="title"' : ""}>${title}</h1>`);
    // The same page again, query included (the language the shopper chose stays).
    expect(page).toContain(`href="${path}"`);
    expect(page).not.toMatch(/store_unavailable|ECONNREFUSED|hunter2|\{"error"/);
    const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.msg === "store unavailable")).toEqual([expect.objectContaining({ level: "warn", code: "ECONNREFUSED" })]);
  });

  it("GET /healthz reports the store as down (503), and logs it", async () => {
    logs.length = 0;
    const response = await checkout.app.request("/healthz");
    expect(response.status).toBe(503);
    expect(await readJson(response)).toEqual({ status: "unavailable", mode: "live", store: "postgres" });
    expect(logs.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ msg: "store unavailable", path: "/healthz", code: "ECONNREFUSED" }));
  });

  it("keeps answering within seconds while the store stays down (postgres.js waits at most 2 s between connection attempts)", async () => {
    // Each failed connection makes postgres.js wait longer before its next attempt, and a query
    // waits for that attempt: with its default ceiling (20 s) the tenth request here waited 10 to 20 s.
    const took: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      expect((await checkout.app.request(`/api/checkout/${UNKNOWN_ID}`)).status).toBe(503);
      took.push(performance.now() - started);
    }
    expect(Math.max(...took.slice(-3)), took.map((ms) => ms.toFixed(0)).join(", ")).toBeLessThan(5_000);
  });

  it("POST /octopus/notify answers 503 store_unavailable in the gateway's envelope (the gateway retries)", async () => {
    const response = await checkout.app.request("/octopus/notify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ merchant_order_id: "test-1-0123456789abcdef" }) });
    expect(response.status).toBe(503);
    expect(await readJson(response)).toEqual({ result: "error", data: { error: "store_unavailable", details: expect.any(String) } });
  });
});

describe("with SQLite locked by another writer beyond the busy timeout", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it("a create answers 503 store_unavailable while the lock is held, and 201 once it is released", async () => {
    const file = join(dir, "locked.db");
    stack = await startStack({ store: createSqliteStore({ filename: file, busyTimeoutMs: 50 }) });
    const holder = new Database(file);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const refused = await createCheckout(stack, gcash, { "Idempotency-Key": "sqlite-locked-0001" });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect((await readJson<ErrorBody>(refused)).error.code).toBe("store_unavailable");
      expect(stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ msg: "store unavailable", store: "sqlite", code: "SQLITE_BUSY" }));
      expect(stack.gatewayCalls).toEqual([]);
      holder.exec("ROLLBACK");
      // Nothing was stored under the key: the same request, retried, makes the order.
      expect((await createCheckout(stack, gcash, { "Idempotency-Key": "sqlite-locked-0001" })).status).toBe(201);
    } finally {
      if (holder.inTransaction) holder.exec("ROLLBACK");
      holder.close();
    }
  });
});

/** A TCP forwarder to PostgreSQL that can be stopped (every connection cut) and started again on its port. */
function forwarder(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    async start(port = 0): Promise<number> {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
      return (server.address() as { port: number }).port;
    },
    async stop(): Promise<void> {
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

const url = process.env.DATABASE_URL;
if (!url) console.warn("PostgreSQL stopped and started again: skipped, DATABASE_URL is not set");

describe.skipIf(!url)("with PostgreSQL stopped mid-run, then back", () => {
  const schema = `store_down_${process.pid}_${Date.now().toString(36)}`;
  const proxy = forwarder(new URL(url ?? "postgres://127.0.0.1"));
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    port = await proxy.start();
    const via = new URL(url!);
    via.host = `127.0.0.1:${port}`;
    stack = await startStack({ store: createPostgresStore({ url: via.href, schema, max: 2 }), server: { secretKeys: [KEY] } });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy.stop();
    await dropSchema(url!, schema);
  });

  it("answers 503 store_unavailable to creates, reads and the merchant API while it is down, and serves again once it is back", async () => {
    const before = await createCheckout(stack, gcash);
    expect(before.status).toBe(201);
    const { id } = await readJson<{ id: string }>(before);

    await proxy.stop();
    const answers = [
      await createCheckout(stack, gcash, { "Idempotency-Key": "pg-down-0001" }),
      await fetch(`${stack.url}/api/checkout/${id}`),
      await fetch(`${stack.url}/api/v1/orders/${id}`, { headers: { Authorization: `Bearer ${KEY}` } }),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.url).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
      expect((await readJson<ErrorBody>(answer)).error.code).toBe("store_unavailable");
    }
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await readJson(health)).toMatchObject({ status: "unavailable", store: "postgres" });
    const codes = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "store unavailable").map((line) => line.code);
    expect(codes.length).toBeGreaterThanOrEqual(4);
    expect(stack.logs.filter((line) => line.includes('"unhandled error"'))).toEqual([]);

    await proxy.start(port);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    expect((await createCheckout(stack, gcash, { "Idempotency-Key": "pg-down-0001" })).status).toBe(201);
    expect((await fetch(`${stack.url}/api/checkout/${id}`)).status).toBe(200);
  });
});
