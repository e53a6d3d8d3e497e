/**
 * What a shopper's browser may see of an order. Built field by field from an allow-list, so that a
 * field added to the record later cannot leak by default.
 */
import { isFinalStatus, type PaymentStatus } from "../gateway/schemas.ts";
import { sessionStatus } from "../merchant/views.ts";
import type { OrderRecord, SessionRecord } from "../store/types.ts";

export interface PublicOrder {
  id: string;
  status: PaymentStatus;
  payment_url?: string;
  amount: string;
  final_amount?: string;
  floating_amount?: string;
  currency: string;
  country: string;
  payment: string;
  expires_at: string;
}

export function toPublicOrder(order: OrderRecord): PublicOrder {
  const view: PublicOrder = {
    id: order.id,
    // The gateway refused it or never got it: to a shopper that is a failed payment, not a wait.
    status: order.gatewayState === "rejected" && !isFinalStatus(order.status) ? "failed" : order.status,
    amount: order.amount,
    currency: order.currency,
    country: order.country,
    payment: order.payment,
    expires_at: new Date(order.expiresAt).toISOString(),
  };
  // The page link is only useful, and only shown, while the order can still be paid.
  if (order.paymentUrl && !isFinalStatus(order.status)) view.payment_url = order.paymentUrl;
  if (order.finalAmount) view.final_amount = order.finalAmount;
  if (order.floatingAmount) view.floating_amount = order.floatingAmount;
  return view;
}

/** What a shopper's browser may see of a checkout session: what is bought, never the merchant's metadata or customer id. */
export interface PublicSession {
  id: string;
  status: "open" | "completed" | "expired";
  amount: string;
  currency: string;
  country: string | null;
  payment: string | null;
  description: string | null;
  merchant_name: string;
  expires_at: string;
  /** The order that paid it, so a page can show its result. */
  order_id: string | null;
}

export function toPublicSession(session: SessionRecord, options: { merchantName: string; now: number }): PublicSession {
  return {
    id: session.id,
    status: sessionStatus(session, options.now),
    amount: session.amount,
    currency: session.currency,
    country: session.country,
    payment: session.payment,
    description: session.description,
    merchant_name: options.merchantName,
    expires_at: new Date(session.expiresAt).toISOString(),
    order_id: session.orderId,
  };
}
