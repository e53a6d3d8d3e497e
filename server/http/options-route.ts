/** GET /api/checkout/options: what the widget may offer, straight from the merchant's config. */
import { Hono } from "hono";
import type { CheckoutConfig } from "../checkout-config.ts";
import { currencyDecimals } from "../gateway/amount.ts";

export function optionsRoute(config: CheckoutConfig, { sandbox }: { sandbox: boolean }) {
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
  const json = JSON.stringify(body);
  return new Hono().get("/api/checkout/options", (c) => {
    c.header("Cache-Control", "public, max-age=60");
    c.header("Content-Type", "application/json; charset=utf-8");
    return c.body(json);
  });
}
