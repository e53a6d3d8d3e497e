/**
 * The PostgreSQL store: the contract, then what only PostgreSQL promises, invariants kept between
 * separate pools as separate server processes would have. Needs DATABASE_URL; every test works in
 * a schema of its own, dropped afterwards, so runs never see each other's orders.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { answersSqlFor, createPostgresStore } from "../../server/store/postgres.ts";
import type { OutboxConfig } from "../../server/store/outbox.ts";
import type { OrderRecord, OrderStore } from "../../server/store/types.ts";
import { outboxContract } from "./outbox-contract.ts";
import { startPgWireCounter } from "../support/pg-wire-count.ts";
import { storeContract } from "./contract.ts";
import { newOrder, T } from "../support/orders.ts";

const url = process.env.DATABASE_URL;
if (!url) console.warn("PostgreSQL store tests skipped: DATABASE_URL is not set");

const run = `${process.pid}_${Date.now().toString(36)}`;
let schemas = 0;
const created = new Set<string>();
const schemaOf = new WeakMap<OrderStore, string>();

function newSchema(): string {
  const schema = `store_test_${run}_${++schemas}`;
  created.add(schema);
  return schema;
}

// One admin connection for dropping schemas; opened only when there is a database to talk to.
const admin = url ? postgres(url, { max: 1, onnotice: () => {} }) : null;

async function dropSchema(schema: string): Promise<void> {
  await admin?.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  created.delete(schema);
}

afterAll(async () => {
  // Whatever a failed test left behind.
  for (const schema of [...created]) await dropSchema(schema);
  await admin?.end({ timeout: 5 });
});

const POOL = 8;

/**
 * Opens the whole pool before the test: connections are made on demand, and while they are being
 * made the first one runs the "concurrent" calls one after another, hiding a missing lock.
 */
async function warm(store: OrderStore): Promise<void> {
  await Promise.all(Array.from({ length: POOL }, () => store.ping()));
}

describe.skipIf(!url)("PostgreSQL store", () => {
  /** A store in a schema of its own, its pool opened. */
  const makeStore = async (outbox: OutboxConfig = {}) => {
    const schema = newSchema();
    const store = createPostgresStore({ url: url!, schema, max: POOL, ...outbox });
    schemaOf.set(store, schema);
    await warm(store);
    return store;
  };
  const dropStore = async (store: OrderStore) => {
    await store.close();
    const schema = schemaOf.get(store);
    if (schema) await dropSchema(schema);
  };

  storeContract("postgres", makeStore, dropStore);
  outboxContract("postgres", makeStore, dropStore);

  it("upgrades a schema of version 4 (orders_created_at, history keyed by seq, its orders referenced by a foreign key) with orders and history in it", async () => {
    const schema = newSchema();
    const { postgresMigrations } = await import("../../server/store/postgres-schema.ts");
    // The schema as the previous release left it: migrations are only ever appended.
    await admin!.begin(async (tx) => {
      await tx.unsafe(`CREATE SCHEMA "${schema}"`);
      await tx.unsafe(`CREATE TABLE "${schema}".schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      for (const migration of postgresMigrations(`"${schema}"`).filter((migration) => migration.version <= 4)) {
        await tx.unsafe(migration.sql);
        await tx.unsafe(`INSERT INTO "${schema}".schema_migrations VALUES ($1, $2, $3)`, [migration.version, migration.name, T]);
      }
      await tx.unsafe(
        `INSERT INTO "${schema}".orders (id, merchant_order_id, gateway_state, status, amount, currency, country, payment, created_at, updated_at, expires_at)
         VALUES ('ck_old', 'mo-old', 'created', 'pending', '100.00', 'php', 'PH', 'gcash', ${T}, ${T}, ${T + 1})`,
      );
      await tx.unsafe(`INSERT INTO "${schema}".order_status_changes (order_id, from_status, to_status, source, at) VALUES ('ck_old', 'none', 'pending', 'create', ${T})`);
    });
    const store = createPostgresStore({ url: url!, schema, max: 2 });
    try {
      await store.migrate();
      const indexes = await admin!`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ${schema} AND tablename IN ('orders', 'order_status_changes')`;
      const names = indexes.map((index) => index.indexname);
      expect(names).not.toContain("orders_created_at");
      expect(names).not.toContain("order_status_changes_order");
      expect(indexes.find((index) => index.indexname === "order_status_changes_pkey")?.indexdef).toMatch(/\(order_id, seq\)/);
      // Migration 6: no trigger checks a status change's order any more (the writer keeps the reference).
      const foreignKeys = await admin!`SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = ${`"${schema}".order_status_changes`}::regclass`;
      expect(foreignKeys).toEqual([]);
      const moved = await store.transition("ck_old", { status: "completed", finalAmount: "100.00", source: "notify", at: T + 5 });
      expect(moved?.changed).toBe(true);
      expect((await store.history("ck_old")).map((change) => change.to)).toEqual(["pending", "completed"]);
      expect(await store.recent(5)).toEqual([moved!.order]);
      expect((await store.listOrders({ status: "completed", limit: 10 })).data.map((order) => order.id)).toEqual(["ck_old"]);
      expect((await store.listOrders({ status: "pending", limit: 10 })).data).toEqual([]);
      await store.migrate();
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it("plans a batch of answers as a key lookup per order, in a new table as in a grown one, whatever plan the statement keeps", async () => {
    const store = await makeStore();
    await store.migrate();
    const schema = schemaOf.get(store)!;
    // The plan a prepared statement keeps once PostgreSQL stops planning it anew for each run.
    const generic = postgres(url!, { max: 1, onnotice: () => {}, connection: { plan_cache_mode: "force_generic_plan" } });
    const planOf = async (name: string, withDeliveries: boolean) => {
      const parameters = withDeliveries ? "text, text" : "text";
      await generic.unsafe(`PREPARE ${name}(${parameters}) AS ${answersSqlFor(schema, withDeliveries)}`);
      const rows = await generic.unsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (COSTS OFF) EXECUTE ${name}('[]'${withDeliveries ? ", '[]'" : ""})`);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    };
    try {
      const expectKeyLookups = (plan: string) => {
        expect(plan).toMatch(/Index Scan using orders_pkey on orders x/);
        expect(plan).toMatch(/Tid Scan on orders o/);
        expect(plan).not.toMatch(/Seq Scan on orders/);
      };
      expectKeyLookups(await planOf("answers_new", false));
      expectKeyLookups(await planOf("answers_new_sending", true));
      for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 100 }, () => store.insert(newOrder())));
      await generic.unsafe(`ANALYZE "${schema}".orders`);
      expectKeyLookups(await planOf("answers_grown", false));
      expectKeyLookups(await planOf("answers_grown_sending", true));
    } finally {
      await generic.end({ timeout: 5 });
      await dropStore(store);
    }
  });

  it("fails only the answer that cannot be written when answers arrive together", async () => {
    const store = await makeStore();
    await store.migrate();
    try {
      const [first, bad, good] = await Promise.all([0, 1, 2].map(async () => (await store.insert(newOrder())).order));
      const answer = (order: OrderRecord, paymentUrl: string) => store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl, at: T + 1 }, { status: "pending", source: "create", at: T + 2 });
      // The first goes alone; the other two queue behind it and go together. PostgreSQL's text
      // holds no NUL character, so the bad one's statement fails, alone as in the batch.
      const results = await Promise.allSettled([answer(first!, "https://pay.example/1"), answer(bad!, "https://pay.example/\u0000"), answer(good!, "https://pay.example/3")]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await store.get(good!.id)).toMatchObject({ status: "pending", paymentUrl: "https://pay.example/3" });
      expect(await store.history(good!.id)).toHaveLength(1);
      expect(await store.get(bad!.id)).toMatchObject({ status: "none", gatewayState: bad!.gatewayState, paymentUrl: null });
      expect(await store.history(bad!.id)).toEqual([]);
    } finally {
      await dropStore(store);
    }
  });

  it("lets the other answers through while one order of their batch is locked by another transaction", async () => {
    const store = await makeStore();
    await store.migrate();
    const holder = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      const [first, locked, free] = await Promise.all([0, 1, 2].map(async () => (await store.insert(newOrder())).order));
      const answer = (order: OrderRecord) => store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 }, { status: "pending", source: "create", at: T + 2 });
      let taken!: () => void;
      let release!: () => void;
      const lockTaken = new Promise<void>((resolve) => (taken = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const holding = holder.begin(async (tx) => {
        await tx.unsafe(`SELECT 1 FROM "${schemaOf.get(store)}".orders WHERE id = $1 FOR UPDATE`, [locked!.id]);
        taken();
        await released;
      });
      await lockTaken;
      // The first goes alone; the locked one and the free one queue behind it and go together.
      const [one, waiting, other] = [answer(first!), answer(locked!), answer(free!)];
      let lockedSettled = false;
      void waiting.finally(() => (lockedSettled = true));
      const within = (ms: number) => new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), ms));
      expect(await Promise.race([Promise.all([one, other]).then(() => "through" as const), within(5_000)])).toBe("through");
      expect(await store.get(free!.id)).toMatchObject({ status: "pending", paymentUrl: "https://pay.example/x" });
      expect(lockedSettled).toBe(false);
      release();
      await holding;
      expect(await waiting).toMatchObject({ changed: true, order: { status: "pending" } });
      expect(await store.history(locked!.id)).toHaveLength(1);
    } finally {
      await holder.end({ timeout: 5 });
      await dropStore(store);
    }
  });

  it("writes answers that arrive together in one statement: twelve answers, two transactions", async () => {
    const counter = await startPgWireCounter(url!);
    const schema = newSchema();
    const store = createPostgresStore({ url: counter.url, schema, max: POOL });
    try {
      await store.migrate();
      await warm(store);
      const orders = await Promise.all(Array.from({ length: 12 }, async () => (await store.insert(newOrder())).order));
      const before = counter.counts();
      const results = await Promise.all(orders.map((order) => store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 }, { status: "pending", source: "create", at: T + 2 })));
      const after = counter.counts();
      expect(results.filter((result) => result?.changed)).toHaveLength(12);
      // The first alone, the eleven that queued behind it together (a failed batch would add its
      // own and eleven more).
      expect(after.writeTransactions - before.writeTransactions).toBe(2);
    } finally {
      await store.close();
      await dropSchema(schema);
      await counter.close();
    }
  });

  it("refuses a schema name that would need quoting", () => {
    expect(() => createPostgresStore({ url: url!, schema: 'x"; DROP TABLE orders; --' })).toThrow(/schema/);
  });

  it("keeps every invariant between two pools on one database, as two server processes", async () => {
    const schema = newSchema();
    const a = createPostgresStore({ url: url!, schema, max: POOL });
    const b = createPostgresStore({ url: url!, schema, max: POOL });
    const both = [a, b];
    const pick = (i: number) => both[i % 2]!;
    try {
      // Both start at once on an empty schema: the advisory lock serialises the CREATEs.
      await Promise.all([a.migrate(), b.migrate(), a.migrate(), b.migrate()]);
      await Promise.all([warm(a), warm(b)]);

      const inserts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pick(i).insert(newOrder({ idempotencyKey: "two-processes", status: "pending", gatewayState: "created" }))),
      );
      expect(inserts.filter((result) => result.inserted)).toHaveLength(1);
      const id = inserts[0]!.order.id;
      for (const result of inserts) expect(result.order.id).toBe(id);

      const moves = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pick(i).transition(id, { status: "completed", finalAmount: "100.50", source: "notify", at: T + 1 })),
      );
      expect(moves.filter((result) => result?.changed)).toHaveLength(1);
      expect(await a.history(id)).toEqual([{ orderId: id, from: "pending", to: "completed", source: "notify", at: T + 1 }]);

      const refreshed = await a.insert(newOrder({ status: "pending", gatewayState: "created" }));
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => pick(i).claimRefresh(refreshed.order.id, T + 500, T + 500)));
      expect(claims.filter(Boolean)).toHaveLength(1);

      const open = await Promise.all(
        Array.from({ length: 30 }, (_, i) => pick(i).insert(newOrder({ status: "pending", gatewayState: "created", refreshedAt: T + i }))),
      );
      const expected = [refreshed.order.id, ...open.map((result) => result.order.id)].sort();
      const claimedBy = new Map<string, string>();
      // Rounds of racing sweepers, four at a time across both pools, until nothing is left.
      for (let round = 0; round < 10 && claimedBy.size < expected.length; round++) {
        const owners = ["a1", "b1", "a2", "b2"];
        const batches = await Promise.all(owners.map((owner, i) => pick(i).claimForSweep({ limit: 4, now: T + 60_000, leaseMs: 60_000, owner })));
        batches.forEach((batch, i) => {
          for (const order of batch) {
            expect(claimedBy.get(order.id), `${order.id} claimed twice`).toBeUndefined();
            claimedBy.set(order.id, owners[i]!);
          }
        });
      }
      expect([...claimedBy.keys()].sort()).toEqual(expected);
      expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  });
});
