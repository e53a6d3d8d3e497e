/**
 * `data-*` attributes → options. A bad attribute never breaks the page: it is dropped with one
 * console warning that names it and quotes the pattern it must match (the pattern is the rule, so
 * the warning cannot drift from it, and it costs the bundle no second copy in words).
 */
import type { CheckoutOptions } from "./types.ts";

const DECIMAL = "(0|[1-9]\\d*)(\\.\\d{1,2})?";
/** The gateway's currencies: a copy of the server's (server/gateway/amount.ts), kept equal by test/widget/server-rules.test.ts. */
export const CURRENCY_CODES = ["twd", "cny", "usd", "thb", "vnd", "php", "sgd", "idr", "bdt"];
const CURRENCY = `(${CURRENCY_CODES.join("|")})`;
const list = (item: string) => RegExp(`^${item}(\\s*,\\s*${item})*$`, "i");

type Rule = { test(value: string): boolean; source: string };

const parses = (read: () => unknown) => {
  try {
    read();
    return true;
  } catch {
    return false;
  }
};

// camelCase dataset key → rule.
const RULES: Record<string, Rule> = {
  amount: RegExp(`^${DECIMAL}$`),
  amounts: list(DECIMAL),
  product: /^[a-z0-9][a-z0-9-]{0,39}$/,
  session: /^cs_[\w-]{22}$/,
  currency: RegExp(`^${CURRENCY}$`, "i"),
  currencies: list(CURRENCY),
  country: /^[a-z]{2}$/i,
  payment: /^[\w.-]{1,64}$/,
  mode: /^(auto|popup|iframe|redirect)$/,
  locale: /^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$/i,
  theme: /^(light|dark|auto)$/,
  color: /^#([0-9a-f]{3}|[0-9a-f]{6})$/i,
  label: /^.{1,60}$/,
  customer: /^[\w.@:-]{1,64}$/,
  // eslint-disable-next-line no-control-regex
  description: /^[^\u0000-\u001f\u007f]{1,140}$/,
  // The browser's own parsers decide: what they cannot read ("http://[", "a[") would throw later.
  returnUrl: { test: (v) => /^https?:\/\/\S+$/i.test(v) && parses(() => new URL(v)), source: "an http(s) URL" },
  target: { test: (v) => parses(() => document.createDocumentFragment().querySelector(v)), source: "a CSS selector" },
  octopusCheckout: /^/,
};

const warned = new Set<string>();

/** Reads options from an element's dataset; `warn` gets one message per bad attribute name. */
export function readAttributes(dataset: DOMStringMap, warn: (message: string) => void = console.warn): CheckoutOptions & { target?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(dataset)) {
    const value = raw!.trim();
    // Own keys only: "constructor" or "toString" must be unknown attributes, not Object's methods.
    const rule = Object.hasOwn(RULES, key) ? RULES[key] : undefined;
    const name = `data-${key.replace(/[A-Z]/g, "-$&").toLowerCase()}`;
    if (!rule?.test(value)) {
      if (!warned.has(name)) {
        warned.add(name);
        warn(`octopus-checkout: ${rule ? `ignored ${name}="${value}", expected ${rule.source.replace(/^\^|\$$/g, "")}` : `unknown attribute ${name} ignored`}`);
      }
    } else if (key !== "octopusCheckout") {
      const v = key === "country" ? value.toUpperCase() : key.startsWith("currenc") ? value.toLowerCase() : value;
      out[key] = key === "amounts" || key === "currencies" ? v.split(/\s*,\s*/) : v;
    }
  }
  return out;
}
