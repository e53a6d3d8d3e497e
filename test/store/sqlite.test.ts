/**
 * The SQLite store: the contract in memory and in files, then what only a file can show (the data
 * outlives the process's handle; two handles on one file still keep the invariants).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createStore, createSqliteStore } from "../../server/store/index.ts";
import { storeContract } from "./contract.ts";
import { newOrder, T } from "../support/orders.ts";
import { outboxContract } from "./outbox-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "octopus-store-"));
let files = 0;
const nextFile = () => join(dir, `orders-${++files}.sqlite`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

storeContract(
  "sqlite in memory",
  async () => createSqliteStore({ filename: ":memory:" }),
  (store) => store.close(),
);

storeContract(
  "sqlite in a file",
  async () => createSqliteStore({ filename: nextFile() }),
  (store) => store.close(),
);

outboxContract(
  "sqlite in a file",
  async (outbox) => createSqliteStore({ filename: nextFile(), ...outbox }),
  (store) => store.close(),
);

describe("SQLite store in a file", () => {
  it("keeps orders, history and leases across close and reopen", async () => {
    const filename = nextFile();
    const first = createSqliteStore({ filename });
    await first.migrate();
    const { order } = await first.insert(newOrder({ idempotencyKey: "persist", status: "pending", gatewayState: "created" }));
    const moved = await first.transition(order.id, { status: "completed", finalAmount: "100.50", source: "notify", at: T + 1 });
    await first.claimForSweep({ limit: 10, now: T + 2, leaseMs: 60_000, owner: "a" });
    const pendingToo = await first.insert(newOrder({ status: "pending", gatewayState: "created" }));
    await first.claimForSweep({ limit: 10, now: T + 3, leaseMs: 60_000, owner: "a" });
    await first.close();

    const second = createSqliteStore({ filename });
    await second.migrate();
    expect(await second.get(order.id)).toEqual(moved?.order);
    expect(await second.history(order.id)).toEqual([{ orderId: order.id, from: "pending", to: "completed", source: "notify", at: T + 1 }]);
    expect(await second.insert(newOrder({ idempotencyKey: "persist" }))).toEqual({ inserted: false, order: moved?.order });
    // The lease taken before the reopen still holds.
    expect(await second.claimForSweep({ limit: 10, now: T + 4, leaseMs: 60_000, owner: "b" })).toEqual([]);
    expect(await second.claimForSweep({ limit: 10, now: T + 60_003, leaseMs: 60_000, owner: "b" })).toEqual([pendingToo.order]);
    await second.close();
  });

  it("keeps the invariants between two handles on one file", async () => {
    const filename = nextFile();
    const a = createSqliteStore({ filename });
    const b = createSqliteStore({ filename });
    await Promise.all([a.migrate(), b.migrate()]);
    const inserts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).insert(newOrder({ idempotencyKey: "shared", status: "pending", gatewayState: "created" }))));
    expect(inserts.filter((result) => result.inserted)).toHaveLength(1);
    const id = inserts[0]!.order.id;
    const moves = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).transition(id, { status: "completed", source: "poll", at: T + 1 })));
    expect(moves.filter((result) => result?.changed)).toHaveLength(1);
    expect(await b.history(id)).toHaveLength(1);
    expect(await a.claimForSweep({ limit: 10, now: T, leaseMs: 1000, owner: "a" })).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("SQLite store's order cache", () => {
  it("get sees at once what another connection committed, after this one read the order", async () => {
    const filename = nextFile();
    const a = createSqliteStore({ filename });
    const b = createSqliteStore({ filename });
    await Promise.all([a.migrate(), b.migrate()]);
    const { order } = await a.insert(newOrder({ status: "pending", gatewayState: "created" }));
    expect(await a.get(order.id)).toEqual(order);
    await b.transition(order.id, { status: "completed", finalAmount: "99.00", source: "notify", at: T + 1 });
    expect(await a.get(order.id)).toMatchObject({ status: "completed", finalAmount: "99.00", refreshedAt: T + 1 });
    expect(await b.claimRefresh(order.id, T + 5, T + 5)).toBe(true);
    expect((await a.get(order.id))?.refreshedAt).toBe(T + 5);
    // And this connection's own writes, whichever way they go in.
    expect(await a.claimRefresh(order.id, T + 9, T + 9)).toBe(true);
    expect((await a.get(order.id))?.refreshedAt).toBe(T + 9);
    await a.setGatewayState(order.id, { gatewayState: "orphaned", at: T + 10 });
    expect(await b.get(order.id)).toMatchObject({ gatewayState: "orphaned", updatedAt: T + 10 });
    expect(await a.get(order.id)).toEqual(await b.get(order.id));
    await Promise.all([a.close(), b.close()]);
  });

  it("a write decides from what another connection committed, even in the turn a read took the order from the cache", async () => {
    const filename = nextFile();
    const store = createSqliteStore({ filename });
    await store.migrate();
    const other = new Database(filename);
    const { order } = await store.insert(newOrder({ status: "pending", gatewayState: "created" }));
    await store.get(order.id);
    await new Promise((resolve) => setImmediate(resolve));
    // All in one turn of the event loop: the write is queued (its commit waits for the turn's end),
    // a read checks the database and answers from the cache, then another connection completes the
    // order. The write must see "completed", not the cache's "pending" of a moment before.
    const moving = store.transition(order.id, { status: "processing", source: "poll", at: T + 2 });
    const reading = store.get(order.id);
    other.prepare("UPDATE orders SET status = 'completed', updated_at = ? WHERE id = ?").run(T + 1, order.id);
    const [moved, read] = await Promise.all([moving, reading]);
    expect(read).toMatchObject({ status: "pending" });
    expect(moved).toMatchObject({ changed: false, order: { status: "completed" } });
    expect(await store.get(order.id)).toMatchObject({ status: "completed" });
    other.close();
    await store.close();
  });

  it("hands out records no caller can change under another", async () => {
    const store = createSqliteStore({ filename: ":memory:" });
    await store.migrate();
    const { order } = await store.insert(newOrder({ metadata: { cart: "7" } }));
    const read = (await store.get(order.id))!;
    expect(() => Object.assign(read, { status: "completed" })).toThrow(TypeError);
    expect(() => Object.assign(read.metadata!, { cart: "8" })).toThrow(TypeError);
    expect(await store.get(order.id)).toMatchObject({ status: "none", metadata: { cart: "7" } });
    await store.close();
  });
});

describe("SQLite store's group commit", () => {
  /** Frames in the file's write-ahead log: what its commits wrote, read without checkpointing. */
  const walFrames = (filename: string, pageSize: number) => Math.max(0, (statSync(`${filename}-wal`).size - 32) / (pageSize + 24));

  it("commits the writes of one moment together, each on disk by the time it is answered", async () => {
    const filename = nextFile();
    const store = createSqliteStore({ filename });
    await store.migrate();
    const reader = new Database(filename, { readonly: true });
    const pageSize = reader.pragma("page_size", { simple: true }) as number;
    const truncate = () => {
      const checkpointer = new Database(filename);
      checkpointer.pragma("wal_checkpoint(TRUNCATE)");
      checkpointer.close();
    };
    // Open (not closed) connections keep the WAL file; a checkpoint on a third empties it.
    truncate();
    for (let i = 0; i < 20; i++) await store.insert(newOrder());
    const oneByOne = walFrames(filename, pageSize);
    truncate();
    const orders = Array.from({ length: 20 }, () => newOrder());
    const seen = await Promise.all(
      orders.map(async (order) => {
        await store.insert(order);
        // Answered means committed: another connection reads it at once.
        return reader.prepare("SELECT id FROM orders WHERE id = ?").get(order.id) !== undefined;
      }),
    );
    expect(seen).toEqual(orders.map(() => true));
    const together = walFrames(filename, pageSize);
    // Twenty commits wrote their pages twenty times; one commit, once.
    expect(together).toBeGreaterThan(0);
    expect(together * 5).toBeLessThan(oneByOne);
    reader.close();
    await store.close();
  });

  it("rejects only the write that failed; the others of its group are stored", async () => {
    const store = createSqliteStore({ filename: nextFile() });
    await store.migrate();
    const first = newOrder();
    const [a, clash, c] = await Promise.allSettled([store.insert(first), store.insert(newOrder({ id: first.id })), store.insert(newOrder({ status: "pending" }))]);
    expect(a.status).toBe("fulfilled");
    expect(clash).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/UNIQUE constraint failed: orders\.id/) } });
    expect(c.status).toBe("fulfilled");
    expect(await store.get(first.id)).toMatchObject({ merchantOrderId: first.merchantOrderId });
    expect(await store.get((c as PromiseFulfilledResult<{ order: { id: string } }>).value.order.id)).toMatchObject({ status: "pending" });
    await store.close();
  });

  it("get shows the last write of a group to an order, not the insert before it", async () => {
    const store = createSqliteStore({ filename: nextFile() });
    await store.migrate();
    const order = newOrder({ status: "pending", gatewayState: "created" });
    const [, moved] = await Promise.all([store.insert(order), store.transition(order.id, { status: "completed", finalAmount: "100.50", source: "notify", at: T + 1 })]);
    expect(moved).toMatchObject({ changed: true, order: { status: "completed" } });
    expect(await store.get(order.id)).toMatchObject({ status: "completed", finalAmount: "100.50" });
    await store.close();
  });

  it("rejects every write of a group whose commit fails, and stores none of them", async () => {
    const filename = nextFile();
    const store = createSqliteStore({ filename, busyTimeoutMs: 20 });
    await store.migrate();
    const other = new Database(filename);
    other.exec("BEGIN IMMEDIATE");
    const orders = [newOrder(), newOrder()];
    const results = await Promise.allSettled(orders.map((order) => store.insert(order)));
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_BUSY" });
    other.exec("ROLLBACK");
    other.close();
    expect(await store.get(orders[0]!.id)).toBeNull();
    expect(await store.get(orders[1]!.id)).toBeNull();
    // Nothing is left half-done: the same orders go in once the lock is free.
    expect((await Promise.all(orders.map((order) => store.insert(order)))).map((result) => result.inserted)).toEqual([true, true]);
    await store.close();
  });
});

describe("createStore", () => {
  it("uses SQLite without a database URL, creating the file's directory", async () => {
    const filename = join(dir, "nested", "deeper", "orders.sqlite");
    for (const databaseUrl of [undefined, ""]) {
      const store = createStore({ databaseUrl, sqliteFile: filename });
      expect(store.kind).toBe("sqlite");
      await store.migrate();
      await store.ping();
      await store.close();
    }
    expect(existsSync(filename)).toBe(true);
  });

  it("uses PostgreSQL for postgres:// and postgresql:// URLs (connecting lazily)", async () => {
    for (const databaseUrl of ["postgres://user@127.0.0.1:1/db", "postgresql://user@127.0.0.1:1/db", "POSTGRES://user@127.0.0.1:1/db"]) {
      const store = createStore({ databaseUrl, sqliteFile: join(dir, "unused", "orders.sqlite") });
      expect(store.kind).toBe("postgres");
      await store.close();
    }
    expect(existsSync(join(dir, "unused"))).toBe(false);
  });

  it("refuses a URL for another database instead of quietly using SQLite", () => {
    expect(() => createStore({ databaseUrl: "mysql://db/orders", sqliteFile: join(dir, "x.sqlite") })).toThrow(/postgres:\/\//);
  });
});

describe("SQLite store migrations", () => {
  it("upgrades a database made before migrations were numbered, keeping its orders", async () => {
    const filename = nextFile();
    const { default: Database } = await import("better-sqlite3");
    const { SQLITE_MIGRATIONS } = await import("../../server/store/sqlite-schema.ts");
    const old = new Database(filename);
    old.exec(SQLITE_MIGRATIONS[0]!.sql);
    old
      .prepare(
        `INSERT INTO orders (id, merchant_order_id, gateway_state, status, amount, currency, country, payment, created_at, updated_at, expires_at)
         VALUES ('ck_old', 'mo-old', 'created', 'completed', '100.00', 'php', 'PH', 'gcash', ${T}, ${T}, ${T + 1})`,
      )
      .run();
    old.close();

    const store = createSqliteStore({ filename });
    await store.migrate();
    await store.migrate();
    expect(await store.get("ck_old")).toMatchObject({ status: "completed", sessionId: null, metadata: null, paymentUid: null });
    expect((await store.listOrders({ limit: 5 })).data.map((order) => order.id)).toEqual(["ck_old"]);
    const versions = new Database(filename).prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(versions).toEqual(SQLITE_MIGRATIONS.map((migration) => ({ version: migration.version })));
    await store.close();
  });

  it("lists one status of a kind through orders_kind_status, not by walking every order of the kind", async () => {
    const filename = nextFile();
    const { default: Database } = await import("better-sqlite3");
    const { listOrdersSql } = await import("../../server/store/sqlite.ts");
    const store = createSqliteStore({ filename });
    await store.migrate();
    await store.close();
    const db = new Database(filename);
    try {
      // 2,000 paid orders and none refunded: a merchant asking for its refunds.
      const insert = db.prepare(
        `INSERT INTO orders (id, merchant_order_id, gateway_state, status, amount, currency, country, payment, created_at, updated_at, expires_at)
         VALUES (?, ?, 'created', 'completed', '100.00', 'php', 'PH', 'gcash', ?, ?, ?)`,
      );
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run(`ck_${String(i).padStart(22, "0")}`, `mo-${i}`, T + i, T + i, T + i + 1);
      })();
      const refunds = { kind: "checkout", status: "refund", customer: null, session: null, after_created: null, after_id: null, limit: 21 };
      const plan = (sql: string) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(refunds)
          .map((row) => (row as { detail: string }).detail)
          .join("; ");
      expect(plan(listOrdersSql("status"))).toMatch(/USING INDEX orders_kind_status \(kind=\? AND status=\?/);
      // The statement without a status still reads the kind newest first.
      expect(plan(listOrdersSql(null))).toMatch(/USING INDEX orders_kind\b/);
      expect(db.prepare(listOrdersSql("status")).all(refunds)).toEqual([]);
    } finally {
      db.close();
    }
    const reopened = createSqliteStore({ filename });
    expect((await reopened.listOrders({ status: "refund", limit: 20 })).data).toEqual([]);
    expect((await reopened.listOrders({ status: "completed", limit: 3 })).data.map((order) => order.id)).toEqual([1999, 1998, 1997].map((i) => `ck_${String(i).padStart(22, "0")}`));
    await reopened.close();
  });

  it("upgrades a database of version 3 (orders_created_at) with orders, history and events in it", async () => {
    const filename = nextFile();
    const { default: Database } = await import("better-sqlite3");
    const { SQLITE_MIGRATIONS } = await import("../../server/store/sqlite-schema.ts");

    const before = createSqliteStore({ filename, subscriptions: [{ endpoint: "shop", types: null }] });
    await before.migrate();
    const { order } = await before.insert(newOrder({ idempotencyKey: "v3" }));
    await before.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/v3", at: T + 1 }, { status: "pending", source: "create", at: T + 2 });
    await before.close();
    // Back to the file the previous release left (version 3): migration 4 only dropped an index.
    const raw = new Database(filename);
    raw.exec("CREATE INDEX orders_created_at ON orders (created_at); DELETE FROM schema_migrations WHERE version > 3");
    raw.close();

    const store = createSqliteStore({ filename, subscriptions: [{ endpoint: "shop", types: null }] });
    await store.migrate();
    const check = new Database(filename);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'orders_created_at'").all()).toEqual([]);
    expect(check.prepare("SELECT MAX(version) AS v FROM schema_migrations").get()).toEqual({ v: SQLITE_MIGRATIONS.at(-1)!.version });
    check.close();
    const moved = await store.transition(order.id, { status: "completed", finalAmount: "100.50", source: "notify", at: T + 3 });
    expect(moved?.changed).toBe(true);
    expect((await store.history(order.id)).map((change) => change.to)).toEqual(["pending", "completed"]);
    expect(await store.recent(5)).toEqual([moved!.order]);
    expect((await store.listEvents({ objectId: order.id, limit: 10 })).data.map((event) => event.type)).toEqual(["order.paid", "order.created"]);
    await store.close();
  });
});
