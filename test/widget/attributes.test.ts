// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type ReadAttributes = typeof import("../../widget/attributes.ts").readAttributes;

/**
 * `readAttributes` remembers, for the page's lifetime, which attribute names it has warned about:
 * each test gets a fresh copy of the module, i.e. a fresh page.
 */
let readAttributes: ReadAttributes;
beforeEach(async () => {
  vi.resetModules();
  ({ readAttributes } = await import("../../widget/attributes.ts"));
});
afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

/** An element as a merchant writes it: `data-*` attributes in kebab-case. */
function element(attributes: Record<string, string>): HTMLElement {
  const el = document.createElement("button");
  el.setAttribute("data-octopus-checkout", "");
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(`data-${name}`, value);
  document.body.append(el);
  return el;
}

/** Reads one element, collecting the warnings instead of printing them. */
function read(attributes: Record<string, string>) {
  const warnings: string[] = [];
  const options = readAttributes(element(attributes).dataset, (message) => warnings.push(message));
  return { options, warnings };
}

const long = (n: number) => "x".repeat(n);

describe("readAttributes: each attribute, valid", () => {
  it.each([
    ["amount", "100.00", { amount: "100.00" }],
    ["amount", "100", { amount: "100" }],
    ["amount", "0.5", { amount: "0.5" }],
    ["amounts", "100,500,1000.50", { amounts: ["100", "500", "1000.50"] }],
    ["amounts", " 100 , 500 ", { amounts: ["100", "500"] }],
    ["product", "starter-pack", { product: "starter-pack" }],
    ["currency", "php", { currency: "php" }],
    ["currencies", "php,usd", { currencies: ["php", "usd"] }],
    ["currencies", "thb, vnd ,idr", { currencies: ["thb", "vnd", "idr"] }],
    ["country", "PH", { country: "PH" }],
    ["payment", "gcash", { payment: "gcash" }],
    ["payment", "shopee.pay-v2_x", { payment: "shopee.pay-v2_x" }],
    ["mode", "auto", { mode: "auto" }],
    ["mode", "popup", { mode: "popup" }],
    ["mode", "iframe", { mode: "iframe" }],
    ["mode", "redirect", { mode: "redirect" }],
    ["locale", "th", { locale: "th" }],
    ["locale", "zh-Hant", { locale: "zh-Hant" }],
    ["locale", "fil-PH", { locale: "fil-PH" }],
    ["locale", "zh-Hant-TW", { locale: "zh-Hant-TW" }],
    ["theme", "light", { theme: "light" }],
    ["theme", "dark", { theme: "dark" }],
    ["theme", "auto", { theme: "auto" }],
    ["color", "#0f766e", { color: "#0f766e" }],
    ["color", "#FFF", { color: "#FFF" }],
    ["label", "Buy 500 gems", { label: "Buy 500 gems" }],
    ["label", long(60), { label: long(60) }],
    ["customer", "member-42@shop.example", { customer: "member-42@shop.example" }],
    ["customer", "user:1234_a.b", { customer: "user:1234_a.b" }],
    ["description", "Gems for your account", { description: "Gems for your account" }],
    ["description", long(140), { description: long(140) }],
    ["return-url", "https://shop.example/thanks?from=pay", { returnUrl: "https://shop.example/thanks?from=pay" }],
    ["return-url", "http://localhost:8080/", { returnUrl: "http://localhost:8080/" }],
    ["target", "#pay-here", { target: "#pay-here" }],
  ])("data-%s=%j", (name, value, expected) => {
    const { options, warnings } = read({ [name]: value });
    expect(options).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it("upper-cases the country", () => {
    expect(read({ country: "ph" }).options).toEqual({ country: "PH" });
    expect(read({ country: "tH" }).options).toEqual({ country: "TH" });
  });

  it("trims values", () => {
    expect(read({ amount: "  250.00 ", currency: " thb" }).options).toEqual({ amount: "250.00", currency: "thb" });
  });

  it("takes the data-octopus-checkout marker without an option and without a warning", () => {
    const { options, warnings } = read({ amount: "100.00" });
    expect(options).toEqual({ amount: "100.00" });
    expect(options).not.toHaveProperty("octopusCheckout");
    expect(warnings).toEqual([]);
  });

  it("reads every attribute of one element together", () => {
    const { options, warnings } = read({
      amounts: "100,500",
      currency: "php",
      country: "ph",
      payment: "gcash",
      mode: "iframe",
      locale: "fil",
      theme: "dark",
      color: "#123456",
      label: "Top up",
      customer: "m-1",
      description: "Top-up",
      "return-url": "https://shop.example/done",
    });
    expect(warnings).toEqual([]);
    expect(options).toEqual({
      amounts: ["100", "500"],
      currency: "php",
      country: "PH",
      payment: "gcash",
      mode: "iframe",
      locale: "fil",
      theme: "dark",
      color: "#123456",
      label: "Top up",
      customer: "m-1",
      description: "Top-up",
      returnUrl: "https://shop.example/done",
    });
  });
});

describe("readAttributes: each attribute, invalid", () => {
  it.each([
    ["amount", "100.001"],
    ["amount", "-5"],
    ["amount", "1e3"],
    ["amount", "01"],
    ["amount", "1,000"],
    ["amount", "abc"],
    ["amounts", "100,,500"],
    ["amounts", "100;500"],
    ["amounts", "100,abc"],
    ["product", "Starter Pack"],
    ["product", "-starter"],
    ["product", long(41)],
    ["currency", "eur"],
    ["currency", "php,usd"],
    ["currencies", "php,eur"],
    ["country", "PHL"],
    ["country", "P1"],
    ["payment", "g cash"],
    ["payment", long(65)],
    ["mode", "modal"],
    ["locale", "english"],
    ["locale", "th_TH"],
    ["locale", "t"],
    ["theme", "blue"],
    ["color", "red"],
    ["color", "#12345"],
    ["color", "0f766e"],
    ["color", "#0f766e;background:url(x)"],
    ["label", long(61)],
    ["label", "   "],
    ["customer", "a b"],
    ["customer", long(65)],
    ["description", long(141)],
    ["return-url", "javascript:alert(1)"],
    ["return-url", "//shop.example/thanks"],
    ["return-url", "ftp://shop.example/"],
    ["return-url", "https://shop.example/a b"],
  ])("data-%s=%j is dropped with one warning naming it", (name, value) => {
    const rest: Record<string, string> = name === "mode" ? { theme: "dark" } : { mode: "popup" };
    const { options, warnings } = read({ [name]: value, ...rest });
    // The bad value is dropped, the rest kept.
    expect(options).toEqual(rest);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`data-${name}`);
    expect(warnings[0]).toContain("expected");
  });

  it("drops an empty value with a warning (data-amount=\"\")", () => {
    // happy-dom leaves empty attributes out of `dataset`; browsers keep them, as "".
    const warn = vi.fn();
    expect(readAttributes({ amount: "", currencies: " ", target: "", mode: "popup" }, warn)).toEqual({ mode: "popup" });
    expect(warn.mock.calls.map(([m]) => String(m))).toEqual([
      'octopus-checkout: ignored data-amount="", expected (0|[1-9]\\d*)(\\.\\d{1,2})?',
      'octopus-checkout: ignored data-currencies="", expected (twd|cny|usd|thb|vnd|php|sgd|idr|bdt)(\\s*,\\s*(twd|cny|usd|thb|vnd|php|sgd|idr|bdt))*',
      'octopus-checkout: ignored data-target="", expected a CSS selector',
    ]);
  });

  // The warning quotes the very pattern the value is checked against, so it cannot drift from it.
  it("says what is allowed", () => {
    expect(read({ currency: "eur" }).warnings[0]).toBe('octopus-checkout: ignored data-currency="eur", expected (twd|cny|usd|thb|vnd|php|sgd|idr|bdt)');
    expect(read({ mode: "modal" }).warnings[0]).toBe('octopus-checkout: ignored data-mode="modal", expected (auto|popup|iframe|redirect)');
    expect(read({ theme: "pink" }).warnings[0]).toBe('octopus-checkout: ignored data-theme="pink", expected (light|dark|auto)');
    expect(read({ "return-url": "javascript:alert(1)" }).warnings[0]).toContain("expected an http(s) URL");
    // The same name again on this page is not warned about twice, but it is still dropped.
    expect(read({ "return-url": "http://[" }).options).toEqual({});
  });

  it("drops an unknown attribute with one warning naming it, and keeps the rest", () => {
    const { options, warnings } = read({ amout: "100.00", currency: "php" });
    expect(options).toEqual({ currency: "php" });
    expect(warnings).toEqual(["octopus-checkout: unknown attribute data-amout ignored"]);
  });

  it("names a camelCased attribute the way the merchant wrote it", () => {
    const { warnings } = read({ "return-url": "mailto:x@y.z", "success-url": "https://x.example" });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('data-return-url="mailto:x@y.z"');
    expect(warnings[1]).toContain("unknown attribute data-success-url");
  });

  it("keeps the good attributes when several are bad", () => {
    const { options, warnings } = read({ amount: "1.234", currency: "php", country: "Philippines", mode: "popup", theme: "pink", colour: "#fff" });
    expect(options).toEqual({ currency: "php", mode: "popup" });
    expect(warnings).toHaveLength(4);
    expect(warnings.join("\n")).toMatch(/data-amount.*\n.*data-country.*\n.*data-theme.*\n.*data-colour/);
  });
});

describe("readAttributes: one warning per attribute name", () => {
  it("warns once per bad name on a page with many triggers, not once per element", () => {
    const warn = vi.fn();
    const elements = [
      element({ amount: "abc", currency: "php" }),
      element({ amount: "-1", currency: "php" }),
      element({ amount: "1.001", currency: "thb", wrong: "1" }),
      element({ wrong: "2", theme: "neon" }),
    ];
    const results = elements.map((el) => readAttributes(el.dataset, warn));
    expect(results.map((r) => r.currency)).toEqual(["php", "php", "thb", undefined]);
    expect(warn).toHaveBeenCalledTimes(3);
    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(messages.filter((m) => m.includes("data-amount"))).toHaveLength(1);
    expect(messages.filter((m) => m.includes("data-wrong"))).toHaveLength(1);
    expect(messages.filter((m) => m.includes("data-theme"))).toHaveLength(1);
  });

  it("warns once when the same element is read again (a trigger clicked twice)", () => {
    const warn = vi.fn();
    const el = element({ amount: "x" });
    readAttributes(el.dataset, warn);
    readAttributes(el.dataset, warn);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("uses console.warn by default, never throws", () => {
    const spy = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const a = element({ mode: "fullscreen", amount: "100.00" });
    const b = element({ mode: "window", amount: "200.00" });
    expect(readAttributes(a.dataset)).toEqual({ amount: "100.00" });
    expect(readAttributes(b.dataset)).toEqual({ amount: "200.00" });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toContain("data-mode");
  });

  it("reads an element with no attributes of ours as no options", () => {
    const warn = vi.fn();
    expect(readAttributes(element({}).dataset, warn)).toEqual({});
    expect(warn).not.toHaveBeenCalled();
  });
});
