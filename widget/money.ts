/** Amounts in the browser: decimal strings in, integer minor units for comparisons, Intl out. */

export const decimalsOf = (currency: string): number => (currency === "vnd" || currency === "idr" ? 0 : 2);

/** "100.5" → 10050 for a two-decimal currency; null when it is not a plain decimal string. */
export function toMinor(value: string, decimals: number): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match || (match[2]?.length ?? 0) > decimals) return null;
  // From the digits, not by multiplying: exact up to 2^53 - 1 minor units, refused beyond.
  const minor = Number(match[1] + (match[2] ?? "").padEnd(decimals, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}

export function fromMinor(minor: number, decimals: number): string {
  if (!decimals) return String(minor);
  const digits = String(minor).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

export function formatMoney(amount: string, currency: string, locale: string): string {
  const decimals = decimalsOf(currency);
  try {
    // Digits to the currency's own precision, so a Thai floating amount shows every satang.
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
      Number(amount),
    );
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

/**
 * What a shopper typed → a canonical decimal string, or an error key. Group separators of their
 * locale are dropped ("1,000.50" in en, "1.000,50" in id); zero-decimal currencies refuse fractions.
 */
export function parseTyped(input: string, currency: string, locale: string): { value: string } | { error: "errorRequired" | "errorFormat" | "errorWhole" } {
  const format = new Intl.NumberFormat(locale);
  const parts = format.formatToParts(1000.5);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  // The digits this locale shows (Bengali ০-৯, say) are the digits a shopper types.
  let text = input.replace(/[\s\u00a0\u202f]/g, "").replace(/\p{Nd}/gu, (d) => String(Math.max(0, [...Array(10).keys()].findIndex((n) => format.format(n) === d))));
  if (!text) return { error: "errorRequired" };
  const decimals = decimalsOf(currency);
  const [whole = "", ...rest] = text.split(decimal);
  // A group separator counts only between groups of three ("1,000"); anywhere else ("10,5") it is
  // a mistyped decimal mark, and dropping it would multiply the amount.
  if (rest.length > 1 || (whole.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole))) return { error: "errorFormat" };
  text = whole.split(group).join("") + (rest.length ? `.${rest[0]}` : "");
  if (!decimals && /^\d+(\.0*)?$/.test(text)) text = text.replace(/\.0*$/, "");
  if (!decimals && text.includes(".")) return { error: "errorWhole" };
  const minor = toMinor(text, decimals);
  if (minor === null) return { error: "errorFormat" };
  return { value: fromMinor(minor, decimals) };
}
