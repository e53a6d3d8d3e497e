/**
 * The merchant's checkout configuration file (checkout.config.json): what may be sold, how, and to
 * whom. Secrets never live here: they come from the environment (server/config.ts).
 */
import * as z from "zod";
import { formatMinor, parseAmount, describeAmountProblem } from "./gateway/amount.ts";
import { Currency } from "./gateway/schemas.ts";
import { WebhookEndpointConfig } from "./webhooks/endpoints.ts";

/** An exact origin: scheme, host and port, nothing else (no path, no trailing slash, no wildcard). */
export const OriginString = z.string().refine((value) => {
  try {
    const url = new URL(value);
    // URL takes "*" as a host character: a wildcard would be kept as a literal that no browser sends.
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value && !url.hostname.includes("*");
  } catch {
    return false;
  }
}, 'must be an exact origin such as "https://shop.example.com" (no path, no trailing slash)');

const Decimal = z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, 'must be a decimal string such as "100.00"');

export const MethodConfig = z
  .object({
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO country code such as "PH"')
      .transform((value) => value.toUpperCase()),
    currency: Currency,
    /** The gateway's method name, as enabled in the merchant back office. */
    payment: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be the gateway's method name"),
    /** What a shopper reads. */
    label: z.string().min(1).max(60),
    /** Thailand variant: the channel sent with the order. */
    channel: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
    min: Decimal,
    max: Decimal,
    /** Suggested amounts the widget offers first. */
    presets: z.array(Decimal).max(8).optional(),
  })
  .superRefine((method, ctx) => {
    const check = (value: string, path: (string | number)[]) => {
      const parsed = parseAmount(value, method.currency);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path, message: describeAmountProblem(parsed.problem, method.currency) });
      return parsed.ok ? parsed.minor : null;
    };
    const min = check(method.min, ["min"]);
    const max = check(method.max, ["max"]);
    if (min !== null && max !== null && (min <= 0 || min > max)) ctx.addIssue({ code: "custom", path: ["min"], message: "must be above zero and not above max" });
    method.presets?.forEach((preset, index) => {
      const minor = check(preset, ["presets", index]);
      if (minor !== null && min !== null && max !== null && (minor < min || minor > max)) {
        ctx.addIssue({ code: "custom", path: ["presets", index], message: `must be between min ${method.min} and max ${method.max}` });
      }
    });
  });
export type MethodConfig = z.infer<typeof MethodConfig>;

export const ProductConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and '-' (at most 40)"),
  name: z.string().min(1).max(80),
  price: Decimal,
  currency: Currency,
  description: z.string().max(200).optional(),
});
export type ProductConfig = z.infer<typeof ProductConfig>;

/** Payouts of one currency: off unless listed. Limits are decimal strings in the currency's units. */
export const PayoutLimits = z.strictObject({
  maxPerPayout: Decimal,
  /** What all payouts of a UTC day may add up to, across every instance. */
  maxPerDay: Decimal,
});
export type PayoutLimits = z.infer<typeof PayoutLimits>;

export const CheckoutConfig = z
  .object({
    merchantName: z.string().min(1).max(80),
    /** Merchant pages that may embed the widget (CORS, postMessage targets, return URLs). */
    allowedOrigins: z.array(OriginString).default([]),
    /** Starts every merchant_order_id, so the merchant can tell these orders apart in the back office. */
    orderIdPrefix: z.string().regex(/^[A-Za-z0-9]{1,12}$/, "must be 1 to 12 letters or digits").default("oc"),
    /** Sent with every order: `recharge` for top-ups, `receive` for sales. Left out when unset. */
    accountingType: z.enum(["recharge", "receive"]).optional(),
    /** How long an order may stay unpaid before the sweep marks it overdue. */
    pendingTimeoutMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
    /** A status older than this is re-read from the gateway when the widget asks. */
    refreshAfterSeconds: z.number().int().min(1).max(300).default(5),
    sweepIntervalSeconds: z.number().int().min(5).max(3600).default(30),
    /** Checkouts one client address may create per minute (CHECKOUT_CREATE_RATE_LIMIT overrides it). */
    createRateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(30),
    methods: z.array(MethodConfig).min(1, "must list at least one payment method"),
    products: z.array(ProductConfig).default([]),
    /** More webhook endpoints beside CHECKOUT_WEBHOOK_URL, each naming the variable of its secret. */
    webhooks: z.array(WebhookEndpointConfig).max(10).default([]),
    /** Lets webhook URLs point at private or loopback addresses (an ERP on the office network). */
    allowPrivateWebhookUrls: z.boolean().default(false),
    /** Payouts (the gateway's expense orders) per currency; a currency not listed cannot be paid out. */
    payouts: z.partialRecord(Currency, PayoutLimits).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.methods.forEach((method, index) => {
      const key = `${method.country}/${method.currency}/${method.payment}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["methods", index], message: `repeats ${key}` });
      seen.add(key);
    });
    for (const [currency, limits] of Object.entries(config.payouts ?? {})) {
      const per = parseAmount(limits!.maxPerPayout, currency as Currency);
      const day = parseAmount(limits!.maxPerDay, currency as Currency);
      if (!per.ok) ctx.addIssue({ code: "custom", path: ["payouts", currency, "maxPerPayout"], message: describeAmountProblem(per.problem, currency as Currency) });
      if (!day.ok) ctx.addIssue({ code: "custom", path: ["payouts", currency, "maxPerDay"], message: describeAmountProblem(day.problem, currency as Currency) });
      if (per.ok && day.ok && (per.minor <= 0 || per.minor > day.minor)) ctx.addIssue({ code: "custom", path: ["payouts", currency, "maxPerPayout"], message: "must be above zero and not above maxPerDay" });
    }
    const ids = new Set<string>();
    config.products.forEach((product, index) => {
      if (ids.has(product.id)) ctx.addIssue({ code: "custom", path: ["products", index, "id"], message: `repeats "${product.id}"` });
      ids.add(product.id);
      const parsed = parseAmount(product.price, product.currency);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["products", index, "price"], message: describeAmountProblem(parsed.problem, product.currency) });
      else if (!config.methods.some((method) => method.currency === product.currency)) {
        ctx.addIssue({ code: "custom", path: ["products", index, "currency"], message: `no method takes ${product.currency}` });
      }
    });
  });
export type CheckoutConfig = z.infer<typeof CheckoutConfig>;
export type CheckoutConfigInput = z.input<typeof CheckoutConfig>;

/** One line per problem, each naming where it is: what a merchant needs to fix a config file. */
function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`);
}

export function parseCheckoutConfig(value: unknown, source: string): { ok: true; config: CheckoutConfig } | { ok: false; problems: string[] } {
  const result = CheckoutConfig.safeParse(value);
  if (result.success) return { ok: true, config: normalise(result.data) };
  return { ok: false, problems: formatIssues(result.error, `${source}: `) };
}

/** Amounts in their canonical form ("20" → "20.00" for php), so that every later comparison is exact. */
function normalise(config: CheckoutConfig): CheckoutConfig {
  const canonical = (value: string, currency: Currency) => {
    const parsed = parseAmount(value, currency);
    return parsed.ok ? formatMinor(parsed.minor, currency) : value;
  };
  return {
    ...config,
    methods: config.methods.map((method) => ({
      ...method,
      min: canonical(method.min, method.currency),
      max: canonical(method.max, method.currency),
      ...(method.presets ? { presets: method.presets.map((preset) => canonical(preset, method.currency)) } : {}),
    })),
    products: config.products.map((product) => ({ ...product, price: canonical(product.price, product.currency) })),
  };
}
