/**
 * `data-*` attributes → options. A bad attribute never breaks the page: it is dropped with one
 * console warning that names it and says what is allowed.
 */
import type { CheckoutOptions } from "./types.ts";

const DECIMAL = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
const CURRENCY = /^(twd|cny|usd|thb|vnd|php|sgd|idr|bdt)$/i;

type Check = [test: (value: string) => boolean, allowed: string];

const one = (pattern: RegExp, allowed: string): Check => [(v) => pattern.test(v), allowed];
const tried = (test: (value: string) => unknown, allowed: string): Check => [
  (v) => {
    try {
      return test(v) !== false;
    } catch {
      return false;
    }
  },
  allowed,
];
const list = (pattern: RegExp, allowed: string): Check => [(v) => v.split(",").every((item) => pattern.test(item.trim())), allowed];

// camelCase dataset key → check. Order matters only for documentation.
const CHECKS: Record<string, Check> = {
  amount: one(DECIMAL, "an amount like 100.00"),
  amounts: list(DECIMAL, "amounts like 100,500"),
  product: one(/^[a-z0-9][a-z0-9-]{0,39}$/, "a product id"),
  currency: one(CURRENCY, "twd cny usd thb vnd php sgd idr bdt"),
  currencies: list(CURRENCY, "currencies like php,usd"),
  country: one(/^[A-Za-z]{2}$/, "a code like PH"),
  payment: one(/^[\w.-]{1,64}$/, "a method like gcash"),
  mode: one(/^(auto|popup|iframe|redirect)$/, "auto popup iframe redirect"),
  locale: one(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, "a tag like th"),
  theme: one(/^(light|dark|auto)$/, "light dark auto"),
  color: one(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, "a colour like #0f766e"),
  label: one(/^.{1,60}$/, "1-60 characters"),
  customer: one(/^[\w.@:-]{1,64}$/, "a member id"),
  // eslint-disable-next-line no-control-regex
  description: one(/^[^\u0000-\u001f\u007f]{1,140}$/, "1-140 characters"),
  returnUrl: tried((v) => /^https?:$/.test(new URL(v).protocol) && !/\s/.test(v), "an http(s) URL"),
  // The browser's own parser decides: a selector it cannot read would throw when the button is placed.
  target: tried((v) => document.createDocumentFragment().querySelector(v), "a CSS selector"),
  octopusCheckout: one(/^/, ""),
};

const warned = new Set<string>();
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Reads options from an element's dataset; `warn` gets one message per bad attribute name. */
export function readAttributes(dataset: DOMStringMap, warn: (message: string) => void = console.warn): CheckoutOptions & { target?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(dataset)) {
    const value = (raw ?? "").trim();
    // Own keys only: "constructor" or "toString" must be unknown attributes, not Object's methods.
    const check = Object.prototype.hasOwnProperty.call(CHECKS, key) ? CHECKS[key] : undefined;
    const name = `data-${kebab(key)}`;
    if (!check || !check[0](value)) {
      if (!warned.has(name)) {
        warned.add(name);
        warn(`octopus-checkout: ${check ? `ignored ${name}="${value}", expected ${check[1]}` : `unknown attribute ${name} ignored`}`);
      }
      continue;
    }
    if (key === "octopusCheckout") continue;
    out[key] =
      key === "amounts" || key === "currencies"
        ? value.split(",").map((item) => (key === "currencies" ? item.trim().toLowerCase() : item.trim()))
        : key === "country"
          ? value.toUpperCase()
          : key === "currency"
            ? value.toLowerCase()
            : value;
  }
  return out;
}
