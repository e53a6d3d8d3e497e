import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { en, type Messages } from "../../widget/i18n/en.ts";
import { LOCALES, pickLocale, translator } from "../../widget/i18n/index.ts";

describe("pickLocale", () => {
  it.each([
    ["zh-TW", "zh-Hant"],
    ["zh-HK", "zh-Hant"],
    ["zh-MO", "zh-Hant"],
    ["zh-Hant", "zh-Hant"],
    ["zh-Hant-TW", "zh-Hant"],
    ["zh-CN", "zh-Hans"],
    ["zh-SG", "zh-Hans"],
    ["zh-Hans", "zh-Hans"],
    ["zh", "zh-Hans"],
    ["th", "th"],
    ["th-TH", "th"],
    ["vi-VN", "vi"],
    ["tl", "fil"],
    ["tl-PH", "fil"],
    ["fil", "fil"],
    ["fil-PH", "fil"],
    ["in", "id"],
    ["id-ID", "id"],
    ["bn-BD", "bn"],
    ["bn", "bn"],
    ["en-GB", "en"],
    ["fr", "en"],
    ["fr-FR", "en"],
    ["TH-th", "th"],
  ])("%s → %s", (tag, locale) => {
    expect(pickLocale([tag])).toBe(locale);
  });

  it("takes the first language it has, in the shopper's order", () => {
    expect(pickLocale(["fr-FR", "de", "th-TH", "en"])).toBe("th");
    expect(pickLocale(["ja", "zh-TW", "en"])).toBe("zh-Hant");
    expect(pickLocale(["en-US", "th"])).toBe("en");
  });

  it("falls back to English when nothing fits or nothing is known", () => {
    expect(pickLocale([])).toBe("en");
    expect(pickLocale(["fr", "de", "ja"])).toBe("en");
  });

  // Regression: the region test runs before the script test, so an explicit Simplified script in
  // Hong Kong or Macau ("zh-Hans-HK", common on mainland phones there) gets Traditional Chinese.
  it("honours an explicit script over the region", () => {
    expect(pickLocale(["zh-Hans-HK"])).toBe("zh-Hans");
    expect(pickLocale(["zh-Hans-MO"])).toBe("zh-Hans");
  });

  it("only ever answers one of the languages it has", () => {
    for (const tag of ["zh-TW", "tl", "in", "xx-YY", "bn-IN"]) expect(LOCALES).toContain(pickLocale([tag]));
  });
});

describe("translator", () => {
  const th = JSON.parse(readFileSync(new URL("../../widget/i18n/th.json", import.meta.url), "utf8")) as Messages;

  it("fills placeholders", () => {
    const t = translator({});
    expect(t("payAmount", { amount: "₱100.00" })).toBe("Pay ₱100.00");
    expect(t("rangeHint", { min: "₱20.00", max: "₱50,000.00" })).toBe("From ₱20.00 to ₱50,000.00");
  });

  it("fills a placeholder given no value with nothing, and leaves others' text alone", () => {
    const t = translator({});
    expect(t("rangeHint", { min: "1" })).toBe("From 1 to ");
    expect(t("close")).toBe("Close");
  });

  it("does not interpret replacement patterns in values", () => {
    expect(translator({})("payAmount", { amount: "$& $1 $$" })).toBe("Pay $& $1 $$");
  });

  it("uses the given language", () => {
    const t = translator(th);
    expect(t("paidTitle")).toBe("ชำระเงินสำเร็จ");
    expect(t("payAmount", { amount: "฿500.37" })).toBe("ชำระเงิน ฿500.37");
  });

  it("falls back to English for a missing key", () => {
    const partial: Partial<Messages> = { ...th };
    delete partial.copy;
    const t = translator(partial);
    expect(t("copy")).toBe(en.copy);
    expect(t("copied")).toBe("คัดลอกแล้ว");
    expect(translator({ pay: "Bayad" })("payAmount", { amount: "₱1.00" })).toBe("Pay ₱1.00");
  });
});
