/**
 * GET /pay/:session_id, the payment link, over real HTTP: what a shopper who opens a link sees in
 * each state of its session (open, paid, refunded, expired, unknown), in each language, under its
 * Content-Security-Policy and never from a cache.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payPage } from "../../server/http/pay-page.ts";
import { createLogger } from "../../server/log.ts";
import { acceptedLanguages, LOCALES, PAY_PAGE_TEXT, payPageLocale } from "../../server/http/pay-page-text.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import { createdOrder, readJson } from "../support/stack-requests.ts";
import { actOnPaymentPage, startStack, type Stack } from "../support/stack.ts";
import { manualClock, until } from "../support/time.ts";

const KEY = "sk_test_0123456789abcdefghijklmnopqrstuvwxyz";
const clock = manualClock();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { secretKeys: [KEY], now: clock.now } });
});
afterAll(async () => {
  await stack?.close();
});

async function newSession(body: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const response = await fetch(`${stack.url}/api/v1/sessions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`session: ${response.status} ${await response.text()}`);
  return readJson(response);
}

async function open(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The page's text without tags, spaces folded: what a shopper reads. */
const readable = (page: string) =>
  page
    .replace(/<style>[\s\S]*?<\/style>/, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ");

const widgetTag = (page: string) => /<script src="\/widget\.js"[^>]*><\/script>/.exec(page)?.[0] ?? null;

function expectStrictPolicy(headers: Headers, page: string) {
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes/);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  // The one inline style is the one the policy's hash names.
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? "";
  const hash = createHash("sha256").update(style).digest("base64");
  expect(/style-src ([^;]+)/.exec(csp)?.[1]?.trim()).toBe(`'sha256-${hash}'`);
  // Scripts: only the nonced widget and the page's own file (it reloads the page once paid), no inline code, no handlers.
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  for (const tag of page.match(/<script\b[^>]*>/g) ?? []) {
    expect(tag).toMatch(/ src="\/(widget\.js|checkout\/assets\/pay\.js)"/);
    expect(tag).toContain(`nonce="${nonce}"`);
  }
  expect(page).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
  expect(page).not.toMatch(/\son[a-z]+=/i);
  expect(page).not.toMatch(/\sstyle=/i);
}

describe("an open payment link", () => {
  it("shows the merchant, what is bought and the amount, and pays through the widget in auto mode", async () => {
    const session = await newSession({ amount: "1250.00", currency: "php", description: "2 × Iced coffee <large> & a bun", metadata: { secret_label: "not-for-shoppers" }, customer: "member-77" });
    expect(session.url).toBe(`${stack.url}/pay/${session.id}`);
    const page = await open(session.url, { "Accept-Language": "en-US,en;q=0.9" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-robots-tag")).toBe("noindex");
    expectStrictPolicy(page.headers, page.body);

    const text = readable(page.body);
    expect(text).toContain("Test Shop");
    expect(text).toContain("Payment request");
    expect(text).toContain("2 × Iced coffee <large> & a bun");
    expect(page.body).toContain("2 × Iced coffee &lt;large&gt; &amp; a bun");
    expect(text).toContain("Amount to pay ₱1,250.00");
    expect(text).toContain("This link expires in 24 hours.");
    // The merchant's labels and member id are for the merchant's backend, never the shopper's page.
    expect(page.body).not.toContain("not-for-shoppers");
    expect(page.body).not.toContain("member-77");

    const tag = widgetTag(page.body);
    expect(tag).toContain(`data-session="${session.id}"`);
    expect(tag).toContain('data-mode="auto"');
    expect(tag).toContain('data-locale="en"');
    expect(page.body).toContain("<noscript>");
    expect(page.body).not.toContain("SANDBOX");
  });

  it("formats the amount to the currency's own decimals", async () => {
    const vnd = await newSession({ amount: "150000", currency: "vnd" });
    const vi = readable((await open(`${vnd.url}?lang=vi`)).body);
    expect(vi).toMatch(/150\.000\s?₫/);
    expect(vi).not.toMatch(/150\.000,00/);
    const en = readable((await open(vnd.url)).body);
    expect(en).toContain("₫150,000");
    expect(en).not.toContain("150,000.00");
    const thb = await newSession({ amount: "500", currency: "thb" });
    expect(readable((await open(`${thb.url}?lang=th`)).body)).toMatch(/฿500\.00/);
  });

  it("a new nonce on every load, and never cached", async () => {
    const session = await newSession({ amount: "100.00", currency: "php" });
    const first = await open(session.url);
    const second = await open(session.url);
    const nonceOf = (headers: Headers) => /'nonce-([^']+)'/.exec(headers.get("content-security-policy") ?? "")?.[1];
    expect(nonceOf(first.headers)).not.toBe(nonceOf(second.headers));
    expect(second.headers.get("cache-control")).toBe("no-store");
  });
});

describe("languages", () => {
  it.each(LOCALES)("?lang=%s: the page, its title and the widget speak it", async (locale) => {
    const session = await newSession({ amount: "100.00", currency: "php", description: "Coffee" });
    const page = await open(`${session.url}?lang=${locale}`, { "Accept-Language": "de-DE" });
    const text = PAY_PAGE_TEXT[locale];
    expect(page.body).toContain(`<html lang="${locale}">`);
    expect(page.headers.get("content-language")).toBe(locale);
    expect(page.body).toContain(`<title>${text.payTo.replace("{merchant}", "Test Shop")}</title>`);
    expect(readable(page.body)).toContain(text.request);
    expect(readable(page.body)).toContain(text.amount);
    expect(widgetTag(page.body)).toContain(`data-locale="${locale}"`);
    // Every language links to every other, in its own name, and marks the current one.
    for (const other of LOCALES) expect(page.body).toContain(`href="?lang=${other}" hreflang="${other}" lang="${other}"`);
    expect(page.body).toMatch(new RegExp(`hreflang="${locale}" lang="${locale}" aria-current="true">`));
  });

  it("every language has every string, translated rather than copied from English", () => {
    const keys = Object.keys(PAY_PAGE_TEXT.en).sort();
    // Words a language really does borrow as they are.
    const borrowed = new Set(["status", "reference"]);
    for (const locale of LOCALES) {
      expect(Object.keys(PAY_PAGE_TEXT[locale]).sort(), locale).toEqual(keys);
      for (const key of keys) {
        const value = PAY_PAGE_TEXT[locale][key as keyof typeof PAY_PAGE_TEXT.en];
        expect(value.trim(), `${locale}.${key}`).not.toBe("");
        if (locale !== "en" && !borrowed.has(key)) expect(value, `${locale}.${key}`).not.toBe(PAY_PAGE_TEXT.en[key as keyof typeof PAY_PAGE_TEXT.en]);
        // The same placeholders as English, so nothing is left as "{merchant}".
        expect(value.match(/\{\w+\}/g) ?? [], `${locale}.${key}`).toEqual(PAY_PAGE_TEXT.en[key as keyof typeof PAY_PAGE_TEXT.en].match(/\{\w+\}/g) ?? []);
      }
    }
  });

  it("picks ?lang= first, then Accept-Language by its q values, then English", () => {
    expect(payPageLocale(undefined, "zh-TW,zh;q=0.9,en;q=0.8")).toBe("zh-Hant");
    expect(payPageLocale(undefined, "zh-CN")).toBe("zh-Hans");
    expect(payPageLocale(undefined, "fr-FR, th;q=0.5, en;q=0.4")).toBe("th");
    expect(payPageLocale(undefined, "en;q=0.3, bn;q=0.9")).toBe("bn");
    expect(payPageLocale(undefined, "tl-PH")).toBe("fil");
    expect(payPageLocale(undefined, "vi;q=0, id")).toBe("id");
    expect(payPageLocale(undefined, "de")).toBe("en");
    expect(payPageLocale(undefined, undefined)).toBe("en");
    expect(payPageLocale("th", "vi")).toBe("th");
    expect(payPageLocale("en", "vi")).toBe("en");
    // A language we do not have is no choice: the browser's languages decide.
    expect(payPageLocale("xx", "vi")).toBe("vi");
    expect(payPageLocale("<script>", "id")).toBe("id");
    expect(acceptedLanguages("a;q=0.5, b, c;q=0.9, <bad>")).toEqual(["b", "c", "a"]);
  });

  it("Accept-Language decides when there is no ?lang=", async () => {
    const session = await newSession({ amount: "100.00", currency: "php" });
    const page = await open(session.url, { "Accept-Language": "zh-TW,zh;q=0.9" });
    expect(page.body).toContain('<html lang="zh-Hant">');
    expect(readable(page.body)).toContain(PAY_PAGE_TEXT["zh-Hant"].amount);
    expect(page.headers.get("vary")).toContain("Accept-Language");
  });
});

describe("a link that was paid, refunded or has expired", () => {
  it("says it was paid, with the order's status and reference, and offers no second payment", async () => {
    const session = await newSession({ amount: "250.00", currency: "php", description: "Beans" });
    const { view, merchantOrderId } = await createdOrder(stack, { session: session.id, country: "PH", payment: "gcash" });
    // While the attempt waits, the link still pays (the widget continues the attempt).
    expect(widgetTag((await open(session.url)).body)).toBeTruthy();
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await stack.store.getSession(session.id))?.status === "completed");

    const paid = await open(`${session.url}?lang=en`);
    expect(paid.status).toBe(200);
    expect(paid.headers.get("cache-control")).toBe("no-store");
    expectStrictPolicy(paid.headers, paid.body);
    const text = readable(paid.body);
    expect(text).toContain("This link has already been paid");
    expect(text).toContain("Status: Paid");
    expect(text).toContain(`Reference: ${view.id}`);
    expect(text).toContain("Beans");
    expect(text).toContain("Amount paid ₱250.00");
    expect(paid.body).toContain('data-status="completed"');
    expect(widgetTag(paid.body)).toBeNull();
    expect(text).not.toContain("expires");

    // In Thai too.
    const thai = readable((await open(`${session.url}?lang=th`)).body);
    expect(thai).toContain(PAY_PAGE_TEXT.th.paidTitle);
    expect(thai).toContain(`${PAY_PAGE_TEXT.th.status}: ${PAY_PAGE_TEXT.th.statusPaid}`);

    // Refunded later: the link says so.
    stack.sandbox.controls.refund(merchantOrderId);
    await until(async () => (await stack.store.get(view.id!))?.status === "refund");
    const refunded = await open(session.url);
    expect(readable(refunded.body)).toContain("Status: Refunded");
    expect(refunded.body).toContain('data-status="refund"');
    expect(widgetTag(refunded.body)).toBeNull();
  });

  it("says it has expired once its time is up, and offers no payment", async () => {
    const session = await newSession({ amount: "100.00", currency: "php", description: "Tea", expires_in: 600 });
    expect(readable((await open(session.url)).body)).toContain("This link expires in 10 minutes.");
    clock.advance(601_000);
    const expired = await open(session.url);
    expect(expired.status).toBe(200);
    expect(expired.headers.get("cache-control")).toBe("no-store");
    expectStrictPolicy(expired.headers, expired.body);
    const text = readable(expired.body);
    expect(text).toContain("This payment link has expired");
    expect(text).toContain("Ask Test Shop for a new link.");
    expect(text).toContain("Tea");
    expect(text).toContain("Amount ₱100.00");
    expect(text).not.toContain("Amount to pay");
    expect(widgetTag(expired.body)).toBeNull();
    const bengali = readable((await open(`${session.url}?lang=bn`)).body);
    expect(bengali).toContain(PAY_PAGE_TEXT.bn.expiredTitle);
  });
});

describe("an unknown link", () => {
  it.each(["/pay/cs_AAAAAAAAAAAAAAAAAAAAAA", "/pay/nope", "/pay/ck_AAAAAAAAAAAAAAAAAAAAAA", "/pay/%3Cscript%3E"])("%s is a 404 page that says so", async (path) => {
    const page = await open(`${stack.url}${path}`);
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expectStrictPolicy(page.headers, page.body);
    expect(readable(page.body)).toContain("Payment link not found");
    expect(widgetTag(page.body)).toBeNull();
    expect(page.body).not.toContain("<script>");
  });

  it("in the shopper's language", async () => {
    const page = await open(`${stack.url}/pay/cs_AAAAAAAAAAAAAAAAAAAAAA`, { "Accept-Language": "id-ID" });
    expect(page.status).toBe(404);
    expect(readable(page.body)).toContain(PAY_PAGE_TEXT.id.notFoundTitle);
  });
});

describe("in sandbox mode", () => {
  it("says SANDBOX in the shopper's language, on every state", async () => {
    const store = createSqliteStore({ filename: ":memory:" });
    await store.migrate();
    try {
      const now = Date.now();
      await store.insertSession({ id: "cs_sandboxSANDBOXsandbox", amount: "100.00", currency: "php", country: null, payment: null, customer: null, description: null, metadata: {}, returnUrl: null, idempotencyKey: null, requestHash: null, createdBy: null, createdAt: now, expiresAt: now + 3_600_000 });
      const app = payPage({ store, merchantName: "Demo", sandbox: true, logger: createLogger({ write: () => {} }) });
      for (const path of ["/pay/cs_sandboxSANDBOXsandbox", "/pay/cs_AAAAAAAAAAAAAAAAAAAAAA"]) {
        const body = await (await app.request(`${path}?lang=vi`)).text();
        expect(body).toMatch(/<div class="sandbox" role="note"><strong>SANDBOX<\/strong> <span>Không có tiền thật được chuyển\.<\/span><\/div>/);
      }
    } finally {
      await store.close();
    }
  });
});

describe("when the page cannot be made", () => {
  it("a bug answers 500 as a page in the shopper's language, logged once, with no detail of the error", async () => {
    const lines: string[] = [];
    const store = createSqliteStore({ filename: ":memory:" });
    await store.migrate();
    try {
      const broken = Object.assign(Object.create(store) as typeof store, {
        getSession: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'amount')")),
      });
      const app = payPage({ store: broken, merchantName: "Demo", sandbox: false, logger: createLogger({ write: (line) => lines.push(line) }) });
      const response = await app.request("/pay/cs_AAAAAAAAAAAAAAAAAAAAAA", { headers: { "Accept-Language": "vi" } });
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain(`<h1 id="title">${PAY_PAGE_TEXT.vi.unavailableTitle}</h1>`);
      expect(page).toContain(`<a href="/pay/cs_AAAAAAAAAAAAAAAAAAAAAA">${PAY_PAGE_TEXT.vi.tryAgain}</a>`);
      expect(page).not.toContain("Cannot read");
      expect(lines.map((line) => JSON.parse(line) as { msg: string })).toEqual([expect.objectContaining({ msg: "unhandled error", path: "/pay/cs_AAAAAAAAAAAAAAAAAAAAAA" })]);
    } finally {
      await store.close();
    }
  });
});
