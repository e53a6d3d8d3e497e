/** Amounts for people: the gateway's decimal strings, formatted without ever becoming floats. */
import { currencyDecimals } from "../../server/gateway/amount.ts";
import type { Currency } from "../../server/gateway/schemas.ts";

// Where the plain symbol is an ISO code ("THB 100.00"), the local sign reads better ("฿100.00").
const NARROW: ReadonlySet<Currency> = new Set(["thb", "idr", "bdt"]);

export function displayAmount(amount: string, currency: Currency): string {
  const digits = currencyDecimals(currency);
  const format = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
    currencyDisplay: NARROW.has(currency) ? "narrowSymbol" : "symbol",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // A numeric string is formatted exactly (Intl.NumberFormat v3), unlike Number("…").
  return format.format(amount as `${number}`);
}
