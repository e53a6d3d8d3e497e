/**
 * Browser timings in Chromium, on the browser tests' stack (test/browser/harness.ts: a shop on one
 * origin, the checkout server on another, the sandbox gateway on a third), popup mode:
 *   - from the click on the dialog's Pay to the popup's DOMContentLoaded on the payment page
 *     (payment_url, after the popup's waiting page and the order's creation);
 *   - from the click on the sandbox page's Pay to the widget's "Payment received" in the shop.
 * Every stamp is the browser's own Date.now() (one clock for all pages), taken in the page by an
 * init script and handed to the bench through a binding: no Playwright polling inside a figure.
 */
import type { Browser } from "playwright-core";
import { createCheckout } from "../support/stack.ts";
import { dialogOf, dialogShows, launchBrowser, newShopper, payButton, pressOnPaymentPage, startBrowserStack, type BrowserStack } from "../browser/harness.ts";
import { median, percentile } from "./stats.ts";
import { fmt, kB, type Row } from "./table.ts";
import { measuredSizes } from "./size.ts";
import { LATENCY_MS } from "./server-load.ts";
import { sleep } from "../support/time.ts";

const RUNS = 10;
const PAID_TEXT = "Payment received";

type Stamp = "click" | "created" | "payment-page" | "gateway-pay" | "return-message" | "paid";

const STAMPS = `(() => {
  const stamp = (name) => { try { window.__benchStamp(name, Date.now()); } catch (e) {} };
  // The shop: the next click after the bench arms it (the dialog's Pay), the return page's message, the paid screen.
  let armed = false;
  window.__benchArm = () => { armed = true; };
  addEventListener("click", () => { if (armed) { armed = false; stamp("click"); } }, true);
  addEventListener("octopus-checkout:created", () => stamp("created"), true);
  addEventListener("message", (event) => {
    if (event.data && event.data.octopusCheckout && event.data.octopusCheckout.event === "return") stamp("return-message");
  }, true);
  let paid = false;
  const observed = new WeakSet();
  const check = () => {
    for (const host of document.querySelectorAll("octopus-checkout")) {
      const root = host.shadowRoot;
      if (!root) continue;
      if (!observed.has(root)) {
        observed.add(root);
        new MutationObserver(check).observe(root, { subtree: true, childList: true, characterData: true });
      }
      if (!paid && root.textContent.includes(${JSON.stringify(PAID_TEXT)})) { paid = true; stamp("paid"); }
    }
  };
  // The gateway's payment page, in the popup: its DOMContentLoaded and the shopper's click on Pay.
  const paymentPage = location.pathname.startsWith("/octopus/pay/");
  if (paymentPage) {
    addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("button") : null;
      if (button && button.value === "pay") stamp("gateway-pay");
    }, true);
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (paymentPage) stamp("payment-page");
    new MutationObserver(check).observe(document.documentElement, { subtree: true, childList: true });
    check();
  });
})();`;

async function oneRun(browser: Browser, stack: BrowserStack) {
  const stamps: Partial<Record<Stamp, number>> = {};
  const { context, page } = await newShopper(browser, { init: STAMPS });
  await context.exposeBinding("__benchStamp", (_source, name: Stamp, at: number) => {
    stamps[name] ??= at;
  });
  const stamped = async (...names: Stamp[]) => {
    const deadline = Date.now() + 10_000;
    while (names.some((name) => stamps[name] === undefined)) {
      if (Date.now() > deadline) throw new Error(`no ${names.filter((name) => stamps[name] === undefined).join(", ")} stamp`);
      await sleep(5);
    }
  };
  try {
    await page.goto(stack.embedUrl("popup"));
    await payButton(page).click();
    const pay = dialogOf(page).getByRole("button", { name: "Pay ₱100.00" });
    await pay.waitFor();
    await page.evaluate(() => (window as unknown as { __benchArm(): void }).__benchArm());
    const popupOpened = page.waitForEvent("popup");
    await pay.click();
    const popup = await popupOpened;
    await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`, { waitUntil: "domcontentloaded" });
    await stamped("click", "payment-page");
    // What the widget is told when it asks after Pay, in order (its asks go to GET /api/checkout/:id).
    const answers: string[] = [];
    page.on("response", (response) => {
      const request = response.request();
      if (request.method() !== "GET" || !new URL(response.url()).pathname.startsWith("/api/checkout/")) return;
      // Only asks made after Pay (a poll already under way when Pay was clicked does not count).
      if (stamps["gateway-pay"] === undefined || request.timing().startTime < stamps["gateway-pay"]) return;
      void response.json().then((order: { status?: string }) => answers.push(order.status ?? "?"), () => answers.push("?"));
    });
    await pressOnPaymentPage(popup, "Pay");
    await dialogShows(page, PAID_TEXT);
    await stamped("gateway-pay", "paid");
    return {
      toPaymentPage: stamps["payment-page"]! - stamps.click!,
      toCreated: stamps.created === undefined ? undefined : stamps.created - stamps.click!,
      toPaid: stamps.paid! - stamps["gateway-pay"]!,
      toldProcessing: answers[0] !== undefined && answers[0] !== "completed",
      toReturnMessage: stamps["return-message"] === undefined ? undefined : stamps["return-message"] - stamps["gateway-pay"]!,
    };
  } finally {
    await context.close();
  }
}

export async function browserRows(): Promise<Row[]> {
  // The server's default refreshAfterSeconds (5 s), as in the load rows, rather than the tests' 1 s.
  const stack = await startBrowserStack({ config: { refreshAfterSeconds: 5 } });
  let browser: Browser | undefined;
  try {
    stack.sandbox.controls.setLatency(LATENCY_MS);
    // The same POST with no browser running, for comparison with what the server logs during the runs.
    const alone: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const response = await createCheckout(stack, { amount: "100.00", currency: "php", country: "PH", payment: "gcash" }, { "Idempotency-Key": `bench-alone-${i}` });
      await response.text();
      if (response.status !== 201) throw new Error(`POST /api/checkout answered ${response.status}`);
      alone.push(performance.now() - started);
    }
    browser = await launchBrowser();
    // One run to warm the browser, the server and the caches; then the measured runs.
    await oneRun(browser, stack);
    const logged = stack.logs.length;
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, stack));
    const toPaymentPage = runs.map((run) => run.toPaymentPage);
    const toPaid = runs.map((run) => run.toPaid);
    const toCreated = runs.flatMap((run) => (run.toCreated === undefined ? [] : [run.toCreated]));
    const told = runs.filter((run) => run.toldProcessing);
    const serverMs = stack.logs.slice(logged).flatMap((line) => {
      const entry = JSON.parse(line) as { msg?: string; method?: string; path?: string; ms?: number };
      return entry.msg === "request" && entry.method === "POST" && entry.path === "/api/checkout" && typeof entry.ms === "number" ? [entry.ms] : [];
    });
    const preflights = stack.logs.slice(logged).filter((line) => line.includes('"method":"OPTIONS"') && line.includes('"path":"/api/checkout"')).length;
    const toReturn = runs.flatMap((run) => (run.toReturnMessage === undefined ? [] : [run.toReturnMessage]));
    const setting = `Chromium (headless), popup mode, sandbox at ${LATENCY_MS} ms, ${RUNS} runs after one warm-up`;
    return [
      {
        what: "click on the dialog's Pay → payment page in the popup (DOMContentLoaded)",
        figure: `${fmt(median(toPaymentPage), 0)} ms median`,
        note: `max ${fmt(Math.max(...toPaymentPage), 0)} ms, min ${fmt(Math.min(...toPaymentPage), 0)} ms; ${setting}; the popup opens at once on the widget server's waiting page; the widget's "created" event (POST /api/checkout answered, gateway's order/new included) comes a median ${toCreated.length ? fmt(median(toCreated), 0) : "?"} ms after the click (the server logs a median ${fmt(median(serverMs), 0)} ms for that POST, ${fmt(median(alone), 0)} ms for the same POST sent before the browser started: Chromium and the server share the two cores; each run is a fresh browser context, so ${preflights} CORS preflights in ${RUNS} runs), the rest is the popup's cross-origin navigation to payment_url`,
      },
      {
        what: `gateway's "paid" (Pay on the sandbox page) → widget shows "${PAID_TEXT}"`,
        figure: `${fmt(median(toPaid), 0)} ms median, ${fmt(Math.max(...toPaid), 0)} ms max`,
        note: `min ${fmt(Math.min(...toPaid), 0)} ms; ${setting}; the return page's message comes a median ${toReturn.length ? fmt(median(toReturn), 0) : "?"} ms after Pay and nudges the widget to ask at once; in ${told.length} of ${RUNS} runs that ask beat the gateway's notification to the server (which re-reads the order from the gateway before storing it), was told "processing", and the paid screen waited for the widget's next poll (back-off from 1.5 s, ×1.6, up to 15 s): median ${told.length ? fmt(median(told.map((run) => run.toPaid)), 0) : "–"} ms in those runs, ${told.length < RUNS ? fmt(median(runs.filter((run) => !run.toldProcessing).map((run) => run.toPaid)), 0) : "–"} ms in the others`,
      },
    ];
  } finally {
    await browser?.close();
    await stack.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Click on the pay button → the dialog visible, prefetched and cold.

/** The goals (ms, Chromium on loopback), held to the p95 of the runs: a click should almost never wait. */
export const DIALOG_GOALS = { prefetched: 150, cold: 400 };
// 30 of each: with 15, the p95 is the slowest run, and one hiccup of a shared machine decides the verdict.
const DIALOG_RUNS = 30;

/**
 * Stamps, in the shop page's own clock (performance.now()): the click on our pay button, the moment
 * <octopus-checkout>'s <dialog> is open in the DOM (a MutationObserver callback, in the task that
 * rendered it), the next animation frame (the frame that paints it), and the form's Pay button.
 * `cold`: the page's idle callbacks never run, so nothing is fetched ahead of the click.
 */
const dialogStamps = (cold: boolean) => `(() => {
  ${cold ? "window.requestIdleCallback = () => 0;" : ""}
  const t = (window.__dialogTiming = {});
  addEventListener("click", (event) => {
    if (t.click === undefined && event.composedPath().some((node) => node.localName === "octopus-checkout-button")) t.click = performance.now();
  }, true);
  const check = () => {
    const root = document.querySelector("octopus-checkout")?.shadowRoot;
    if (!root) return;
    const dialog = root.querySelector("dialog");
    if (dialog && dialog.open && t.open === undefined) {
      t.open = performance.now();
      requestAnimationFrame(() => { t.painted = performance.now(); });
      new MutationObserver(check).observe(root, { subtree: true, childList: true });
    }
    if (t.form === undefined && root.querySelector("form button[type=submit]")) t.form = performance.now();
  };
  document.addEventListener("DOMContentLoaded", () => new MutationObserver(check).observe(document.body, { childList: true }));
})();`;

interface DialogRun {
  toPainted: number;
  toForm: number;
}

async function oneDialogRun(browser: Browser, stack: BrowserStack, cold: boolean): Promise<DialogRun> {
  // A fresh context each run: its HTTP cache is empty, as on a first visit.
  const { context, page } = await newShopper(browser, { init: dialogStamps(cold) });
  try {
    await page.goto(stack.embedUrl("popup"));
    const button = payButton(page, "Pay ₱100.00");
    await button.waitFor();
    if (cold) {
      // Nothing of the dialog fetched yet: no idle prefetch, no intent.
      if (await page.evaluate(() => "OctopusCheckoutDialog" in window)) throw new Error("the cold run's dialog was fetched before the click");
    } else {
      // The idle prefetch has brought the dialog (and its setup check has asked the server's options).
      await page.waitForFunction(() => "OctopusCheckoutDialog" in window);
      await page.waitForLoadState("networkidle");
    }
    await button.click();
    await page.waitForFunction(() => {
      const t = (window as unknown as { __dialogTiming: Record<string, number> }).__dialogTiming;
      return t.painted !== undefined && t.form !== undefined;
    });
    const t = await page.evaluate(() => (window as unknown as { __dialogTiming: Record<"click" | "painted" | "form", number> }).__dialogTiming);
    return { toPainted: t.painted - t.click, toForm: t.form - t.click };
  } finally {
    await context.close();
  }
}

/** The click → dialog rows: prefetched and cold, alternating, against their goals, beside the sizes that decide them. */
export async function dialogTimingRows(): Promise<Row[]> {
  const stack = await startBrowserStack();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    // One of each to warm the browser and the server; then the measured runs, alternating.
    await oneDialogRun(browser, stack, true);
    await oneDialogRun(browser, stack, false);
    const runs: Record<"prefetched" | "cold", DialogRun[]> = { prefetched: [], cold: [] };
    for (let i = 0; i < DIALOG_RUNS; i++) {
      runs.cold.push(await oneDialogRun(browser, stack, true));
      runs.prefetched.push(await oneDialogRun(browser, stack, false));
    }
    const sizes = await measuredSizes();
    const setting = `Chromium (headless), loopback, shop and checkout server on two origins, ${DIALOG_RUNS} runs each (alternating, after one warm-up of each), each in a fresh browser context`;
    const row = (kind: "prefetched" | "cold", how: string): Row => {
      const painted = runs[kind].map((run) => run.toPainted).sort((a, b) => a - b);
      const form = runs[kind].map((run) => run.toForm).sort((a, b) => a - b);
      const p95 = percentile(painted, 95);
      const goal = DIALOG_GOALS[kind];
      return {
        what: `click on the pay button → dialog visible, ${kind}`,
        figure: `${fmt(median(painted), 0)} ms median, ${fmt(p95, 0)} ms p95`,
        note: `goal ≤ ${goal} ms at p95: ${p95 <= goal ? "PASS" : "FAIL"}. ${how}; "visible": the first animation frame after the <dialog> is open (it shows its loading screen while it asks the server for its options); the form's Pay button a median ${fmt(median(form), 0)} ms (p95 ${fmt(percentile(form, 95), 0)} ms) after the click. ${setting}. What it loads (brotli: Chromium on loopback takes it): widget.js ${kB(sizes.loader.brotli)} at page load, then ${sizes.dialogFile} ${kB(sizes.dialog.brotli)} (${kB(sizes.loader.gzip)} and ${kB(sizes.dialog.gzip)} gzip); Polar's embed script is ${kB(sizes.polar.gzip)} gzip, the single widget.js of before the split ${kB(sizes.singleFileBefore)}`,
      };
    };
    return [
      row("prefetched", "the dialog file already fetched by the loader's idle prefetch (its setup check has asked the server's options too)"),
      row("cold", "empty cache and no prefetch (the page's idle callbacks never run): the click fetches the dialog file, then the dialog asks the server's options"),
    ];
  } finally {
    await browser?.close();
    await stack.close();
  }
}
