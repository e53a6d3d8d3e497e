/**
 * The sandbox panel in Chromium, served as `npm start` serves it in sandbox mode (server, sandbox
 * mounted inside with the server's public URL, demo shop): payouts are listed apart from checkouts,
 * with their payee masked, and the operator completes or fails them with the panel's buttons.
 * Screenshots (phone, laptop) go to test-results/screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createSandboxGateway, type SandboxGateway } from "../../demo/sandbox/gateway.ts";
import { demoShop } from "../../demo/shop/routes.ts";
import { createCheckoutServer, type CheckoutServer } from "../../server/app.ts";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { createOctopusClient } from "../../server/gateway/client.ts";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import { serve, type Served } from "../support/serve.ts";
import { call, payoutFields } from "../support/sandbox.ts";
import { launchBrowser, SUITE_TIMEOUT, WAIT, warnIfNoChromium } from "./harness.ts";

const OUT = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

describe.skipIf(warnIfNoChromium("sandbox panel"))("sandbox panel: payouts", { timeout: SUITE_TIMEOUT }, () => {
  let served: Served;
  let sandbox: SandboxGateway;
  let checkout: CheckoutServer | undefined;
  let browser: Browser;
  let closeStore: () => Promise<void>;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const parsed = parseCheckoutConfig(JSON.parse(readFileSync(new URL("../../checkout.config.json", import.meta.url), "utf8")), "checkout.config.json");
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    const store = createSqliteStore({ filename: ":memory:" });
    await store.migrate();
    closeStore = () => store.close();
    // Bind first: the public URL (and so the sandbox's host and callback checks) needs the port.
    served = await serve({ fetch: (request, env) => checkout!.app.fetch(request, env) });
    sandbox = createSandboxGateway({
      publicUrl: served.url,
      callbackBaseUrl: served.url,
      payouts: { auto: false },
      fetch: (input, init) => Promise.resolve(checkout!.app.fetch(new Request(input, init))),
    });
    const gateway = createOctopusClient(
      { baseUrl: served.url, apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", timeoutMs: 2_000 },
      { fetch: (input, init) => Promise.resolve(sandbox.app.fetch(new Request(input, init))) },
    );
    checkout = createCheckoutServer({ config: parsed.config, store, gateway, publicUrl: served.url, sandbox, sweep: false, widget: null, logger: createLogger({ level: "error" }) });
    checkout.app.route("/", demoShop({ merchantName: parsed.config.merchantName, publicUrl: served.url, sandbox: true, store, products: parsed.config.products }));
    browser = await launchBrowser();
  }, SUITE_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await checkout?.close();
    sandbox?.close();
    await served?.close();
    await closeStore?.();
  });

  async function payout(id: string, fields: Record<string, string> = {}) {
    const result = await call(served.url, "new", payoutFields({ merchant_order_id: id, ...fields }));
    expect(result.status, result.text).toBe(200);
  }

  async function shoot(page: Page, name: string) {
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true, animations: "disabled", caret: "hide" });
  }

  it("lists payouts apart from checkouts, and completes and fails them by hand", async () => {
    const checkout = await fetch(`${served.url}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: served.url, "Idempotency-Key": "panel-test-checkout-0001" },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    });
    expect(checkout.status).toBe(201);
    await payout("po-withdrawal-1", { amount: "1500.00", to: "09171234567", to_name: "Jane Doe", to_bank_name: "gcash" });
    await payout("po-refund-2", { amount: "250.00", to: "09998887777", to_name: "Juan Cruz", accounting_type: "settle" });
    await payout("po-bkash-3", { currency: "bdt", payment: "bkash", country: "BD", amount: "800.00", to: "01712345678", to_name: "Rahim Uddin", to_bank_name: "bkash" });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${served.url}/demo/sandbox`);
    const payouts = page.locator("#payouts");
    const checkouts = page.locator("#orders");
    await payouts.locator("article.order").nth(2).waitFor({ timeout: WAIT });
    expect(await payouts.locator("article.order").count()).toBe(3);
    await checkouts.locator("article.order").first().waitFor({ timeout: WAIT });
    expect(await checkouts.locator("article.order").count()).toBe(1);
    expect(await checkouts.textContent()).not.toContain("po-");

    const first = payouts.locator('article[data-order="po-withdrawal-1"]');
    expect(await first.textContent()).toContain("Jane Doe");
    expect(await first.textContent()).toContain("•••• 4567");
    expect(await first.textContent()).not.toContain("09171234567");
    expect(await first.textContent()).toContain("Waits for you");
    await shoot(page, "panel-payouts-laptop");

    await first.getByRole("button", { name: "Complete" }).click();
    await first.locator(".badge", { hasText: "completed" }).waitFor({ timeout: WAIT });
    const second = payouts.locator('article[data-order="po-refund-2"]');
    await second.getByRole("button", { name: "Fail" }).click();
    await second.locator(".badge", { hasText: "failed" }).waitFor({ timeout: WAIT });
    expect(await second.textContent()).toContain("The transfer to the payee failed.");
    expect(sandbox.controls.getOrder("po-withdrawal-1")?.history.map((change) => change.status)).toEqual(["pending", "processing", "completed"]);
    expect(sandbox.controls.getOrder("po-refund-2")?.payment_status).toBe("failed");

    // The settings switch: payouts made from now on go through by themselves.
    await page.locator("#payout-auto").check();
    await page.locator("#panel-message", { hasText: "New payouts go to processing" }).waitFor({ timeout: WAIT });
    expect(sandbox.controls.state().payouts.auto).toBe(true);
    await context.close();

    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    await small.goto(`${served.url}/demo/sandbox#payouts-title`);
    await small.locator("#payouts article.order").nth(2).waitFor({ timeout: WAIT });
    // Nothing wider than the screen.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await small.evaluate(() => document.fonts.ready.then(() => undefined));
    await small.locator('section[aria-labelledby="payouts-title"]').screenshot({ path: `${OUT}panel-payouts-phone.png`, animations: "disabled", caret: "hide" });
    await phone.close();
  });
});
