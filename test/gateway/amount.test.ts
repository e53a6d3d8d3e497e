import { describe, expect, it } from "vitest";
import { currencyDecimals, formatMinor, parseAmount } from "../../server/gateway/amount.ts";

describe("amounts", () => {
  it("knows which currencies have no minor unit", () => {
    expect(currencyDecimals("vnd")).toBe(0);
    expect(currencyDecimals("idr")).toBe(0);
    expect(currencyDecimals("php")).toBe(2);
    expect(currencyDecimals("thb")).toBe(2);
  });

  it.each([
    ["100.00", "php", 10000],
    ["100", "php", 10000],
    ["100.5", "php", 10050],
    ["0.01", "usd", 1],
    ["50000", "vnd", 50000],
    ["50000.00", "vnd", 50000],
    ["99999999.99", "php", 9999999999],
  ] as const)("parses %s %s to %d minor units", (value, currency, minor) => {
    expect(parseAmount(value, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ["1e3", "format"],
    ["-1", "format"],
    ["+1", "format"],
    ["100.00 ", "format"],
    [" 100", "format"],
    ["01", "format"],
    ["1.", "format"],
    [".5", "format"],
    ["1,000", "format"],
    ["", "format"],
    ["NaN", "format"],
    ["100.001", "precision"],
    ["12345678901234567", "range"],
  ] as const)("refuses %j for php (%s)", (value, problem) => {
    expect(parseAmount(value, "php")).toEqual({ ok: false, problem });
  });

  it("refuses fractions of a dong and anything that is not a string", () => {
    expect(parseAmount("50000.5", "vnd")).toEqual({ ok: false, problem: "precision" });
    expect(parseAmount(100, "php")).toEqual({ ok: false, problem: "format" });
  });

  it("formats minor units back without floating point", () => {
    expect(formatMinor(10000, "php")).toBe("100.00");
    expect(formatMinor(1, "php")).toBe("0.01");
    expect(formatMinor(0, "usd")).toBe("0.00");
    expect(formatMinor(50000, "vnd")).toBe("50000");
    // 0.1 + 0.2 style errors cannot happen: 30 minor units are "0.30".
    expect(formatMinor(10 + 20, "usd")).toBe("0.30");
    expect(() => formatMinor(1.5, "php")).toThrow(RangeError);
  });
});
