/**
 * How an order looks on the wire: the `payment` object of a create, the fields of `order/get`, and
 * the body of a notification. Decision: every documented field is present, with "" when unset (what a
 * gateway serialising a fixed record does); `floating_amount` exists only for Thailand orders, the
 * only ones the gateway's documents give it to. Notifications leave the empty fields out (docs/gateway.md).
 */
import type { SandboxOrder } from "./order-book.ts";

/** The fields of `order/get`, in the gateway document's order; "" when unset. */
export interface OrderGetFields {
  from: string;
  from_name: string;
  from_bank_name: string;
  to: string;
  to_name: string;
  to_bank_name: string;
  amount: string;
  floating_amount?: string;
  final_amount: string;
  currency: string;
  country: string;
  transaction_type: string;
  accounting_type: string;
  merchant_order_id: string;
  merchant_uid: string;
  merchant_name: string;
  channel: string;
  payment_status: string;
  payment_fail_reason: string;
  payment: string;
  response_type: string;
  ip: string;
  user_agent: string;
  distribute_rules: string;
  payment_uid: string;
  redirect_url: string;
  notify_url: string;
  notify_status: string;
  notify_fail_reason: string;
  accounting_status: string;
  accounting_fail_reason: string;
  signature_key: string;
}

const orEmpty = (value: string | undefined) => value ?? "";

function floating(order: SandboxOrder): { floating_amount?: string } {
  return order.floatingAmount === undefined ? {} : { floating_amount: order.floatingAmount };
}

/** The payer and payee fields, which both `order/new`'s payment and `order/get` carry. */
function parties(order: SandboxOrder) {
  return {
    from: orEmpty(order.from),
    from_name: orEmpty(order.fromName),
    from_bank_name: orEmpty(order.fromBankName),
    to: orEmpty(order.to),
    to_name: orEmpty(order.toName),
    to_bank_name: orEmpty(order.toBankName),
  };
}

/** `data.payment` of `order/new`. */
export function paymentObject(order: SandboxOrder): Record<string, string> {
  return {
    ...parties(order),
    payment_status: order.status,
    payment_fail_reason: orEmpty(order.failReason),
    ...floating(order),
    final_amount: order.finalAmount,
    currency: order.currency,
    transaction_type: order.transactionType,
    payment_uid: order.paymentUid,
    channel: orEmpty(order.channel),
  };
}

/** `data` of `order/get`: every field the gateway document lists, including the ones that must stay server-side. */
export function orderDetails(order: SandboxOrder): OrderGetFields {
  return {
    ...parties(order),
    amount: order.amount,
    ...floating(order),
    final_amount: order.finalAmount,
    currency: order.currency,
    country: order.country,
    transaction_type: order.transactionType,
    accounting_type: orEmpty(order.accountingType),
    merchant_order_id: order.merchantOrderId,
    merchant_uid: order.merchantUid,
    merchant_name: order.merchantName,
    channel: orEmpty(order.channel),
    payment_status: order.status,
    payment_fail_reason: orEmpty(order.failReason),
    payment: order.payment,
    response_type: order.responseType,
    ip: order.ip,
    user_agent: order.userAgent,
    distribute_rules: order.distributeRules,
    payment_uid: order.paymentUid,
    redirect_url: orEmpty(order.redirectUrl),
    notify_url: orEmpty(order.notifyUrl),
    notify_status: order.notifyStatus,
    notify_fail_reason: orEmpty(order.notifyFailReason),
    accounting_status: order.accountingStatus,
    accounting_fail_reason: "",
    signature_key: order.signatureKey,
  };
}

/** The body of a notification to `notify_url`: the `order/get` fields, empty ones left out. */
export function notificationFields(order: SandboxOrder): Record<string, string> {
  return Object.fromEntries(Object.entries(orderDetails(order)).filter(([, value]) => value !== ""));
}
