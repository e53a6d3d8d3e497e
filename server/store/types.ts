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

export type ChangeSource = "create" | "poll" | "notify" | "sweep";

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
}

export type NewOrder = Omit<OrderRecord, "updatedAt" | "refreshedAt"> & { refreshedAt?: number | null };

export interface StatusChange {
  orderId: string;
  from: PaymentStatus;
  to: PaymentStatus;
  source: ChangeSource;
  at: number;
}

/** Fields a status update may carry along, as the gateway reported them. */
export interface StatusUpdate {
  status: PaymentStatus;
  finalAmount?: string | null;
  floatingAmount?: string | null;
  source: ChangeSource;
  at: number;
}

export type InsertResult = { inserted: true; order: OrderRecord } | { inserted: false; order: OrderRecord };

export type TransitionResult =
  /** The status changed; `change` is the one record of it. */
  | { changed: true; order: OrderRecord; change: StatusChange }
  /** Same status, or a move the one-way rule forbids; amounts may still have been filled in. */
  | { changed: false; order: OrderRecord };

export interface OrderStore {
  readonly kind: "sqlite" | "postgres";
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
  setGatewayState(id: string, patch: { gatewayState: GatewayState; paymentUrl?: string | null; errorCode?: string | null; at: number }): Promise<OrderRecord | null>;

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
