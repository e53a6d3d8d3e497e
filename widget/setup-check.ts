/**
 * A merchant's mistakes, found against the server's options: an unknown product, a currency or
 * method no payment method here offers, an amount outside every matching method's limits. The
 * shopper gets a short translated message instead of raw English; the merchant reads what is wrong
 * in the console at load, naming the attribute, in words that live in another file
 * (setup-report.ts, dialog-setup.<hash>.js), fetched only when there is something to say: a
 * shopper on a page set up right downloads none of them.
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

/**
 * The options OctopusCheckout.open() and mount() take, held to CheckoutOptions by its type (a name
 * missing or extra fails the build). The widget ignores any other key, which for a misspelt
 * `ammount` would leave a merchant without type checks guessing: the setup check says it.
 */
const OPTION_NAMES: Record<keyof CheckoutOptions, 0> = {
  amount: 0,
  amounts: 0,
  product: 0,
  session: 0,
  currency: 0,
  currencies: 0,
  country: 0,
  payment: 0,
  mode: 0,
  locale: 0,
  theme: 0,
  color: 0,
  label: 0,
  customer: 0,
  description: 0,
  returnUrl: 0,
  onSuccess: 0,
  onPending: 0,
  onFailure: 0,
  onClose: 0,
};
export const optionNames = () => Object.keys(OPTION_NAMES);
/** The keys of a JS API call's options that are not options (own keys: "toString" is not one). */
export const unknownOptions = (options: object) => Object.keys(options).filter((key) => !Object.hasOwn(OPTION_NAMES, key));

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

/** Whether these options have a problem on this server; setup-report.ts's optionProblems says which, in words. */
export function hasProblem(catalog: Catalog, options: CheckoutOptions): boolean {
  const methods = methodsFor(catalog, options);
  const amounts = options.amount ? [options.amount] : (options.amounts ?? []);
  return (!!options.product && !productOf(catalog, options)) || !methods.length || amounts.some((amount) => !methods.some((method) => inLimits(method, amount)));
}
