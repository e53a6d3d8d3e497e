/**
 * Payouts: the gateway's expense orders, sent by the merchant's backend. Stored first (with the
 * day's cap reserved in the same transaction), then created at the gateway exactly once by the
 * order service's `submit` (the client reads back before any re-send; an unknown outcome is settled
 * by the sweep), then followed to a final status by notification, merchant reads and the sweep like
 * any order. The merchant always gets the payout back: a gateway that refused or could not be
 * reached shows as a failed payout with its reason, never as a lost request.
 */
import type { CheckoutConfig, PayoutLimits } from "../checkout-config.ts";
import { checkoutError } from "../errors.ts";
import { formatMinor } from "../gateway/amount.ts";
import type { CreateOrderInput, Currency } from "../gateway/schemas.ts";
import { newMerchantOrderId, newPayoutId } from "../ids.ts";
import type { Logger } from "../log.ts";
import { sha256Hex } from "../merchant/hash.ts";
import type { CreatePayoutBody } from "../merchant/schemas.ts";
import { maskAccount } from "../merchant/views.ts";
import { formatLimit, requestAmountMinor } from "../orders/pricing.ts";
import type { OrderService } from "../orders/service.ts";
import type { OrderRecord, OrderStore } from "../store/types.ts";
import { channelFor, checkPayee, limitsFor } from "./rules.ts";

export interface PayoutServiceOptions {
  store: OrderStore;
  orders: OrderService;
  config: CheckoutConfig;
  limits: Partial<Record<Currency, PayoutLimits>>;
  publicUrl: string;
  logger: Logger;
  now?: () => number;
}

/** A payout is not "overdue" by our clock: the gateway decides when a transfer failed. */
const PAYOUT_FOLLOW_MS = 30 * 24 * 3_600_000;

export function createPayoutService(options: PayoutServiceOptions) {
  const { store, orders, logger } = options;
  const now = options.now ?? Date.now;

  async function create(input: { body: CreatePayoutBody; idempotencyKey: string; keyId: string }): Promise<{ payout: OrderRecord; replayed: boolean }> {
    const { body } = input;
    const currency = body.currency as Currency;
    const { maxPerPayoutMinor, maxPerDayMinor, limits } = limitsFor(options.limits, currency);
    const minor = requestAmountMinor(body.amount, currency);
    if (minor <= 0) throw checkoutError("invalid_request", '"amount" must be above zero', "amount");
    if (minor > maxPerPayoutMinor) throw checkoutError("invalid_request", `"amount" must be at most ${formatLimit(limits.maxPerPayout, currency)} per payout`, "amount");
    checkPayee(body);
    const channel = channelFor(options.config, body);
    if (currency === "thb" && !channel) throw checkoutError("invalid_request", '"payment" has no Thailand channel configured: add the method to the config file with its channel', "payment");

    const at = now();
    const requestHash = sha256Hex(JSON.stringify(["payout", body.amount, currency, body.country, body.payment, body.to, body.to_name, body.to_bank_name ?? null, body.accounting_type ?? "pay", body.description ?? null, body.metadata ?? {}]));
    const day = new Date(at).toISOString().slice(0, 10);
    const amount = formatMinor(minor, currency);
    const inserted = await store.insertPayout(
      {
        id: newPayoutId(),
        merchantOrderId: newMerchantOrderId(options.config.orderIdPrefix, at),
        gatewayState: "creating",
        status: "none",
        amount,
        currency,
        country: body.country,
        payment: body.payment,
        channel: channel ?? null,
        finalAmount: null,
        floatingAmount: null,
        paymentUrl: null,
        product: null,
        customer: null,
        description: body.description ?? null,
        locale: null,
        origin: null,
        returnUrl: null,
        // Scoped by the key that asked: two keys of the same shop never share a payout by accident.
        idempotencyKey: `payout:${input.keyId}:${input.idempotencyKey}`,
        requestHash,
        errorCode: null,
        createdAt: at,
        expiresAt: at + PAYOUT_FOLLOW_MS,
        metadata: body.metadata ?? {},
        kind: "payout",
        payeeAccount: body.to,
        payeeName: body.to_name,
        payeeBank: body.to_bank_name ?? null,
        accountingType: body.accounting_type ?? "pay",
        createdBy: input.keyId,
      },
      { day, currency, amountMinor: minor, maxPerDayMinor },
    );

    if ("capExceeded" in inserted) {
      throw checkoutError(
        "invalid_request",
        `"amount" would pass today's payout limit of ${formatLimit(limits.maxPerDay, currency)} (UTC day ${day}; ${formatMinor(inserted.dayTotalMinor, currency)} ${currency.toUpperCase()} already requested)`,
        "amount",
      );
    }
    if (!inserted.inserted) {
      if (inserted.order.requestHash !== requestHash) {
        throw checkoutError("idempotency_key_reused", "This Idempotency-Key was used for a different payout. Use a new key for a new payout.", "Idempotency-Key");
      }
      const settled = await orders.waitWhileCreating(inserted.order);
      return { payout: settled, replayed: true };
    }

    const payout = inserted.order;
    // The operator's record: who asked, for how much, to whom (masked), never the full account.
    logger.info("payout requested", { payout_id: payout.id, key: `sk_…${input.keyId}`, amount, currency, country: body.country, payment: body.payment, payee_account: maskAccount(body.to) });
    const request: CreateOrderInput = {
      transaction_type: "expense",
      accounting_type: body.accounting_type ?? "pay",
      amount,
      currency,
      payment: body.payment,
      country: body.country,
      merchant_order_id: payout.merchantOrderId,
      notify_url: `${options.publicUrl}/octopus/notify`,
      to: body.to,
      to_name: body.to_name,
      ...(body.to_bank_name ? { to_bank_name: body.to_bank_name } : {}),
      ...(channel ? { channel } : {}),
    };
    const submitted = await orders.submit(payout, request);
    if (submitted.outcome === "refused" || submitted.outcome === "unavailable") {
      // It definitely does not exist at the gateway: its share of the day goes back.
      await store.releasePayoutCap({ day, currency, amountMinor: minor });
    }
    logger.info("payout submitted", { payout_id: payout.id, outcome: submitted.outcome, status: submitted.order.status });
    return { payout: submitted.order, replayed: false };
  }

  async function get(id: string): Promise<OrderRecord> {
    const payout = await store.get(id);
    if (!payout || payout.kind !== "payout") throw checkoutError("not_found", "No payout with this id.");
    // Re-read from the gateway when stale, like a shopper's status (one reader at a time).
    return orders.status(id);
  }

  return { create, get };
}

export type PayoutService = ReturnType<typeof createPayoutService>;
