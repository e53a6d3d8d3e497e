/**
 * Browser tests of the embeddable widget: the real bundle (dist/widget/widget.js, rebuilt when the
 * widget's sources are newer), the checkout server and the sandbox gateway from test/support/stack.ts,
 * and a merchant's shop on a third origin, so that the widget runs cross-origin as it does on a real
 * shop:
 *
 *   shop   http://127.0.0.1:<a>   pages with the script tag, triggers, the JS API, a strict CSP, Thai
 *   server http://127.0.0.1:<b>   widget.js, /api/checkout, return page, translations
 *   gateway http://127.0.0.1:<c>  the sandbox's API and hosted payment page (payment_url)
 *
 * Chromium is Debian's (/usr/bin/chromium): Playwright's own browser download does not work here.
 * Without it every browser suite skips with a warning that says so.
 */
import { afterAll, beforeAll } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { html, raw } from "hono/html";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type FrameLocator, type Page } from "playwright-core";
import { readWidgetBuild, type WidgetBundle } from "../../server/http/widget-assets.ts";
import type { CheckoutConfigInput } from "../../server/checkout-config.ts";
import type { SandboxOrderView } from "../../demo/sandbox/controls.ts";
import { MERCHANT } from "../support/sandbox.ts";
import { serve, type Served } from "../support/serve.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { viteBuild } from "../support/vite-build.ts";
import { sleep } from "../support/time.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Whether the browser suites run; when not, they skip and say why, once per file. */
export const hasChromium = existsSync(CHROMIUM_PATH);
export function warnIfNoChromium(suite: string): boolean {
  if (!hasChromium) console.warn(`${suite}: skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`);
  return !hasChromium;
}

/** Browser flows wait on real timers (popup, polling back-off up to 15 s): generous limits. */
export const SUITE_TIMEOUT = 120_000;
export const WAIT = 30_000;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLE = join(ROOT, "dist/widget/widget.js");
const LOCK = join(ROOT, "dist/.widget-build.lock");

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const bundleIsStale = () => !existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < Math.max(newestMtime(join(ROOT, "widget")), newestMtime(join(ROOT, "vite.config.ts")));


/**
 * The widget's build (widget.js and its dialog file), built with `npx vite build` when
 * dist/widget/widget.js is missing or older than anything in widget/. Test files may run in
 * parallel workers: a lock directory makes one of them build while the others wait.
 */
export async function ensureWidgetBuilt(): Promise<WidgetBundle> {
  if (bundleIsStale()) {
    mkdirSync(join(ROOT, "dist"), { recursive: true });
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        mkdirSync(LOCK);
        break;
      } catch {
        // Another worker is building; a lock older than a minute is left over from a killed run.
        if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 60_000) rmSync(LOCK, { recursive: true, force: true });
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${LOCK}`);
        await sleep(200);
      }
    }
    try {
      if (bundleIsStale()) await viteBuild();
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  const built = await readWidgetBuild(new URL("dist/widget/", `file://${ROOT}`));
  if (!built?.dialogs.size) throw new Error("vite build left no widget.js or no dialog file in dist/widget/");
  return built;
}

export function readTranslations(): Record<string, string> {
  const dir = join(ROOT, "widget/i18n");
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => [file.replace(/\.json$/, ""), readFileSync(join(dir, file), "utf8")]),
  );
}

export function readMessages(locale: string): Record<string, string> {
  return JSON.parse(readFileSync(join(ROOT, `widget/i18n/${locale}.json`), "utf8")) as Record<string, string>;
}

/** A shopper: a fresh browser context (own storage, so no order is resumed from another test) and its page. */
export interface Shopper {
  context: BrowserContext;
  page: Page;
}

export type ShopperOptions = BrowserContextOptions & { init?: string };

type AsShopper<T> = (shopper: Shopper & { stack: BrowserStack }) => Promise<T>;

/** What useBrowserStack gives a describe block. */
export interface BrowserSuite {
  /** The block's stack: there once its beforeAll has run, so read it inside a test or a later hook. */
  readonly stack: BrowserStack;
  /**
   * Runs `test` as a new shopper (newShopper's context and page, with the block's stack) and closes
   * the shopper's context after it, passed or failed.
   */
  withShopper<T>(test: AsShopper<T>): Promise<T>;
  withShopper<T>(options: ShopperOptions, test: AsShopper<T>): Promise<T>;
}

/**
 * One server stack and one browser for the tests of a describe block, started before them and
 * closed after them.
 *
 * @example
 *   const suite = useBrowserStack();
 *   it("pays", () => suite.withShopper(async ({ stack, page }) => { await page.goto(stack.embedUrl("popup")); }));
 */
export function useBrowserStack(): BrowserSuite {
  let stack: BrowserStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startBrowserStack();
    browser = await launchBrowser();
  }, SUITE_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  const ready = () => {
    if (!stack || !browser) throw new Error("the browser stack is not started yet: use it inside a test");
    return { stack, browser };
  };
  return {
    get stack() {
      return ready().stack;
    },
    async withShopper<T>(...args: [ShopperOptions, AsShopper<T>] | [AsShopper<T>]) {
      const [options, test] = args.length === 2 ? args : [{}, args[0]];
      const { stack, browser } = ready();
      const shopper = await newShopper(browser, options);
      try {
        return await test({ ...shopper, stack });
      } finally {
        await shopper.context.close();
      }
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------------
// The merchant's shop: a second origin, allowed by the server through `extraOrigins`.

/** Attributes of the script tag (without `data-`), as a merchant writes them. */
export type Attributes = Record<string, string>;

export const PHP_100: Attributes = { amount: "100.00", currency: "php", country: "PH", payment: "gcash" };
export const THB_500: Attributes = { amount: "500.00", currency: "thb", country: "TH", locale: "th" };
/** The form with choices: two methods, preset amounts and "Other amount". */
export const PHP_PRESETS: Attributes = { amounts: "100.00,500.00,1000.00", currency: "php", country: "PH", label: "Top up" };

const SHOP_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1e293b;background:#f8fafc}
.top{background:#1e293b;color:#f8fafc;padding:12px 20px;font-weight:700;letter-spacing:.02em}
main{max-width:640px;margin:0 auto;padding:24px 20px}
h1{font-size:1.6rem;margin:0 0 .25rem}
.lead{color:#475569;margin:0 0 1.25rem}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:14px;padding:20px;display:grid;gap:12px}
.price{font-size:1.25rem;font-weight:700}
.buy{font:inherit;font-weight:600;border:0;border-radius:10px;padding:.6em 1em;background:#7c3aed;color:#fff;cursor:pointer;min-height:44px}
a.buy{display:inline-block;text-decoration:none;text-align:center}`;

// The shop's own script on the JS API page: the merchant calls window.OctopusCheckout itself.
const API_JS = `(function () {
  var params = new URLSearchParams(location.search);
  var options = { amount: "150.00", currency: "php", country: "PH", payment: "gcash" };
  if (params.get("mode")) options.mode = params.get("mode");
  window.__callbacks = [];
  function record(name) { return function (detail) { window.__callbacks.push({ name: name, detail: detail }); }; }
  options.onSuccess = record("success"); options.onPending = record("pending");
  options.onFailure = record("failure"); options.onClose = record("close");
  document.getElementById("open").addEventListener("click", function () {
    window.OctopusCheckout.open(options).then(function (result) { window.__result = result; });
  });
  window.OctopusCheckout.mount(document.getElementById("slot"), { amount: "75.00", currency: "php", country: "PH", payment: "maya", mode: params.get("mode") || "popup", label: "Pay with Maya" });
})();
`;

/** Records what a test asserts on, in every page and frame: the widget's DOM events and CSP violations. */
const RECORDER = `(() => {
  window.__events = [];
  window.__violations = [];
  for (const name of ["open", "created", "pending", "success", "failure", "close", "error"]) {
    window.addEventListener("octopus-checkout:" + name, (event) => {
      window.__events.push({ type: event.type, target: event.target && event.target.localName, detail: event.detail });
    }, true);
  }
  window.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push({ directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile, sample: event.sample });
  }, true);
})();`;

function shopApp(server: string, gateway: string, pasted: { markup: string }) {
  const attrs = (query: Record<string, string>, defaults: Attributes) => {
    const given = Object.entries(query).filter(([name]) => /^[a-z][a-z-]*$/.test(name));
    return given.length ? Object.fromEntries(given) : defaults;
  };
  const scriptTag = (attributes: Attributes) => {
    // hono/html escapes every value; the attribute names are checked above.
    const list = Object.entries(attributes).map(([name, value]) => html` data-${raw(name)}="${value}"`);
    return html`<script src="${server}/widget.js"${list} async></script>`;
  };
  const page = (title: string, body: unknown, lang = "en") => html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/shop.css">
</head>
<body>
<div class="top">Sunrise Coffee</div>
<main>
${body}
</main>
</body>
</html>`;
  const COPY = {
    en: { title: "Top up your coffee card", lead: "Pay by e-wallet or bank transfer. Your balance updates as soon as the payment is received.", card: "Coffee card" },
    th: { title: "เติมเงินบัตรกาแฟ", lead: "ชำระผ่านพร้อมเพย์ ยอดเงินในบัตรจะอัปเดตทันทีที่ได้รับการชำระเงิน", card: "บัตรกาแฟ" },
  };
  const topUp = (attributes: Attributes, lang: keyof typeof COPY = "en") => html`<h1>${COPY[lang].title}</h1>
<p class="lead">${COPY[lang].lead}</p>
<div class="card"><span class="price">${COPY[lang].card}</span>${scriptTag(attributes)}</div>`;

  return new Hono()
    .get("/shop.css", (c) => c.body(SHOP_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }))
    .get("/assets/api.js", (c) => c.body(API_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" }))
    .get("/favicon.ico", (c) => c.body(null, 204))
    // Whatever markup the test pasted (stack.paste): a snippet copied from the demo onto the shop's own page.
    .get("/pasted", (c) => c.html(page("Pasted", html`<div class="card">${raw(pasted.markup)}</div>`)))
    // One script tag, in the given mode (popup, iframe, redirect or auto); other attributes by query.
    .get("/embed/:mode{auto|popup|iframe|redirect}", (c) => c.html(page(`Embed: ${c.req.param("mode")}`, topUp({ ...attrs(c.req.query(), PHP_100), mode: c.req.param("mode") }))))
    // The merchant's own elements as triggers; the script tag has no data-* and renders nothing.
    .get("/triggers", (c) =>
      c.html(
        page(
          "Triggers",
          html`<h1>Gift cards</h1>
<div class="card">
<button class="buy" type="button" data-octopus-checkout data-amount="250.00" data-currency="php" data-country="PH" data-payment="maya" data-mode="iframe">Buy a ₱250 gift card</button>
<a class="buy" href="/no-js" data-octopus-checkout data-product="starter-pack" data-mode="iframe">Buy the starter pack</a>
</div>
<script src="${server}/widget.js" async></script>`,
        ),
      ),
    )
    // window.OctopusCheckout.open() and .mount() from the shop's own script.
    .get("/api-page", (c) =>
      c.html(
        page(
          "JS API",
          html`<h1>JavaScript API</h1>
<div class="card"><button class="buy" type="button" id="open">Checkout</button><div id="slot"></div></div>
<script src="${server}/widget.js"></script>
<script src="/assets/api.js"></script>`,
        ),
      ),
    )
    // A shop that locks itself down: scripts, connections and frames only from the checkout server.
    // `?frame=gateway` also allows the gateway's payment page in a frame (iframe mode needs it when
    // the gateway is on an origin of its own, as here).
    .get("/csp", (c) => {
      const frames = c.req.query("frame") === "gateway" ? `${server} ${gateway}` : server;
      c.header("Content-Security-Policy", `default-src 'none'; script-src ${server}; style-src 'self'; connect-src ${server}; frame-src ${frames}; img-src 'self'`);
      const mode = c.req.query("mode") === "iframe" ? "iframe" : "popup";
      return c.html(page("Strict CSP", topUp({ ...PHP_100, mode })));
    })
    // Thai: a thb order has a floating amount, shown in Thai.
    // `?locale=en` for the same order in English, `?mode=iframe` for another mode.
    .get("/thb", (c) => {
      const lang = c.req.query("locale") === "en" ? "en" : "th";
      return c.html(page("Sunrise Coffee", topUp({ ...THB_500, locale: lang, mode: c.req.query("mode") ?? "popup" }, lang), lang));
    });
}

export interface BrowserStack extends Stack {
  shop: Served;
  /** The shop's origin, e.g. http://127.0.0.1:41234. */
  shopUrl: string;
  /** The same shop on an origin the server does not allow: a snippet copied to a site not set up. */
  strangerUrl: string;
  /** The sandbox gateway's origin (payment_url lives there). */
  gatewayUrl: string;
  /** Puts `markup` in a page of the shop's own (a snippet a merchant copied); returns its URL. */
  paste(markup: string): string;
  /** /embed/<mode>, with the script tag's attributes (default PHP_100). */
  embedUrl(mode: "auto" | "popup" | "iframe" | "redirect", attributes?: Attributes): string;
  /** A checkout session made through the merchant API (POST /api/v1/sessions), as a merchant's server would. */
  createSession(body: Record<string, unknown>): Promise<{ id: string }>;
  /** The sandbox's view of the order behind a checkout id. */
  gatewayOrder(checkoutId: string): Promise<SandboxOrderView>;
  gatewayOrderCount(): number;
}

const MERCHANT_KEY = "sk_test_browser_0123456789abcdefghijklmnopq";

export async function startBrowserStack(options: { config?: Partial<CheckoutConfigInput> } = {}): Promise<BrowserStack> {
  const widget = await ensureWidgetBuilt();
  // The shop must be on the server's allow-list and the shop's pages need the server's URL: bind first.
  let shop: Hono | undefined;
  const shopServed = await serve({ fetch: (request) => shop!.fetch(request) });
  const strangerServed = await serve({ fetch: (request) => shop!.fetch(request) });
  const merchantName = options.config?.merchantName ?? "Sunrise Coffee";
  const stack = await startStack({
    config: { ...options.config, merchantName },
    // The gateway's payment page names the shop the dialog names, as npm start's sandbox does: the
    // README's pictures of it come from here, and "Pay to Sandbox Shop" read as someone else's page.
    sandbox: { merchants: [{ ...MERCHANT, merchantName }] },
    server: {
      widget,
      translations: readTranslations(),
      extraOrigins: [shopServed.url],
      // The merchant's server's key, for checkout sessions.
      secretKeys: [MERCHANT_KEY],
      // Every browser request comes from 127.0.0.1: the per-address create limit is not under test.
      rateLimit: { windowMs: 60_000, max: 10_000 },
    },
  });
  const pasted = { markup: "" };
  shop = shopApp(stack.url, stack.gatewayServed.url, pasted);
  return {
    ...stack,
    shop: shopServed,
    shopUrl: shopServed.url,
    strangerUrl: strangerServed.url,
    gatewayUrl: stack.gatewayServed.url,
    paste(markup) {
      pasted.markup = markup;
      return `${shopServed.url}/pasted`;
    },
    embedUrl: (mode, attributes = PHP_100) => `${shopServed.url}/embed/${mode}?${new URLSearchParams(attributes)}`,
    async gatewayOrder(checkoutId) {
      const record = await stack.store.get(checkoutId);
      if (!record) throw new Error(`no checkout ${checkoutId} in the store`);
      const order = stack.sandbox.controls.getOrder(record.merchantOrderId);
      if (!order) throw new Error(`no order ${record.merchantOrderId} at the sandbox`);
      return order;
    },
    gatewayOrderCount: () => stack.sandbox.controls.listOrders().length,
    async createSession(body) {
      const response = await fetch(`${stack.url}/api/v1/sessions`, { method: "POST", headers: { Authorization: `Bearer ${MERCHANT_KEY}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST /api/v1/sessions answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { id: string };
    },
    async close() {
      await stack.close();
      await shopServed.close();
      await strangerServed.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shoppers, and what a test reads off their pages.

export async function newShopper(browser: Browser, options: ShopperOptions = {}): Promise<Shopper> {
  const { init, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", ...contextOptions });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript(RECORDER);
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  return { context, page };
}

/** The pay button a script tag renders (in the shadow root of <octopus-checkout-button>). */
export const payButton = (page: Page, name: RegExp | string = /Pay/) => page.locator("octopus-checkout-button").getByRole("button", { name });
/** The widget's <dialog>, inside the shadow root of <octopus-checkout>. */
export const dialogOf = (page: Page) => page.locator("octopus-checkout").getByRole("dialog");

/** Waits until the dialog shows `text` (a result screen's title, say). */
export async function dialogShows(page: Page, text: string | RegExp, timeout = WAIT): Promise<void> {
  await dialogOf(page).getByText(text).first().waitFor({ state: "visible", timeout });
}

export interface RecordedEvent {
  type: string;
  target: string | null;
  detail: { id: string | null; status: string | null; amount: string | null; floatingAmount: string | null; currency: string | null } | null;
}

export const recordedEvents = (page: Page) => page.evaluate(() => (window as unknown as { __events: RecordedEvent[] }).__events);
export const recordedViolations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: unknown[] }).__violations);

export async function waitForEvent(page: Page, type: string, timeout = WAIT): Promise<RecordedEvent> {
  const handle = await page.waitForFunction((name) => (window as unknown as { __events: RecordedEvent[] }).__events.find((event) => event.type === name), `octopus-checkout:${type}`, { timeout });
  return (await handle.jsonValue()) as RecordedEvent;
}

/** The id of the order the widget made, from its `created` event. */
export async function createdId(page: Page): Promise<string> {
  const event = await waitForEvent(page, "created");
  if (!event.detail?.id) throw new Error("created event without an id");
  return event.detail.id;
}

/** Presses one of the sandbox payment page's buttons ("Pay ₱100.00", "Fail", "Reject"), in a page or a frame. */
export async function pressOnPaymentPage(where: Page | FrameLocator, button: "Pay" | "Fail" | "Reject"): Promise<void> {
  const name = button === "Pay" ? /^Pay\b/ : button;
  await where.getByRole("button", { name }).click();
}

/** Resolves when `page` is closed (at once if it already is). */
export async function closed(page: Page, timeout = WAIT): Promise<void> {
  if (!page.isClosed()) await page.waitForEvent("close", { timeout }).catch((error: unknown) => {
    if (!page.isClosed()) throw error;
  });
}

/**
 * Closes a window (the payment popup), as its shopper does, within `timeout`; else fails saying so.
 * page.close() has no timeout of its own, and Chromium acknowledges a close that lands while the
 * window's navigation commits and then drops it (a known Chromium bug; playwright-core 1.65 sends
 * the close once): the window stays open and page.close() waits for good. So close a window once
 * its page has loaded (wait for its URL first), never while it is still on its way somewhere.
 */
export async function closeWindow(page: Page, timeout = WAIT): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`closing the window at ${page.url()}: still open after ${timeout} ms (a close that raced a navigation?)`)), timeout);
  });
  try {
    await Promise.race([page.close(), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** The element that has focus, looking through shadow roots; `inDialog` when it is inside the widget's dialog. */
export function focusedElement(page: Page) {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    const root = active?.getRootNode();
    const host = root instanceof ShadowRoot ? root.host.localName : null;
    return { tag: active?.localName ?? null, text: active?.textContent?.trim() ?? "", host, inDialog: !!active?.closest("dialog") };
  });
}
