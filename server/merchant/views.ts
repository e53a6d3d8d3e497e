/**
 * What the merchant's backend sees of our records, in the merchant API and in every event. Pure
 * functions of the records, so that the store can write an event's data in the same transaction as
 * the change it describes. Built field by field: a field added to a record does not leak by default.
 */
import type { EventRecord, OrderRecord, SessionRecord, StatusChange } from "../store/types.ts";
import type { MerchantOrder, Payout, Session } from "./schemas.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function merchantOrderView(order: OrderRecord, history: readonly StatusChange[]): MerchantOrder {
  return {
    id: order.id,
    object: "order",
    merchant_order_id: order.merchantOrderId,
    session_id: order.sessionId,
    status: order.status,
    amount: order.amount,
    final_amount: order.finalAmount,
    // Compared as the gateway wrote it against what we asked for, both canonical decimal strings of
    // one currency; a differing amount is reported, not judged (partial payments, fees, rounding).
    final_amount_differs: order.finalAmount !== null && Number(order.finalAmount) !== Number(order.amount),
    floating_amount: order.floatingAmount,
    currency: order.currency,
    country: order.country,
    payment: order.payment,
    product: order.product,
    customer: order.customer,
    description: order.description,
    metadata: order.metadata ?? {},
    payment_uid: order.paymentUid,
    payment_fail_reason: order.paymentFailReason,
    history: history.map((change) => ({ from: change.from, to: change.to, source: change.source, at: iso(change.at) })),
    created_at: iso(order.createdAt),
    updated_at: iso(order.updatedAt),
  };
}

/** An account number as logs and the API show it: only its last four characters. */
export function maskAccount(account: string | null): string | null {
  if (account === null) return null;
  const visible = account.length > 4 ? account.slice(-4) : "";
  return "*".repeat(account.length - visible.length) + visible;
}

export function payoutView(order: OrderRecord, history: readonly StatusChange[]): Payout {
  const refused = order.gatewayState === "rejected";
  return {
    id: order.id,
    object: "payout",
    merchant_order_id: order.merchantOrderId,
    // Refused by the gateway, or never reached it: to the merchant that is a failed payout.
    status: refused && order.status !== "completed" ? "failed" : order.status,
    amount: order.amount,
    final_amount: order.finalAmount,
    currency: order.currency,
    country: order.country,
    payment: order.payment,
    to: maskAccount(order.payeeAccount) ?? "",
    to_name: order.payeeName ?? "",
    to_bank_name: order.payeeBank,
    accounting_type: order.accountingType === "settle" ? "settle" : "pay",
    description: order.description,
    metadata: order.metadata ?? {},
    payment_uid: order.paymentUid,
    failure_reason: order.paymentFailReason ?? (refused ? (order.errorCode === "gateway_refused" ? "refused by the gateway" : "the gateway could not be reached; nothing was paid") : null),
    requested_by: order.createdBy === null ? null : `sk_…${order.createdBy}`,
    history: history.map((change) => ({ from: change.from, to: change.to, source: change.source, at: iso(change.at) })),
    created_at: iso(order.createdAt),
    updated_at: iso(order.updatedAt),
  };
}

/** "expired" is a reading of the clock, not a stored state: an open session past its time. */
export function sessionStatus(session: SessionRecord, now: number): "open" | "completed" | "expired" {
  if (session.status === "completed") return "completed";
  return now >= session.expiresAt ? "expired" : "open";
}

export function sessionView(session: SessionRecord, options: { publicUrl: string; now: number }): Session {
  return {
    id: session.id,
    object: "session",
    status: sessionStatus(session, options.now),
    url: `${options.publicUrl}/pay/${session.id}`,
    amount: session.amount,
    currency: session.currency,
    country: session.country,
    payment: session.payment,
    customer: session.customer,
    description: session.description,
    metadata: session.metadata,
    return_url: session.returnUrl,
    order_id: session.orderId,
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
  };
}

/** The body of a webhook: Standard Webhooks' recommended `{type, timestamp, data}`. */
export function webhookBody(event: EventRecord): string {
  return JSON.stringify({ type: event.type, timestamp: iso(event.createdAt), data: event.data });
}
