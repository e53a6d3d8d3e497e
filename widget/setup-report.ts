/**
 * The merchant's half of setup-check.ts: what is wrong with a page's setup, in the console, naming
 * the attribute or setting to fix. Built as its own file (dialog-setup.<hash>.js, vite.config.ts),
 * which the dialog fetches only once setup-check.ts found something wrong: these sentences are for
 * the merchant, and a shopper on a page set up right should not download them.
 */
import { inLimits, methodsFor, optionNames, productOf, unknownOptions } from "./setup-check.ts";
import type { Catalog, CheckoutOptions } from "./types.ts";

/**
 * What is wrong with these options on this server, one sentence per attribute (or, `api`, per
 * option of OctopusCheckout.open/mount); empty when nothing is.
 */
export function optionProblems(catalog: Catalog, options: CheckoutOptions, api?: boolean): string[] {
  const problems: string[] = [];
  // Attributes are read by name (readAttributes), so only the JS API can be given a key that is not an option.
  for (const key of api ? unknownOptions(options) : []) {
    const near = optionNames().find((name) => editDistance(key.toLowerCase(), name.toLowerCase()) <= 2);
    problems.push(`${key} is not an option of OctopusCheckout.open() or mount(), so it is ignored.${near ? ` Did you mean ${near}?` : ""} The options: ${optionNames().join(", ")}.`);
  }
  const quote = (name: string, value: string) => (api ? `${name}: "${value}"` : `data-${name}="${value}"`);
  if (options.product && !productOf(catalog, options)) {
    problems.push(`${quote("product", options.product)} is not a product of this checkout; its products: ${catalog.products.map((item) => item.id).join(", ") || "none"}.`);
    return problems;
  }
  const methods = methodsFor(catalog, options);
  if (!methods.length) {
    const named = (["country", "currency", "payment"] as const).filter((name) => options[name]).map((name) => quote(name, options[name]!));
    if (options.currencies) named.push(quote("currencies", options.currencies.join(",")));
    const offered = catalog.methods.map((method) => `${method.country}/${method.currency}/${method.payment}`).join(", ");
    problems.push(`no payment method here matches ${named.join(" ") || "these options"}; offered (country/currency/payment): ${offered}.`);
    return problems;
  }
  const amounts = options.amount ? [["amount", options.amount]] : (options.amounts ?? []).map((amount) => ["amounts", amount]);
  for (const [name, amount] of amounts) {
    if (!methods.some((method) => inLimits(method, amount!)))
      problems.push(`${quote(name!, amount!)} is outside what ${methods.map((method) => `${method.label} takes (${method.min} to ${method.max} ${method.currency})`).join(" and ")}.`);
  }
  return problems;
}

/** Levenshtein's distance, for "did you mean": option names are short, so the full table is cheap. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Says in the console what is wrong with the page's setup: its origin first, then each trigger's attributes. */
export function reportSetup(catalog: Catalog & { origin_allowed?: boolean }, pageOrigin: string, server: string, configured: CheckoutOptions[], api?: boolean): void {
  if (catalog.origin_allowed === false)
    console.error(
      `octopus-checkout: this page's origin, ${pageOrigin}, is not allowed by the checkout server ${server}, so shoppers cannot pay here. Add it to allowedOrigins in the server's checkout.config.json, or to CHECKOUT_ALLOWED_ORIGINS, and restart the server.`,
    );
  const seen = new Set<string>();
  for (const options of configured)
    for (const problem of optionProblems(catalog, options, api)) {
      if (!seen.has(problem)) console.warn(`octopus-checkout: ${problem}`);
      seen.add(problem);
    }
}

export interface SetupReport {
  reportSetup: typeof reportSetup;
}

declare global {
  interface Window {
    /** Set by dialog-setup.<hash>.js once it has run. */
    OctopusCheckoutSetup?: SetupReport;
  }
}
