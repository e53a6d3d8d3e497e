/**
 * What a payout must carry, beyond its shape, before it goes to the gateway: the payee fields the
 * gateway's documents ask for country by country (docs/gateway.md, "Payouts"), and the merchant's
 * own limits. Each refusal is a 400 that names the field.
 */
import type { CheckoutConfig, PayoutLimits } from "../checkout-config.ts";
import { checkoutError } from "../errors.ts";
import { parseAmount } from "../gateway/amount.ts";
import type { Currency } from "../gateway/schemas.ts";
import type { CreatePayoutBody } from "../merchant/schemas.ts";

/** Bangladesh pays out through bKash: the documents say to send exactly this bank name. */
const BANGLADESH_BANK = "bkash";

export function checkPayee(body: CreatePayoutBody): void {
  if (body.currency === "bdt" || body.country === "BD") {
    if (body.to_bank_name?.toLowerCase() !== BANGLADESH_BANK) throw checkoutError("invalid_request", `"to_bank_name" must be "${BANGLADESH_BANK}" for Bangladesh payouts`, "to_bank_name");
  }
  if ((body.currency === "thb" || body.country === "TH") && body.to_bank_name === undefined) {
    throw checkoutError("invalid_request", '"to_bank_name" is required for Thailand payouts: the payee\'s Thai bank code (such as "KBANK")', "to_bank_name");
  }
}

/** The limits of the payout's currency, or a 403 saying payouts are off for it. */
export function limitsFor(payouts: Partial<Record<Currency, PayoutLimits>>, currency: Currency): { maxPerPayoutMinor: number; maxPerDayMinor: number; limits: PayoutLimits } {
  const limits = payouts[currency];
  if (!limits) {
    const on = Object.keys(payouts);
    throw checkoutError("payouts_disabled", `Payouts in ${currency} are off. ${on.length ? `They are on for: ${on.join(", ")}. ` : ""}Turn them on with "payouts" in the config file.`, "currency");
  }
  const minor = (value: string) => (parseAmount(value, currency) as { ok: true; minor: number }).minor;
  return { maxPerPayoutMinor: minor(limits.maxPerPayout), maxPerDayMinor: minor(limits.maxPerDay), limits };
}

/** The Thailand variant needs a channel: the one configured for the method, if the shop collects with it. */
export function channelFor(config: CheckoutConfig, body: CreatePayoutBody): string | undefined {
  const same = config.methods.find((method) => method.country === body.country && method.currency === body.currency && method.payment === body.payment);
  const anyOfCurrency = config.methods.find((method) => method.currency === body.currency && method.channel);
  return same?.channel ?? anyOfCurrency?.channel;
}

/**
 * Sandbox mode pays out every currency the shop collects in, each up to its methods' highest
 * maximum per payout and ten of those a day, so that the demo and tests need no setup.
 */
export function sandboxPayoutLimits(config: CheckoutConfig): Partial<Record<Currency, PayoutLimits>> {
  const limits: Partial<Record<Currency, PayoutLimits>> = {};
  for (const method of config.methods) {
    const current = limits[method.currency];
    const max = (parseAmount(method.max, method.currency) as { ok: true; minor: number }).minor;
    const known = current ? (parseAmount(current.maxPerPayout, method.currency) as { ok: true; minor: number }).minor : 0;
    if (max > known) {
      const decimals = method.max.includes(".") ? method.max.split(".")[1]!.length : 0;
      const day = (BigInt(method.max.replace(".", "")) * 10n).toString().padStart(decimals + 1, "0");
      limits[method.currency] = { maxPerPayout: method.max, maxPerDay: decimals ? `${day.slice(0, -decimals)}.${day.slice(-decimals)}` : day };
    }
  }
  return limits;
}
