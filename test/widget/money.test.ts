import { describe, expect, it } from "vitest";
import { decimalsOf, formatMoney, fromMinor, parseTyped, toMinor } from "../../widget/money.ts";

const NBSP = /[\u00a0\u202f]/g;
const plain = (text: string) => text.replace(NBSP, " ");

describe("decimalsOf", () => {
  it("knows the zero-decimal currencies", () => {
    expect(decimalsOf("vnd")).toBe(0);
    expect(decimalsOf("idr")).toBe(0);
    for (const currency of ["php", "thb", "usd", "sgd", "twd", "cny", "bdt"]) expect(decimalsOf(currency), currency).toBe(2);
  });
});

describe("parseTyped", () => {
  it.each([
    ["en", "php", "1,000.50", "1000.50"],
    ["en", "php", "1000.5", "1000.50"],
    ["en", "php", "100", "100.00"],
    ["en", "php", " 250.00 ", "250.00"],
    ["en", "php", "0.01", "0.01"],
    ["en", "usd", "12,345,678.9", "12345678.90"],
    ["fil", "php", "1,000.50", "1000.50"],
    ["th", "thb", "1,500.37", "1500.37"],
    ["id", "idr", "1.000", "1000"],
    ["id", "idr", "1.000.000", "1000000"],
    ["id", "sgd", "1.000,50", "1000.50"],
    ["id", "sgd", "12,5", "12.50"],
    ["vi", "vnd", "50.000", "50000"],
    ["vi", "vnd", "50000", "50000"],
    ["vi", "vnd", "1.234.567", "1234567"],
    ["vi", "vnd", "50 000", "50000"],
    ["vi", "vnd", "50.000,00", "50000"],
    ["vi", "usd", "1.234,5", "1234.50"],
    ["en", "vnd", "50,000", "50000"],
    ["zh-Hant", "twd", "1,000", "1000.00"],
  ])("%s %s %j → %j", (locale, currency, typed, value) => {
    expect(parseTyped(typed, currency, locale)).toEqual({ value });
  });

  it("refuses decimals for vnd and idr", () => {
    expect(parseTyped("50000,5", "vnd", "vi")).toEqual({ error: "errorWhole" });
    expect(parseTyped("10000,25", "idr", "id")).toEqual({ error: "errorWhole" });
    expect(parseTyped("10000.5", "idr", "en")).toEqual({ error: "errorWhole" });
    expect(parseTyped("0.5", "vnd", "en")).toEqual({ error: "errorWhole" });
  });

  // The shopper: a Chinese keyboard's full-width digits, Thai digits, a currency sign typed with the amount.
  it.each([
    ["１５０", "php", "en", "150.00"],
    ["１５０．５０", "php", "en", "150.50"],
    ["๑๕๐", "thb", "th", "150.00"],
    ["๑,๒๐๐.๕๐", "thb", "th", "1200.50"],
    ["₱100", "php", "en", "100.00"],
    ["₱ 1,000.50", "php", "en", "1000.50"],
    ["100php", "php", "en", "100.00"],
    ["PHP 100", "php", "en", "100.00"],
    ["฿350", "thb", "th", "350.00"],
    ["350 บาท", "thb", "th", null],
    ["Rp 50.000", "idr", "id", "50000"],
    ["50.000 ₫", "vnd", "vi", "50000"],
    ["NT$100", "twd", "zh-Hant", "100.00"],
    ["১০০", "bdt", "en", "100.00"],
  ])("reads %j in %s/%s", (typed, currency, locale, value) => {
    expect(parseTyped(typed, currency, locale)).toEqual(value === null ? { error: "errorFormat" } : { value });
  });

  it("asks for an amount when nothing was typed", () => {
    for (const typed of ["", "   ", "\u00a0"]) expect(parseTyped(typed, "php", "en")).toEqual({ error: "errorRequired" });
    expect(parseTyped("", "vnd", "vi")).toEqual({ error: "errorRequired" });
  });

  it.each([
    ["abc", "php", "en"],
    ["100.001", "php", "en"],
    ["-5", "php", "en"],
    ["1e3", "php", "en"],
    ["₱", "php", "en"],
    ["$100", "php", "en"],
    ["1.2.3", "php", "en"],
    ["1.000,50", "php", "en"],
    ["12,345", "sgd", "id"],
    ["abc", "vnd", "vi"],
    ["0x10", "vnd", "vi"],
  ])("%j in %s/%s is not an amount", (typed, currency, locale) => {
    expect(parseTyped(typed, currency, locale)).toEqual({ error: "errorFormat" });
  });

  // Regression: a group separator anywhere is dropped, so a decimal comma typed on an English page (or a
  // decimal point on an Indonesian one) multiplies the amount: "10,5" becomes 105.00, silently, and
  // the Pay button of an "Other amount" does not show the amount before paying.
  it("refuses a misplaced group separator instead of dropping it", () => {
    expect(parseTyped("10,5", "sgd", "en")).toEqual({ error: "errorFormat" });
    expect(parseTyped("1,00", "php", "en")).toEqual({ error: "errorFormat" });
    expect(parseTyped("10.5", "sgd", "id")).toEqual({ error: "errorFormat" });
  });

  // Regression: Intl shows Bengali digits in the bn locale (the widget's own example reads "১০০.০০৳"), but
  // parseTyped only understands ASCII digits: a Bengali shopper typing "১০০" gets errorFormat.
  it("accepts the Bengali digits that the bn locale shows", () => {
    expect(formatMoney("100.00", "bdt", "bn")).toContain("১০০");
    expect(parseTyped("১০০", "bdt", "bn")).toEqual({ value: "100.00" });
  });
});

describe("formatMoney", () => {
  it("shows every satang of a Thai floating amount", () => {
    expect(formatMoney("500.37", "thb", "th")).toBe("฿500.37");
    expect(plain(formatMoney("500.37", "thb", "en"))).toBe("THB 500.37");
    expect(formatMoney("500.30", "thb", "th")).toBe("฿500.30");
    expect(formatMoney("500.3", "thb", "th")).toBe("฿500.30");
    expect(formatMoney("500", "thb", "th")).toBe("฿500.00");
    expect(formatMoney("199999.99", "thb", "th")).toBe("฿199,999.99");
  });

  it("formats for the currency and the shopper's locale", () => {
    expect(formatMoney("100.00", "php", "en")).toBe("₱100.00");
    expect(formatMoney("1000", "php", "fil")).toBe("₱1,000.00");
    expect(plain(formatMoney("50000", "vnd", "vi"))).toBe("50.000 ₫");
    expect(plain(formatMoney("10000", "idr", "id"))).toBe("Rp 10.000");
    expect(formatMoney("5", "usd", "en")).toBe("$5.00");
  });

  it("never shows decimals for vnd and idr", () => {
    expect(plain(formatMoney("50000", "vnd", "en"))).toMatch(/^₫50,000$/);
    expect(plain(formatMoney("10000", "idr", "en"))).toBe("IDR 10,000");
  });

  it("falls back to the plain amount for a currency Intl refuses", () => {
    expect(formatMoney("100.00", "x", "en")).toBe("100.00 X");
  });
});

describe("toMinor / fromMinor", () => {
  it.each([
    ["100.5", 2, 10050],
    ["100.50", 2, 10050],
    ["100", 2, 10000],
    ["0.01", 2, 1],
    ["0.07", 2, 7],
    ["1.10", 2, 110],
    ["500.37", 2, 50037],
    ["50000", 0, 50000],
    ["0", 0, 0],
    ["90071992547409.91", 2, 9007199254740991],
  ])("%j with %i decimals ↔ %i", (value, decimals, minor) => {
    expect(toMinor(value, decimals)).toBe(minor);
  });

  it.each([
    ["100.001", 2],
    ["100.5", 0],
    ["1,000", 2],
    ["-1", 2],
    ["1e3", 2],
    ["", 2],
    [".5", 2],
    ["5.", 2],
  ])("%j with %i decimals is not an amount", (value, decimals) => {
    expect(toMinor(value, decimals)).toBeNull();
  });

  it("formats minor units as canonical decimal strings", () => {
    expect(fromMinor(10050, 2)).toBe("100.50");
    expect(fromMinor(1, 2)).toBe("0.01");
    expect(fromMinor(0, 2)).toBe("0.00");
    expect(fromMinor(50037, 2)).toBe("500.37");
    expect(fromMinor(50000, 0)).toBe("50000");
  });

  it("round-trips without floating-point drift", () => {
    // 0.1 + 0.2 and friends: amounts whose float would not survive *100.
    for (const value of ["0.29", "0.57", "1.13", "4.35", "8.20", "19.99", "1005.07", "12345678.91", "500.37"]) {
      const minor = toMinor(value, 2);
      expect(Number.isInteger(minor), value).toBe(true);
      expect(fromMinor(minor!, 2)).toBe(value);
    }
    for (let cents = 0; cents < 2000; cents += 1) expect(toMinor(fromMinor(cents, 2), 2)).toBe(cents);
    for (const value of ["0", "10000", "50000000"]) expect(fromMinor(toMinor(value, 0)!, 0)).toBe(value);
  });
});

describe("parseTyped: digits", () => {
  // Regression: typed Latin digits on a Bengali page were read as zeros.
  it("still reads Latin digits where the locale shows its own", () => {
    expect(parseTyped("100", "bdt", "bn")).toEqual({ value: "100.00" });
    expect(parseTyped("১২৫.৫০", "bdt", "bn")).toEqual({ value: "125.50" });
  });

  it("reads the decimal digits of every script, each by its place in its run of ten", () => {
    // Devanagari, Arabic-Indic, Extended Arabic-Indic, Lao, Khmer, Myanmar, Tibetan, Mongolian: 1,234.50.
    for (const digits of ["०१२३४५६७८९", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "໐໑໒໓໔໕໖໗໘໙", "០១២៣៤៥៦៧៨៩", "၀၁၂၃၄၅၆၇၈၉", "༠༡༢༣༤༥༦༧༨༩", "᠐᠑᠒᠓᠔᠕᠖᠗᠘᠙"]) {
      const typed = [..."1234.50"].map((char) => (char === "." ? "." : [...digits][Number(char)])).join("");
      expect(parseTyped(typed, "php", "en"), digits).toEqual({ value: "1234.50" });
    }
  });
});
