/**
 * `data-*` attributes → options. A bad attribute never breaks the page: it is dropped with one
 * console warning that names it and says what is allowed.
 */
import type { CheckoutOptions } from "./types.ts";

const DECIMAL = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
const CURRENCY = /^(twd|cny|usd|thb|vnd|php|sgd|idr|bdt)$/;

type Check = [test: (value: string) => boolean, allowed: string];

const one = (pattern: RegExp, allowed: string): Check => [(v) => pattern.test(v), allowed];
const list = (pattern: RegExp, allowed: string): Check => [(v) => v.split(",").every((item) => pattern.test(item.trim())), allowed];

// camelCase dataset key → check. Order matters only for documentation.
const CHECKS: Record<string, Check> = {
  amount: one(DECIMAL, 'a decimal amount such as "100.00"'),
  amounts: list(DECIMAL, 'decimal amounts separated by commas, such as "100,500,1000"'),
  product: one(/^[a-z0-9][a-z0-9-]{0,39}$/, "a product id from the shop's configuration"),
  currency: one(CURRENCY, "one of twd, cny, usd, thb, vnd, php, sgd, idr, bdt"),
  currencies: list(CURRENCY, "currencies separated by commas, such as \"php,usd\""),
  country: one(/^[A-Za-z]{2}$/, 'a two-letter country code such as "PH"'),
  payment: one(/^[\w.-]{1,64}$/, "a payment method name such as \"gcash\""),
  mode: one(/^(auto|popup|iframe|redirect)$/, "auto, popup, iframe or redirect"),
  locale: one(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, 'a language tag such as "th" or "zh-Hant"'),
  theme: one(/^(light|dark|auto)$/, "light, dark or auto"),
  color: one(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, 'a hex colour such as "#0f766e"'),
  label: one(/^.{1,60}$/, "text of at most 60 characters"),
  customer: one(/^[\w.@:-]{1,64}$/, "a member id of letters, digits and . _ @ : -"),
  description: one(/^.{1,140}$/, "text of at most 140 characters"),
  returnUrl: one(/^https?:\/\/\S+$/, "an absolute http(s) URL on the shop's site"),
  target: one(/^.+$/, "a CSS selector"),
  octopusCheckout: one(/^.*$/, ""),
};

const warned = new Set<string>();
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Reads options from an element's dataset; `warn` gets one message per bad attribute name. */
export function readAttributes(dataset: DOMStringMap, warn: (message: string) => void = console.warn): CheckoutOptions & { target?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(dataset)) {
    const value = (raw ?? "").trim();
    const check = CHECKS[key];
    const name = `data-${kebab(key)}`;
    if (!check || !check[0](value)) {
      if (!warned.has(name)) {
        warned.add(name);
        warn(check ? `octopus-checkout: ignoring ${name}="${value}": expected ${check[1]}` : `octopus-checkout: unknown attribute ${name} ignored`);
      }
      continue;
    }
    if (key === "octopusCheckout") continue;
    out[key] = key === "amounts" || key === "currencies" ? value.split(",").map((item) => item.trim()) : key === "country" ? value.toUpperCase() : value;
  }
  return out;
}
