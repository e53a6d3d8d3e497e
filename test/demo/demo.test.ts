/**
 * The demo shop, requested through the app as `npm start` builds it (checkout server, sandbox
 * gateway mounted inside, demo at /), all in process: every page answers 200 under a strict CSP,
 * runs no inline script or style, shows a snippet that is exactly the markup it runs, and has the
 * sandbox panel only in sandbox mode.
 */
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoShop } from "../../demo/shop/routes.ts";
import { ORIGIN, startDemo, type Demo } from "../support/demo-stack.ts";

/** The policy the brief names for the CSP page, word for word. */
const BRIEF_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

const WAY_PAGES = ["top-up", "product", "buttons", "js-api", "redirect", "thai", "csp", "dark", "phone"] as const;
const PAGES = ["/", ...WAY_PAGES.map((slug) => `/demo/${slug}`), "/demo/phone/shop", "/demo/sandbox"];

/** What each way is about: the markup it runs must say so. */
const MUST_SAY: Record<(typeof WAY_PAGES)[number], RegExp[]> = {
  "top-up": [/data-amounts="[\d.,]+"/],
  product: [/data-product="starter-pack"/],
  buttons: [/(<button[^>]* data-octopus-checkout[^>]*>[\s\S]*){2,}/, /<script src="http:\/\/localhost:8787\/widget\.js" async><\/script>/],
  "js-api": [/<script src="\/demo\/assets\/js-api\.js"><\/script>/],
  redirect: [/data-mode="redirect"/],
  thai: [/data-currency="thb"/, /data-country="TH"/],
  csp: [/<script src="http:\/\/localhost:8787\/widget\.js"/],
  dark: [/data-theme="dark"/, /data-color="#f59e0b"/],
  phone: [/<script src="http:\/\/localhost:8787\/widget\.js"/],
};

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The code blocks of a page, by id, as the shopper's clipboard would get them. */
function codeBlocks(page: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of page.matchAll(/<pre><code id="([\w-]+)">([\s\S]*?)<\/code><\/pre>/g)) blocks.set(match[1]!, unescapeHtml(match[2]!));
  return blocks;
}

/** The page without its code blocks: what actually runs. */
const withoutCode = (page: string) => page.replace(/<pre><code[\s\S]*?<\/code><\/pre>/g, "");

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

const get = (app: { request(url: string): Response | Promise<Response> }, path: string) => app.request(`${ORIGIN}${path}`);

describe("demo shop, sandbox mode", () => {
  let demo: Demo;
  const pages = new Map<string, { status: number; csp: string | null; type: string | null; body: string }>();

  beforeAll(async () => {
    demo = await startDemo();
    for (const path of PAGES) {
      const response = await get(demo.app, path);
      pages.set(path, { status: response.status, csp: response.headers.get("Content-Security-Policy"), type: response.headers.get("Content-Type"), body: await response.text() });
    }
  });
  afterAll(async () => {
    await demo?.close();
  });

  it.each(PAGES)("%s answers 200 with HTML", (path) => {
    const page = pages.get(path)!;
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
  });

  it.each(PAGES)("%s is sent under a strict Content-Security-Policy", (path) => {
    const csp = pages.get(path)!.csp;
    expect(csp).toBeTruthy();
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("base-uri 'none'");
  });

  it("the CSP page sends exactly the policy it shows, and other pages cannot be framed", () => {
    const page = pages.get("/demo/csp")!;
    expect(page.csp).toBe(BRIEF_CSP);
    expect(codeBlocks(page.body).get("snippet-csp-header")).toBe(`Content-Security-Policy: ${page.csp}`);
    for (const path of PAGES.filter((p) => p !== "/demo/csp" && p !== "/demo/phone/shop")) {
      expect(pages.get(path)!.csp, path).toBe(`${BRIEF_CSP}; frame-ancestors 'none'`);
    }
    // Framed by the phone page, on this origin only.
    expect(pages.get("/demo/phone/shop")!.csp).toBe(`${BRIEF_CSP}; frame-ancestors 'self'`);
  });

  it.each(PAGES)("%s has no inline script, style or handler", (path) => {
    const running = withoutCode(pages.get(path)!.body);
    // Every script is a file: the demo's own, or widget.js from the checkout server's public URL (this server).
    for (const tag of running.match(/<script\b[^>]*>/g) ?? []) expect(tag, path).toMatch(/\bsrc="(http:\/\/localhost:8787)?\/[^"]+"/);
    expect(running).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(running).not.toMatch(/<style\b/i);
    expect(running).not.toMatch(/\sstyle=/i);
    expect(running).not.toMatch(/\son[a-z]+=/i);
  });

  it.each(PAGES)("%s says SANDBOX and uses the shared stylesheet", (path) => {
    const body = pages.get(path)!.body;
    expect(body).toMatch(/<div class="sandbox" role="note"><strong>SANDBOX<\/strong>/);
    expect(body).toContain('<link rel="stylesheet" href="/demo/assets/demo.css">');
    expect(body).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
  });

  it("the index links every way in, and the panel", () => {
    const body = pages.get("/")!.body;
    for (const slug of WAY_PAGES) expect(body).toContain(`href="/demo/${slug}"`);
    expect(body).toContain('href="/demo/sandbox"');
  });

  it.each(WAY_PAGES.filter((slug) => slug !== "phone"))("/demo/%s shows the markup it runs, with a Copy button", (slug) => {
    const body = pages.get(`/demo/${slug}`)!.body;
    const snippet = codeBlocks(body).get(`snippet-${slug}`);
    expect(snippet, "the HTML code block").toBeTruthy();
    // The shown text is in the page, unescaped, exactly once: the live widget is that markup.
    expect(occurrences(withoutCode(body), snippet!)).toBe(1);
    expect(body).toContain(`<button type="button" class="copy" data-copy="snippet-${slug}">Copy</button>`);
    for (const pattern of MUST_SAY[slug]) expect(snippet).toMatch(pattern);
    // One widget script per page, from the checkout server's public URL: copied onto a shop of another origin, it still loads.
    expect(occurrences(withoutCode(body), `<script src="${ORIGIN}/widget.js"`)).toBe(1);
    expect(snippet).not.toContain('src="/widget.js"');
    expect(body).toMatch(/<p class="when"><strong>When to use it:<\/strong> \S/);
  });

  it("the JS API page shows its script as served, and the script calls open() with callbacks", async () => {
    const body = pages.get("/demo/js-api")!.body;
    const shown = codeBlocks(body).get("snippet-js-api-script");
    const response = await get(demo.app, "/demo/assets/js-api.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(shown).toBe(await response.text());
    expect(shown).toMatch(/OctopusCheckout\.open\(\{/);
    for (const callback of ["onSuccess", "onPending", "onFailure", "onClose"]) expect(shown).toContain(callback);
    expect(shown).toContain("octopus-checkout:${name}");
    expect(body).toContain('id="event-log"');
  });

  it("the phone page frames the phone shop at 360 px, which runs the snippet shown", () => {
    const phone = pages.get("/demo/phone")!.body;
    const shop = pages.get("/demo/phone/shop")!.body;
    expect(phone).toMatch(/<iframe src="\/demo\/phone\/shop"[^>]* width="360"/);
    const blocks = codeBlocks(phone);
    const snippet = blocks.get("snippet-phone")!;
    expect(snippet).toMatch(/^<script src="http:\/\/localhost:8787\/widget\.js" [^>]*><\/script>$/);
    expect(occurrences(shop, snippet)).toBe(1);
    expect(occurrences(withoutCode(phone), snippet)).toBe(0);
    expect(shop).toContain(blocks.get("snippet-phone-viewport")!);
  });

  it("the dark page is dark, the Thai page explains the transfer amount, the CSP page reports violations", () => {
    expect(pages.get("/demo/dark")!.body).toContain('<body class="dark">');
    expect(pages.get("/demo/thai")!.body).toContain("floating_amount");
    const csp = pages.get("/demo/csp")!.body;
    expect(csp).toContain('<script src="/demo/assets/csp-report.js"></script>');
    expect(csp).toContain('id="csp-violations"');
    // Before the widget, so that nothing the widget does goes unheard.
    expect(csp.indexOf("csp-report.js")).toBeLessThan(csp.indexOf(`src="${ORIGIN}/widget.js"`));
  });

  it("every script and stylesheet the pages use is served, with its type", async () => {
    const assets = new Set<string>();
    for (const { body } of pages.values()) {
      for (const match of body.matchAll(/(?:src|href)="(\/demo\/assets\/[^"]+)"/g)) assets.add(match[1]!);
    }
    expect(assets.size).toBeGreaterThanOrEqual(6);
    for (const path of assets) {
      const response = await get(demo.app, path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Type"), path).toMatch(path.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
    }
  });

  it("the old widget demo address leads to the top-up page", async () => {
    const response = await get(demo.app, "/demo/widget");
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe("/demo/top-up");
  });

  it("a page opened under another name for the server (127.0.0.1) is sent to the public URL, where its widget.js is 'self'", async () => {
    const other = { headers: { host: "127.0.0.1:8787" } };
    for (const path of ["/", "/demo/top-up?amount=5", "/demo/sandbox"]) {
      const response = await demo.app.request(`http://127.0.0.1:8787${path}`, other);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("Location"), path).toBe(`${ORIGIN}${path}`);
    }
    // The API and the widget's files answer under any name: only pages move.
    expect((await demo.app.request("http://127.0.0.1:8787/api/options", other)).status).not.toBe(302);
    expect((await demo.app.request(`${ORIGIN}/demo/top-up`, { headers: { host: "localhost:8787" } })).status).toBe(200);
  });

  it("the panel has every control, and its script talks JSON to the sandbox's routes", () => {
    const body = pages.get("/demo/sandbox")!.body;
    for (const mode of ["error500", "malformed", "hang", "commit_then_fail", "commit_then_hang"]) expect(body).toContain(`data-mode="${mode}"`);
    for (const id of ["orders", "payouts", "payout-auto", "payout-processing", "payout-settle", "payout-fail-rate", "notify-drop", "notify-duplicate", "notify-reorder", "latency", "refuse-framing", "advance-clock", "all-off"]) {
      expect(body).toContain(`id="${id}"`);
    }
    const script = readFileSync(new URL("../../demo/shop/assets/panel.js", import.meta.url), "utf8");
    // One way to change anything, and it always says JSON (the sandbox refuses anything else).
    expect(script.match(/method:/g)).toHaveLength(1);
    expect(script).toContain('method: method, headers: { "Content-Type": "application/json" }');
    for (const route of ["/sandbox/api/state", "/sandbox/api/orders", "/sandbox/api/faults", "/sandbox/api/notify-faults", "/sandbox/api/latency", "/sandbox/api/framing", "/sandbox/api/clock/advance", "/sandbox/api/payouts/settings"]) {
      expect(script).toContain(`"${route}`);
    }
    expect(script).toMatch(/REFRESH_MS = 2000/);
  });

  it("the panel's order list has the server's side of each order, without secrets", async () => {
    const created = await demo.app.request(`${ORIGIN}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN, "Idempotency-Key": "demo-test-0001" },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const response = await get(demo.app, "/demo/api/orders");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const answer = (await response.json()) as { startedAt: number; orders: Record<string, unknown>[] };
    expect(answer.startedAt).toBeLessThanOrEqual(Date.now());
    const order = answer.orders.find((candidate) => candidate.id === id)!;
    expect(order).toMatchObject({ status: "pending", amount: "100.00", currency: "php", gatewayState: "created" });
    expect(order.history).toEqual([expect.objectContaining({ from: "none", to: "pending", source: "create" })]);
    for (const secret of ["paymentUrl", "idempotencyKey", "requestHash", "origin", "returnUrl"]) expect(order).not.toHaveProperty(secret);

    // The sandbox knows the same order by the same merchant_order_id: what the panel joins on.
    const sandbox = (await (await get(demo.app, "/sandbox/api/orders")).json()) as { orders: { merchant_order_id: string }[] };
    expect(sandbox.orders.map((o) => o.merchant_order_id)).toContain(order.merchantOrderId);
  });
});

describe("demo shop, live mode", () => {
  const app = new Hono();
  app.route("/", demoShop({ merchantName: "Live Shop", publicUrl: "https://pay.live-shop.example", sandbox: false }));

  it("has no panel, no order list and no SANDBOX banner", async () => {
    expect((await get(app, "/demo/sandbox")).status).toBe(404);
    expect((await get(app, "/demo/api/orders")).status).toBe(404);
    for (const path of PAGES.filter((p) => p !== "/demo/sandbox")) {
      const response = await get(app, path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Security-Policy"), path).toContain("script-src 'self'");
      const body = await response.text();
      expect(body, path).not.toContain("SANDBOX");
      expect(body, path).not.toContain("/demo/sandbox");
    }
  });

  it("still runs the same snippets", async () => {
    const body = await (await get(app, "/demo/top-up")).text();
    const snippet = codeBlocks(body).get("snippet-top-up")!;
    expect(occurrences(withoutCode(body), snippet)).toBe(1);
    // The server's own public URL, whatever it is: the one a merchant's page must load the widget from.
    expect(snippet).toMatch(/^<script src="https:\/\/pay\.live-shop\.example\/widget\.js" /);
  });
});
