/**
 * Checkout sessions: the merchant's backend says what a cart costs (with its secret key), and the
 * shopper pays exactly that, through the widget or the session's payment link. A session is checked
 * against the shop's configured methods when it is made, so a link never leads to a dead end.
 */
import type { CheckoutConfig, MethodConfig } from "../checkout-config.ts";
import { checkoutError } from "../errors.ts";
import { formatMinor } from "../gateway/amount.ts";
import type { Currency } from "../gateway/schemas.ts";
import { newSessionId } from "../ids.ts";
import { formatLimit, methodLimits, requestAmountMinor } from "../orders/pricing.ts";
import type { OrderStore, SessionRecord } from "../store/types.ts";
import { sha256Hex } from "./hash.ts";
import type { CreateSessionBody } from "./schemas.ts";

const DEFAULT_EXPIRES_IN_S = 24 * 3600;

export interface SessionServiceOptions {
  store: OrderStore;
  config: CheckoutConfig;
  allowedOrigins: ReadonlySet<string>;
  now?: () => number;
}

/** The methods a session may be paid with: its currency, and its country and method when fixed. */
function eligibleMethods(config: CheckoutConfig, body: CreateSessionBody): MethodConfig[] {
  const currency = config.methods.filter((method) => method.currency === body.currency);
  if (currency.length === 0) {
    const offered = [...new Set(config.methods.map((method) => method.currency))].join(", ");
    throw checkoutError("invalid_request", `"currency" ${body.currency} is not offered; allowed: ${offered}`, "currency");
  }
  const country = body.country === undefined ? currency : currency.filter((method) => method.country === body.country);
  if (country.length === 0) {
    const offered = [...new Set(currency.map((method) => method.country))].join(", ");
    throw checkoutError("invalid_request", `"country" ${body.country} has no method for ${body.currency}; allowed: ${offered}`, "country");
  }
  const payment = body.payment === undefined ? country : country.filter((method) => method.payment === body.payment);
  if (payment.length === 0) {
    const offered = [...new Set(country.map((method) => method.payment))].join(", ");
    throw checkoutError("invalid_request", `"payment" ${body.payment} is not offered for ${body.currency}${body.country ? ` in ${body.country}` : ""}; allowed: ${offered}`, "payment");
  }
  return payment;
}

function checkReturnUrl(raw: string, allowedOrigins: ReadonlySet<string>): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || !allowedOrigins.has(url.origin)) {
    throw checkoutError("invalid_request", `"return_url" must be an http(s) URL without credentials on one of the shop's allowed origins: ${[...allowedOrigins].join(", ")}`, "return_url");
  }
  return url.href;
}

export function createSessionService(options: SessionServiceOptions) {
  const { store, config } = options;
  const now = options.now ?? Date.now;

  async function create(input: { body: CreateSessionBody; idempotencyKey: string; keyId: string }): Promise<{ session: SessionRecord; replayed: boolean }> {
    const { body } = input;
    const currency = body.currency as Currency;
    const minor = requestAmountMinor(body.amount, currency);
    const methods = eligibleMethods(config, body);
    // Payable by at least one method the shopper may pick; otherwise the link would be a dead end.
    if (!methods.some((method) => minor >= methodLimits(method).min && minor <= methodLimits(method).max)) {
      const ranges = methods.map((method) => `${formatLimit(method.min, method.currency)} to ${formatLimit(method.max, method.currency)} for ${method.label}`).join("; ");
      throw checkoutError("invalid_request", `"amount" must be within a method's limits: ${ranges}`, "amount");
    }
    const returnUrl = body.return_url === undefined ? null : checkReturnUrl(body.return_url, options.allowedOrigins);
    const at = now();
    const requestHash = sha256Hex(JSON.stringify([body.amount, currency, body.country ?? null, body.payment ?? null, body.customer ?? null, body.description ?? null, body.metadata ?? {}, returnUrl, body.expires_in ?? null]));
    const { inserted, session } = await store.insertSession({
      id: newSessionId(),
      amount: formatMinor(minor, currency),
      currency,
      country: body.country ?? null,
      payment: body.payment ?? null,
      customer: body.customer ?? null,
      description: body.description ?? null,
      metadata: body.metadata ?? {},
      returnUrl,
      idempotencyKey: `${input.keyId}:${input.idempotencyKey}`,
      requestHash,
      createdBy: input.keyId,
      createdAt: at,
      expiresAt: at + (body.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000,
    });
    if (!inserted && session.requestHash !== requestHash) {
      throw checkoutError("idempotency_key_reused", "This Idempotency-Key was used for a different session. Use a new key for a new session.", "Idempotency-Key");
    }
    return { session, replayed: !inserted };
  }

  async function get(id: string): Promise<SessionRecord> {
    const session = await store.getSession(id);
    if (!session) throw checkoutError("not_found", "No checkout session with this id.");
    return session;
  }

  return { create, get };
}

export type SessionService = ReturnType<typeof createSessionService>;
