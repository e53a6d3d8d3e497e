/**
 * GET /api/checkout/options: what the widget may offer, straight from the merchant's config, and
 * whether the page asking (its Origin) may take payments here (`origin_allowed`). A page whose
 * origin is not allowed may read this answer too (`Access-Control-Allow-Origin: *`: it is public,
 * and sent without credentials), so that the widget can tell its merchant what to fix instead of
 * showing shoppers a network error. Every other /api route still refuses that origin.
 */
import { Hono } from "hono";
import type { CheckoutConfig } from "../checkout-config.ts";
import { currencyDecimals } from "../gateway/amount.ts";

export function optionsRoute(config: CheckoutConfig, { sandbox, allowedOrigins }: { sandbox: boolean; allowedOrigins: ReadonlySet<string> }) {
  // Computed once: the config does not change while the server runs.
  const currencies = [...new Set(config.methods.map((method) => method.currency))];
  const body = {
    merchant_name: config.merchantName,
    sandbox,
    countries: [...new Set(config.methods.map((method) => method.country))],
    currencies: currencies.map((code) => ({ code, decimals: currencyDecimals(code) })),
    methods: config.methods.map((method) => ({
      country: method.country,
      currency: method.currency,
      payment: method.payment,
      label: method.label,
      min: method.min,
      max: method.max,
      ...(method.presets ? { presets: method.presets } : {}),
    })),
    products: config.products.map((product) => ({
      id: product.id,
      name: product.name,
      price: product.price,
      currency: product.currency,
      ...(product.description ? { description: product.description } : {}),
    })),
  };
  const allowed = JSON.stringify({ ...body, origin_allowed: true });
  const refused = JSON.stringify({ ...body, origin_allowed: false });
  return new Hono().get("/api/checkout/options", (c) => {
    const origin = c.req.header("Origin");
    // No Origin: a same-origin GET (browsers leave it out) or a tool such as curl.
    const ok = origin === undefined || allowedOrigins.has(origin);
    // The answer depends on Origin: caches must keep one per origin. The widget's CORS middleware,
    // mounted on /api/checkout/*, has already said `Vary: Origin`; saying it again repeats it.
    if (!ok) c.header("Access-Control-Allow-Origin", "*");
    c.header("Cache-Control", "public, max-age=60");
    c.header("Content-Type", "application/json; charset=utf-8");
    return c.body(ok ? allowed : refused);
  });
}
