/**
 * The order store in one SQLite file (better-sqlite3): the default, for a single server process.
 *
 * better-sqlite3 is synchronous, so within one process no two operations ever interleave. The
 * compare-and-set operations still run in `BEGIN IMMEDIATE` transactions, which take the write lock
 * before the read that decides the write: a second process on the same file (a CLI, a second
 * server by mistake) then waits (busy timeout) instead of deciding on a stale read.
 */
import Database from "better-sqlite3";
import { newOrderToRow, ORDER_COLUMNS, rowToChange, rowToOrder, type ChangeRow, type OrderRow } from "./rows.ts";
import { applyPlan, planTransition, RECHECK_OWNER, SWEEP_ORDER_SQL, SWEEP_WANTED_SQL } from "./rules.ts";
import type { GatewayState, InsertResult, NewOrder, OrderRecord, OrderStore, StatusUpdate, TransitionResult } from "./types.ts";

export interface SqliteStoreConfig {
  /** A file path, or ":memory:" (tests). The directory must exist. */
  filename: string;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

// STRICT tables: a money string stays a string, a time stays an integer, whatever a caller binds.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  merchant_order_id TEXT NOT NULL UNIQUE,
  gateway_state TEXT NOT NULL,
  status TEXT NOT NULL,
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  refreshed_at INTEGER,
  -- The sweep lease: who holds the order, and until when (epoch ms).
  sweep_owner TEXT,
  sweep_until INTEGER
) STRICT;

CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);
CREATE INDEX IF NOT EXISTS orders_sweep ON orders (refreshed_at, created_at) WHERE ${SWEEP_WANTED_SQL};

CREATE TABLE IF NOT EXISTS order_status_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders (id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS order_status_changes_order ON order_status_changes (order_id, seq);
`;

type Db = Database.Database;

function prepareStatements(db: Db) {
  return {
    insert: db.prepare<Record<string, unknown>>(
      `INSERT INTO orders (${ORDER_COLUMNS.join(", ")}) VALUES (${ORDER_COLUMNS.map((column) => `@${column}`).join(", ")})
       ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    byId: db.prepare<[string], OrderRow>("SELECT * FROM orders WHERE id = ?"),
    byMerchantOrderId: db.prepare<[string], OrderRow>("SELECT * FROM orders WHERE merchant_order_id = ?"),
    byIdempotencyKey: db.prepare<[string], OrderRow>("SELECT * FROM orders WHERE idempotency_key = ?"),
    setGatewayState: db.prepare<{ id: string; gateway_state: GatewayState; set_url: number; payment_url: string | null; set_error: number; error_code: string | null; at: number }, OrderRow>(
      `UPDATE orders SET
         gateway_state = @gateway_state,
         payment_url = CASE WHEN @set_url THEN @payment_url ELSE payment_url END,
         error_code = CASE WHEN @set_error THEN @error_code ELSE error_code END,
         updated_at = @at
       WHERE id = @id
       RETURNING *`,
    ),
    writeTransition: db.prepare<{ id: string; status: string; final_amount: string | null; floating_amount: string | null; refreshed_at: number; updated_at: number }>(
      `UPDATE orders SET status = @status, final_amount = @final_amount, floating_amount = @floating_amount,
         refreshed_at = @refreshed_at, updated_at = @updated_at
       WHERE id = @id`,
    ),
    insertChange: db.prepare<ChangeRow>(
      "INSERT INTO order_status_changes (order_id, from_status, to_status, source, at) VALUES (@order_id, @from_status, @to_status, @source, @at)",
    ),
    history: db.prepare<[string], ChangeRow>("SELECT * FROM order_status_changes WHERE order_id = ? ORDER BY seq"),
    claimRefresh: db.prepare<{ id: string; stale_before: number; now: number }>(
      "UPDATE orders SET refreshed_at = @now WHERE id = @id AND (refreshed_at IS NULL OR refreshed_at < @stale_before)",
    ),
    sweepCandidates: db.prepare<{ now: number; created_before: number | null; limit: number }, OrderRow>(
      `SELECT * FROM orders
       WHERE ${SWEEP_WANTED_SQL}
         AND (sweep_until IS NULL OR sweep_until <= @now)
         AND (@created_before IS NULL OR created_at < @created_before)
       ORDER BY ${SWEEP_ORDER_SQL}
       LIMIT @limit`,
    ),
    lease: db.prepare<{ id: string; owner: string; until: number }>("UPDATE orders SET sweep_owner = @owner, sweep_until = @until WHERE id = @id"),
    release: db.prepare<{ id: string; owner: string }>("UPDATE orders SET sweep_owner = NULL, sweep_until = NULL WHERE id = @id AND sweep_owner = @owner"),
    defer: db.prepare<{ id: string; until: number }>(`UPDATE orders SET sweep_owner = '${RECHECK_OWNER}', sweep_until = @until WHERE id = @id`),
    recent: db.prepare<[number], OrderRow>("SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT ?"),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export function createSqliteStore(config: SqliteStoreConfig): OrderStore {
  // The busy timeout goes in at open, so that even the pragmas below wait for another process.
  const db = new Database(config.filename, { timeout: Math.max(0, Math.floor(config.busyTimeoutMs ?? 5000)) });
  // WAL: readers never wait for the writer, and a commit is one append. (":memory:" stays "memory".)
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // synchronous stays FULL (the default): a payment's status change must survive a power cut.

  // Statements need the tables, so they are prepared on first use, after `migrate()`.
  let prepared: Statements | undefined;
  const st = (): Statements => (prepared ??= prepareStatements(db));

  const insertTx = db.transaction((order: NewOrder): InsertResult => {
    const row = newOrderToRow(order);
    if (st().insert.run(row).changes === 1) return { inserted: true, order: rowToOrder(st().byId.get(order.id)!) };
    // Only the idempotency key is allowed to conflict silently (a clash on id or merchant order id
    // throws): the key is set, and the order holding it is returned untouched.
    const existing = order.idempotencyKey === null ? undefined : st().byIdempotencyKey.get(order.idempotencyKey);
    if (!existing) throw new Error("order store: insert conflicted but no order holds the idempotency key");
    return { inserted: false, order: rowToOrder(existing) };
  });

  const transitionTx = db.transaction((id: string, update: StatusUpdate): TransitionResult | null => {
    const row = st().byId.get(id);
    if (!row) return null;
    const current = rowToOrder(row);
    const plan = planTransition(current, update);
    st().writeTransition.run({
      id,
      status: plan.status,
      final_amount: plan.finalAmount,
      floating_amount: plan.floatingAmount,
      refreshed_at: plan.refreshedAt,
      updated_at: plan.updatedAt,
    });
    const order = applyPlan(current, plan);
    if (!plan.change) return { changed: false, order };
    const { change } = plan;
    st().insertChange.run({ order_id: change.orderId, from_status: change.from, to_status: change.to, source: change.source, at: change.at });
    return { changed: true, order, change };
  });

  const claimForSweepTx = db.transaction((options: { limit: number; now: number; leaseMs: number; owner: string; createdBefore?: number }): OrderRecord[] => {
    const rows = st().sweepCandidates.all({ now: options.now, created_before: options.createdBefore ?? null, limit: options.limit });
    for (const row of rows) st().lease.run({ id: row.id, owner: options.owner, until: options.now + options.leaseMs });
    return rows.map(rowToOrder);
  });

  const migrateTx = db.transaction(() => {
    db.exec(SCHEMA);
  });

  return {
    kind: "sqlite",

    async migrate() {
      migrateTx.immediate();
    },

    async ping() {
      db.prepare("SELECT 1").get();
    },

    async close() {
      if (db.open) db.close();
    },

    async insert(order) {
      return insertTx.immediate(order);
    },

    async get(id) {
      const row = st().byId.get(id);
      return row ? rowToOrder(row) : null;
    },

    async getByMerchantOrderId(merchantOrderId) {
      const row = st().byMerchantOrderId.get(merchantOrderId);
      return row ? rowToOrder(row) : null;
    },

    async setGatewayState(id, patch) {
      const row = st().setGatewayState.get({
        id,
        gateway_state: patch.gatewayState,
        // `undefined` leaves the column alone; `null` clears it.
        set_url: patch.paymentUrl === undefined ? 0 : 1,
        payment_url: patch.paymentUrl ?? null,
        set_error: patch.errorCode === undefined ? 0 : 1,
        error_code: patch.errorCode ?? null,
        at: patch.at,
      });
      return row ? rowToOrder(row) : null;
    },

    async transition(id, update) {
      return transitionTx.immediate(id, update);
    },

    async history(id) {
      return st().history.all(id).map(rowToChange);
    },

    async claimRefresh(id, staleBefore, now) {
      return st().claimRefresh.run({ id, stale_before: staleBefore, now }).changes === 1;
    },

    async claimForSweep(options) {
      if (!(options.limit > 0)) return [];
      return claimForSweepTx.immediate({ ...options, limit: Math.floor(options.limit) });
    },

    async releaseSweep(id, owner) {
      st().release.run({ id, owner });
    },

    async deferSweep(id, until) {
      st().defer.run({ id, until });
    },

    async recent(limit) {
      if (!(limit > 0)) return [];
      return st().recent.all(Math.floor(limit)).map(rowToOrder);
    },
  };
}
