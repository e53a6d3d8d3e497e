/**
 * Properties, checked with fast-check over a few hundred generated cases each: amounts, the
 * widget's attributes and typed amounts, return URLs and the return page, and request signing.
 * The seed is printed; FC_SEED=<seed> replays a run, FC_RUNS_FACTOR=<n> runs n times as many cases.
 *
 * The widget bugs these properties found (one in parseTyped, four kinds in readAttributes) are fixed;
 * each keeps a regression test with its concrete case, and the properties excuse nothing.
 */
import * as fc from "fast-check";
import { Window } from "happy-dom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENCIES, MAX_MINOR_UNITS, currencyDecimals, formatMinor, parseAmount, type CurrencyCode } from "../../server/gateway/amount.ts";
import { UnsignableFieldError, canonicalString, signFields, verifyFields } from "../../server/gateway/signing.ts";
import { createOctopusClient } from "../../server/gateway/client.ts";
import { readAttributes } from "../../widget/attributes.ts";
import { decimalsOf, parseTyped, toMinor, fromMinor } from "../../widget/money.ts";
import { createdOrder, signNotification } from "../support/stack-requests.ts";
import { SHOP, startStack, type Stack } from "../support/stack.ts";
import { printFigures, propertySeed } from "../support/load.ts";

const SEED = propertySeed("properties.test.ts");
const HTTP_RUNS = 300;
const RUNS = 1_000;
/** FC_RUNS_FACTOR=10 for a deeper run. */
const FACTOR = Math.max(1, Number(process.env.FC_RUNS_FACTOR ?? 1) || 1);
const params = (numRuns: number) => ({ seed: SEED, numRuns: numRuns * FACTOR });

let stack: Stack;
let allowed: Set<string>;
beforeAll(async () => {
  // Thousands of bad requests on purpose: neither the create limit nor the refused-request limit may answer for the code under test.
  stack = await startStack({ server: { rateLimit: { windowMs: 60_000, max: 1_000_000 }, refusedRateLimit: { windowMs: 60_000, max: 1_000_000 } } });
  allowed = new Set(stack.checkout.allowedOrigins);
});
afterAll(async () => {
  await stack?.close();
});

const figures: Record<string, string | number> = {};
afterAll(() => printFigures(`properties (seed ${SEED})`, figures));

function tally(name: string, by = 1) {
  figures[name] = Number(figures[name] ?? 0) + by;
}

async function postCheckout(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(`${stack.url}/api/checkout`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: SHOP },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/** Exact decimal value of a plain decimal string in minor units, by BigInt (no float anywhere). */
function exactMinor(text: string, decimals: number): bigint {
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole!) * 10n ** BigInt(decimals) + BigInt((fraction + "0".repeat(decimals)).slice(0, decimals) || "0");
}

const METHODS = [
  { currency: "php", country: "PH", payment: "gcash", min: 2_000n, max: 5_000_000n, canonical: /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/ },
  { currency: "vnd", country: "VN", payment: "momo", min: 10_000n, max: 50_000_000n, canonical: /^(0|[1-9][0-9]*)$/ },
] as const;

/** Strings that look like amounts, near misses included: signs, exponents, spaces, leading zeros, other digits. */
const amountLike = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 12 }),
  { arbitrary: fc.integer({ min: 0, max: 60_000_000 }).map(String), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 6_000_000 }).map((minor) => formatMinor(minor, "php")), weight: 2 },
  fc.integer({ min: 0, max: 6_000_000 }).map((minor) => formatMinor(minor, "php").replace(/0$/, "")),
  fc
    .tuple(
      fc.constantFrom("", "", "", "+", "-", " ", "0", "\u0660", "\uff11"),
      fc.stringMatching(/^[0-9]{0,9}$/),
      fc.option(fc.stringMatching(/^\.[0-9]{0,4}$/)),
      fc.constantFrom("", "", "", " ", "e2", "E-1", "\n", "\u0000", ",00", "_0", "\u00a0"),
    )
    .map(([prefix, digits, fraction, suffix]) => `${prefix}${digits}${fraction ?? ""}${suffix}`),
  fc.constantFrom("Infinity", "NaN", "0x10", "1e3", "1_000", "1,000.00", "100.", ".5", "00.00", "١٢٣", "９９", "100.00\u200b", "9".repeat(17), "20.00"),
);

describe("amounts", () => {
  it("POST /api/checkout with any amount string: 201 with the canonical, in-limits amount, or 400 invalid_request on amount; never 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), amountLike, async (method, amount) => {
        const { status, json } = await postCheckout({ amount, currency: method.currency, country: method.country, payment: method.payment });
        const decimals = currencyDecimals(method.currency);
        const wellFormed = method.canonical.test(amount);
        const minor = wellFormed ? exactMinor(amount, decimals) : null;
        const accept = minor !== null && minor >= method.min && minor <= method.max;
        if (accept) {
          tally("amounts: accepted (201)");
          expect(status, `${JSON.stringify(amount)} ${method.currency}`).toBe(201);
          expect(json.amount).toBe(formatMinor(Number(minor), method.currency));
          expect(exactMinor(json.amount, decimals)).toBe(minor);
        } else {
          tally("amounts: refused (400)");
          expect(status, `${JSON.stringify(amount)} ${method.currency}: ${JSON.stringify(json)}`).toBe(400);
          expect(json.error).toMatchObject({ code: "invalid_request", field: "amount" });
        }
      }),
      params(HTTP_RUNS),
    );
  });

  it("POST /api/checkout with an amount that is not a string: 400 invalid_request on amount", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })), async (amount) => {
        const { status, json } = await postCheckout({ amount, currency: "php", country: "PH", payment: "gcash" });
        expect(status).toBe(400);
        expect(json.error).toMatchObject({ code: "invalid_request", field: "amount" });
      }),
      params(100),
    );
  });

  it("server parseAmount / formatMinor round-trip, and parseAmount only ever accepts the exact value", () => {
    const currency = fc.constantFrom(...CURRENCIES);
    fc.assert(
      fc.property(currency, fc.integer({ min: 0, max: MAX_MINOR_UNITS }), (code, minor) => {
        const text = formatMinor(minor, code);
        expect(text).toMatch(currencyDecimals(code) === 0 ? /^(0|[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)\.[0-9]{2}$/);
        expect(parseAmount(text, code)).toEqual({ ok: true, minor });
      }),
      params(RUNS),
    );
    fc.assert(
      fc.property(currency, amountLike, (code: CurrencyCode, text) => {
        const parsed = parseAmount(text, code);
        if (!parsed.ok) return ["format", "precision", "range"].includes(parsed.problem);
        // Accepted: a plain decimal whose digits past the currency's precision are zeros, and whose exact value is `minor`.
        expect(text).toMatch(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/);
        const decimals = currencyDecimals(code);
        expect((text.split(".")[1] ?? "").slice(decimals)).toMatch(/^0*$/);
        expect(BigInt(parsed.minor)).toBe(exactMinor(text, decimals));
        const canonical = formatMinor(parsed.minor, code);
        expect(parseAmount(canonical, code)).toEqual(parsed);
        return true;
      }),
      params(RUNS),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The widget: typed amounts
// ---------------------------------------------------------------------------------------------

const LOCALES = ["en", "zh-Hans", "zh-Hant", "th", "vi", "id", "fil", "bn"] as const;
const WIDGET_CURRENCIES = ["php", "thb", "vnd", "idr", "usd", "bdt"] as const;

/**
 * Was a widget bug, now fixed (widget/money.ts `toMinor`/`fromMinor`): amounts beyond 2^53 minor units (14 or
 * more digits) go through a float: "1000000000000000000000" (php) comes back as "1e+.23", and
 * "9007199254740993" as "9007199254740992.00", another amount than the one typed.
 */
function knownHugeAmountBug(_input: string): boolean {
  // Was an exemption for a widget bug, fixed: nothing is excused any more.
  return false;
}

/** Amounts as a shopper of that locale would type them: Intl's own formatting, with and without grouping. */
const localeTyped = fc
  .tuple(fc.constantFrom(...LOCALES), fc.constantFrom(...WIDGET_CURRENCIES), fc.integer({ min: 0, max: 99_999_999_999 }), fc.boolean())
  .map(([locale, currency, minor, grouping]) => {
    const decimals = decimalsOf(currency);
    const value = decimals ? minor / 100 : minor;
    const typed = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: grouping }).format(value);
    return { locale, currency, typed, expected: fromMinor(minor, decimals) };
  });

describe("widget parseTyped", () => {
  it("never returns a value outside the currency's precision, and never misreads an amount typed the locale's way", () => {
    let knownHits = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 24 }), amountLike, fc.stringMatching(/^[0-9,. ]{1,24}$/)),
        fc.constantFrom(...WIDGET_CURRENCIES),
        fc.constantFrom(...LOCALES),
        (input, currency, locale) => {
          const result = parseTyped(input, currency, locale);
          if ("error" in result) return ["errorRequired", "errorFormat", "errorWhole"].includes(result.error);
          const decimals = decimalsOf(currency);
          const ok =
            (decimals === 0 ? /^(0|[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)\.[0-9]{2}$/).test(result.value) &&
            exactMinor(result.value, decimals) <= BigInt(Number.MAX_SAFE_INTEGER) &&
            fromMinor(toMinor(result.value, decimals)!, decimals) === result.value;
          if (!ok && knownHugeAmountBug(input)) {
            knownHits++;
            return true;
          }
          return ok;
        },
      ),
      params(RUNS),
    );
    fc.assert(
      fc.property(localeTyped, ({ locale, currency, typed, expected }) => {
        const result = parseTyped(typed, currency, locale);
        // An error is safe (the shopper types it again); another amount than the one typed is not.
        if ("error" in result) {
          tally(`parseTyped: locale-typed amounts refused (${locale})`);
          return true;
        }
        return result.value === expected;
      }),
      params(RUNS),
    );
    tally("parseTyped: cases of the known huge-amount bug met", knownHits);
  });

  it("refuses a 22-digit typed amount instead of turning it into \"1e+.23\"", () => {
    const result = parseTyped("1000000000000000000000", "php", "en");
    expect("error" in result || /^(0|[1-9][0-9]*)\.[0-9]{2}$/.test(result.value)).toBe(true);
  });

  it("never rounds a typed amount: \"9007199254740993\" is refused, not read as 9007199254740992.00", () => {
    const result = parseTyped("9007199254740993", "php", "en");
    expect("error" in result || result.value === "9007199254740993.00").toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The widget: data-* attributes
// ---------------------------------------------------------------------------------------------

const ATTRIBUTE_KEYS = ["amount", "amounts", "product", "currency", "currencies", "country", "payment", "mode", "locale", "theme", "color", "label", "customer", "description", "returnUrl", "target", "octopusCheckout"];
const PROTOTYPE_KEYS = ["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "__proto__", "toLocaleString", "propertyIsEnumerable"];
const CURRENCY_SET = new Set<string>(CURRENCIES);
const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const selectorWindow = new Window();
const selectorDocument = selectorWindow.document;
afterAll(async () => {
  await selectorWindow.happyDOM.close();
});

function validSelector(selector: string): boolean {
  try {
    selectorDocument.querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * What each option may be once read: the attribute's documented form (README), trimmed, and for
 * what goes on to POST /api/checkout, what the server accepts (server/orders/pricing.ts).
 */
const VALID: Record<string, (value: unknown) => boolean> = {
  amount: (v) => typeof v === "string" && DECIMAL.test(v),
  amounts: (v) => Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === "string" && DECIMAL.test(item)),
  product: (v) => typeof v === "string" && /^[a-z0-9][a-z0-9-]{0,39}$/.test(v),
  currency: (v) => typeof v === "string" && CURRENCY_SET.has(v),
  currencies: (v) => Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === "string" && CURRENCY_SET.has(item)),
  country: (v) => typeof v === "string" && /^[A-Z]{2}$/.test(v),
  payment: (v) => typeof v === "string" && /^[\w.-]{1,64}$/.test(v),
  mode: (v) => v === "auto" || v === "popup" || v === "iframe" || v === "redirect",
  locale: (v) => typeof v === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/.test(v),
  theme: (v) => v === "light" || v === "dark" || v === "auto",
  color: (v) => typeof v === "string" && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v),
  label: (v) => typeof v === "string" && v.length >= 1 && v.length <= 60 && v === v.trim() && !/[\n\r\u2028\u2029]/.test(v),
  customer: (v) => typeof v === "string" && /^[A-Za-z0-9._@:-]{1,64}$/.test(v),
  description: (v) => typeof v === "string" && v.length >= 1 && v.length <= 140 && v === v.trim() && !CONTROL.test(v),
  returnUrl: (v) => typeof v === "string" && v === v.trim() && validUrl(v),
  target: (v) => typeof v === "string" && v.length > 0 && validSelector(v),
};

/**
 * Were widget bugs, now fixed (widget/attributes.ts `readAttributes`), each breaking the rule "a malformed or
 * unknown attribute is ignored with one console warning" (README):
 * - a data-* name that is an Object.prototype member (`data-constructor`, `data-to-string`, …):
 *   `CHECKS[key]` finds the prototype's member and `check[0](value)` throws, so the embed's boot
 *   throws and renders nothing (fix: `Object.hasOwn(CHECKS, key)`);
 * - `data-target` that is not a CSS selector ("[["): passed on, and `querySelector` throws in boot;
 * - `data-return-url` that is no URL ("http://[") or `data-description` with a control character:
 *   passed on, and the server refuses the checkout with a field error the shopper cannot fix.
 */
function knownAttributeBug(dataset: Record<string, string>, problem: { key: string; value?: unknown; threw?: boolean }): boolean {
  // Was an exemption for widget bugs, fixed: nothing is excused any more.
  void dataset;
  void problem;
  return false;
}

const attributeValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("100.00", " 100.00 ", "100,500", "100, 500.5 ,20", "php", "PHP", "php,usd", "php,xxx", "PH", "ph", "P1", "gcash", "popup", "POPUP", "th", "zh-Hant", "dark", "#0f766e", "#abc", "red"),
  fc.constantFrom("https://shop.example/back", "http://[", "javascript:alert(1)", "https://", "#buy", "[[", "div >", "a\u0001b", "x".repeat(61), "y".repeat(141), "", " "),
);

const attributeKey = fc.oneof(
  { arbitrary: fc.constantFrom(...ATTRIBUTE_KEYS), weight: 16 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 3 },
  // Rare, so that most datasets get past the known bug they trigger.
  { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 1 },
);

const datasetArbitrary = fc.dictionary(attributeKey, attributeValue, {
  maxKeys: 8,
  noNullPrototype: true,
});

describe("widget readAttributes", () => {
  it("never throws and returns only valid options, whatever the dataset", () => {
    const known = new Map<string, number>();
    fc.assert(
      fc.property(datasetArbitrary, (dataset) => {
        const warnings: string[] = [];
        let out: Record<string, unknown>;
        try {
          out = readAttributes(dataset as DOMStringMap, (message) => warnings.push(message)) as Record<string, unknown>;
        } catch (error) {
          if (knownAttributeBug(dataset, { key: "", threw: true })) {
            known.set("throws on an Object.prototype name", (known.get("throws on an Object.prototype name") ?? 0) + 1);
            return true;
          }
          throw error;
        }
        if (typeof out !== "object" || out === null) return false;
        for (const [key, value] of Object.entries(out)) {
          const valid = VALID[key];
          if (!valid) throw new Error(`readAttributes returned an unknown option ${key}`);
          if (!Object.hasOwn(dataset, key)) throw new Error(`readAttributes returned ${key}, which the dataset does not have`);
          if (valid(value)) continue;
          if (knownAttributeBug(dataset, { key, value })) {
            known.set(`invalid ${key} passed on`, (known.get(`invalid ${key} passed on`) ?? 0) + 1);
            continue;
          }
          throw new Error(`readAttributes returned an invalid ${key}: ${JSON.stringify(value)}`);
        }
        // Every attribute left out is warned about (at most once per name for the whole page).
        for (const message of warnings) expect(message).toMatch(/^octopus-checkout: (ignored data-|unknown attribute data-)/);
        return true;
      }),
      params(RUNS),
    );
    for (const [kind, count] of known) tally(`readAttributes: known bug met (${kind})`, count);
  });

  it("treats data-constructor as an unknown attribute instead of throwing", () => {
    expect(() => readAttributes({ constructor: "x", amount: "100.00" } as unknown as DOMStringMap, () => {})).not.toThrow();
  });

  it("drops a data-target the browser cannot parse", () => {
    expect(readAttributes({ target: "[[" } as DOMStringMap, () => {})).not.toHaveProperty("target");
  });

  it("drops a data-return-url that is not a URL", () => {
    expect(readAttributes({ returnUrl: "http://[" } as DOMStringMap, () => {})).not.toHaveProperty("returnUrl");
  });

  it("drops a data-description with a control character, which the server would refuse", () => {
    expect(readAttributes({ description: "a\u0001b" } as DOMStringMap, () => {})).not.toHaveProperty("description");
  });
});

// ---------------------------------------------------------------------------------------------
// Return URLs and the return page
// ---------------------------------------------------------------------------------------------

function originOf(text: string): string | null {
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, entity: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" })[entity]!);
}

const returnUrlArbitrary = () => {
  const allowedBase = fc.constantFrom(SHOP, "https://SHOP.example", "HTTPS://shop.example:443", "https:shop.example", stack.url, stack.url.replace("127.0.0.1", "127.0.0.1."));
  const lookalike = fc.constantFrom(
    `${SHOP}.evil.test`,
    `${SHOP}@evil.test`,
    `https://evil.test/${SHOP}`,
    `https://evil.test?${SHOP}`,
    "//evil.test",
    "/relative/path",
    `javascript:alert(1)//${SHOP}`,
    "https://shop.example%2eevil.test",
    "http://shop.example",
    "https://shop.example:8443",
    "https://shop.example.",
    "https://shop.exa\tmple/",
    "https://shop.example\\@evil.test",
    "https://evil.test\\@shop.example",
    "data:text/html,<script>alert(1)</script>",
    "https://shop.example/\u0000",
    `${SHOP}/${"a".repeat(2000)}`,
  );
  return fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.tuple(allowedBase, fc.webPath(), fc.webQueryParameters(), fc.webFragments()).map(([base, path, query, fragment]) => `${base}${path}${query ? `?${query}` : ""}${fragment ? `#${fragment}` : ""}`),
    fc.tuple(allowedBase, fc.string({ maxLength: 20 })).map(([base, rest]) => `${base}${rest}`),
    fc.tuple(lookalike, fc.string({ maxLength: 8 })).map(([base, rest]) => `${base}${rest}`),
    lookalike,
    fc.string(),
  );
};

describe("return_url and the return page", () => {
  it("accepts a return_url only on the requesting page's origin, and the return page's back link never leaves the allowed origins", async () => {
    await fc.assert(
      fc.asyncProperty(returnUrlArbitrary(), async (returnUrl) => {
        const { status, json } = await postCheckout({ amount: "100.00", currency: "php", country: "PH", payment: "gcash", return_url: returnUrl });
        // http(s), no credentials, and on the requesting page's own origin (SHOP), not merely an allowed one.
        const origin = originOf(returnUrl);
        const credentials = origin !== null && (new URL(returnUrl).username !== "" || new URL(returnUrl).password !== "");
        const acceptable = returnUrl.length <= 2000 && origin === SHOP && !credentials;
        if (!acceptable) {
          tally("return_url: refused");
          expect(status, `${JSON.stringify(returnUrl)}: ${JSON.stringify(json)}`).toBe(400);
          expect(json.error).toMatchObject({ code: "invalid_request", field: "return_url" });
          return;
        }
        tally("return_url: accepted");
        expect(status, `${JSON.stringify(returnUrl)}: ${JSON.stringify(json)}`).toBe(201);
        const page = await fetch(`${stack.url}/checkout/return/${json.id}`);
        expect(page.status).toBe(200);
        const html = await page.text();
        // One body tag with exactly the three data attributes: nothing broke out of an attribute.
        const body = /<body data-id="([^"]*)" data-origin="([^"]*)" data-back="([^"]*)">/.exec(html);
        expect(body, html).not.toBeNull();
        expect(html.match(/<body\b/g)).toHaveLength(1);
        expect(html.match(/<a\b/g)?.length ?? 0).toBeLessThanOrEqual(1);
        const back = unescapeHtml(body![3]!);
        expect(back).not.toBe("");
        expect(allowed.has(originOf(back)!), back).toBe(true);
        const link = /<a href="([^"]*)">/.exec(html);
        expect(link).not.toBeNull();
        expect(unescapeHtml(link![1]!)).toBe(back);
        expect(new URL(back).searchParams.get("octopus_checkout")).toBe(json.id);
        expect(unescapeHtml(body![2]!)).toBe(SHOP);
      }),
      params(HTTP_RUNS),
    );
  });

  it("the return page of any path never links outside the allowed origins and never fails", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^ck_[A-Za-z0-9_-]{22}$/)), async (id) => {
        const response = await fetch(`${stack.url}/checkout/return/${encodeURIComponent(id)}`);
        expect([200, 404]).toContain(response.status);
        const html = await response.text();
        for (const match of html.matchAll(/(?:href|data-back)="([^"]+)"/g)) {
          const target = unescapeHtml(match[1]!);
          if (target.startsWith("/")) continue;
          expect(allowed.has(originOf(target) ?? ""), target).toBe(true);
        }
      }),
      params(200),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/**
 * Pairs that the unescaped string cannot tell apart: {k: "v&k2=w"} and {k: "v", k2: "w"} (keys
 * sorted so that k comes first), and the same with '=' inside a key.
 */
const collidingPair = fc
  .tuple(fc.stringMatching(/^a[a-z]{0,3}$/), fc.stringMatching(/^[a-z0-9]{0,4}$/), fc.stringMatching(/^b[a-z]{0,3}$/), fc.stringMatching(/^[a-z0-9]{0,4}$/), fc.boolean())
  .map(([k1, v1, k2, v2, inValue]): [Record<string, string>, Record<string, string>] =>
    inValue ? [{ [k1]: `${v1}&${k2}=${v2}` }, { [k1]: v1, [k2]: v2 }] : [{ [`${k1}=${v1}&${k2}`]: v2 }, { [k1]: v1, [k2]: v2 }],
  );

/** Keys and values from a small alphabet, so that different records often come close to colliding. */
const tinyRecord = fc.dictionary(fc.stringMatching(/^[ab&=\n]{0,3}$/), fc.stringMatching(/^[ab&=\u0001]{0,3}$/), { maxKeys: 3, noNullPrototype: true });
const anyRecord = fc.dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.string({ unit: "binary", maxLength: 12 }), { maxKeys: 5, noNullPrototype: true });
const signableRecord = fc.dictionary(
  fc.stringMatching(/^[a-z_]{1,16}$/),
  fc.string({ unit: "binary", maxLength: 24 }).map((value) => value.replace(/[&=\u0000-\u001f\u007f]/g, "")),
  { minKeys: 1, maxKeys: 8, noNullPrototype: true },
);

function refusable(record: Record<string, string>): boolean {
  return Object.entries(record).some(([key, value]) => key === "" || /[&=]/.test(key) || CONTROL.test(key) || /[&=]/.test(value) || CONTROL.test(value));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

function canonical(record: Record<string, string>, strict = true): string | null {
  try {
    return canonicalString(record, { strict });
  } catch (error) {
    if (error instanceof UnsignableFieldError) return null;
    throw error;
  }
}

/** One character of `text` at `index` replaced by `replacement` (which differs from it). */
function substitute(text: string, index: number, replacement: string): string {
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("signatures", () => {
  it("canonicalString refuses exactly the records with '&', '=' or a control character (or an empty key)", () => {
    fc.assert(
      fc.property(fc.oneof(tinyRecord, anyRecord, signableRecord), (record) => {
        const refused = canonical(record) === null;
        expect(refused, JSON.stringify(record)).toBe(refusable(record));
      }),
      params(RUNS),
    );
  });

  it("canonicalString is injective on the records it accepts", () => {
    let compared = 0;
    let looseCollisions = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(tinyRecord, tinyRecord), collidingPair, fc.tuple(signableRecord, signableRecord), fc.tuple(anyRecord, anyRecord)), ([a, b]) => {
        const loose = canonical(a, false) === canonical(b, false) && !sameRecord(a, b);
        if (loose) looseCollisions++;
        const x = canonical(a);
        const y = canonical(b);
        if (x === null || y === null) return true;
        compared++;
        return (x === y) === sameRecord(a, b);
      }),
      params(RUNS * 3),
    );
    tally("signing: accepted pairs compared", compared);
    // What strict mode is for: without it, different records sign alike.
    tally("signing: collisions the non-strict string would have had", looseCollisions);
  });

  it("verifyFields rejects any single-character change of a signed body, and of its signature", async () => {
    const client = createOctopusClient({ baseUrl: "http://127.0.0.1:9", apiKey: "prop-key", apiSecret: "prop-secret", merchantUid: "prop-merchant" });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        signableRecord,
        fc.string({ minLength: 1, maxLength: 16 }),
        fc.nat(),
        fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
        fc.constantFrom("json", "field", "signature"),
        async (record, secret, position, replacement, where) => {
          const signature = await signFields(secret, record);
          expect(await verifyFields(secret, record, signature)).toBe(true);
          if (where === "signature") {
            const index = position % signature.length;
            const digits = "0123456789abcdef".replace(signature[index]!.toLowerCase(), "");
            const changed = substitute(signature, index, digits[position % digits.length]!);
            checked++;
            expect(await verifyFields(secret, record, changed)).toBe(false);
            return;
          }
          let changed: Record<string, string> | null = null;
          if (where === "json") {
            const text = JSON.stringify(record);
            const index = position % text.length;
            if (text[index] === replacement) return;
            try {
              const parsed: unknown = JSON.parse(substitute(text, index, replacement));
              if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && Object.values(parsed).every((value) => typeof value === "string")) changed = parsed as Record<string, string>;
            } catch {
              return; // not JSON any more: the notify route refuses it before any signature
            }
          } else {
            const entries = Object.entries(record);
            const [key, value] = entries[position % entries.length]!;
            const inKey = value.length === 0 || position % 2 === 0;
            const text = inKey ? key : value;
            const index = Math.floor(position / 2) % text.length;
            if (text[index] === replacement) return;
            const next = substitute(text, index, replacement);
            changed = Object.fromEntries(entries.map(([k, v]) => (k === key ? (inKey ? [next, v] : [k, next]) : [k, v])));
            if (Object.keys(changed).length !== entries.length) return; // the new key merged with another one
          }
          if (!changed || sameRecord(changed, record)) return;
          checked++;
          expect(await verifyFields(secret, changed, signature), JSON.stringify(changed)).toBe(false);
        },
      ),
      params(RUNS),
    );
    // The same through the gateway client the notify route uses (key checked too).
    await fc.assert(
      fc.asyncProperty(signableRecord, fc.nat(), async (record, position) => {
        const signature = await signFields("prop-secret", record);
        expect(await client.verifyNotification(record, { key: "prop-key", signature })).toBe(true);
        expect(await client.verifyNotification(record, { key: "prop-kez", signature })).toBe(false);
        const [key, value] = Object.entries(record)[position % Object.keys(record).length]!;
        const changed = { ...record, [key]: `${value}x` };
        expect(await client.verifyNotification(changed, { key: "prop-key", signature })).toBe(false);
      }),
      params(200),
    );
    tally("signing: single-character changes checked", checked);
  });

  it("POST /octopus/notify acknowledges a signed notification (whatever its extra fields) and refuses any single-character change of its body", async () => {
    const { merchantOrderId } = await createdOrder(stack);
    const extraFields = fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z_]{1,12}$/), fc.constantFrom("__proto__", "constructor", "toString")), signableRecord.map((record) => Object.values(record)[0] ?? ""), {
      maxKeys: 3,
      noNullPrototype: true,
    });
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(extraFields, fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), async (extra, position, replacement) => {
        const fields = JSON.parse(JSON.stringify({ ...extra, merchant_order_id: merchantOrderId, payment_status: "pending" })) as Record<string, string>;
        // JSON.stringify of a spread drops an own "__proto__"; add it back the way JSON.parse would.
        if (Object.hasOwn(extra, "__proto__")) Object.defineProperty(fields, "__proto__", { value: extra.__proto__, enumerable: true, writable: true, configurable: true });
        const notification = await signNotification(fields);
        const body = JSON.stringify(Object.fromEntries(Object.entries(fields)));
        const post = (text: string) => fetch(`${stack.url}/octopus/notify`, { method: "POST", headers: notification.headers, body: text });
        const signed = await post(body);
        expect(signed.status, `${body}: ${await signed.clone().text()}`).toBe(200);
        await signed.text();
        const index = position % body.length;
        if (body[index] === replacement) return;
        const changedText = substitute(body, index, replacement);
        try {
          const parsed = JSON.parse(changedText) as Record<string, unknown>;
          if (parsed && typeof parsed === "object" && sameRecord(parsed as Record<string, string>, JSON.parse(body) as Record<string, string>)) return;
        } catch {
          // not JSON: refused before any signature is looked at
        }
        const changed = await post(changedText);
        expect([400, 401], changedText).toContain(changed.status);
        await changed.text();
        refused++;
      }),
      params(HTTP_RUNS),
    );
    tally("notify: changed bodies refused", refused);
  });
});
