/**
 * Decides what an order may be: the request a widget sends, checked against the merchant's config.
 * The server alone prices a product; the server alone sets redirect_url and notify_url.
 */
import * as z from "zod";
import type { CheckoutConfig, MethodConfig, ProductConfig } from "../checkout-config.ts";
import { checkoutError } from "../errors.ts";
import { currencyDecimals, formatMinor, moneyTypeError, parseAmount } from "../gateway/amount.ts";
import { Currency } from "../gateway/schemas.ts";
import { sha256Hex } from "../gateway/signing.ts";

const lowerCase = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);

export const CheckoutRequest = z.strictObject({
  amount: z.string({ error: moneyTypeError }).optional(),
  product: z.string().max(40).optional(),
  currency: z.preprocess(lowerCase, Currency),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as "PH"')
    .transform((value) => value.toUpperCase()),
  payment: z.string().min(1).max(64),
  /** A stable member id, for the gateway's blacklist (never a name or an e-mail the shopper typed). */
  customer: z
    .string()
    .regex(/^[A-Za-z0-9._@:-]{1,64}$/, "must be 1 to 64 letters, digits or . _ @ : -")
    .optional(),
  description: z
    .string()
    .max(140, "must be at most 140 characters")
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
    .optional(),
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, 'must be a language tag such as "en" or "zh-Hant"')
    .optional(),
  return_url: z.string().max(2000).optional(),
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

export interface PricedOrder {
  amount: string;
  amountMinor: number;
  currency: Currency;
  country: string;
  payment: string;
  channel: string | undefined;
  method: MethodConfig;
  product: ProductConfig | undefined;
  customer: string | undefined;
  description: string | undefined;
  locale: string | undefined;
  returnUrl: string | undefined;
}

/** A zod issue as a shopper-facing sentence that names the field. */
export function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join(".") || "body";
  if (issue.code === "unrecognized_keys") {
    return { field: issue.keys[0] ?? field, message: `"${issue.keys.join('", "')}" is not a field of this request` };
  }
  if (issue.code === "invalid_key") return { field, message: `"${field}" is not an allowed key: ${issue.issues[0]?.message ?? "invalid"}` };
  // A schema's own wording says more ("a whole number from 1 to 100"); zod's own starts "Invalid input".
  if (issue.code === "invalid_type" && !issue.message.startsWith("Invalid input")) return { field, message: `"${field}" ${issue.message}` };
  // zod reports no input unless asked to; its message says what it received.
  const missing = issue.code === "invalid_type" && (issue.input === undefined ? /received undefined/.test(issue.message) || !/received/.test(issue.message) : false);
  if (missing) return { field, message: `"${field}" is required` };
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "record" ? "object" : issue.expected;
    return { field, message: `"${field}" must be ${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}` };
  }
  if (issue.code === "invalid_value") return { field, message: `"${field}" must be one of: ${issue.values.map(String).join(", ")}` };
  return { field, message: `"${field}" ${issue.message}` };
}

export function formatLimit(value: string, currency: Currency): string {
  return `${value} ${currency.toUpperCase()}`;
}

/** An amount as a client sent it, in minor units; a clear 400 naming "amount" when it is malformed. */
export function requestAmountMinor(amount: string, currency: Currency): number {
  const decimals = currencyDecimals(currency);
  const shape = decimals === 0 ? "a whole number such as 50000" : `a decimal string with at most ${decimals} decimals such as "100.00"`;
  // Stricter than the gateway's parser: "50000.00" for a zero-decimal currency is refused too.
  const fraction = /\.([0-9]*)$/.exec(amount)?.[1];
  const parsed = parseAmount(amount, currency);
  if (!parsed.ok || (fraction !== undefined && fraction.length > decimals)) {
    throw checkoutError("invalid_request", `"amount" must be ${shape} (no sign, exponent, spaces or extra decimals) for ${currency}`, "amount");
  }
  return parsed.minor;
}

/** A method's limits in minor units. */
export function methodLimits(method: MethodConfig): { min: number; max: number } {
  return {
    min: (parseAmount(method.min, method.currency) as { ok: true; minor: number }).minor,
    max: (parseAmount(method.max, method.currency) as { ok: true; minor: number }).minor,
  };
}

/**
 * `origin` is the requesting page's (its Origin header), null for a caller that sends none (a
 * server) or for a return_url that is the merchant's own word (a session's): a return_url must then
 * be on one of the allowed origins, else on the page's own.
 */
export function priceOrder(body: unknown, config: CheckoutConfig, allowedOrigins: ReadonlySet<string>, origin: string | null = null): PricedOrder {
  const parsed = CheckoutRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === "invalid_value" && issue.path.length === 1 && issue.path[0] === "currency") {
      // What this shop takes, not every currency the gateway knows.
      const currencies = [...new Set(config.methods.map((method) => method.currency))].join(", ");
      throw checkoutError("invalid_request", `"currency" is not offered; allowed: ${currencies}`, "currency");
    }
    const { field, message } = describeIssue(issue);
    throw checkoutError("invalid_request", message, field);
  }
  const request = parsed.data;

  const forCountry = config.methods.filter((method) => method.country === request.country);
  if (forCountry.length === 0) {
    const countries = [...new Set(config.methods.map((method) => method.country))].join(", ");
    throw checkoutError("invalid_request", `"country" ${request.country} is not offered; allowed: ${countries}`, "country");
  }
  const forCurrency = forCountry.filter((method) => method.currency === request.currency);
  if (forCurrency.length === 0) {
    const currencies = [...new Set(forCountry.map((method) => method.currency))].join(", ");
    throw checkoutError("invalid_request", `"currency" ${request.currency} is not offered in ${request.country}; allowed: ${currencies}`, "currency");
  }
  const method = forCurrency.find((candidate) => candidate.payment === request.payment);
  if (!method) {
    const payments = forCurrency.map((candidate) => candidate.payment).join(", ");
    throw checkoutError("invalid_request", `"payment" ${request.payment} is not offered for ${request.currency} in ${request.country}; allowed: ${payments}`, "payment");
  }

  let product: ProductConfig | undefined;
  let amountMinor: number;
  if (request.product !== undefined) {
    product = config.products.find((candidate) => candidate.id === request.product);
    if (!product) throw checkoutError("invalid_request", `"product" ${request.product} is not a product of this shop`, "product");
    if (product.currency !== request.currency) {
      throw checkoutError("invalid_request", `"currency" must be ${product.currency}, the currency of product ${product.id}`, "currency");
    }
    // The price is the server's: whatever amount was sent is ignored, by design.
    amountMinor = (parseAmount(product.price, product.currency) as { ok: true; minor: number }).minor;
  } else {
    if (request.amount === undefined) throw checkoutError("invalid_request", `"amount" is required when no "product" is given`, "amount");
    amountMinor = requestAmountMinor(request.amount, request.currency);
  }

  const { min, max } = methodLimits(method);
  if (amountMinor < min || amountMinor > max) {
    throw checkoutError(
      "invalid_request",
      `"amount" must be between ${formatLimit(method.min, method.currency)} and ${formatLimit(method.max, method.currency)} for ${method.label}`,
      product ? "product" : "amount",
    );
  }

  let returnUrl: string | undefined;
  if (request.return_url !== undefined) returnUrl = checkReturnUrl(request.return_url, allowedOrigins, origin);

  return {
    amount: formatMinor(amountMinor, request.currency),
    amountMinor,
    currency: request.currency,
    country: request.country,
    payment: method.payment,
    channel: method.channel,
    method,
    product,
    customer: request.customer,
    description: request.description,
    locale: request.locale,
    returnUrl,
  };
}

/**
 * Where the shopper is sent back to: the page that asked, so http(s) only (no javascript:, data:
 * or custom schemes), no user name or password in it (a phishing trick: https://shop.example@evil.test
 * reads as the shop), and on the requesting page's own origin, not merely on some allowed origin.
 */
export function checkReturnUrl(value: string, allowedOrigins: ReadonlySet<string>, origin: string | null): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw checkoutError("invalid_request", '"return_url" must be an absolute http(s) URL', "return_url");
  }
  if (url.username !== "" || url.password !== "") {
    throw checkoutError("invalid_request", '"return_url" must not contain a user name or password', "return_url");
  }
  if (origin !== null ? url.origin !== origin : !allowedOrigins.has(url.origin)) {
    throw checkoutError(
      "invalid_request",
      origin !== null ? `"return_url" must be on the requesting page's own origin (${origin})` : `"return_url" must be on one of the shop's allowed origins`,
      "return_url",
    );
  }
  return url.href;
}

/** A stable fingerprint of what was asked, to refuse an Idempotency-Key reused for something else. */
export async function requestFingerprint(order: PricedOrder, origin: string | null, sessionId: string | null = null): Promise<string> {
  const canonical = JSON.stringify([
    sessionId,
    order.amount,
    order.currency,
    order.country,
    order.payment,
    order.product?.id ?? null,
    order.customer ?? null,
    order.description ?? null,
    order.locale ?? null,
    order.returnUrl ?? null,
    origin,
  ]);
  return sha256Hex(canonical);
}
