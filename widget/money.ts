/** Amounts in the browser: decimal strings in, integer minor units for comparisons, Intl out. */

/** A copy of the server's currencyDecimals (server/gateway/amount.ts), kept equal by test/widget/server-rules.test.ts. */
export const decimalsOf = (currency: string): number => (/^(vnd|idr)$/.test(currency) ? 0 : 2);

/** "100.5" → 10050 for a two-decimal currency; null when it is not a plain decimal string. */
export function toMinor(value: string, decimals: number): number | null {
  const [, whole, fraction = ""] = /^(\d+)(?:\.(\d+))?$/.exec(value) ?? [];
  // From the digits, not by multiplying: exact up to 2^53 - 1 minor units, refused beyond.
  const minor = Number(whole + fraction.padEnd(decimals, "0"));
  return whole && fraction.length <= decimals && Number.isSafeInteger(minor) ? minor : null;
}

export function fromMinor(minor: number, decimals: number): string {
  const digits = String(minor).padStart(decimals + 1, "0");
  return decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
}

export function formatMoney(amount: string, currency: string, locale: string): string {
  const digits = decimalsOf(currency);
  try {
    // Digits to the currency's own precision, so a Thai floating amount shows every satang.
    return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(+amount);
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

export type FormatMoney = typeof formatMoney;

/**
 * A decimal digit of any script (Thai ๕, Bengali ৫, Arabic-Indic ٥…) as an ASCII one. Unicode keeps
 * every script's digits 0 to 9 in a run of ten code points, so a digit's value is its distance from
 * where its run starts, modulo ten (two runs may touch).
 */
function asciiDigit(digit: string): number {
  const code = digit.codePointAt(0)!;
  let start = code;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return (code - start) % 10;
}

/**
 * What a shopper typed → a canonical decimal string, or an error key. Full-width characters (a
 * Chinese or Japanese keyboard's `１５０．５`) and the digits of other scripts (Thai ๑๕๐, Bengali
 * ১৫০) are read as digits; a currency sign or code typed with the amount (₱, ฿, NT$, PHP) is
 * dropped. Group separators of their locale are dropped ("1,000.50" in en, "1.000,50" in id);
 * zero-decimal currencies refuse fractions.
 */
export function parseTyped(input: string, currency: string, locale: string): { value: string } | { error: "errorRequired" | "errorFormat" | "errorWhole" } {
  const format = new Intl.NumberFormat(locale);
  const [, group, , decimal] = format.formatToParts(1000.5).map((part) => part.value);
  let text = input
    .normalize("NFKC")
    .replace(/\s/g, "")
    .replace(/\p{Nd}/gu, (digit) => String(asciiDigit(digit)));
  // This currency's own signs, as this locale and English write them ("₱", "฿", "NT$", "Rp", "₫"),
  // longest first, and its code; another currency's sign ("$100" for pesos) is not read as this one.
  const signs = [locale, "en"].flatMap((where) =>
    (["symbol", "narrowSymbol"] as const).map((display) => {
      try {
        return new Intl.NumberFormat(where, { style: "currency", currency, currencyDisplay: display }).formatToParts(1).find((part) => part.type === "currency")!.value.replace(/\s/g, "");
      } catch {
        return "";
      }
    }),
  );
  for (const sign of [...signs, currency].sort((a, b) => b.length - a.length)) if (sign) text = text.replace(RegExp(sign.replace(/[$.]/g, "\\$&"), "ig"), "");
  if (!text) return { error: input.trim() ? "errorFormat" : "errorRequired" };
  const decimals = decimalsOf(currency);
  const [whole = "", ...rest] = text.split(decimal!);
  // A group separator counts only between groups of three ("1,000"); anywhere else ("10,5") it is
  // a mistyped decimal mark, and dropping it would multiply the amount.
  if (rest.length > 1 || (whole.includes(group!) && !RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole))) return { error: "errorFormat" };
  text = whole.split(group!).join("") + (rest.length ? `.${rest[0]}` : "");
  if (!decimals) text = text.replace(/\.0*$/, "");
  if (!decimals && text.includes(".")) return { error: "errorWhole" };
  const minor = toMinor(text, decimals);
  return minor === null ? { error: "errorFormat" } : { value: fromMinor(minor, decimals) };
}
