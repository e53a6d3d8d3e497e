/**
 * Payment methods the sandbox offers, as a merchant back office would list them. The gateway's documents name
 * only `gcash` (sample) and `thailand`; the rest are plausible stand-ins, one per documented currency,
 * so that every currency's rules (decimals, limits, country) can be exercised.
 */
import { parseAmount } from "../../server/gateway/amount.ts";
import type { Currency } from "../../server/gateway/schemas.ts";

export interface PaymentMethod {
  /** The value of the `payment` field. */
  payment: string;
  currency: Currency;
  /** ISO 3166-1 alpha-2, upper case; requests may use any case. */
  country: string;
  /** Other spellings of the country the gateway accepts (the Thailand doc sends "thailand"). */
  countryAliases?: readonly string[] | undefined;
  /** When present, `channel` is required and must be one of these. */
  channels?: readonly string[] | undefined;
  channelLabels?: Readonly<Record<string, string>> | undefined;
  /** Shown on the payment page. */
  label: string;
  /** Inclusive limits, decimal strings in the method's currency. */
  minAmount: string;
  maxAmount: string;
}

export const DEFAULT_METHODS: readonly PaymentMethod[] = [
  { payment: "gcash", currency: "php", country: "PH", label: "GCash", minAmount: "1.00", maxAmount: "50000.00" },
  { payment: "maya", currency: "php", country: "PH", label: "Maya", minAmount: "1.00", maxAmount: "50000.00" },
  { payment: "jkopay", currency: "twd", country: "TW", label: "JKO Pay", minAmount: "10.00", maxAmount: "100000.00" },
  { payment: "alipay", currency: "cny", country: "CN", label: "Alipay", minAmount: "0.10", maxAmount: "50000.00" },
  { payment: "card", currency: "usd", country: "US", label: "Card", minAmount: "0.50", maxAmount: "10000.00" },
  {
    payment: "thailand",
    currency: "thb",
    country: "TH",
    countryAliases: ["thailand"],
    channels: ["promptpay", "bank_transfer"],
    channelLabels: { promptpay: "PromptPay", bank_transfer: "Bank transfer" },
    label: "Thai bank transfer",
    minAmount: "100.00",
    maxAmount: "200000.00",
  },
  { payment: "momo", currency: "vnd", country: "VN", label: "MoMo", minAmount: "10000", maxAmount: "50000000" },
  { payment: "paynow", currency: "sgd", country: "SG", label: "PayNow", minAmount: "1.00", maxAmount: "20000.00" },
  { payment: "qris", currency: "idr", country: "ID", label: "QRIS", minAmount: "10000", maxAmount: "10000000" },
  { payment: "bkash", currency: "bdt", country: "BD", label: "bKash", minAmount: "50.00", maxAmount: "25000.00" },
];

/** A method with its limits already parsed into minor units. */
export interface MethodEntry {
  method: PaymentMethod;
  minMinor: number;
  maxMinor: number;
}

export interface MethodCatalog {
  find(payment: string): MethodEntry | undefined;
  all(): readonly PaymentMethod[];
}

/** Checks the configuration once, so that a typo in a limit fails at start-up rather than per order. */
export function createMethodCatalog(methods: readonly PaymentMethod[]): MethodCatalog {
  const entries = new Map<string, MethodEntry>();
  for (const method of methods) {
    if (entries.has(method.payment)) throw new TypeError(`Two sandbox payment methods are called "${method.payment}"`);
    const min = parseAmount(method.minAmount, method.currency);
    const max = parseAmount(method.maxAmount, method.currency);
    if (!min.ok || !max.ok || min.minor > max.minor) {
      throw new TypeError(`Payment method "${method.payment}" has invalid limits ${method.minAmount}..${method.maxAmount} ${method.currency}`);
    }
    entries.set(method.payment, { method, minMinor: min.minor, maxMinor: max.minor });
  }
  return { find: (payment) => entries.get(payment), all: () => methods };
}

export function acceptsCountry(method: PaymentMethod, country: string): boolean {
  const given = country.toLowerCase();
  return given === method.country.toLowerCase() || (method.countryAliases ?? []).some((alias) => alias.toLowerCase() === given);
}

export function channelLabel(method: PaymentMethod, channel: string): string {
  return method.channelLabels?.[channel] ?? channel.replace(/_/g, " ");
}
