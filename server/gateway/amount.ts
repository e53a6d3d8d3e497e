/**
 * Money as the gateway speaks it: decimal strings. Internally integer minor units, never floats,
 * so that "0.1 + 0.2" can never decide what a shopper pays.
 */

export const CURRENCIES = ["twd", "cny", "usd", "thb", "vnd", "php", "sgd", "idr", "bdt"] as const;
export type CurrencyCode = (typeof CURRENCIES)[number];

// The API doc: zero-decimal in practice for vnd and idr; everything else takes cents.
const ZERO_DECIMAL: ReadonlySet<CurrencyCode> = new Set(["vnd", "idr"]);

export function currencyDecimals(currency: CurrencyCode): 0 | 2 {
  return ZERO_DECIMAL.has(currency) ? 0 : 2;
}

/** Largest amount in minor units we accept: far above any real order, far below 2^53. */
export const MAX_MINOR_UNITS = 10 ** 15;

const LOOSE_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export type AmountProblem = "format" | "precision" | "range";

/**
 * Parses a decimal string into minor units for `currency`. No exponent, sign, whitespace, leading
 * zeros, or more fraction digits than the currency has ("100.001" for php is a precision problem,
 * "50000.00" for vnd is allowed because the extra digits are zeros).
 */
export function parseAmount(value: unknown, currency: CurrencyCode): { ok: true; minor: number } | { ok: false; problem: AmountProblem } {
  if (typeof value !== "string") return { ok: false, problem: "format" };
  const match = LOOSE_DECIMAL.exec(value);
  if (!match) return { ok: false, problem: "format" };
  const decimals = currencyDecimals(currency);
  const whole = match[1] ?? "0";
  let fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    if (/[^0]/.test(fraction.slice(decimals))) return { ok: false, problem: "precision" };
    fraction = fraction.slice(0, decimals);
  }
  if (whole.length > 16) return { ok: false, problem: "range" };
  const minor = Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, "0") || "0");
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR_UNITS) return { ok: false, problem: "range" };
  return { ok: true, minor };
}

/** Minor units back to the canonical decimal string the gateway gets: "100.00", "50000". */
export function formatMinor(minor: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`Not a whole, non-negative amount of minor units: ${minor}`);
  const decimals = currencyDecimals(currency);
  if (decimals === 0) return String(minor);
  const digits = String(minor).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

export function describeAmountProblem(problem: AmountProblem, currency: CurrencyCode): string {
  const decimals = currencyDecimals(currency);
  const shape = decimals === 0 ? `a whole number such as "50000"` : `a decimal string with at most ${decimals} decimals such as "100.00"`;
  switch (problem) {
    case "format":
      return `must be ${shape} (no sign, exponent, spaces or leading zeros)`;
    case "precision":
      return `has more decimals than ${currency} allows: use ${shape}`;
    case "range":
      return "is too large";
  }
}

/**
 * A money field's type error, saying what to send. A JSON number is refused by name, since 12.5
 * would come through and 0.1 + 0.2 would not, so money never travels as one. A missing one gets
 * the schema's own (read as "is required").
 */
export const moneyTypeError = (issue: { input?: unknown }): string | undefined =>
  issue.input === undefined ? undefined : `must be a decimal string such as "100.00"${typeof issue.input === "number" ? ", not a number" : ""}`;
