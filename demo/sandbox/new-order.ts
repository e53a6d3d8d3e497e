/** Turns an accepted `order/new` request into the sandbox's order record. */
import { formatMinor } from "../../server/gateway/amount.ts";
import { pageToken, paymentUid, signatureKey } from "./ids.ts";
import type { PayoutSettings } from "./lifecycle.ts";
import type { SandboxMerchant } from "./merchants.ts";
import type { OrderBook, SandboxOrder } from "./order-book.ts";
import type { AcceptedNewOrder } from "./order-rules.ts";

export interface CreationContext {
  merchant: SandboxMerchant;
  now: number;
  ttlMs: number;
  /** Origin (and optional path prefix) the payment page is served under, without a trailing slash. */
  publicUrl: string;
  ip: string;
  userAgent: string;
  random: () => number;
  book: OrderBook;
  /** Read at creation: a payout's schedule is fixed when it is made. */
  payouts: PayoutSettings;
}

/**
 * Amount plus 1..99 satang. A2A gateways match a bank transfer to its order by the exact amount, so
 * two open orders should not float to the same figure: try a few draws before accepting a clash.
 */
function floatingAmount(amountMinor: number, context: CreationContext): string {
  let candidate = "";
  for (let draw = 0; draw < 20; draw++) {
    const satang = 1 + Math.min(98, Math.floor(context.random() * 99));
    candidate = formatMinor(amountMinor + satang, "thb");
    if (!context.book.floatingInUse(candidate)) break;
  }
  return candidate;
}

export function buildOrder({ request, amountMinor }: AcceptedNewOrder, context: CreationContext): SandboxOrder {
  const amount = formatMinor(amountMinor, request.currency);
  const isIncome = request.transaction_type === "income";
  const token = isIncome ? pageToken() : undefined;
  // Thailand's variant documents a `preparing` step before the payment starts.
  const initial = request.currency === "thb" ? "preparing" : "pending";
  const isThai = request.currency === "thb";
  const { payouts } = context;
  return {
    merchantUid: context.merchant.merchantUid,
    merchantName: context.merchant.merchantName,
    merchantOrderId: request.merchant_order_id,
    transactionType: request.transaction_type,
    accountingType: request.accounting_type,
    amount,
    // Decision: the Thai doc lists floating_amount for payouts too, but nothing is matched by amount
    // when the merchant pays out: the payee gets exactly the amount asked, so it equals it.
    floatingAmount: isThai ? (isIncome ? floatingAmount(amountMinor, context) : amount) : undefined,
    currency: request.currency,
    country: request.country,
    payment: request.payment,
    channel: request.channel,
    redirectUrl: request.redirect_url,
    notifyUrl: request.notify_url,
    from: request.from,
    fromName: request.from_name,
    fromBankName: request.from_bank_name,
    to: request.to,
    toName: request.to_name,
    toBankName: request.to_bank_name,
    merchantId: request.merchant_id,
    responseType: request.response_type,
    paymentUid: paymentUid(),
    signatureKey: signatureKey(),
    ip: context.ip,
    userAgent: context.userAgent,
    distributeRules: "sandbox-default",
    pageToken: token,
    paymentUrl: token === undefined ? undefined : `${context.publicUrl}/octopus/pay/${token}`,
    createdAt: context.now,
    expiresAt: isIncome ? context.now + context.ttlMs : undefined,
    payoutSchedule:
      isIncome || !payouts.auto
        ? undefined
        : { processingAt: context.now + payouts.processingMs, settleAt: context.now + payouts.processingMs + payouts.settleMs },
    status: initial,
    failReason: undefined,
    // Decision: the seeds do not say how final_amount differs from amount (fees?); it equals it here.
    finalAmount: amount,
    accountingStatus: "none",
    notifyStatus: "none",
    notifyFailReason: undefined,
    history: [{ status: initial, at: context.now, source: "api" }],
    notifications: [],
  };
}
