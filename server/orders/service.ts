/**
 * The order's life on the server: create it once (whatever the network does), follow it to a final
 * status from the gateway's word only. Each change the store records writes its event to the
 * outbox in the same transaction; `onChange` only wakes the webhook dispatcher.
 */
import type { CheckoutConfig } from "../checkout-config.ts";
import { checkoutError, type CheckoutError, type ErrorCode } from "../errors.ts";
import {
  OctopusError,
  OctopusOrderNotFoundError,
  isFinalStatus,
  type CreateOrderInput,
  type OctopusClient,
  type OrderDetails,
  type PaymentStatus,
} from "../gateway/index.ts";
import { newCheckoutId, newMerchantOrderId, SESSION_ID } from "../ids.ts";
import type { Logger } from "../log.ts";
import { sessionStatus } from "../merchant/views.ts";
import type { ChangeSource, GatewayStatePatch, InsertResult, NewOrder, OrderRecord, OrderStore, SessionRecord, StatusChange, StatusUpdate, TransitionResult } from "../store/types.ts";
import { checkReturnUrl, priceOrder, requestFingerprint, type PricedOrder } from "./pricing.ts";

export interface OrderServiceOptions {
  store: OrderStore;
  gateway: OctopusClient;
  config: CheckoutConfig;
  /** This server's public URL: the gateway sends shoppers and notifications back to it. */
  publicUrl: string;
  allowedOrigins: ReadonlySet<string>;
  logger: Logger;
  /** Called after anything that may have written an event (the dispatcher's kick). */
  onChange?: (() => void) | undefined;
  now?: () => number;
  /** How long a request waits for a racing request with the same Idempotency-Key to finish. */
  idempotencyWaitMs?: number;
  /** An order still "creating" after this long was abandoned mid-create (a crash): the sweep settles it. */
  creatingTimeoutMs?: number;
}

export interface CreateResult {
  order: OrderRecord;
  /** True when the Idempotency-Key had already made this order. */
  replayed: boolean;
}

/** What came of sending a stored order to the gateway's order/new (see `OrderService.submit`). */
export interface SubmitResult {
  outcome: "created" | "recovered" | "refused" | "unavailable" | "unknown";
  order: OrderRecord;
}

/**
 * The order's life, as the routes, the payouts, the notify hints, the sweep and the CLI use it. Every
 * method reads and writes through the store, so any number of instances on one PostgreSQL agree; what
 * a shopper or merchant should see is thrown as a `CheckoutError`.
 */
export interface OrderService {
  /**
   * Creates a checkout from a request body (priced against the config, or a session's terms when it
   * names `session`) and sends it to the gateway, once: the same `idempotencyKey` with the same body
   * gives back the same order (`replayed`), with another body `idempotency_key_reused`. Throws
   * `gateway_refused` / `gateway_unavailable` when no payment page came of it.
   */
  create(input: { body: Record<string, unknown>; origin: string | null; idempotencyKey: string | null; priced?: PricedOrder }): Promise<CreateResult>;
  /**
   * Sends an order stored in state "creating" to order/new and records the outcome; never throws for
   * the gateway's answers. For services that store orders of their own kind (payouts).
   */
  submit(order: OrderRecord, request: CreateOrderInput): Promise<SubmitResult>;
  /** Waits (up to `idempotencyWaitMs`) while another request is still creating this order; the order as it is then. */
  waitWhileCreating(order: OrderRecord): Promise<OrderRecord>;
  /**
   * The order as it stands, re-read from the gateway when older than `refreshAfterSeconds` (or one
   * second with `fresh`, right after the shopper came back), one reader at a time. `not_found` for an
   * unknown id; a failed re-read answers the last known status.
   */
  status(id: string, options?: { fresh?: boolean }): Promise<OrderRecord>;
  /**
   * One pass of the sweep under the lease `owner`: settles creates left unanswered, re-reads orders
   * not final (and paid ones on the refund schedule), marks the overdue. Counts what it took and what failed.
   */
  sweepOnce(owner: string, limit?: number): Promise<{ claimed: number; failed: number }>;
  /** Reads the order from the gateway and stores what changed; `seen` hears the status reported. Throws the gateway client's errors. */
  refreshFromGateway(order: OrderRecord, source: ChangeSource, seen?: (reported: PaymentStatus) => void): Promise<OrderRecord>;
  /** The merchant's "re-read now": `not_found`, or `gateway_unavailable` when the gateway cannot be read. */
  refresh(id: string): Promise<OrderRecord>;
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  gateway_refused: "The payment provider refused this order. Please choose another method or amount.",
  gateway_unavailable: "The payment provider is not answering right now. Please try again in a moment.",
};

function gatewayError(code: "gateway_refused" | "gateway_unavailable"): CheckoutError {
  return checkoutError(code, MESSAGES[code]!, undefined, code === "gateway_unavailable" ? { "Retry-After": "5" } : undefined);
}

/** What a session fixes, so that a body naming the session may not name them too. */
const SESSION_FIELDS = ["amount", "product", "currency", "customer", "description", "metadata"] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long, and how often, an order we marked overdue ourselves is re-read for a late payment. */
const LATE_PAYMENT_WINDOW_MS = 24 * 60 * 60_000;
const LATE_PAYMENT_RECHECK_MS = 10 * 60_000;

/**
 * A refund comes after `completed`, and its notification can be lost like any other: a paid order
 * is re-read this long after it was paid (1 h, 6 h, 1 d, 3 d, 7 d, 30 d), then left alone.
 */
export const REFUND_RECHECKS_MS: readonly number[] = [1, 6, 24, 72, 168, 720].map((hours) => hours * 3_600_000);

/** The next re-read of an order paid at `paidAt`, or null once the schedule is spent. */
export function nextRefundRecheck(paidAt: number, now: number): number | null {
  for (const after of REFUND_RECHECKS_MS) if (paidAt + after > now) return paidAt + after;
  return null;
}

export function createOrderService(options: OrderServiceOptions): OrderService {
  const { store, gateway, config, logger } = options;
  const now = options.now ?? Date.now;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const idempotencyWaitMs = options.idempotencyWaitMs ?? 20_000;
  // Longer than the client's worst case (attempts × timeout + read-backs), so that the sweep
  // never settles a create that is still running.
  const creatingTimeoutMs = options.creatingTimeoutMs ?? 5 * 60_000;
  const refreshAfterMs = config.refreshAfterSeconds * 1000;

  function changed(order: OrderRecord, change: StatusChange): void {
    // Not "from"/"to": the logger redacts those keys (they are the gateway's payer and payee fields).
    logger.info("order status changed", { order_id: order.id, from_status: change.from, to_status: change.to, source: change.source });
    options.onChange?.();
  }


  type Reported = { payment_status: PaymentStatus; final_amount?: string | undefined; floating_amount?: string | undefined; payment_uid?: string | undefined; payment_fail_reason?: string | undefined };

  function statusUpdate(details: Reported, source: ChangeSource): StatusUpdate {
    return {
      status: details.payment_status,
      finalAmount: details.final_amount ?? null,
      floatingAmount: details.floating_amount ?? null,
      paymentUid: details.payment_uid ?? null,
      paymentFailReason: details.payment_fail_reason ?? null,
      source,
      at: now(),
    };
  }

  /** What follows a status the store recorded: the log line, the dispatcher's kick, a paid order's re-reads. */
  async function applied(order: OrderRecord, result: TransitionResult | null): Promise<OrderRecord> {
    if (!result) return order;
    if (result.changed) {
      changed(result.order, result.change);
      if (result.change.to === "completed") await store.deferSweep(order.id, nextRefundRecheck(result.change.at, result.change.at)!);
    }
    return result.order;
  }

  /** Applies what the gateway says about an order; the store decides whether it is a change. */
  async function apply(order: OrderRecord, details: Reported, source: ChangeSource): Promise<OrderRecord> {
    return applied(order, await store.transition(order.id, statusUpdate(details, source)));
  }

  /** order/new's answer and the status it carries, in one transaction (a create's second and last commit). */
  async function applyAnswer(order: OrderRecord, patch: GatewayStatePatch, details: Reported): Promise<OrderRecord> {
    return applied(order, await store.recordGatewayAnswer(order, patch, statusUpdate(details, "create")));
  }

  /** Reads the order from the gateway and applies it. Throws the gateway client's errors. */
  async function refreshFromGateway(order: OrderRecord, source: ChangeSource, seen?: (reported: PaymentStatus) => void): Promise<OrderRecord> {
    let details: OrderDetails;
    try {
      details = await gateway.getOrder(order.merchantOrderId);
      seen?.(details.payment_status);
    } catch (error) {
      if (error instanceof OctopusOrderNotFoundError && (order.gatewayState === "unknown" || order.gatewayState === "creating")) {
        // Settled at last: the create never landed. The shopper was told to try again long ago.
        logger.info("order never reached the gateway", { order_id: order.id });
        return (await store.setGatewayState(order.id, { gatewayState: "rejected", errorCode: "gateway_unavailable", at: now() })) ?? order;
      }
      throw error;
    }
    let current = order;
    if (order.gatewayState === "unknown" || order.gatewayState === "creating") {
      // It exists, but order/get carries no payment_url: nobody can be sent to pay it.
      current = (await store.setGatewayState(order.id, { gatewayState: "orphaned", errorCode: "gateway_unavailable", at: now() })) ?? order;
    }
    return apply(current, details, source);
  }

  /**
   * A replayed create whose first request has finished (or crashed, and the sweep settled it): the
   * order, or why there is none. Retry-After only where waiting can change the answer:
   * - "unknown": nobody knows yet whether the gateway has the order; the sweep reads it back.
   *   503 gateway_unavailable with Retry-After, as the first answer said.
   * - "rejected" after a refusal: 502 gateway_refused, as the first answer said (no Retry-After).
   * - "rejected" otherwise (the gateway could not be reached, or the sweep found nothing there after
   *   a crash) and "orphaned" (the gateway has it, but its answer was lost, and order/get never
   *   carries a payment_url): settled for good, so no retry under this key can ever give a payment
   *   page. These used to answer 503 with Retry-After: 5 too, for ever: a client that honours it
   *   (the first answer carried one) retried the same key in a loop. Now 409 checkout_failed, with
   *   no Retry-After: this attempt failed, nothing was charged, start again with a new key.
   * ("creating" does not reach here: the caller answers 409 idempotency_key_in_use with Retry-After
   * while the first request runs, and the sweep settles a crashed one after `creatingTimeoutMs`.)
   */
  function outcome(order: OrderRecord): OrderRecord {
    if (order.gatewayState === "created") return order;
    if (order.gatewayState === "unknown") throw gatewayError("gateway_unavailable");
    if (order.gatewayState === "rejected" && order.errorCode === "gateway_refused") throw gatewayError("gateway_refused");
    throw checkoutError("checkout_failed", "This checkout attempt failed and nothing was charged. Please start a new checkout.", "Idempotency-Key");
  }

  async function waitWhileCreating(order: OrderRecord): Promise<OrderRecord> {
    const deadline = now() + idempotencyWaitMs;
    let current: OrderRecord | null = order;
    let delay = 25;
    while (current && current.gatewayState === "creating" && now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
      current = await store.get(order.id);
    }
    if (!current) throw checkoutError("internal_error", "The order disappeared while being created.");
    return current;
  }

  /**
   * A body naming a session pays that session: amount, currency, customer, description and metadata
   * come from it, and a body that also names one of them is refused (the session is the merchant's
   * word on what is bought; the page's is not). Its return URL wins too; a session without one
   * comes back, after a redirect, to the page that paid it (a payment link to itself), which is
   * then held to that page's own origin like any page's.
   */
  async function fromSession(body: Record<string, unknown>, origin: string | null): Promise<{ body: Record<string, unknown>; session: SessionRecord | null }> {
    if (!("session" in body)) return { body, session: null };
    const { session: id, return_url: pageReturnUrl, ...rest } = body;
    if (typeof id !== "string" || !SESSION_ID.test(id)) throw checkoutError("invalid_request", '"session" must be a checkout session id ("cs_…")', "session");
    for (const field of SESSION_FIELDS) {
      if (field in rest) throw checkoutError("invalid_request", `"${field}" cannot be given with "session": the session sets it`, field);
    }
    const session = await store.getSession(id);
    if (!session) throw checkoutError("not_found", "No checkout session with this id.", "session");
    const status = sessionStatus(session, now());
    if (status === "completed") throw checkoutError("session_completed", "This checkout session has already been paid.", "session");
    if (status === "expired") throw checkoutError("session_expired", "This checkout session has expired. Ask the shop for a new payment link.", "session");
    for (const field of ["country", "payment"] as const) {
      const fixed = session[field];
      const given = rest[field];
      if (fixed !== null && given !== undefined && (typeof given !== "string" || given.toLowerCase() !== fixed.toLowerCase())) {
        throw checkoutError("invalid_request", `"${field}" must be ${fixed} for this session`, field);
      }
    }
    // The page's own is held to its origin here; one that is not a string is left for priceOrder to name.
    const returnUrl = session.returnUrl ?? (typeof pageReturnUrl === "string" ? checkReturnUrl(pageReturnUrl, options.allowedOrigins, origin) : pageReturnUrl);
    const fromIt = {
      amount: session.amount,
      currency: session.currency,
      ...(session.country !== null ? { country: session.country } : {}),
      ...(session.payment !== null ? { payment: session.payment } : {}),
      ...(session.customer !== null ? { customer: session.customer } : {}),
      ...(session.description !== null ? { description: session.description } : {}),
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
    };
    return { body: { ...rest, ...fromIt }, session };
  }

  /** An attempt at this session that can still be paid, started from the same page with the same method. */
  async function liveAttempt(session: SessionRecord, payment: string, country: string, origin: string | null): Promise<OrderRecord | null> {
    const { data } = await store.listOrders({ session: session.id, limit: 20 });
    const at = now();
    return data.find((order) => order.gatewayState === "created" && !isFinalStatus(order.status) && order.expiresAt > at && order.payment === payment && order.country === country && order.origin === origin) ?? null;
  }

  /**
   * `priced`: the route may have priced the body already (a body without a session), to refuse a bad
   * one before it counts against the create limit. A session's return URL is the merchant's word, so
   * it is checked against the allowed origins; a page's own, against the page's origin.
   */
  async function create(input: {
    body: Record<string, unknown>;
    origin: string | null;
    idempotencyKey: string | null;
    priced?: PricedOrder;
    /** Inserts the order in place of `store.insert`: the shared create limit's, which counts the create with it. */
    insert?: (order: NewOrder) => Promise<InsertResult>;
  }): Promise<CreateResult> {
    const { body, session } = await fromSession(input.body, input.origin);
    const priced = (!session && input.priced) || priceOrder(body, config, options.allowedOrigins, session ? null : input.origin);
    // One payable attempt per session and method: a second tab or a reopened dialog continues it,
    // so that one cart is not paid twice.
    const live = session ? await liveAttempt(session, priced.payment, priced.country, input.origin) : null;
    if (live) return { order: live, replayed: true };
    const fingerprint = await requestFingerprint(priced, input.origin, session?.id ?? null);
    const at = now();
    const inserted = await (input.insert ?? store.insert)({
      sessionId: session?.id ?? null,
      metadata: session ? session.metadata : null,
      id: newCheckoutId(),
      merchantOrderId: newMerchantOrderId(config.orderIdPrefix, at),
      gatewayState: "creating",
      status: "none",
      amount: priced.amount,
      currency: priced.currency,
      country: priced.country,
      payment: priced.payment,
      channel: priced.channel ?? null,
      finalAmount: null,
      floatingAmount: null,
      paymentUrl: null,
      product: priced.product?.id ?? null,
      customer: priced.customer ?? null,
      description: priced.description ?? null,
      locale: priced.locale ?? null,
      origin: input.origin,
      returnUrl: priced.returnUrl ?? null,
      idempotencyKey: input.idempotencyKey,
      requestHash: fingerprint,
      errorCode: null,
      createdAt: at,
      expiresAt: at + config.pendingTimeoutMinutes * 60_000,
    });

    if (!inserted.inserted) {
      const existing = inserted.order;
      if (existing.requestHash !== fingerprint) {
        throw checkoutError("idempotency_key_reused", "This Idempotency-Key was used for a different checkout request. Use a new key for a new order.", "Idempotency-Key");
      }
      const settled = await waitWhileCreating(existing);
      if (settled.gatewayState === "creating") {
        throw checkoutError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry in a moment.", "Idempotency-Key", { "Retry-After": "2" });
      }
      return { order: outcome(settled), replayed: true };
    }

    const order = inserted.order;
    const isThai = priced.currency === "thb";
    const request: CreateOrderInput = {
      transaction_type: "income",
      ...(config.accountingType ? { accounting_type: config.accountingType } : {}),
      amount: priced.amount,
      currency: priced.currency,
      payment: priced.payment,
      country: priced.country,
      merchant_order_id: order.merchantOrderId,
      redirect_url: `${publicUrl}/checkout/return/${order.id}`,
      notify_url: `${publicUrl}/octopus/notify`,
      ...(priced.channel ? { channel: priced.channel } : {}),
      // The gateway's blacklist keys on a stable member id; Thailand has a field of its own for it.
      ...(priced.customer ? { from_name: priced.customer } : {}),
      ...(priced.customer && isThai ? { merchant_id: priced.customer } : {}),
    };

    const submitted = await submit(order, request);
    if (submitted.outcome === "created") return { order: submitted.order, replayed: false };
    // No payment page: a recovered order exists, but nobody can be sent to pay it.
    throw gatewayError(submitted.outcome === "refused" ? "gateway_refused" : "gateway_unavailable");
  }

  /**
   * Sends a stored order (state "creating") to the gateway's order/new, once, and records what came
   * of it. `recovered`: the answer was lost but the gateway has the order (orphaned: no payment page);
   * `unknown`: nobody can tell yet, the sweep reads it back; `refused`/`unavailable`: it definitely
   * does not exist at the gateway.
   */
  async function submit(order: OrderRecord, request: CreateOrderInput): Promise<SubmitResult> {
    let result;
    try {
      result = await gateway.createOrder(request);
    } catch (error) {
      const known = error instanceof OctopusError;
      const unknownOutcome = known && error.outcomeUnknown;
      // Only a definite answer is a refusal. A "duplicate" on a re-send whose read-back then failed
      // (outcomeUnknown) means the gateway has the order: that is no reason to pick another method.
      const refused = known && !unknownOutcome && (error.kind === "gateway_refused" || error.kind === "invalid_request" || error.kind === "duplicate_order");
      const code = refused ? "gateway_refused" : "gateway_unavailable";
      logger.warn("gateway create failed", { order_id: order.id, kind: known ? error.kind : "unexpected", outcome_unknown: unknownOutcome, error });
      const stored = (await store.setGatewayState(order.id, { gatewayState: unknownOutcome ? "unknown" : "rejected", errorCode: code, at: now() })) ?? order;
      return { outcome: unknownOutcome ? "unknown" : refused ? "refused" : "unavailable", order: stored };
    }

    if (result.recovered) {
      logger.warn("gateway create answer lost; the order exists there (read back)", { order_id: order.id });
      return { outcome: "recovered", order: await applyAnswer(order, { gatewayState: "orphaned", errorCode: "gateway_unavailable", at: now() }, result.order) };
    }
    return { outcome: "created", order: await applyAnswer(order, { gatewayState: "created", paymentUrl: result.paymentUrl ?? null, at: now() }, result.payment) };
  }

  /** The order as a shopper may see it, re-read from the gateway when stale (one reader at a time). */
  /**
   * `fresh`: the shopper has just come back from the payment page (the return page), so the status
   * is re-read unless it was read in the last second, rather than after `refreshAfterSeconds`:
   * the widget asks right after, and should not be told "processing" about an order just paid.
   */
  async function status(id: string, { fresh = false }: { fresh?: boolean } = {}): Promise<OrderRecord> {
    const order = await store.get(id);
    if (!order) throw checkoutError("not_found", "No checkout with this id.");
    const followable = order.gatewayState === "created" || order.gatewayState === "orphaned";
    if (!followable || isFinalStatus(order.status)) return order;
    const at = now();
    const window = fresh ? Math.min(1_000, refreshAfterMs) : refreshAfterMs;
    if ((order.refreshedAt ?? 0) >= at - window) return order;
    if (!(await store.claimRefresh(id, at - window, at))) return (await store.get(id)) ?? order;
    try {
      return await refreshFromGateway(order, "poll");
    } catch (error) {
      // The shopper still gets the last known status; the next poll or the sweep tries again.
      logger.warn("status refresh failed", { order_id: id, error });
      return (await store.get(id)) ?? order;
    }
  }

  /** One pass of the sweep: re-read what is not final, settle unknown creates, mark overdue. */
  async function sweepOnce(owner: string, limit = 50): Promise<{ claimed: number; failed: number }> {
    const at = now();
    const claimed = await store.claimForSweep({ limit, now: at, leaseMs: 60_000, owner, createdBefore: at - Math.min(creatingTimeoutMs, refreshAfterMs) });
    let failed = 0;
    for (const order of claimed) {
      try {
        if (order.gatewayState === "creating" && order.createdAt > at - creatingTimeoutMs) continue;
        if (order.gatewayState === "rejected") continue;
        let reported: PaymentStatus | undefined;
        let current = await refreshFromGateway(order, "sweep", (status) => (reported = status));
        if (!isFinalStatus(current.status) && current.gatewayState !== "rejected" && now() >= current.expiresAt) {
          current = await apply(current, { payment_status: "overdue" }, "sweep");
        }
        // Overdue by our clock while the gateway still has it open: a late payment may yet arrive,
        // and if its notification is lost only a re-read can tell. Look again for a day.
        if (current.status === "overdue" && reported !== undefined && !isFinalStatus(reported) && now() < current.expiresAt + LATE_PAYMENT_WINDOW_MS) {
          await store.deferSweep(current.id, now() + LATE_PAYMENT_RECHECK_MS);
        }
        // Paid: look again on the decaying schedule, so that a refund is seen even unannounced.
        if (current.status === "completed") {
          const paid = (await store.history(current.id)).find((change) => change.to === "completed");
          const next = paid ? nextRefundRecheck(paid.at, now()) : null;
          if (next !== null) await store.deferSweep(current.id, next);
        }
      } catch (error) {
        failed++;
        logger.warn("sweep could not settle order", { order_id: order.id, error });
      } finally {
        await store.releaseSweep(order.id, owner);
      }
    }
    return { claimed: claimed.length, failed };
  }

  /** The merchant asked to re-read the order now (POST /api/v1/orders/:id/refresh). */
  async function refresh(id: string): Promise<OrderRecord> {
    const order = await store.get(id);
    if (!order) throw checkoutError("not_found", "No order with this id.");
    if (order.gatewayState === "rejected") return order;
    try {
      return await refreshFromGateway(order, "refresh");
    } catch (error) {
      logger.warn("merchant refresh failed", { order_id: id, error });
      throw gatewayError("gateway_unavailable");
    }
  }

  return { create, submit, waitWhileCreating, status, sweepOnce, refreshFromGateway, refresh };
}
