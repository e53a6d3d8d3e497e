/**
 * A merchant's mistakes, found against the server's options: an unknown product, a currency or
 * method no payment method here offers, an amount outside every matching method's limits, and a
 * page whose origin the server does not allow. The merchant reads them in the console at load,
 * naming the attribute; the shopper gets a short translated message instead of raw English.
 */
import type { Session } from "./api.ts";
import { toMinor, decimalsOf } from "./money.ts";
import type { Catalog, CheckoutOptions, Method } from "./types.ts";

/**
 * The options a checkout session leaves: its amount, currency and description, its country and
 * method where it fixes them (else the merchant's attributes'), and nothing else that sets a price.
 */
export function withSession(options: CheckoutOptions, session: Session | null): CheckoutOptions {
  if (!session) return options;
  const { product: _product, amounts: _amounts, currencies: _currencies, ...rest } = options;
  return {
    ...rest,
    amount: session.amount,
    currency: session.currency,
    country: session.country ?? options.country,
    payment: session.payment ?? options.payment,
    description: session.description ?? undefined,
  };
}

/** The product data-product names, when the server has it. */
export const productOf = (catalog: Catalog | null, options: CheckoutOptions) => (options.product ? catalog?.products.find((item) => item.id === options.product) : undefined);

/** The payment methods these options leave on offer (before the shopper picks any). */
export function methodsFor(catalog: Catalog, options: CheckoutOptions): Method[] {
  const product = productOf(catalog, options);
  return catalog.methods.filter(
    (method) =>
      (!options.country || method.country === options.country) &&
      (!options.currency || method.currency === options.currency) &&
      (!options.payment || method.payment === options.payment) &&
      (!options.currencies || options.currencies.includes(method.currency)) &&
      (!product || method.currency === product.currency),
  );
}

/** Whether `amount` (a decimal string) is within the method's limits; false when it is not a plain decimal. */
export const inLimits = (method: Method, amount: string): boolean => {
  const decimals = decimalsOf(method.currency);
  const minor = toMinor(amount, decimals);
  return minor !== null && minor >= toMinor(method.min, decimals)! && minor <= toMinor(method.max, decimals)!;
};

/** What is wrong with these options on this server, one sentence per attribute; empty when nothing is. */
export function optionProblems(catalog: Catalog, options: CheckoutOptions): string[] {
  const problems: string[] = [];
  const quote = (name: string, value: string) => `data-${name}="${value}"`;
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

/** Says in the console what is wrong with the page's setup: its origin first, then each trigger's attributes. */
export function reportSetup(catalog: Catalog & { origin_allowed?: boolean }, pageOrigin: string, server: string, configured: CheckoutOptions[]): void {
  if (catalog.origin_allowed === false)
    console.error(
      `octopus-checkout: this page's origin, ${pageOrigin}, is not allowed by the checkout server ${server}, so shoppers cannot pay here. Add it to allowedOrigins in the server's checkout.config.json, or to CHECKOUT_ALLOWED_ORIGINS, and restart the server.`,
    );
  const seen = new Set<string>();
  for (const options of configured)
    for (const problem of optionProblems(catalog, options)) {
      if (!seen.has(problem)) console.warn(`octopus-checkout: ${problem}`);
      seen.add(problem);
    }
}
