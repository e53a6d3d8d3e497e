/**
 * The row shape both stores share: the same snake_case columns in SQLite and PostgreSQL, mapped to
 * and from `OrderRecord` here so that the two stores cannot drift apart on a field.
 */
import { PaymentStatus } from "../gateway/schemas.ts";
import { ORDER_KINDS } from "./rules.ts";
import type { ChangeSource, OrderKind, DeliveryAttempt, DeliveryRecord, DeliveryStatus, EventRecord, GatewayState, Metadata, NewOrder, NewSession, OrderRecord, SessionRecord, StatusChange } from "./types.ts";

/**
 * An integer as a driver hands it back: better-sqlite3 gives numbers, postgres.js gives BIGINT
 * columns as strings (they may exceed 2^53 in general; epoch milliseconds never do).
 */
type DbInteger = number | bigint | string;

/** The `orders` columns the record is made of (the sweep lease columns stay inside the stores). */
export interface OrderRow {
  id: string;
  merchant_order_id: string;
  gateway_state: string;
  status: string;
  amount: string;
  currency: string;
  country: string;
  payment: string;
  channel: string | null;
  final_amount: string | null;
  floating_amount: string | null;
  payment_url: string | null;
  product: string | null;
  customer: string | null;
  description: string | null;
  locale: string | null;
  origin: string | null;
  return_url: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  error_code: string | null;
  created_at: DbInteger;
  updated_at: DbInteger;
  expires_at: DbInteger;
  refreshed_at: DbInteger | null;
  session_id: string | null;
  /** JSON text of a flat object of strings. */
  metadata: string | null;
  payment_uid: string | null;
  payment_fail_reason: string | null;
  kind: string;
  payee_account: string | null;
  payee_name: string | null;
  payee_bank: string | null;
  accounting_type: string | null;
  created_by: string | null;
}

/** What an insert writes: the same columns, times as numbers. */
export type OrderInsertRow = Omit<OrderRow, "created_at" | "updated_at" | "expires_at" | "refreshed_at"> & {
  created_at: number;
  updated_at: number;
  expires_at: number;
  refreshed_at: number | null;
};

export interface ChangeRow {
  order_id: string;
  from_status: string;
  to_status: string;
  source: string;
  at: DbInteger;
}

const GATEWAY_STATES: ReadonlySet<string> = new Set<GatewayState>(["creating", "created", "orphaned", "rejected", "unknown"]);
const CHANGE_SOURCES: ReadonlySet<string> = new Set<ChangeSource>(["create", "poll", "notify", "sweep", "refresh"]);
const PAYMENT_STATUSES: ReadonlySet<string> = new Set<string>(PaymentStatus.options);

// The database is ours, but a value outside the enums means a bad migration or a hand edit: fail
// loudly rather than hand the rest of the server a status it has no branch for.
function paymentStatus(value: string): PaymentStatus {
  if (!PAYMENT_STATUSES.has(value)) throw new Error(`order store: unknown payment status ${JSON.stringify(value)} in the database`);
  return value as PaymentStatus;
}

function gatewayState(value: string): GatewayState {
  if (!GATEWAY_STATES.has(value)) throw new Error(`order store: unknown gateway state ${JSON.stringify(value)} in the database`);
  return value as GatewayState;
}

function changeSource(value: string): ChangeSource {
  if (!CHANGE_SOURCES.has(value)) throw new Error(`order store: unknown change source ${JSON.stringify(value)} in the database`);
  return value as ChangeSource;
}

function metadataOf(value: string | null): Metadata | null {
  if (value === null) return null;
  const parsed: unknown = JSON.parse(value);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || Object.values(parsed).some((item) => typeof item !== "string")) {
    throw new Error("order store: metadata in the database is not a flat object of strings");
  }
  return parsed as Metadata;
}

export function epochMs(value: DbInteger): number {
  const ms = Number(value);
  if (!Number.isSafeInteger(ms)) throw new Error(`order store: ${String(value)} is not a time in epoch milliseconds`);
  return ms;
}

export function rowToOrder(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    merchantOrderId: row.merchant_order_id,
    gatewayState: gatewayState(row.gateway_state),
    status: paymentStatus(row.status),
    amount: row.amount,
    currency: row.currency,
    country: row.country,
    payment: row.payment,
    channel: row.channel,
    finalAmount: row.final_amount,
    floatingAmount: row.floating_amount,
    paymentUrl: row.payment_url,
    product: row.product,
    customer: row.customer,
    description: row.description,
    locale: row.locale,
    origin: row.origin,
    returnUrl: row.return_url,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    errorCode: row.error_code,
    createdAt: epochMs(row.created_at),
    updatedAt: epochMs(row.updated_at),
    expiresAt: epochMs(row.expires_at),
    refreshedAt: row.refreshed_at === null ? null : epochMs(row.refreshed_at),
    sessionId: row.session_id,
    metadata: metadataOf(row.metadata),
    paymentUid: row.payment_uid,
    paymentFailReason: row.payment_fail_reason,
    kind: orderKind(row.kind),
    payeeAccount: row.payee_account,
    payeeName: row.payee_name,
    payeeBank: row.payee_bank,
    accountingType: row.accounting_type,
    createdBy: row.created_by,
  };
}

const KINDS: ReadonlySet<string> = new Set(ORDER_KINDS);

function orderKind(value: string): OrderKind {
  if (!KINDS.has(value)) throw new Error(`order store: unknown order kind ${JSON.stringify(value)} in the database`);
  return value as OrderKind;
}

/** A new order's row: never updated yet, so `updated_at` is its creation time. */
export function newOrderToRow(order: NewOrder): OrderInsertRow {
  return {
    id: order.id,
    merchant_order_id: order.merchantOrderId,
    gateway_state: order.gatewayState,
    status: order.status,
    amount: order.amount,
    currency: order.currency,
    country: order.country,
    payment: order.payment,
    channel: order.channel,
    final_amount: order.finalAmount,
    floating_amount: order.floatingAmount,
    payment_url: order.paymentUrl,
    product: order.product,
    customer: order.customer,
    description: order.description,
    locale: order.locale,
    origin: order.origin,
    return_url: order.returnUrl,
    idempotency_key: order.idempotencyKey,
    request_hash: order.requestHash,
    error_code: order.errorCode,
    created_at: order.createdAt,
    updated_at: order.createdAt,
    expires_at: order.expiresAt,
    refreshed_at: order.refreshedAt ?? null,
    session_id: order.sessionId ?? null,
    metadata: order.metadata ? JSON.stringify(order.metadata) : null,
    payment_uid: null,
    payment_fail_reason: null,
    kind: order.kind ?? "checkout",
    payee_account: order.payeeAccount ?? null,
    payee_name: order.payeeName ?? null,
    payee_bank: order.payeeBank ?? null,
    accounting_type: order.accountingType ?? null,
    created_by: order.createdBy ?? null,
  };
}

/**
 * Column names in a fixed order, for the INSERT statements. Taken from `newOrderToRow` itself, so
 * a column added there is written by both stores without a second list to keep in step.
 */
export const ORDER_COLUMNS = Object.keys(newOrderToRow({} as NewOrder)) as readonly (keyof OrderInsertRow)[];

export function rowToChange(row: ChangeRow): StatusChange {
  return {
    orderId: row.order_id,
    from: paymentStatus(row.from_status),
    to: paymentStatus(row.to_status),
    source: changeSource(row.source),
    at: epochMs(row.at),
  };
}

export interface SessionRow {
  id: string;
  status: string;
  amount: string;
  currency: string;
  country: string | null;
  payment: string | null;
  customer: string | null;
  description: string | null;
  metadata: string;
  return_url: string | null;
  order_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_by: string | null;
  created_at: DbInteger;
  updated_at: DbInteger;
  expires_at: DbInteger;
}

export function newSessionToRow(session: NewSession) {
  return {
    id: session.id,
    status: "open",
    amount: session.amount,
    currency: session.currency,
    country: session.country,
    payment: session.payment,
    customer: session.customer,
    description: session.description,
    metadata: JSON.stringify(session.metadata),
    return_url: session.returnUrl,
    order_id: null,
    idempotency_key: session.idempotencyKey,
    request_hash: session.requestHash,
    created_by: session.createdBy,
    created_at: session.createdAt,
    updated_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}

export const SESSION_COLUMNS = Object.keys(newSessionToRow({ metadata: {} } as unknown as NewSession)) as readonly (keyof ReturnType<typeof newSessionToRow>)[];

export function rowToSession(row: SessionRow): SessionRecord {
  if (row.status !== "open" && row.status !== "completed") throw new Error(`order store: unknown session status ${JSON.stringify(row.status)} in the database`);
  return {
    id: row.id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    country: row.country,
    payment: row.payment,
    customer: row.customer,
    description: row.description,
    metadata: metadataOf(row.metadata) ?? {},
    returnUrl: row.return_url,
    orderId: row.order_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdBy: row.created_by,
    createdAt: epochMs(row.created_at),
    updatedAt: epochMs(row.updated_at),
    expiresAt: epochMs(row.expires_at),
  };
}

export interface EventRow {
  seq: DbInteger;
  id: string;
  type: string;
  object_id: string;
  data: string;
  created_at: DbInteger;
}

export function rowToEvent(row: EventRow): EventRecord {
  return { id: row.id, seq: epochMs(row.seq), type: row.type, objectId: row.object_id, data: JSON.parse(row.data) as Record<string, unknown>, createdAt: epochMs(row.created_at) };
}

export interface DeliveryRow {
  id: DbInteger;
  event_id: string;
  endpoint: string;
  status: string;
  attempts: string;
  next_attempt_at: DbInteger | null;
}

const DELIVERY_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>(["pending", "delivered", "failed"]);

export function rowToDelivery(row: DeliveryRow): DeliveryRecord {
  if (!DELIVERY_STATUSES.has(row.status)) throw new Error(`order store: unknown delivery status ${JSON.stringify(row.status)} in the database`);
  return {
    id: epochMs(row.id),
    eventId: row.event_id,
    endpoint: row.endpoint,
    status: row.status as DeliveryStatus,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
    nextAttemptAt: row.next_attempt_at === null ? null : epochMs(row.next_attempt_at),
  };
}
