/**
 * The order store in PostgreSQL (porsager's `postgres`), for several server processes sharing one
 * database. Every invariant is kept by the database itself, never by this process's memory:
 * - idempotency: a UNIQUE key and `INSERT … ON CONFLICT DO NOTHING`, then a read of the winner;
 * - one-way status: the row is locked (`SELECT … FOR UPDATE`) while the move is decided, and the
 *   history row and its event are written in the same transaction, so a change is recorded (and
 *   announced) exactly once;
 * - refresh claims: one conditional UPDATE;
 * - sweep and delivery claims: `FOR UPDATE SKIP LOCKED` plus a lease (owner, until) that outlives
 *   the statement, so a crashed instance's claims come back when the lease runs out.
 * Writes that arrive together share a statement, each applied as it would be alone: the creates
 * from one client address (insertCounted) and order/new's answers (applyAnswer).
 */
import postgres from "postgres";
import { createdEventType, orderEvent, orderEventType, subscribers, type OutboxConfig } from "./outbox.ts";
import { postgresMigrations } from "./postgres-schema.ts";
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
import { applyPlan, firstChange, planTransition, RECHECK_OWNER, recentOrdersSql, SWEEP_ORDER_SQL, SWEEP_WANTED_SQL, withGatewayPatch, type TransitionPlan } from "./rules.ts";
import type {
  CountedInsert,
  EventRecord,
  GatewayStatePatch,
  InsertResult,
  LimitHit,
  NewOrder,
  OrderRecord,
  OrderStore,
  PayoutInsertResult,
  StatusUpdate,
  TransitionResult,
} from "./types.ts";

export interface PostgresStoreConfig extends OutboxConfig {
  /** postgres:// or postgresql:// connection URL. */
  url: string;
  /** Connections in this process's pool. */
  max?: number;
  /** Schema holding the tables, created by `migrate()`; lets tests (or two apps) share a database. */
  schema?: string;
}

/** The most answers one statement applies (a JSON parameter of about 2 kB each). */
const MAX_ANSWER_BATCH = 64;

// Plain lower-case names only: the schema is written into DDL, and a name that needs quoting
// rules is a mistake sooner than a wish.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Sql = postgres.Sql | postgres.TransactionSql;

/** Thrown inside a transaction to roll it back and answer with the payout a repeated key made. */
class Replayed extends Error {
  constructor(readonly order: OrderRecord) {
    super("replayed");
  }
}
class CapExceeded extends Error {
  constructor(readonly total: number) {
    super("cap exceeded");
  }
}

/**
 * The columns a transition's plan writes, for both UPDATEs that apply one (writeTransition and
 * the answers' statements): a column the plan gains is added here, once.
 */
const PLAN_COLUMNS: readonly (readonly [string, "text" | "bigint", (plan: TransitionPlan) => string | number | null])[] = [
  ["status", "text", (plan) => plan.status],
  ["final_amount", "text", (plan) => plan.finalAmount],
  ["floating_amount", "text", (plan) => plan.floatingAmount],
  ["payment_uid", "text", (plan) => plan.paymentUid],
  ["payment_fail_reason", "text", (plan) => plan.paymentFailReason],
  ["refreshed_at", "bigint", (plan) => plan.refreshedAt],
  ["updated_at", "bigint", (plan) => plan.updatedAt],
];
/** `column = $n, …` for the plan's columns, numbered from `first`. */
const planAssignments = (first: number) => PLAN_COLUMNS.map(([column], i) => `${column} = $${first + i}`).join(", ");
const planValues = (plan: TransitionPlan) => PLAN_COLUMNS.map(([, , value]) => value(plan));

/**
 * The columns an answer's compare-and-set reads, for both of its statements (one answer's and a
 * batch's): the row must still hold what the caller saw. The nullable ones compare with IS NOT
 * DISTINCT FROM, so that a NULL the caller saw matches a NULL still there.
 */
const SEEN_COLUMNS: readonly (readonly [string, "text" | "bigint", "=" | "IS NOT DISTINCT FROM", (order: OrderRecord) => string | number | null])[] = [
  ["gateway_state", "text", "=", (order) => order.gatewayState],
  ["status", "text", "=", (order) => order.status],
  ["updated_at", "bigint", "=", (order) => order.updatedAt],
  ["payment_url", "text", "IS NOT DISTINCT FROM", (order) => order.paymentUrl],
  ["error_code", "text", "IS NOT DISTINCT FROM", (order) => order.errorCode],
  ["final_amount", "text", "IS NOT DISTINCT FROM", (order) => order.finalAmount],
  ["floating_amount", "text", "IS NOT DISTINCT FROM", (order) => order.floatingAmount],
  ["payment_uid", "text", "IS NOT DISTINCT FROM", (order) => order.paymentUid],
  ["payment_fail_reason", "text", "IS NOT DISTINCT FROM", (order) => order.paymentFailReason],
];

/**
 * The statement of several answers at once (the store's applyAnswers), for the tables in `schema`:
 * each answer a row of $1 (a JSON array in a text parameter, as the batched inserts' rows), `n` its
 * place in the batch; with deliveries, $2 those of all. What one answer's statement does, for each.
 *
 * Each order is found by its primary key in a LATERAL lookup (OFFSET 0 keeps the planner from
 * folding it into a join) and updated by the row's ctid, and the rows are estimated at about one:
 * so the plan is a key lookup per answer however the table grows. A prepared statement keeps the
 * plan it made first; with a plain join of the rows to orders, planned while the table was new,
 * that plan scanned the whole table for every batch (seen in the cost bench: 1,861 sequential
 * scans of orders in ten seconds, and 0.66x the minimal app's creates per second). The lookup
 * skips a row another transaction holds locked: that answer then goes the general way and waits
 * for the lock alone, instead of holding up every answer of the batch and those queued behind it.
 */
export const answersSqlFor = (schema: string, withDeliveries: boolean) => `
    WITH a AS (
      SELECT * FROM json_to_recordset($1::text::json) AS a(
        n int, id text, gateway_state text, payment_url text, error_code text,
        ${PLAN_COLUMNS.map(([column, type]) => `${column} ${type}`).join(", ")},
        ${SEEN_COLUMNS.map(([column, type]) => `seen_${column} ${type}`).join(", ")},
        change boolean, from_status text, to_status text, source text, at bigint, events json)
      -- Always true (n counts from 0, the batch is at most MAX_ANSWER_BATCH), but it makes the
      -- planner take these rows for about one instead of a set-returning function's 100.
      WHERE a.n BETWEEN 0 AND ${MAX_ANSWER_BATCH}
    ), moved AS (
      UPDATE "${schema}".orders AS o SET gateway_state = a.gateway_state, payment_url = a.payment_url, error_code = a.error_code,
        ${PLAN_COLUMNS.map(([column]) => `${column} = a.${column}`).join(", ")}
      FROM a CROSS JOIN LATERAL (SELECT x.ctid AS found FROM "${schema}".orders AS x WHERE x.id = a.id OFFSET 0 FOR UPDATE SKIP LOCKED) AS located
      WHERE o.ctid = located.found
        ${SEEN_COLUMNS.map(([column, , compare]) => `AND o.${column} ${compare} a.seen_${column}`).join("\n        ")}
      RETURNING a.n
    ), changed AS (
      INSERT INTO "${schema}".order_status_changes (order_id, from_status, to_status, source, at)
      SELECT a.id, a.from_status, a.to_status, a.source, a.at FROM moved JOIN a USING (n) WHERE a.change ORDER BY a.n
    ), written AS (
      INSERT INTO "${schema}".events (id, type, object_id, data, created_at)
      SELECT e.id, e.type, a.id, e.data, a.at
      FROM moved JOIN a USING (n) CROSS JOIN ROWS FROM (json_to_recordset(a.events) AS (id text, type text, data text)) WITH ORDINALITY AS e(id, type, data, k)
      ORDER BY a.n, e.k
      RETURNING id, seq, object_id
    )${
      withDeliveries
        ? `, delivered AS (
      INSERT INTO "${schema}".deliveries (event_id, event_seq, object_id, endpoint, status, next_attempt_at)
      SELECT written.id, written.seq, written.object_id, d.endpoint, 'pending', d.at
      FROM written JOIN json_to_recordset($2::text::json) AS d(event_id text, endpoint text, at bigint) ON d.event_id = written.id
    )`
        : ""
    }
    SELECT coalesce(array_agg(n), '{}') AS moved FROM moved`;

export function createPostgresStore(config: PostgresStoreConfig): OrderStore {
  const schema = config.schema ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new Error(`order store: schema ${JSON.stringify(schema)} must be lower-case letters, digits and '_'`);
  let subscriptions = config.subscriptions ?? [];

  const sql = postgres(config.url, {
    max: config.max ?? 10,
    // "relation already exists, skipping" on every start is noise, not news.
    onnotice: () => {},
    connect_timeout: 10,
    // postgres.js's own curve with a 2 s ceiling instead of 20 s: while the database is down each
    // query waits for its connection's next attempt, so at 20 s a request answered 503
    // store_unavailable only after up to 20 s, and a database back up was used again as late.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 2),
  });
  const orders = sql(`${schema}.orders`);
  const changes = sql(`${schema}.order_status_changes`);
  const sessions = sql(`${schema}.sessions`);
  const events = sql(`${schema}.events`);
  const deliveries = sql(`${schema}.deliveries`);
  const disabled = sql(`${schema}.disabled_endpoints`);
  const migrations = sql(`${schema}.schema_migrations`);
  const dayTotals = sql(`${schema}.payout_day_totals`);
  const wanted = sql.unsafe(SWEEP_WANTED_SQL);
  const sweepOrder = sql.unsafe(SWEEP_ORDER_SQL);
  const recentOrders = recentOrdersSql(`"${schema}".orders`, "$1");

  const historyOf = async (tx: Sql, id: string) => (await tx<ChangeRow[]>`SELECT * FROM ${changes} WHERE order_id = ${id} ORDER BY seq`).map(rowToChange);

  /** Writes an event and its deliveries; called only inside the transaction of its change. */
  async function writeEvent(tx: Sql, event: Omit<EventRecord, "seq">): Promise<void> {
    const [row] = await tx<{ seq: string }[]>`
      INSERT INTO ${events} (id, type, object_id, data, created_at)
      VALUES (${event.id}, ${event.type}, ${event.objectId}, ${JSON.stringify(event.data)}, ${event.createdAt})
      RETURNING seq`;
    for (const endpoint of subscribers(subscriptions, event.type)) {
      await tx`
        INSERT INTO ${deliveries} (event_id, event_seq, object_id, endpoint, status, next_attempt_at)
        VALUES (${event.id}, ${row!.seq}, ${event.objectId}, ${endpoint}, 'pending', ${event.createdAt})`;
    }
  }

  /** setGatewayState's UPDATE (which also locks the row until the transaction ends). */
  async function writeGatewayState(tx: Sql, id: string, patch: GatewayStatePatch): Promise<OrderRecord | null> {
    // `undefined` leaves the column alone; `null` clears it.
    const [row] = await tx<OrderRow[]>`
      UPDATE ${orders} SET
        gateway_state = ${patch.gatewayState},
        ${patch.paymentUrl === undefined ? sql`` : sql`payment_url = ${patch.paymentUrl},`}
        ${patch.errorCode === undefined ? sql`` : sql`error_code = ${patch.errorCode},`}
        updated_at = ${patch.at}
      WHERE id = ${id}
      RETURNING *`;
    return row ? rowToOrder(row) : null;
  }

  const transitionSql = `UPDATE "${schema}".orders SET ${planAssignments(2)} WHERE id = $1`;

  /** transition's decision and writes, `current` read under the row lock in the same transaction. */
  async function writeTransition(tx: Sql, current: OrderRecord, update: StatusUpdate): Promise<TransitionResult> {
    const id = current.id;
    const plan = planTransition(current, update);
    await tx.unsafe(transitionSql, [id, ...planValues(plan)], { prepare: true });
    const order = applyPlan(current, plan);
    if (!plan.change) return { changed: false, order };
    const { change } = plan;
    await tx`
      INSERT INTO ${changes} (order_id, from_status, to_status, source, at)
      VALUES (${change.orderId}, ${change.from}, ${change.to}, ${change.source}, ${change.at})`;
    if (change.to === "completed" && order.sessionId) {
      await tx`UPDATE ${sessions} SET status = 'completed', order_id = ${order.id}, updated_at = ${change.at} WHERE id = ${order.sessionId} AND status <> 'completed'`;
    }
    const types = [createdEventType(order, change), orderEventType(order.kind, change)].filter((type) => type !== null);
    if (types.length > 0) {
      const history = firstChange(change) ?? (await historyOf(tx, id));
      for (const type of types) await writeEvent(tx, orderEvent(type, order, history, change.at));
    }
    return { changed: true, order, change };
  }

  // One answer's statement (applyOneAnswer), written once (built by the tagged template, its 35
  // parameters and fragments were put together again on every create). Data-modifying CTEs all
  // run, once, to completion; each INSERT takes its rows from the UPDATE's, so nothing is written
  // when the compare-and-set finds the row changed. Events are inserted in the order given (created
  // before the status's own), which is the order of their seq. $1 the id, $2-$4 the gateway's
  // columns, then the plan's, then the row as the caller saw it, the change and the outbox rows.
  // Two texts: with the deliveries' INSERT and without it. A statement's every data-modifying CTE
  // is set up on each run (the table opened and locked, its four indexes opened) even when its
  // rows are none, which is what a create costs when no endpoint takes its events.
  const answerSqlFor = (withDeliveries: boolean) => {
    const p = PLAN_COLUMNS.length;
    const seen = 5 + p;
    const moves = seen + SEEN_COLUMNS.length;
    const change = moves + 1;
    const outbox = change + 4;
    return `
      WITH moved AS (
        UPDATE "${schema}".orders SET gateway_state = $2, payment_url = $3, error_code = $4, ${planAssignments(5)}
        WHERE id = $1
          ${SEEN_COLUMNS.map(([column, , compare], i) => `AND ${column} ${compare} $${seen + i}`).join("\n          ")}
        RETURNING id
      ), changed AS (
        INSERT INTO "${schema}".order_status_changes (order_id, from_status, to_status, source, at)
        SELECT id, $${change}, $${change + 1}, $${change + 2}, $${change + 3} FROM moved WHERE $${moves}::boolean
      ), written AS (
        INSERT INTO "${schema}".events (id, type, object_id, data, created_at)
        SELECT e.id, e.type, moved.id, e.data, $${change + 3}
        FROM moved CROSS JOIN unnest($${outbox}::text[], $${outbox + 1}::text[], $${outbox + 2}::text[]) WITH ORDINALITY AS e(id, type, data, n)
        ORDER BY e.n
        RETURNING id, seq
      )${
        withDeliveries
          ? `, delivered AS (
        INSERT INTO "${schema}".deliveries (event_id, event_seq, object_id, endpoint, status, next_attempt_at)
        SELECT written.id, written.seq, $1, d.endpoint, 'pending', $${change + 3}
        FROM written JOIN unnest($${outbox + 3}::text[], $${outbox + 4}::text[]) AS d(event_id, endpoint) ON d.event_id = written.id
      )`
          : ""
      }
      SELECT count(*)::int AS moved FROM moved`;
  };
  const answerSql = { sending: answerSqlFor(true), quiet: answerSqlFor(false) };

  /** An answer worked out here: what its statement writes if the row is still `expected`. */
  interface Answer {
    expected: OrderRecord;
    plan: TransitionPlan;
    order: OrderRecord;
    written: Omit<EventRecord, "seq">[];
    sent: { event: string; endpoint: string }[];
    at: number;
  }

  /**
   * recordGatewayAnswer's decision, made from the caller's copy of the order (the "before"): only
   * from "none" (a first status has no history to read) and not for a session's payment (which
   * completes the session too); null when it does not apply.
   */
  function prepareAnswer(expected: OrderRecord, patch: GatewayStatePatch, update: StatusUpdate): Answer | null {
    if (expected.status !== "none") return null;
    const current = withGatewayPatch(expected, patch);
    const plan = planTransition(current, update);
    const order = applyPlan(current, plan);
    const change = plan.change;
    if (change && change.to === "completed" && order.sessionId) return null;
    const written = change ? [createdEventType(order, change), orderEventType(order.kind, change)].filter((type) => type !== null).map((type) => orderEvent(type, order, firstChange(change)!, change.at)) : [];
    const sent = written.flatMap((event) => subscribers(subscriptions, event.type).map((endpoint) => ({ event: event.id, endpoint })));
    return { expected, plan, order, written, sent, at: change?.at ?? plan.updatedAt };
  }

  /** One answer's statement: true if it applied (the row was still as expected). */
  async function applyOneAnswer(answer: Answer): Promise<boolean> {
    const { expected, plan, order, written, sent, at } = answer;
    const change = plan.change;
    const values: (string | number | boolean | null | string[])[] = [
      expected.id,
      order.gatewayState,
      order.paymentUrl,
      order.errorCode,
      ...planValues(plan),
      ...SEEN_COLUMNS.map(([, , , value]) => value(expected)),
      change !== null,
      change?.from ?? "",
      change?.to ?? "",
      change?.source ?? "",
      at,
      written.map((event) => event.id),
      written.map((event) => event.type),
      written.map((event) => JSON.stringify(event.data)),
    ];
    const sending = sent.length > 0;
    if (sending) values.push(sent.map((delivery) => delivery.event), sent.map((delivery) => delivery.endpoint));
    const [result] = await sql.unsafe<{ moved: number }[]>(sending ? answerSql.sending : answerSql.quiet, values as postgres.ParameterOrJSON<never>[], { prepare: true });
    return result?.moved === 1;
  }

  const answersSql = { sending: answersSqlFor(schema, true), quiet: answersSqlFor(schema, false) };

  /** Several answers' statement: which of them applied, by place in `answers`. */
  async function applyAnswers(answers: Answer[]): Promise<Set<number>> {
    const rows = answers.map(({ expected, plan, order, written, at }, n) => ({
      n,
      id: expected.id,
      gateway_state: order.gatewayState,
      payment_url: order.paymentUrl,
      error_code: order.errorCode,
      ...Object.fromEntries(PLAN_COLUMNS.map(([column, , value]) => [column, value(plan)])),
      ...Object.fromEntries(SEEN_COLUMNS.map(([column, , , value]) => [`seen_${column}`, value(expected)])),
      change: plan.change !== null,
      from_status: plan.change?.from ?? "",
      to_status: plan.change?.to ?? "",
      source: plan.change?.source ?? "",
      at,
      events: written.map((event) => ({ id: event.id, type: event.type, data: JSON.stringify(event.data) })),
    }));
    const sent = answers.flatMap((answer) => answer.sent.map((delivery) => ({ event_id: delivery.event, endpoint: delivery.endpoint, at: answer.at })));
    const values = sent.length > 0 ? [JSON.stringify(rows), JSON.stringify(sent)] : [JSON.stringify(rows)];
    const [result] = await sql.unsafe<{ moved: number[] }[]>(sent.length > 0 ? answersSql.sending : answersSql.quiet, values, { prepare: true });
    return new Set(result?.moved ?? []);
  }

  interface QueuedAnswer {
    answer: Answer;
    resolve(applied: boolean): void;
    reject(error: unknown): void;
  }
  /** Answers waiting for the statement under way to end; null when none is under way. */
  let answersWaiting: QueuedAnswer[] | null = null;

  /** One statement for `batch` (one answer's own, or the several answers' one); each told whether it applied. */
  async function applyBatch(batch: QueuedAnswer[]): Promise<void> {
    if (batch.length === 1) {
      const [queued] = batch as [QueuedAnswer];
      return applyOneAnswer(queued.answer).then(queued.resolve, queued.reject);
    }
    let applied: Set<number>;
    try {
      applied = await applyAnswers(batch.map((queued) => queued.answer));
    } catch (error) {
      // The database refused the statement, so nothing of it was written: each answer goes again
      // alone, so that what one of them holds (a value the JSON cannot carry to PostgreSQL, such as
      // a lone UTF-16 surrogate) fails only its own create. Anything else (the connection lost,
      // perhaps after the commit) leaves the outcome unknown, and each caller hears it as alone.
      if (!(error instanceof postgres.PostgresError)) return batch.forEach((queued) => queued.reject(error));
      await Promise.all(batch.map((queued) => applyOneAnswer(queued.answer).then(queued.resolve, queued.reject)));
      return;
    }
    batch.forEach((queued, n) => queued.resolve(applied.has(n)));
  }

  /**
   * Sends `first`, then, while answers queued behind it, the next batch, until none waits. The
   * answers that arrive meanwhile are waiting in `answersWaiting`.
   */
  async function sendAnswers(first: QueuedAnswer[]): Promise<void> {
    answersWaiting = [];
    try {
      for (let batch = first; batch.length > 0; batch = nextBatch(answersWaiting)) await applyBatch(batch);
    } catch (error) {
      // applyBatch settles every answer it takes and does not throw; should that ever change, the
      // answers still queued hear of it rather than wait for ever.
      for (const queued of answersWaiting) queued.reject(error);
    } finally {
      answersWaiting = null;
    }
  }

  /**
   * Takes the next batch from `waiting`: at most MAX_ANSWER_BATCH, and never two answers for one
   * order (the UPDATE … FROM would apply only one of them, which one unspecified): the later stays
   * for the statement after, as it would have gone alone.
   */
  function nextBatch(waiting: QueuedAnswer[]): QueuedAnswer[] {
    const batch: QueuedAnswer[] = [];
    const later: QueuedAnswer[] = [];
    const ids = new Set<string>();
    for (const queued of waiting) {
      const id = queued.answer.expected.id;
      if (batch.length < MAX_ANSWER_BATCH && !ids.has(id)) {
        ids.add(id);
        batch.push(queued);
      } else later.push(queued);
    }
    answersWaiting = later;
    return batch;
  }

  /**
   * An answer's statement, shared with the answers that come while another is under way. Each create
   * that order/new answers writes its answer in a statement of its own (one round trip, one commit);
   * under load those statements were most of what the database and postgres.js spent per create
   * beyond the minimal app. While one is under way, the answers that arrive queue and then go
   * together in one statement, one commit for all of them, each applied exactly as alone (the same
   * compare-and-set, change, events and deliveries). One at a time, the queue is empty and nothing
   * waits. Measured in the cost bench on PostgreSQL (20 creates at a time, standalone sandbox):
   * from 0.81x to 0.91x the minimal app's creates per second, and from 1.13x to 0.96x its CPU.
   */
  function applyAnswer(answer: Answer): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const queued = { answer, resolve, reject };
      if (answersWaiting) answersWaiting.push(queued);
      else void sendAnswers([queued]);
    });
  }

  /**
   * recordGatewayAnswer in one statement (its own or a batch's), so one round trip and one
   * transaction; null when it does not apply or the row has moved on since the caller's copy.
   */
  async function answerInOneStatement(expected: OrderRecord, patch: GatewayStatePatch, update: StatusUpdate): Promise<TransitionResult | null> {
    const answer = prepareAnswer(expected, patch, update);
    if (!answer || !(await applyAnswer(answer))) return null;
    const { order, plan } = answer;
    return plan.change ? { changed: true, order, change: plan.change } : { changed: false, order };
  }

  /**
   * insert's answer once its INSERT … ON CONFLICT DO NOTHING has said whether it wrote `row`. The
   * record is made from the row written, not read back (as the SQLite store does): the INSERT names
   * every column the record is made of, so the two are the same, and RETURNING * cost a create the
   * decoding of 35 columns into a row object (postgres.js parses each one in JavaScript).
   */
  async function inserted(order: NewOrder, row: OrderInsertRow, wrote: boolean): Promise<InsertResult> {
    if (wrote) return { inserted: true, order: rowToOrder(row) };
    // The conflict waited for the winner to commit, so this read (a new snapshot) sees it. A clash
    // on id or merchant_order_id is not covered by ON CONFLICT and throws instead.
    const [existing] = order.idempotencyKey === null ? [] : await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE idempotency_key = ${order.idempotencyKey}`;
    if (!existing) throw new Error("order store: insert conflicted but no order holds the idempotency key");
    return { inserted: false, order: rowToOrder(existing) };
  }

  // The order INSERTs' texts are written once, with positional parameters: built by the tagged
  // template, their 35 column names and parameters were put together again on every create.
  const orderParameters = (first: number) => ORDER_COLUMNS.map((_, i) => `$${first + i}`).join(", ");
  const orderValues = (row: OrderInsertRow) => ORDER_COLUMNS.map((column) => row[column]);
  const insertSql = `INSERT INTO "${schema}".orders (${ORDER_COLUMNS.join(", ")}) VALUES (${orderParameters(1)}) ON CONFLICT (idempotency_key) DO NOTHING`;

  async function insertOrder(order: NewOrder): Promise<InsertResult> {
    const row = newOrderToRow(order);
    const written = await sql.unsafe(insertSql, orderValues(row), { prepare: true });
    return inserted(order, row, written.count === 1);
  }

  /**
   * insertCounted's statement, for one create or several from the same address: $1 the limit's
   * key, $2 a new window's end, $3 now, $4 the limit, $5 how many creates, $6 their orders' rows as
   * a JSON array in a text parameter (postgres.js would encode a json one again), columns by name,
   * which `json_populate_record` types by the table's own columns.
   * The count goes up by all of them at once; the create n of the batch is counted as the
   * (points - $5 + n)th of the window, the count it would have had in that place one at a time, and
   * only those within the limit insert their order.
   */
  const countedInsertFrom = (rows: string) => `
      WITH hit AS (
        INSERT INTO "${schema}".rate_limits AS l (key, points, expire) VALUES ($1, $5, $2)
        ON CONFLICT (key) DO UPDATE SET
          points = CASE WHEN l.expire <= $3 THEN $5 ELSE l.points + $5 END,
          expire = CASE WHEN l.expire <= $3 THEN EXCLUDED.expire ELSE l.expire END
        RETURNING points, expire
      ), made AS (
        INSERT INTO "${schema}".orders (${ORDER_COLUMNS.join(", ")})
        ${rows}
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
      )
      SELECT hit.points AS limit_points, hit.expire AS limit_expire, ARRAY(SELECT id FROM made) AS made FROM hit`;
  const countedInsertSql = countedInsertFrom(`
        SELECT ${ORDER_COLUMNS.map((column) => `r.${column}`).join(", ")}
        FROM hit, json_array_elements($6::text::json) WITH ORDINALITY AS e(doc, n), json_populate_record(NULL::"${schema}".orders, e.doc) AS r
        WHERE hit.points - $5 + e.n <= $4
        ORDER BY e.n`);
  // The same for a create alone, its row in positional parameters from $6, which PostgreSQL types
  // by the columns they go to: parsing the row as JSON was about 3 % of the database's CPU per
  // create. Alone is the usual case where shoppers come from many addresses; creates from one busy
  // address (a NAT, the bench's load from 127.0.0.1) mostly queue and go together as JSON.
  const countedInsertOneSql = countedInsertFrom(`SELECT ${orderParameters(6)} FROM hit WHERE hit.points <= $4`);

  /** A create waiting for the statement of an earlier create from the same address to end. */
  interface CountedCreate {
    order: NewOrder;
    hit: LimitHit;
    signal: AbortSignal;
    resolve(result: CountedInsert): void;
    reject(error: unknown): void;
    leave(): void;
  }
  /** Per limit key with a statement under way: the creates that will go together in the next one. */
  const waitingByKey = new Map<string, CountedCreate[]>();

  /** The creates' statement; each create's own count and insert, as one at a time would have made them. */
  async function countAndInsert(batch: CountedCreate[]): Promise<void> {
    const { key, max, windowMs } = batch[0]!.hit;
    const cancels: (() => void)[] = [];
    let answer;
    let rows: OrderInsertRow[];
    try {
      const at = Math.max(...batch.map((create) => create.hit.at));
      rows = batch.map((create) => newOrderToRow(create.order));
      const head = [key, at + windowMs, at, max, batch.length];
      const [text, values] = batch.length === 1 ? [countedInsertOneSql, [...head, ...orderValues(rows[0]!)]] : [countedInsertSql, [...head, JSON.stringify(rows)]];
      const query = sql.unsafe<{ limit_points: number; limit_expire: string; made: string[] }[]>(text, values as postgres.ParameterOrJSON<never>[], { prepare: true });
      // postgres.js cancels a query not yet sent by dropping it, one under way by a cancel request.
      // Any create's deadline cancels the statement of all: each then goes on as if its own had been.
      const cancel = () => void Promise.resolve(query.cancel()).catch(() => {});
      for (const create of batch) {
        create.signal.addEventListener("abort", cancel, { once: true });
        cancels.push(() => create.signal.removeEventListener("abort", cancel));
      }
      [answer] = await query;
    } catch (error) {
      for (const create of batch) create.reject(error);
      return;
    } finally {
      for (const remove of cancels) remove();
    }
    const { limit_points: points, limit_expire: expire, made } = answer!;
    const madeIds = new Set(made);
    batch.forEach((create, index) => {
      const count = { points: points - batch.length + index + 1, expire: Number(expire) };
      if (count.points > max) return create.resolve({ ...count, insert: null });
      inserted(create.order, rows[index]!, madeIds.has(create.order.id)).then((insert) => create.resolve({ ...count, insert }), create.reject);
    });
  }

  /** Sends `batch`, then, while creates from the same address queued behind it, the next batch. */
  async function sendCounted(key: string, batch: CountedCreate[]): Promise<void> {
    for (let next = batch; next.length > 0; ) {
      waitingByKey.set(key, []);
      await countAndInsert(next);
      next = waitingByKey.get(key)!;
      for (const create of next) create.signal.removeEventListener("abort", create.leave);
    }
    waitingByKey.delete(key);
  }

  /**
   * The shared create limit's hit and the order's insert in one statement. The limit's part is
   * rate-limiter-flexible's own statement for `consume(key)` (RateLimiterPostgres._upsert: a fixed
   * window, reset once `expire` has passed), written out here because the library runs its statement
   * alone and decides after its answer: through the library, a create costs the limit's transaction
   * and round trip on top of the order's. Here the INSERT takes its rows from the upsert's, only when
   * the count is within the limit, so a refused create writes no order, and the count and the order
   * commit together. The library still does the rest on the same table (server/middleware/
   * shared-rate-limit.ts): a hit without an insert, the deletion of old rows; a test holds the two
   * statements to counting alike (test/server/shared-rate-limit.test.ts).
   *
   * The upsert locks the address's row until the statement commits, and the commit waits for the
   * order's WAL flush: creates from one address (every shopper behind a proxy not trusted for
   * X-Forwarded-For, a busy NAT) can only follow one another, one flush each. So the creates that
   * arrive from an address while its statement is under way wait here instead, and go together in
   * the next statement: one lock, one commit and one round trip for all of them, each counted and
   * inserted as if it had gone alone (measured, 20 creates at a time from one address: 0.89× the
   * server's CPU per create and 1.33× its creates per second). A create whose deadline passes while
   * it waits leaves the queue, having written nothing.
   */
  function insertCounted(order: NewOrder, hit: LimitHit, signal: AbortSignal): Promise<CountedInsert> {
    return new Promise((resolve, reject) => {
      const create: CountedCreate = { order, hit, signal, resolve, reject, leave: () => {} };
      // One queue per key and limit: creates counted under another limit never share a statement.
      const key = `${hit.max}/${hit.windowMs}/${hit.key}`;
      const waiting = waitingByKey.get(key);
      if (!waiting) return void sendCounted(key, [create]);
      if (signal.aborted) return reject(signal.reason);
      create.leave = () => {
        const index = waiting.indexOf(create);
        if (index >= 0) waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", create.leave, { once: true });
      waiting.push(create);
    });
  }

  return {
    kind: "postgres",

    limitTable: {
      schema,
      table: "rate_limits",
      async query(text, values) {
        // Prepared: the library's statements are few and fixed (the values are parameters), and an
        // unprepared statement with parameters costs postgres.js a describe round trip every time.
        const rows = await sql.unsafe(text, values as postgres.ParameterOrJSON<never>[], { prepare: true });
        return { rows: [...rows], rowCount: rows.count };
      },
      insertCounted,
      insert: insertOrder,
    },

    async migrate() {
      // CREATE … IF NOT EXISTS is not safe against itself: two processes starting together can
      // both see "missing" and one fails on a catalog unique index. One lock for every schema.
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtextextended('octopus-checkout:order-store:migrate', 0))`;
        await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await tx`CREATE TABLE IF NOT EXISTS ${migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
        const [row] = await tx<{ applied: number | null }[]>`SELECT MAX(version) AS applied FROM ${migrations}`;
        const applied = row?.applied ?? 0;
        for (const migration of postgresMigrations(`"${schema}"`)) {
          if (migration.version <= applied) continue;
          await tx.unsafe(migration.sql);
          await tx`INSERT INTO ${migrations} (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${Date.now()})`;
        }
      });
    },

    async ping() {
      await sql`SELECT 1`;
    },

    async close() {
      await sql.end({ timeout: 5 });
    },

    insert: insertOrder,

    async get(id) {
      const [row] = await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE id = ${id}`;
      return row ? rowToOrder(row) : null;
    },

    async getByMerchantOrderId(merchantOrderId) {
      const [row] = await sql<OrderRow[]>`SELECT * FROM ${orders} WHERE merchant_order_id = ${merchantOrderId}`;
      return row ? rowToOrder(row) : null;
    },

    async setGatewayState(id, patch) {
      return writeGatewayState(sql, id, patch);
    },

    async recordGatewayAnswer(expected, patch, update) {
      const fast = await answerInOneStatement(expected, patch, update);
      if (fast) return fast;
      // The row is not as the caller last saw it (a notification got there first): the general way,
      // the UPDATE's row lock held while the move is decided.
      return sql.begin(async (tx) => {
        const current = await writeGatewayState(tx, expected.id, patch);
        return current ? writeTransition(tx, current, update) : null;
      });
    },

    async transition(id, update) {
      return sql.begin(async (tx): Promise<TransitionResult | null> => {
        // Concurrent callers queue on the row lock; each then reads the status its predecessor
        // committed (READ COMMITTED re-reads a locked row), so only the first sees the old one.
        const [row] = await tx<OrderRow[]>`SELECT * FROM ${orders} WHERE id = ${id} FOR UPDATE`;
        return row ? writeTransition(tx, rowToOrder(row), update) : null;
      });
    },

    async history(id) {
      return historyOf(sql, id);
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
      const rows = await sql.unsafe<OrderRow[]>(recentOrders, [Math.floor(limit)], { prepare: true });
      return rows.map(rowToOrder);
    },

    async listOrders(query) {
      const [after] = query.startingAfter === undefined ? [] : await sql<{ id: string; created_at: string }[]>`SELECT id, created_at FROM ${orders} WHERE id = ${query.startingAfter}`;
      if (query.startingAfter !== undefined && !after) return { data: [], hasMore: false };
      const rows = await sql<OrderRow[]>`
        SELECT * FROM ${orders}
        WHERE kind = ${query.kind ?? "checkout"}
          ${query.status === undefined ? sql`` : sql`AND status = ${query.status}`}
          ${query.customer === undefined ? sql`` : sql`AND customer = ${query.customer}`}
          ${query.session === undefined ? sql`` : sql`AND session_id = ${query.session}`}
          ${after ? sql`AND (created_at, id) < (${after.created_at}, ${after.id})` : sql``}
        ORDER BY created_at DESC, id DESC
        LIMIT ${query.limit + 1}`;
      return { data: rows.slice(0, query.limit).map(rowToOrder), hasMore: rows.length > query.limit };
    },

    async insertPayout(order, cap) {
      const row = newOrderToRow({ ...order, kind: "payout" });
      const outcome = await sql
        .begin(async (tx): Promise<PayoutInsertResult> => {
          // The day's row is locked by the upsert until commit: racing creators queue on it, so
          // each sees the total the one before it committed, and the cap holds across instances.
          const [reserved] = await tx<{ total_minor: string }[]>`
            INSERT INTO ${dayTotals} AS t (day, currency, total_minor) VALUES (${cap.day}, ${cap.currency}, ${cap.amountMinor})
            ON CONFLICT (day, currency) DO UPDATE SET total_minor = t.total_minor + EXCLUDED.total_minor
            WHERE t.total_minor + EXCLUDED.total_minor <= ${cap.maxPerDayMinor}
            RETURNING total_minor`;
          const [existing] = order.idempotencyKey === null ? [] : await tx<OrderRow[]>`SELECT * FROM ${orders} WHERE idempotency_key = ${order.idempotencyKey}`;
          // A repeated key reserves nothing: undo this transaction and answer with what it made.
          if (existing) throw new Replayed(rowToOrder(existing));
          if (!reserved || Number(reserved.total_minor) > cap.maxPerDayMinor) {
            const [current] = await tx<{ total_minor: string }[]>`SELECT total_minor FROM ${dayTotals} WHERE day = ${cap.day} AND currency = ${cap.currency}`;
            throw new CapExceeded(Number(current?.total_minor ?? 0));
          }
          const [inserted] = await tx<OrderRow[]>`INSERT INTO ${orders} ${tx(row, ORDER_COLUMNS)} RETURNING *`;
          return { inserted: true, order: rowToOrder(inserted!) };
        })
        .catch((error: unknown) => {
          if (error instanceof Replayed) return { inserted: false as const, order: error.order };
          if (error instanceof CapExceeded) return { inserted: false as const, capExceeded: true as const, dayTotalMinor: error.total };
          throw error;
        });
      return outcome;
    },

    async releasePayoutCap(cap) {
      await sql`UPDATE ${dayTotals} SET total_minor = total_minor - ${cap.amountMinor} WHERE day = ${cap.day} AND currency = ${cap.currency}`;
    },

    async insertSession(session) {
      const row = newSessionToRow(session);
      const [inserted] = await sql<SessionRow[]>`
        INSERT INTO ${sessions} ${sql(row, SESSION_COLUMNS)}
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING *`;
      if (inserted) return { inserted: true, session: rowToSession(inserted) };
      const [existing] = session.idempotencyKey === null ? [] : await sql<SessionRow[]>`SELECT * FROM ${sessions} WHERE idempotency_key = ${session.idempotencyKey}`;
      if (!existing) throw new Error("order store: session insert conflicted but no session holds the idempotency key");
      return { inserted: false, session: rowToSession(existing) };
    },

    async getSession(id) {
      const [row] = await sql<SessionRow[]>`SELECT * FROM ${sessions} WHERE id = ${id}`;
      return row ? rowToSession(row) : null;
    },

    async listEvents(query) {
      const [after] = query.startingAfter === undefined ? [] : await sql<{ seq: string }[]>`SELECT seq FROM ${events} WHERE id = ${query.startingAfter}`;
      if (query.startingAfter !== undefined && !after) return { data: [], hasMore: false };
      const rows = await sql<EventRow[]>`
        SELECT * FROM ${events}
        WHERE TRUE
          ${query.objectId === undefined ? sql`` : sql`AND object_id = ${query.objectId}`}
          ${query.type === undefined ? sql`` : sql`AND type = ${query.type}`}
          ${after ? sql`AND seq < ${after.seq}` : sql``}
        ORDER BY seq DESC
        LIMIT ${query.limit + 1}`;
      return { data: rows.slice(0, query.limit).map(rowToEvent), hasMore: rows.length > query.limit };
    },

    setSubscriptions(list) {
      subscriptions = [...list];
    },

    async getEvent(id) {
      const [row] = await sql<EventRow[]>`SELECT * FROM ${events} WHERE id = ${id}`;
      return row ? rowToEvent(row) : null;
    },

    async deliveries(eventId) {
      const rows = await sql<DeliveryRow[]>`SELECT * FROM ${deliveries} WHERE event_id = ${eventId} ORDER BY endpoint`;
      return rows.map(rowToDelivery);
    },

    async claimDeliveries(options) {
      if (!(options.limit > 0) || options.endpoints.length === 0) return [];
      // Only the head of each (endpoint, object) queue is claimable: while an older event of the
      // same object is pending there, a newer one waits, so events arrive in order.
      const rows = await sql<(DeliveryRow & { attempt_count: number } & { e_seq: string; e_id: string; e_type: string; e_object_id: string; e_data: string; e_created_at: string })[]>`
        WITH picked AS (
          SELECT d.id FROM ${deliveries} d
          WHERE d.status = 'pending' AND d.next_attempt_at <= ${options.now}
            AND (d.lease_until IS NULL OR d.lease_until <= ${options.now})
            AND d.endpoint = ANY(${options.endpoints as string[]})
            AND NOT EXISTS (
              SELECT 1 FROM ${deliveries} p
              WHERE p.endpoint = d.endpoint AND p.object_id = d.object_id AND p.status = 'pending' AND p.event_seq < d.event_seq)
          ORDER BY d.next_attempt_at, d.event_seq
          LIMIT ${Math.floor(options.limit)}
          FOR UPDATE SKIP LOCKED
        ), leased AS (
          UPDATE ${deliveries} AS d SET lease_owner = ${options.owner}, lease_until = ${options.now + options.leaseMs}
          FROM picked WHERE d.id = picked.id
          RETURNING d.*
        )
        SELECT l.*, e.seq AS e_seq, e.id AS e_id, e.type AS e_type, e.object_id AS e_object_id, e.data AS e_data, e.created_at AS e_created_at
        FROM leased l JOIN ${events} e ON e.id = l.event_id
        ORDER BY l.next_attempt_at, l.event_seq`;
      return rows.map((row) => ({
        id: Number(row.id),
        endpoint: row.endpoint,
        attemptCount: Number(row.attempt_count),
        event: rowToEvent({ seq: row.e_seq, id: row.e_id, type: row.e_type, object_id: row.e_object_id, data: row.e_data, created_at: row.e_created_at }),
      }));
    },

    async recordAttempt(result) {
      const outcome = await sql`
        UPDATE ${deliveries} SET
          attempts = (attempts::jsonb || (${JSON.stringify([result.attempt])}::text)::jsonb)::text,
          attempt_count = attempt_count + 1,
          status = ${result.outcome === "retry" ? "pending" : result.outcome},
          next_attempt_at = ${result.outcome === "retry" ? (result.nextAttemptAt ?? null) : null},
          lease_owner = NULL,
          lease_until = NULL
        WHERE id = ${result.deliveryId} AND lease_owner = ${result.owner}`;
      return outcome.count === 1;
    },

    async redeliver(eventId, options) {
      return sql.begin(async (tx) => {
        const [event] = await tx<{ seq: string; object_id: string }[]>`SELECT seq, object_id FROM ${events} WHERE id = ${eventId}`;
        if (!event) return 0;
        const existing = (await tx<{ endpoint: string }[]>`SELECT endpoint FROM ${deliveries} WHERE event_id = ${eventId}`).map((row) => row.endpoint);
        const targets = options.endpoints ?? existing;
        for (const endpoint of targets) {
          await tx`
            INSERT INTO ${deliveries} (event_id, event_seq, object_id, endpoint, status, next_attempt_at)
            VALUES (${eventId}, ${event.seq}, ${event.object_id}, ${endpoint}, 'pending', ${options.at})
            ON CONFLICT (event_id, endpoint) DO UPDATE SET status = 'pending', next_attempt_at = ${options.at}, lease_owner = NULL, lease_until = NULL`;
        }
        return targets.length;
      });
    },

    async disableEndpoint(endpoint) {
      await sql`
        INSERT INTO ${disabled} (name, url, reason, at) VALUES (${endpoint.name}, ${endpoint.url}, ${endpoint.reason}, ${endpoint.at})
        ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, reason = EXCLUDED.reason, at = EXCLUDED.at`;
    },

    async disabledEndpoints() {
      const rows = await sql<{ name: string; url: string; reason: string; at: string }[]>`SELECT name, url, reason, at FROM ${disabled} ORDER BY name`;
      return rows.map((row) => ({ ...row, at: Number(row.at) }));
    },
  };
}
