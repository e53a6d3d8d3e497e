/**
 * The one interface every order store implements (SQLite in a file by default, PostgreSQL when
 * DATABASE_URL names one). The same contract suite (test/store/contract.ts) runs against each.
 *
 * Invariants every implementation keeps, atomically (under concurrency from several processes
 * for PostgreSQL):
 * - an Idempotency-Key maps to exactly one order, whoever wins a race to insert it;
 * - status moves one way only (see `canTransition`), and each change is recorded exactly once with
 *   its source, so that the merchant hook fires once per change;
 * - a swept order is claimed by one sweeper at a time (a lease), never two at once.
 */
import type { PaymentStatus } from "../gateway/schemas.ts";

/** Where our order stands with the gateway's order/new, as opposed to the payment's status. */
export type GatewayState =
  /** Stored, order/new not answered yet. */
  | "creating"
  /** The gateway has the order and we have its payment_url. */
  | "created"
  /** The gateway has the order but its answer was lost: no payment_url (order/get has none). */
  | "orphaned"
  /** The gateway definitely has no order: it refused it, or it could not be created. */
  | "rejected"
  /** Nobody can tell yet whether the gateway has it: the sweep reads it back. */
  | "unknown";

export type ChangeSource = "create" | "poll" | "notify" | "sweep" | "refresh";

/** The merchant's own labels on a session, copied to its orders: flat string values. */
export type Metadata = Record<string, string>;

export interface OrderRecord {
  /** Public, unguessable checkout id ("ck_…"); what the widget and URLs use. */
  id: string;
  /** Our id at the gateway; never shown to shoppers. */
  merchantOrderId: string;
  gatewayState: GatewayState;
  status: PaymentStatus;
  amount: string;
  currency: string;
  country: string;
  payment: string;
  channel: string | null;
  finalAmount: string | null;
  floatingAmount: string | null;
  paymentUrl: string | null;
  product: string | null;
  customer: string | null;
  description: string | null;
  locale: string | null;
  /** The merchant page's origin when the order was made: the only postMessage target. */
  origin: string | null;
  returnUrl: string | null;
  idempotencyKey: string | null;
  /** Hash of the request that made the order, to refuse a key reused with another body. */
  requestHash: string | null;
  /** An error code kept for replaying a failed create under the same Idempotency-Key. */
  errorCode: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** After this, a non-final order is marked overdue by the sweep. */
  expiresAt: number;
  /** When the status was last read from the gateway (create, poll, notify or sweep). */
  refreshedAt: number | null;
  /** The checkout session ("cs_…") this order pays, if any. */
  sessionId: string | null;
  metadata: Metadata | null;
  /** As the gateway reports them: kept for the merchant, never interpreted. */
  paymentUid: string | null;
  paymentFailReason: string | null;
  /** A shopper's checkout (income), or a payout (the gateway's expense order) the merchant sent. */
  kind: OrderKind;
  /** Payouts: the payee as sent to the gateway (`to`, `to_name`, `to_bank_name`). */
  payeeAccount: string | null;
  payeeName: string | null;
  payeeBank: string | null;
  accountingType: string | null;
  /** Payouts: the last four characters of the secret key that asked for it. */
  createdBy: string | null;
}

export type OrderKind = "checkout" | "payout";

export type NewOrder = Omit<
  OrderRecord,
  "updatedAt" | "refreshedAt" | "sessionId" | "metadata" | "paymentUid" | "paymentFailReason" | "kind" | "payeeAccount" | "payeeName" | "payeeBank" | "accountingType" | "createdBy"
> &
  Partial<Pick<OrderRecord, "refreshedAt" | "sessionId" | "metadata" | "kind" | "payeeAccount" | "payeeName" | "payeeBank" | "accountingType" | "createdBy">>;

/** A payout's share of its UTC day's cap, reserved with its insert. */
export interface PayoutCap {
  /** "2026-12-02" */
  day: string;
  currency: string;
  amountMinor: number;
  maxPerDayMinor: number;
}

export type PayoutInsertResult = InsertResult | { inserted: false; capExceeded: true; dayTotalMinor: number };

export interface StatusChange {
  orderId: string;
  from: PaymentStatus;
  to: PaymentStatus;
  source: ChangeSource;
  at: number;
}

/** What `setGatewayState` writes; `undefined` leaves paymentUrl or errorCode alone, `null` clears it. */
export interface GatewayStatePatch {
  gatewayState: GatewayState;
  paymentUrl?: string | null;
  errorCode?: string | null;
  at: number;
}

/** Fields a status update may carry along, as the gateway reported them. */
export interface StatusUpdate {
  status: PaymentStatus;
  finalAmount?: string | null;
  floatingAmount?: string | null;
  paymentUid?: string | null;
  paymentFailReason?: string | null;
  source: ChangeSource;
  at: number;
}

export type InsertResult = { inserted: true; order: OrderRecord } | { inserted: false; order: OrderRecord };

export type TransitionResult =
  /** The status changed; `change` is the one record of it. */
  | { changed: true; order: OrderRecord; change: StatusChange }
  /** Same status, or a move the one-way rule forbids; amounts may still have been filled in. */
  | { changed: false; order: OrderRecord };

/**
 * A table through which instances share per-client counters (rate-limiter-flexible's layout: key,
 * points, expire), with a way to run statements on it over the store's own connections.
 */
export interface SharedLimitTable {
  /** Schema and table, plain lower-case names (written into SQL unquoted by the limiter). */
  schema: string;
  table: string;
  /** One statement with $1… parameters; pg's result shape, which rate-limiter-flexible reads. */
  query(text: string, values: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
  /**
   * `OrderStore.insert` and one hit of a fixed-window limit on this table, in one statement (so one
   * round trip and one transaction for both): the hit is counted as rate-limiter-flexible's
   * `consume(key)` counts it, and the order is inserted only if the count is then within `hit.max`.
   * When `signal` aborts, the statement is cancelled: it then either fails, having written nothing,
   * or has already completed and answers as usual.
   */
  insertCounted(order: NewOrder, hit: LimitHit, signal: AbortSignal): Promise<CountedInsert>;
  /** `OrderStore.insert`: for a create counted in memory while the table fails. */
  insert(order: NewOrder): Promise<InsertResult>;
}

/** One hit of a fixed window: `key` as the table holds it (rate-limiter-flexible's `prefix:key`). */
export interface LimitHit {
  key: string;
  max: number;
  windowMs: number;
  /** Now, in epoch ms (the limiter's clock, not the database's). */
  at: number;
}

export interface CountedInsert {
  /** The window's count with this hit, and when the window ends (epoch ms). */
  points: number;
  expire: number;
  /** What the insert did; null when the count was over the limit, and nothing was inserted. */
  insert: InsertResult | null;
}

export interface OrderStore {
  readonly kind: "sqlite" | "postgres";
  /**
   * PostgreSQL only: where every instance counts the create limit, so that N instances allow one
   * limit per client, not N. Absent on SQLite, which one instance has to itself (memory is enough).
   */
  readonly limitTable?: SharedLimitTable;
  /** Creates tables if needed. Idempotent; safe for several instances at once. */
  migrate(): Promise<void>;
  /** Readiness for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Inserts the order, or, when an order with the same idempotencyKey already exists, returns that
   * one untouched (`inserted: false`). Atomic: two racing inserts with one key yield one order.
   */
  insert(order: NewOrder): Promise<InsertResult>;
  get(id: string): Promise<OrderRecord | null>;
  getByMerchantOrderId(merchantOrderId: string): Promise<OrderRecord | null>;

  /** Records the outcome of order/new. Does not touch `status`: that goes through `transition`. */
  setGatewayState(id: string, patch: GatewayStatePatch): Promise<OrderRecord | null>;

  /**
   * `setGatewayState` then `transition`, in one transaction: what order/new's answer writes (the
   * gateway state and payment URL, then the first status the gateway reported, with its change and
   * events). Exactly as the two calls would, only atomic and cheaper: a create commits twice (its
   * insert, then this), not three times. `expected` is the caller's copy of the order as it was
   * before; a store may write in one statement when the row is still exactly that (PostgreSQL
   * does), and must otherwise read it under a lock as `transition` does. Null for an unknown order.
   */
  recordGatewayAnswer(expected: OrderRecord, patch: GatewayStatePatch, update: StatusUpdate): Promise<TransitionResult | null>;

  /**
   * Applies a status read from the gateway if `canTransition(current, next)`; records the change.
   * Amounts (`finalAmount`, `floatingAmount`) that are given are stored even when the status stays.
   * Always sets `refreshedAt = at`. Compare-and-set: of concurrent callers making the same move,
   * exactly one gets `changed: true`.
   */
  transition(id: string, update: StatusUpdate): Promise<TransitionResult | null>;

  /** Every status change of an order, oldest first. */
  history(id: string): Promise<StatusChange[]>;

  /**
   * Atomically claims the order for a refresh from the gateway if it was not refreshed (or claimed)
   * since `staleBefore`: sets `refreshedAt = now` and returns true for exactly one of concurrent
   * callers. Keeps a crowd of pollers from hammering the gateway.
   */
  claimRefresh(id: string, staleBefore: number, now: number): Promise<boolean>;

  /**
   * Claims up to `limit` orders that need the sweep: not final (status not terminal) and not
   * "rejected", or gateway state "creating"/"unknown", whose lease has expired, oldest refresh first; leases them to
   * `owner` until `now + leaseMs`. Orders claimed by one caller are not returned to another
   * until the lease runs out (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimForSweep(options: { limit: number; now: number; leaseMs: number; owner: string; createdBefore?: number }): Promise<OrderRecord[]>;
  /** Ends the lease early once the sweep is done with an order. */
  releaseSweep(id: string, owner: string): Promise<void>;
  /**
   * Parks the order for one more re-read by the sweep at `until`, whatever its status: for an
   * order we marked overdue ourselves, whose payment may still arrive at the gateway.
   */
  deferSweep(id: string, until: number): Promise<void>;

  /** Newest first, for the demo's sandbox panel and operators. */
  recent(limit: number): Promise<OrderRecord[]>;

  /** Newest first, filtered; `startingAfter` is the id of the last order of the previous page. */
  listOrders(query: OrderQuery): Promise<Page<OrderRecord>>;

  // --- Payouts -----------------------------------------------------------------------------

  /**
   * Inserts a payout (kind "payout") and reserves its amount in the day's total, atomically: over
   * `maxPerDayMinor` nothing is written (`capExceeded`), so instances racing cannot pass the cap
   * together. A repeated idempotency key returns the payout it made, reserving nothing.
   */
  insertPayout(order: NewOrder, cap: PayoutCap): Promise<PayoutInsertResult>;
  /** Gives back a reservation of a payout the gateway definitely did not make. */
  releasePayoutCap(cap: Omit<PayoutCap, "maxPerDayMinor">): Promise<void>;

  // --- Checkout sessions -------------------------------------------------------------------

  /** Inserts the session, or returns the one already holding its idempotency key, untouched. */
  insertSession(session: NewSession): Promise<{ inserted: boolean; session: SessionRecord }>;
  getSession(id: string): Promise<SessionRecord | null>;

  // --- Events and their deliveries (the outbox) --------------------------------------------
  // Events are written by `transition`, in the same transaction as the
  // change they describe, with one delivery per subscribed endpoint (`outbox.subscriptions`).

  /** Which endpoints get deliveries of the events written from now on (the server sets its webhooks). */
  setSubscriptions(subscriptions: readonly Subscription[]): void;
  listEvents(query: EventQuery): Promise<Page<EventRecord>>;
  getEvent(id: string): Promise<EventRecord | null>;
  /** The deliveries of an event with every attempt, by endpoint name. */
  deliveries(eventId: string): Promise<DeliveryRecord[]>;
  /**
   * Claims up to `limit` deliveries that are due, leasing them to `owner` until `now + leaseMs`.
   * Only the oldest undelivered event of an object is ever claimable for an endpoint, so one
   * object's events reach an endpoint in order. Deliveries to a disabled endpoint are skipped.
   */
  claimDeliveries(options: { now: number; limit: number; leaseMs: number; owner: string; endpoints: readonly string[] }): Promise<ClaimedDelivery[]>;
  /** Records one attempt and what follows from it; ignored when `owner` no longer holds the lease. */
  recordAttempt(attempt: AttemptResult): Promise<boolean>;
  /** Puts an event's deliveries back in the queue (all endpoints it went to, or the ones named). */
  redeliver(eventId: string, options: { at: number; endpoints?: readonly string[] }): Promise<number>;
  /** An endpoint answered 410 Gone: stop sending to it while its URL stays the same. */
  disableEndpoint(endpoint: { name: string; url: string; reason: string; at: number }): Promise<void>;
  /** Disabled endpoints, by name, with the URL they were disabled for. */
  disabledEndpoints(): Promise<{ name: string; url: string; reason: string; at: number }[]>;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface OrderQuery {
  /** Default "checkout". */
  kind?: OrderKind | undefined;
  status?: PaymentStatus | undefined;
  customer?: string | undefined;
  session?: string | undefined;
  limit: number;
  startingAfter?: string | undefined;
}

export interface EventQuery {
  objectId?: string | undefined;
  type?: string | undefined;
  limit: number;
  startingAfter?: string | undefined;
}

/** A checkout session: what the merchant's backend says a cart costs, paid at most once. */
export interface SessionRecord {
  id: string;
  /** "expired" is never stored: an open session past `expiresAt` reads as expired. */
  status: "open" | "completed";
  amount: string;
  currency: string;
  country: string | null;
  payment: string | null;
  customer: string | null;
  description: string | null;
  metadata: Metadata;
  returnUrl: string | null;
  /** The order that paid it. */
  orderId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** The last four characters of the secret key that created it. */
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export type NewSession = Omit<SessionRecord, "status" | "orderId" | "updatedAt">;

export interface EventRecord {
  id: string;
  /** Global order of events: later events have a larger sequence. */
  seq: number;
  type: string;
  objectId: string;
  /** The object as the merchant API shows it, at the moment of the change. */
  data: Record<string, unknown>;
  createdAt: number;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface DeliveryAttempt {
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRecord {
  id: number;
  eventId: string;
  endpoint: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: number | null;
}

export interface ClaimedDelivery {
  id: number;
  endpoint: string;
  /** Attempts made before this one. */
  attemptCount: number;
  event: EventRecord;
}

export interface AttemptResult {
  deliveryId: number;
  owner: string;
  attempt: DeliveryAttempt;
  /** What follows: done, try again at `nextAttemptAt`, or give up. */
  outcome: "delivered" | "retry" | "failed";
  nextAttemptAt?: number;
}

/** Which endpoints get which events; `types` null means every type. */
export interface Subscription {
  endpoint: string;
  types: readonly string[] | null;
}

const RANK: Record<PaymentStatus, number> = {
  none: 0,
  pending: 1,
  preparing: 2,
  processing: 3,
  failed: 4,
  reject: 4,
  overdue: 4,
  completed: 5,
  refund: 6,
};

/**
 * Status moves one way. A paid order never goes back; a late payment after `overdue`/`failed`
 * is still money that arrived, so `completed` outranks them; only a refund follows `completed`.
 */
export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  if (to === "refund") return from === "completed";
  return RANK[to] > RANK[from];
}
