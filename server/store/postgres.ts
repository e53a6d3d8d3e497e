/**
 * The order store in PostgreSQL (porsager's `postgres`), for several server processes sharing one
 * database. Every invariant is kept by the database itself, never by this process's memory:
 * - idempotency: a UNIQUE key and `INSERT … ON CONFLICT DO NOTHING`, then a read of the winner;
 * - one-way status: the row is locked (`SELECT … FOR UPDATE`) while the move is decided, and the
 *   history row is written in the same transaction, so a change is recorded exactly once;
 * - refresh claims: one conditional UPDATE;
 * - sweep claims: `FOR UPDATE SKIP LOCKED` plus a lease (owner, until) that outlives the statement.
 */
import postgres from "postgres";
import { newOrderToRow, ORDER_COLUMNS, rowToChange, rowToOrder, type ChangeRow, type OrderRow } from "./rows.ts";
import { applyPlan, planTransition, RECHECK_OWNER, SWEEP_ORDER_SQL, SWEEP_WANTED_SQL } from "./rules.ts";
import type { OrderStore, TransitionResult } from "./types.ts";

export interface PostgresStoreConfig {
  /** postgres:// or postgresql:// connection URL. */
  url: string;
  /** Connections in this process's pool. */
  max?: number;
  /** Schema holding the tables, created by `migrate()`; lets tests (or two apps) share a database. */
  schema?: string;
}

// Plain lower-case names only: the schema is written into DDL, and a name that needs quoting
// rules is a mistake sooner than a wish.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function ddl(schema: string): string {
  const q = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${q};

CREATE TABLE IF NOT EXISTS ${q}.orders (
  id TEXT PRIMARY KEY,
  merchant_order_id TEXT NOT NULL UNIQUE,
  gateway_state TEXT NOT NULL,
  status TEXT NOT NULL,
  -- Money as the decimal strings the gateway uses: never a float, never rounded by us.
  amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  country TEXT NOT NULL,
  payment TEXT NOT NULL,
  channel TEXT,
  final_amount TEXT,
  floating_amount TEXT,
  payment_url TEXT,
  product TEXT,
  customer TEXT,
  description TEXT,
  locale TEXT,
  origin TEXT,
  return_url TEXT,
  -- UNIQUE lets any number of NULLs through: orders without a key never collide.
  idempotency_key TEXT UNIQUE,
  request_hash TEXT,
  error_code TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  refreshed_at BIGINT,
  -- The sweep lease: who holds the order, and until when (epoch ms).
  sweep_owner TEXT,
  sweep_until BIGINT
);

CREATE INDEX IF NOT EXISTS orders_created_at ON ${q}.orders (created_at);
CREATE INDEX IF NOT EXISTS orders_sweep ON ${q}.orders (refreshed_at NULLS FIRST, created_at) WHERE ${SWEEP_WANTED_SQL};

CREATE TABLE IF NOT EXISTS ${q}.order_status_changes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES ${q}.orders (id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  source TEXT NOT NULL,
  at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS order_status_changes_order ON ${q}.order_status_changes (order_id, seq);
`;
}

export function createPostgresStore(config: PostgresStoreConfig): OrderStore {
  const schema = config.schema ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new Error(`order store: schema ${JSON.stringify(schema)} must be lower-case letters, digits and '_'`);

  const sql = postgres(config.url, {
    max: config.max ?? 10,
    // "relation already exists, skipping" on every start is noise, not news.
    onnotice: () => {},
    connect_timeout: 10,
  });
  const orders = sql(`${schema}.orders`);
  const changes = sql(`${schema}.order_status_changes`);
  const wanted = sql.unsafe(SWEEP_WANTED_SQL);
  const sweepOrder = sql.unsafe(SWEEP_ORDER_SQL);

  return {
    kind: "postgres",

    async migrate() {
      // CREATE … IF NOT EXISTS is not safe against itself: two processes starting together can
      // both see "missing" and one fails on a catalog unique index. One lock for every schema.
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtextextended('octopus-checkout:order-store:migrate', 0))`;
        await tx.unsafe(ddl(schema));
      });
    },

    async ping() {
      await sql`SELECT 1`;
    },

    async close() {
      await sql.end({ timeout: 5 });
    },

    async insert(order) {
      const row = newOrderToRow(order);
      const [inserted] = await sql<OrderRow[]>`
        INSERT INTO ${orders} ${sql(row, ORDER_COLUMNS)}
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING *`;
      if (inserted) return { inserted: true, order: rowToOrder(inserted) };
      // The conflict waited for the winner to commit, so this read (a new snapshot) sees it. A clash
      // on id or merchant_order_id is not covered by ON CONFLICT and throws instead.
      const [existing] = order.idempotencyKey === null ? [] : await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE idempotency_key = ${order.idempotencyKey}`;
      if (!existing) throw new Error("order store: insert conflicted but no order holds the idempotency key");
      return { inserted: false, order: rowToOrder(existing) };
    },

    async get(id) {
      const [row] = await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE id = ${id}`;
      return row ? rowToOrder(row) : null;
    },

    async getByMerchantOrderId(merchantOrderId) {
      const [row] = await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE merchant_order_id = ${merchantOrderId}`;
      return row ? rowToOrder(row) : null;
    },

    async setGatewayState(id, patch) {
      // `undefined` leaves the column alone; `null` clears it.
      const [row] = await sql<OrderRow[]>`
        UPDATE ${orders} SET
          gateway_state = ${patch.gatewayState},
          ${patch.paymentUrl === undefined ? sql`` : sql`payment_url = ${patch.paymentUrl},`}
          ${patch.errorCode === undefined ? sql`` : sql`error_code = ${patch.errorCode},`}
          updated_at = ${patch.at}
        WHERE id = ${id}
        RETURNING *`;
      return row ? rowToOrder(row) : null;
    },

    async transition(id, update) {
      return sql.begin(async (tx): Promise<TransitionResult | null> => {
        // Concurrent callers queue on the row lock; each then reads the status its predecessor
        // committed (READ COMMITTED re-reads a locked row), so only the first sees the old one.
        const [row] = await tx<OrderRow[]>`SELECT * FROM ${orders} WHERE id = ${id} FOR UPDATE`;
        if (!row) return null;
        const current = rowToOrder(row);
        const plan = planTransition(current, update);
        await tx`
          UPDATE ${orders} SET
            status = ${plan.status},
            final_amount = ${plan.finalAmount},
            floating_amount = ${plan.floatingAmount},
            refreshed_at = ${plan.refreshedAt},
            updated_at = ${plan.updatedAt}
          WHERE id = ${id}`;
        const order = applyPlan(current, plan);
        if (!plan.change) return { changed: false, order };
        const { change } = plan;
        await tx`
          INSERT INTO ${changes} (order_id, from_status, to_status, source, at)
          VALUES (${change.orderId}, ${change.from}, ${change.to}, ${change.source}, ${change.at})`;
        return { changed: true, order, change };
      });
    },

    async history(id) {
      const rows = await sql<ChangeRow[]>`SELECT * FROM ${changes} WHERE order_id = ${id} ORDER BY seq`;
      return rows.map(rowToChange);
    },

    async claimRefresh(id, staleBefore, now) {
      const result = await sql`
        UPDATE ${orders} SET refreshed_at = ${now}
        WHERE id = ${id} AND (refreshed_at IS NULL OR refreshed_at < ${staleBefore})`;
      return result.count === 1;
    },

    async claimForSweep(options) {
      if (!(options.limit > 0)) return [];
      // SKIP LOCKED: a concurrent sweeper passes over rows another is leasing right now instead of
      // waiting for them; a row leased a moment ago is re-checked on its new version and left out.
      const rows = await sql<OrderRow[]>`
        WITH picked AS (
          SELECT id FROM ${orders}
          WHERE ${wanted}
            AND (sweep_until IS NULL OR sweep_until <= ${options.now})
            ${options.createdBefore === undefined ? sql`` : sql`AND created_at < ${options.createdBefore}`}
          ORDER BY ${sweepOrder}
          LIMIT ${Math.floor(options.limit)}
          FOR UPDATE SKIP LOCKED
        ), leased AS (
          UPDATE ${orders} AS o SET sweep_owner = ${options.owner}, sweep_until = ${options.now + options.leaseMs}
          FROM picked WHERE o.id = picked.id
          RETURNING o.*
        )
        SELECT * FROM leased ORDER BY ${sweepOrder}`;
      return rows.map(rowToOrder);
    },

    async releaseSweep(id, owner) {
      await sql`UPDATE ${orders} SET sweep_owner = NULL, sweep_until = NULL WHERE id = ${id} AND sweep_owner = ${owner}`;
    },

    async deferSweep(id, until) {
      await sql`UPDATE ${orders} SET sweep_owner = ${RECHECK_OWNER}, sweep_until = ${until} WHERE id = ${id}`;
    },

    async recent(limit) {
      if (!(limit > 0)) return [];
      const rows = await sql<OrderRow[]>`SELECT * FROM ${orders} ORDER BY created_at DESC, id DESC LIMIT ${Math.floor(limit)}`;
      return rows.map(rowToOrder);
    },
  };
}
