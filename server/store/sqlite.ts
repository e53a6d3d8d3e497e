/**
 * The order store in one SQLite file (better-sqlite3): the default, for a single server process.
 *
 * better-sqlite3 is synchronous, so within one process no two operations ever interleave. Every
 * write runs in a `BEGIN IMMEDIATE` transaction, which takes the write lock before the read that
 * decides the write: a second process on the same file (a CLI, a second server by mistake) then
 * waits (busy timeout) instead of deciding on a stale read. The writes of one event-loop turn share
 * that transaction and its one fsync (sqlite-group-commit.ts), each in a savepoint of its own.
 */
import Database from "better-sqlite3";
import { createdEventType, orderEvent, orderEventType, subscribers, type OutboxConfig } from "./outbox.ts";
import {
  newOrderToRow,
  newSessionToRow,
  ORDER_COLUMNS,
  rowToChange,
  rowToDelivery,
  rowToEvent,
  rowToOrder,
  rowToSession,
  SESSION_COLUMNS,
  type ChangeRow,
  type DeliveryRow,
  type EventRow,
  type OrderInsertRow,
  type OrderRow,
  type SessionRow,
} from "./rows.ts";
import { applyPlan, firstChange, planTransition, RECHECK_OWNER, recentOrdersSql, SWEEP_ORDER_SQL, SWEEP_WANTED_SQL, withGatewayPatch } from "./rules.ts";
import { createGroupCommit } from "./sqlite-group-commit.ts";
import { createOrderCache } from "./sqlite-order-cache.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";
import type { ClaimedDelivery, EventRecord, GatewayState, GatewayStatePatch, InsertResult, NewOrder, OrderRecord, OrderStore, PayoutCap, PayoutInsertResult, StatusUpdate, TransitionResult } from "./types.ts";

export interface SqliteStoreConfig extends OutboxConfig {
  /** A file path, or ":memory:" (tests). The directory must exist. */
  filename: string;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

type Db = Database.Database;

/** Orders kept by the cache at most (a record is about 1 KiB): more than a server has checkouts being paid at once. */
const ORDER_CACHE_SIZE = 10_000;

/** What `transition` writes to an order's row. */
interface TransitionColumns {
  id: string;
  status: string;
  final_amount: string | null;
  floating_amount: string | null;
  payment_uid: string | null;
  payment_fail_reason: string | null;
  refreshed_at: number;
  updated_at: number;
}

type ListOrdersParams = { kind: string; status: string | null; customer: string | null; session: string | null; after_created: number | null; after_id: string | null; limit: number };

/**
 * listOrders led by the index of its most selective filter. SQLite only takes an index for a term
 * it can see constrains the rows, and `(@x IS NULL OR x = @x)` does not: one statement with every
 * filter optional walked every order of the kind (orders_kind), even for the few of one session,
 * which each create from a session lists. So the session or customer, when given, is written as a
 * plain equality (its partial index applies, `x = ?` implying `x IS NOT NULL`), and `+kind` keeps
 * orders_kind from being preferred to it. A status alone (no session or customer) is written as
 * one too, for orders_kind_status (kind, status, created_at): through orders_kind, a status with
 * few orders or none walked every order of the kind. The cursor bounds created_at as a range, so
 * that a later page starts where the last one ended instead of walking past every newer order.
 */
export function listOrdersSql(lead: "session_id" | "customer" | "status" | null): string {
  const optional = (column: string, param: string) => (column === lead ? `${column} = @${param}` : `(@${param} IS NULL OR ${column} = @${param})`);
  return `SELECT * FROM orders
       WHERE ${lead === "session_id" || lead === "customer" ? "+kind" : "kind"} = @kind
         AND ${optional("session_id", "session")}
         AND ${optional("customer", "customer")}
         AND ${optional("status", "status")}
         AND created_at <= coalesce(@after_created, ${Number.MAX_SAFE_INTEGER})
         AND (@after_created IS NULL OR created_at < @after_created OR id < @after_id)
       ORDER BY created_at DESC, id DESC
       LIMIT @limit`;
}

type ListEventsParams = { object_id: string | null; type: string | null; after_seq: number | null; limit: number };

/**
 * listEvents, for one object through events_object (object_id, seq), or for all in seq order.
 * The cursor is a range the index starts from (`seq < x`), not a filter over the rows before it.
 */
function listEventsSql(ofObject: boolean): string {
  return `SELECT * FROM events
       WHERE ${ofObject ? "object_id = @object_id" : "@object_id IS NULL"}
         AND (@type IS NULL OR type = @type)
         AND seq < coalesce(@after_seq, ${Number.MAX_SAFE_INTEGER})
       ORDER BY seq DESC
       LIMIT @limit`;
}

function prepareStatements(db: Db) {
  return {
    insert: db.prepare<Record<string, unknown>>(
      `INSERT INTO orders (${ORDER_COLUMNS.join(", ")}) VALUES (${ORDER_COLUMNS.map((column) => `@${column}`).join(", ")})
       ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    byId: db.prepare<[string], OrderRow>("SELECT * FROM orders WHERE id = ?"),
    // Moves whenever another connection commits (see sqlite-order-cache.ts).
    dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
    // Values only, in ORDER_COLUMNS order (see `orderById`).
    orderValues: db.prepare<[string], unknown[]>(`SELECT ${ORDER_COLUMNS.join(", ")} FROM orders WHERE id = ?`).raw(true),
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
    writeTransition: db.prepare<TransitionColumns>(
      `UPDATE orders SET status = @status, final_amount = @final_amount, floating_amount = @floating_amount,
         payment_uid = @payment_uid, payment_fail_reason = @payment_fail_reason,
         refreshed_at = @refreshed_at, updated_at = @updated_at
       WHERE id = @id`,
    ),
    // writeTransition's columns and the gateway's, in one statement: order/new's answer.
    writeAnswer: db.prepare<TransitionColumns & { gateway_state: GatewayState; payment_url: string | null; error_code: string | null }>(
      `UPDATE orders SET gateway_state = @gateway_state, payment_url = @payment_url, error_code = @error_code,
         status = @status, final_amount = @final_amount, floating_amount = @floating_amount,
         payment_uid = @payment_uid, payment_fail_reason = @payment_fail_reason,
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
    recent: db.prepare<{ limit: number }, OrderRow>(recentOrdersSql("orders", "@limit")),
    // One statement per index that can lead the list (see `listOrdersSql`).
    listOrders: db.prepare<ListOrdersParams, OrderRow>(listOrdersSql(null)),
    listOrdersOfSession: db.prepare<ListOrdersParams, OrderRow>(listOrdersSql("session_id")),
    listOrdersOfCustomer: db.prepare<ListOrdersParams, OrderRow>(listOrdersSql("customer")),
    listOrdersOfStatus: db.prepare<ListOrdersParams, OrderRow>(listOrdersSql("status")),

    dayTotal: db.prepare<{ day: string; currency: string }, { total_minor: number }>("SELECT total_minor FROM payout_day_totals WHERE day = @day AND currency = @currency"),
    addToDay: db.prepare<{ day: string; currency: string; amount: number }>(
      `INSERT INTO payout_day_totals (day, currency, total_minor) VALUES (@day, @currency, @amount)
       ON CONFLICT (day, currency) DO UPDATE SET total_minor = total_minor + excluded.total_minor`,
    ),

    insertSession: db.prepare<Record<string, unknown>>(
      `INSERT INTO sessions (${SESSION_COLUMNS.join(", ")}) VALUES (${SESSION_COLUMNS.map((column) => `@${column}`).join(", ")})
       ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    sessionById: db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE id = ?"),
    sessionByKey: db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE idempotency_key = ?"),
    completeSession: db.prepare<{ id: string; order_id: string; at: number }>(
      "UPDATE sessions SET status = 'completed', order_id = @order_id, updated_at = @at WHERE id = @id AND status <> 'completed'",
    ),

    insertEvent: db.prepare<{ id: string; type: string; object_id: string; data: string; created_at: number }>(
      "INSERT INTO events (id, type, object_id, data, created_at) VALUES (@id, @type, @object_id, @data, @created_at)",
    ),
    insertDelivery: db.prepare<{ event_id: string; event_seq: number; object_id: string; endpoint: string; next_attempt_at: number }>(
      `INSERT INTO deliveries (event_id, event_seq, object_id, endpoint, status, next_attempt_at)
       VALUES (@event_id, @event_seq, @object_id, @endpoint, 'pending', @next_attempt_at)
       ON CONFLICT (event_id, endpoint) DO NOTHING`,
    ),
    eventById: db.prepare<[string], EventRow>("SELECT * FROM events WHERE id = ?"),
    listEvents: db.prepare<ListEventsParams, EventRow>(listEventsSql(false)),
    // Through events_object: the filter written as a plain equality, which the index can lead.
    listEventsOfObject: db.prepare<ListEventsParams, EventRow>(listEventsSql(true)),
    deliveriesOf: db.prepare<[string], DeliveryRow>("SELECT * FROM deliveries WHERE event_id = ? ORDER BY endpoint"),
    dueDeliveries: db.prepare<{ now: number; endpoints: string; limit: number }, DeliveryRow & { attempt_count: number; event_seq: number }>(
      `SELECT d.* FROM deliveries d
       WHERE d.status = 'pending' AND d.next_attempt_at <= @now
         AND (d.lease_until IS NULL OR d.lease_until <= @now)
         AND d.endpoint IN (SELECT value FROM json_each(@endpoints))
         AND NOT EXISTS (
           SELECT 1 FROM deliveries p
           WHERE p.endpoint = d.endpoint AND p.object_id = d.object_id AND p.status = 'pending' AND p.event_seq < d.event_seq)
       ORDER BY d.next_attempt_at, d.event_seq
       LIMIT @limit`,
    ),
    leaseDelivery: db.prepare<{ id: number; owner: string; until: number }>("UPDATE deliveries SET lease_owner = @owner, lease_until = @until WHERE id = @id"),
    recordAttempt: db.prepare<{ id: number; owner: string; attempt: string; status: string; next_attempt_at: number | null }>(
      `UPDATE deliveries SET
         attempts = json_insert(attempts, '$[#]', json(@attempt)),
         attempt_count = attempt_count + 1,
         status = @status,
         next_attempt_at = @next_attempt_at,
         lease_owner = NULL,
         lease_until = NULL
       WHERE id = @id AND lease_owner = @owner`,
    ),
    redeliver: db.prepare<{ event_id: string; endpoint: string; at: number }>(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = @at, lease_owner = NULL, lease_until = NULL
       WHERE event_id = @event_id AND endpoint = @endpoint`,
    ),
    disableEndpoint: db.prepare<{ name: string; url: string; reason: string; at: number }>(
      `INSERT INTO disabled_endpoints (name, url, reason, at) VALUES (@name, @url, @reason, @at)
       ON CONFLICT (name) DO UPDATE SET url = excluded.url, reason = excluded.reason, at = excluded.at`,
    ),
    disabledEndpoints: db.prepare<[], { name: string; url: string; reason: string; at: number }>("SELECT name, url, reason, at FROM disabled_endpoints ORDER BY name"),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export function createSqliteStore(config: SqliteStoreConfig): OrderStore {
  // The busy timeout goes in at open, so that even the pragmas below wait for another process.
  const db = new Database(config.filename, { timeout: Math.max(0, Math.floor(config.busyTimeoutMs ?? 5000)) });
  // WAL: readers never wait for the writer, and a commit is one append. (":memory:" stays "memory".)
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // FULL, said explicitly: a payment's status change must survive a power cut. better-sqlite3 is
  // built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so entering WAL silently drops to NORMAL (while
  // `PRAGMA synchronous` still reads 2): strace counted 8 fsyncs for 200 commits, 209 with this line.
  db.pragma("synchronous = FULL");
  let subscriptions = config.subscriptions ?? [];

  // Statements need the tables, so they are prepared on first use, after `migrate()`.
  let prepared: Statements | undefined;
  const st = (): Statements => (prepared ??= prepareStatements(db));

  const cache = createOrderCache({ dataVersion: () => st().dataVersion.get()!, max: ORDER_CACHE_SIZE });

  // Every write goes through it: one COMMIT (one fsync) for the writes of one event-loop turn.
  const write = createGroupCommit(db, () => cache.clear());

  /**
   * One order by id, from the cache when it has it. Read as values and keyed here: the driver
   * building an object of 35 named columns was half the cost of a read. Kept only when read outside
   * a transaction: inside one, the row may be this transaction's own uncommitted write.
   */
  function orderById(id: string): OrderRecord | null {
    const known = cache.lookup(id, db.inTransaction);
    if (known) return known;
    const values = st().orderValues.get(id);
    if (!values) return null;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < ORDER_COLUMNS.length; i++) row[ORDER_COLUMNS[i]!] = values[i];
    const order = rowToOrder(row as unknown as OrderRow);
    return db.inTransaction ? order : cache.remember(order);
  }

  /** Writes an event and its deliveries; called only inside the transaction of its change. */
  function writeEvent(event: Omit<EventRecord, "seq">): void {
    const { lastInsertRowid } = st().insertEvent.run({ id: event.id, type: event.type, object_id: event.objectId, data: JSON.stringify(event.data), created_at: event.createdAt });
    for (const endpoint of subscribers(subscriptions, event.type)) {
      st().insertDelivery.run({ event_id: event.id, event_seq: Number(lastInsertRowid), object_id: event.objectId, endpoint, next_attempt_at: event.createdAt });
    }
  }

  /**
   * Writes a new order's row; the record returned is made from the row written, not read back: the
   * tables are STRICT (a value is stored exactly as bound, or the insert fails) and the row names
   * every column the record is made of, so the two are the same. (RETURNING * was ~40% of the
   * insert's cost: a full row object built in the driver.)
   */
  function insertRow(row: OrderInsertRow): boolean {
    return st().insert.run(row).changes === 1;
  }

  function insertOrder(order: NewOrder): InsertResult {
    const row = newOrderToRow(order);
    // Remembered here, in the write's turn of its group, so that a later write of the same group
    // (a sweep's lease, say) forgets it in the right order; a rollback empties the cache.
    if (insertRow(row)) return { inserted: true, order: cache.remember(rowToOrder(row)) };
    // Only the idempotency key is allowed to conflict silently (a clash on id or merchant order id
    // throws): the key is set, and the order holding it is returned untouched.
    const existing = order.idempotencyKey === null ? undefined : st().byIdempotencyKey.get(order.idempotencyKey);
    if (!existing) throw new Error("order store: insert conflicted but no order holds the idempotency key");
    return { inserted: false, order: rowToOrder(existing) };
  }

  function insertPayout(order: NewOrder, cap: PayoutCap): PayoutInsertResult {
    // A repeated key reserves nothing: the payout it made answers.
    const existing = order.idempotencyKey === null ? undefined : st().byIdempotencyKey.get(order.idempotencyKey);
    if (existing) return { inserted: false, order: rowToOrder(existing) };
    const total = st().dayTotal.get({ day: cap.day, currency: cap.currency })?.total_minor ?? 0;
    if (total + cap.amountMinor > cap.maxPerDayMinor) return { inserted: false, capExceeded: true, dayTotalMinor: total };
    st().addToDay.run({ day: cap.day, currency: cap.currency, amount: cap.amountMinor });
    const row = newOrderToRow({ ...order, kind: "payout" });
    if (!insertRow(row)) throw new Error("order store: payout insert conflicted on a key no order holds");
    return { inserted: true, order: rowToOrder(row) };
  }

  /** setGatewayState's write; called inside a transaction. */
  function writeGatewayState(id: string, patch: GatewayStatePatch): OrderRecord | null {
    cache.forget(id);
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
  }

  /**
   * transition's decision and writes; called inside a transaction, `current` read in it. With
   * `withGatewayState`, `current` carries a gateway state not yet written, and the same UPDATE
   * writes it (order/new's answer).
   */
  function writeTransition(current: OrderRecord, update: StatusUpdate, withGatewayState = false): TransitionResult {
    const id = current.id;
    cache.forget(id);
    const plan = planTransition(current, update);
    const columns: TransitionColumns = {
      id,
      status: plan.status,
      final_amount: plan.finalAmount,
      floating_amount: plan.floatingAmount,
      payment_uid: plan.paymentUid,
      payment_fail_reason: plan.paymentFailReason,
      refreshed_at: plan.refreshedAt,
      updated_at: plan.updatedAt,
    };
    if (withGatewayState) st().writeAnswer.run({ ...columns, gateway_state: current.gatewayState, payment_url: current.paymentUrl, error_code: current.errorCode });
    else st().writeTransition.run(columns);
    const order = applyPlan(current, plan);
    if (!plan.change) return { changed: false, order };
    const { change } = plan;
    st().insertChange.run({ order_id: change.orderId, from_status: change.from, to_status: change.to, source: change.source, at: change.at });
    if (change.to === "completed" && order.sessionId) st().completeSession.run({ id: order.sessionId, order_id: order.id, at: change.at });
    const types = [createdEventType(order, change), orderEventType(order.kind, change)].filter((type) => type !== null);
    if (types.length > 0) {
      const history = firstChange(change) ?? st().history.all(id).map(rowToChange);
      for (const type of types) writeEvent(orderEvent(type, order, history, change.at));
    }
    return { changed: true, order, change };
  }

  function transition(id: string, update: StatusUpdate): TransitionResult | null {
    const current = orderById(id);
    return current ? writeTransition(current, update) : null;
  }

  // One commit (one fsync) where the two calls made two, and one UPDATE where they made two: the row
  // is read under the write lock, the patch applied to it as setGatewayState would, then moved.
  function recordGatewayAnswer(id: string, patch: GatewayStatePatch, update: StatusUpdate): TransitionResult | null {
    const current = orderById(id);
    return current ? writeTransition(withGatewayPatch(current, patch), update, true) : null;
  }

  function claimForSweep(options: { limit: number; now: number; leaseMs: number; owner: string; createdBefore?: number }): OrderRecord[] {
    const rows = st().sweepCandidates.all({ now: options.now, created_before: options.createdBefore ?? null, limit: options.limit });
    for (const row of rows) st().lease.run({ id: row.id, owner: options.owner, until: options.now + options.leaseMs });
    return rows.map(rowToOrder);
  }

  function claimDeliveries(options: { now: number; limit: number; leaseMs: number; owner: string; endpoints: readonly string[] }): ClaimedDelivery[] {
    const rows = st().dueDeliveries.all({ now: options.now, endpoints: JSON.stringify(options.endpoints), limit: options.limit });
    return rows.map((row) => {
      st().leaseDelivery.run({ id: Number(row.id), owner: options.owner, until: options.now + options.leaseMs });
      return { id: Number(row.id), endpoint: row.endpoint, attemptCount: Number(row.attempt_count), event: rowToEvent(st().eventById.get(row.event_id)!) };
    });
  }

  function redeliver(eventId: string, options: { at: number; endpoints?: readonly string[] }): number {
    const event = st().eventById.get(eventId);
    if (!event) return 0;
    const existing = st().deliveriesOf.all(eventId).map((row) => row.endpoint);
    const targets = options.endpoints ?? existing;
    for (const endpoint of targets) {
      st().insertDelivery.run({ event_id: eventId, event_seq: Number(event.seq), object_id: event.object_id, endpoint, next_attempt_at: options.at });
      st().redeliver.run({ event_id: eventId, endpoint, at: options.at });
    }
    return targets.length;
  }

  const migrateTx = db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
    const { applied } = db.prepare<[], { applied: number | null }>("SELECT MAX(version) AS applied FROM schema_migrations").get()!;
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version <= (applied ?? 0)) continue;
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(migration.version, migration.name, Date.now());
    }
  });

  return {
    kind: "sqlite",

    async migrate() {
      migrateTx.immediate();
      prepared = undefined;
    },

    async ping() {
      db.prepare("SELECT 1").get();
    },

    async close() {
      if (!db.open) return;
      write.flush();
      db.close();
    },

    async insert(order) {
      // The order as written is the order as stored (see insertRow), remembered by insertOrder: a
      // create reads it back next, under the write lock, to record the gateway's answer.
      return write(() => insertOrder(order));
    },

    async get(id) {
      return orderById(id);
    },

    async getByMerchantOrderId(merchantOrderId) {
      const row = st().byMerchantOrderId.get(merchantOrderId);
      return row ? rowToOrder(row) : null;
    },

    async setGatewayState(id, patch) {
      return write(() => writeGatewayState(id, patch));
    },

    async recordGatewayAnswer(expected, patch, update) {
      return write(() => recordGatewayAnswer(expected.id, patch, update));
    },

    async transition(id, update) {
      return write(() => transition(id, update));
    },

    async history(id) {
      return st().history.all(id).map(rowToChange);
    },

    async claimRefresh(id, staleBefore, now) {
      return write(() => {
        cache.forget(id);
        return st().claimRefresh.run({ id, stale_before: staleBefore, now }).changes === 1;
      });
    },

    async claimForSweep(options) {
      if (!(options.limit > 0)) return [];
      return write(() => claimForSweep({ ...options, limit: Math.floor(options.limit) }));
    },

    async releaseSweep(id, owner) {
      await write(() => st().release.run({ id, owner }));
    },

    async deferSweep(id, until) {
      await write(() => st().defer.run({ id, until }));
    },

    async recent(limit) {
      if (!(limit > 0)) return [];
      return st().recent.all({ limit: Math.floor(limit) }).map(rowToOrder);
    },

    async listOrders(query) {
      const after = query.startingAfter === undefined ? undefined : st().byId.get(query.startingAfter);
      if (query.startingAfter !== undefined && !after) return { data: [], hasMore: false };
      const statement =
        query.session !== undefined ? st().listOrdersOfSession : query.customer !== undefined ? st().listOrdersOfCustomer : query.status !== undefined ? st().listOrdersOfStatus : st().listOrders;
      const rows = statement.all({
        kind: query.kind ?? "checkout",
        status: query.status ?? null,
        customer: query.customer ?? null,
        session: query.session ?? null,
        after_created: after ? Number(after.created_at) : null,
        after_id: after ? after.id : null,
        limit: query.limit + 1,
      });
      return { data: rows.slice(0, query.limit).map(rowToOrder), hasMore: rows.length > query.limit };
    },

    async insertPayout(order, cap) {
      return write(() => insertPayout(order, cap));
    },

    async releasePayoutCap(cap) {
      await write(() => st().addToDay.run({ day: cap.day, currency: cap.currency, amount: -cap.amountMinor }));
    },

    async insertSession(session) {
      const inserted = await write(() => {
        if (st().insertSession.run(newSessionToRow(session)).changes === 1) return { inserted: true, row: st().sessionById.get(session.id)! };
        const existing = session.idempotencyKey === null ? undefined : st().sessionByKey.get(session.idempotencyKey);
        if (!existing) throw new Error("order store: session insert conflicted but no session holds the idempotency key");
        return { inserted: false, row: existing };
      });
      return { inserted: inserted.inserted, session: rowToSession(inserted.row) };
    },

    async getSession(id) {
      const row = st().sessionById.get(id);
      return row ? rowToSession(row) : null;
    },

    async listEvents(query) {
      const after = query.startingAfter === undefined ? undefined : st().eventById.get(query.startingAfter);
      if (query.startingAfter !== undefined && !after) return { data: [], hasMore: false };
      const rows = (query.objectId !== undefined ? st().listEventsOfObject : st().listEvents).all({ object_id: query.objectId ?? null, type: query.type ?? null, after_seq: after ? Number(after.seq) : null, limit: query.limit + 1 });
      return { data: rows.slice(0, query.limit).map(rowToEvent), hasMore: rows.length > query.limit };
    },

    setSubscriptions(list) {
      subscriptions = [...list];
    },

    async getEvent(id) {
      const row = st().eventById.get(id);
      return row ? rowToEvent(row) : null;
    },

    async deliveries(eventId) {
      return st().deliveriesOf.all(eventId).map(rowToDelivery);
    },

    async claimDeliveries(options) {
      if (!(options.limit > 0) || options.endpoints.length === 0) return [];
      return write(() => claimDeliveries({ ...options, limit: Math.floor(options.limit) }));
    },

    async recordAttempt(result) {
      const { changes } = await write(() =>
        st().recordAttempt.run({
          id: result.deliveryId,
          owner: result.owner,
          attempt: JSON.stringify(result.attempt),
          status: result.outcome === "retry" ? "pending" : result.outcome,
          next_attempt_at: result.outcome === "retry" ? (result.nextAttemptAt ?? null) : null,
        }),
      );
      return changes === 1;
    },

    async redeliver(eventId, options) {
      return write(() => redeliver(eventId, options));
    },

    async disableEndpoint(endpoint) {
      await write(() => st().disableEndpoint.run(endpoint));
    },

    async disabledEndpoints() {
      return st().disabledEndpoints.all();
    },
  };
}
