/**
 * The payment link page (GET /pay/:session_id) in Chromium, at 320 px (the narrowest phone) and
 * 1280 px: each state renders without sideways scrolling, the widget's button appears under the
 * page's nonce-based CSP with no violation, and the pictures of each state are kept:
 *
 *   UPDATE_SCREENSHOTS=1 npx vitest run test/browser/pay-page.test.ts   → docs/screenshots/pay-*.png
 *
 * (otherwise test-results/screenshots/).
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { BrowserContextOptions } from "playwright-core";
import { PAY_PAGE_TEXT } from "../../server/http/pay-page-text.ts";
import { actOnPaymentPage, createCheckout } from "../support/stack.ts";
import { recordedViolations, SUITE_TIMEOUT, useBrowserStack, warnIfNoChromium } from "./harness.ts";
import { until } from "../support/time.ts";

const OUT = fileURLToPath(new URL(process.env.UPDATE_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../../test-results/screenshots/", import.meta.url));

const PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

const SIZES: Record<"320" | "1280", BrowserContextOptions> = {
  "320": { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  "1280": { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
};

describe.skipIf(warnIfNoChromium("payment link page"))("payment link page in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();
  const links: Record<"open" | "paid" | "expired" | "404", string> = { open: "", paid: "", expired: "", "404": "" };

  // After the suite's own beforeAll (hooks run in the order they are registered): its stack is up.
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const { stack } = suite;
    const make = async (body: Record<string, unknown>) =>
      (await stack.checkout.sessions.create({ body: body as never, idempotencyKey: crypto.randomUUID(), keyId: "test" })).session;
    const open = await make({ amount: "250.00", currency: "php", description: "2 × Iced latte, 1 × Ensaymada" });
    const paid = await make({ amount: "480.00", currency: "php", description: "Coffee beans, 500 g" });
    const response = await createCheckout(stack, { session: paid.id, country: "PH", payment: "gcash" });
    const order = (await response.json()) as { id: string; payment_url: string };
    await actOnPaymentPage(order.payment_url, "pay");
    await until(async () => (await stack.store.getSession(paid.id))?.status === "completed");
    const { session: expired } = await stack.store.insertSession({
      id: "cs_expiredEXPIREDexpiredx",
      amount: "150.00",
      currency: "php",
      country: null,
      payment: null,
      customer: null,
      description: "Weekend pastry box",
      metadata: {},
      returnUrl: null,
      idempotencyKey: null,
      requestHash: null,
      createdBy: null,
      createdAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 3_600_000,
    });
    links.open = `${stack.url}/pay/${open.id}`;
    links.paid = `${stack.url}/pay/${paid.id}`;
    links.expired = `${stack.url}/pay/${expired.id}`;
    links["404"] = `${stack.url}/pay/cs_AAAAAAAAAAAAAAAAAAAAAA`;
  }, SUITE_TIMEOUT);

  const cases = (["open", "paid", "expired", "404"] as const).flatMap((state) => (["320", "1280"] as const).map((size) => [state, size] as const));

  it.each(cases)("%s at %s px: fits, no CSP violation, screenshot", async (state, size) => {
    await suite.withShopper({ ...SIZES[size] }, async ({ page }) => {
      const response = await page.goto(links[state]);
      expect(response?.status()).toBe(state === "404" ? 404 : 200);
      if (state === "open") {
        // The widget ran under the page's nonce and rendered its button.
        await page.locator("octopus-checkout-button").getByRole("button").waitFor({ state: "visible" });
      }
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await recordedViolations(page)).toEqual([]);
      await page.screenshot({ path: `${OUT}pay-${state}-${size}.png`, fullPage: true, animations: "disabled", caret: "hide" });
    });
  });

  it("on a phone (redirect mode): paid on the gateway's page, the shopper lands back on the link, which says it is paid", async () => {
    const { stack } = suite;
    const session = (await stack.checkout.sessions.create({ body: { amount: "199.00", currency: "php", description: "Starter pack" } as never, idempotencyKey: crypto.randomUUID(), keyId: "test" })).session;
    const link = `${stack.url}/pay/${session.id}`;
    await suite.withShopper({ ...SIZES["320"], userAgent: PHONE_UA }, async ({ page }) => {
      await page.goto(link);
      await page.locator("octopus-checkout-button").getByRole("button").click();
      await page.getByRole("button", { name: "Pay ₱199.00" }).click();
      // Redirect mode: the whole tab goes to the gateway's page.
      await page.waitForURL((url) => !url.href.startsWith(stack.url + "/pay/"));
      await page.getByRole("button", { name: /^Pay\b/ }).click();
      await page.waitForURL((url) => url.href.startsWith(`${link}?octopus_checkout=`));
      await page.getByRole("heading", { name: PAY_PAGE_TEXT.en.paidTitle }).waitFor();
      expect(await page.getByText(PAY_PAGE_TEXT.en.statusPaid, { exact: false }).count()).toBeGreaterThan(0);
    });
  });

  it("on a laptop (popup): paid in the popup, Done leaves the shopper on the link saying it is paid, not on its Pay button", async () => {
    const { stack } = suite;
    const session = (await stack.checkout.sessions.create({ body: { amount: "149.00", currency: "php", description: "Refill" } as never, idempotencyKey: crypto.randomUUID(), keyId: "test" })).session;
    await suite.withShopper({ ...SIZES["1280"] }, async ({ page }) => {
      await page.goto(`${stack.url}/pay/${session.id}`);
      await page.locator("octopus-checkout-button").getByRole("button").click();
      const popupOpened = page.waitForEvent("popup");
      await page.locator("octopus-checkout").getByRole("button", { name: "Pay ₱149.00" }).click();
      const popup = await popupOpened;
      await popup.getByRole("button", { name: /^Pay\b/ }).click();
      await page.locator("octopus-checkout").getByRole("button", { name: "Done" }).click();
      await page.getByRole("heading", { name: PAY_PAGE_TEXT.en.paidTitle }).waitFor();
      expect(await page.locator("octopus-checkout-button").count()).toBe(0);
      expect(await recordedViolations(page)).toEqual([]);
    });
  });

  it("in Thai and Bengali at 320 px: the page's text in the language, nothing cut off", async () => {
    for (const locale of ["th", "bn"] as const) {
      await suite.withShopper({ ...SIZES["320"], locale }, async ({ page }) => {
        await page.goto(links.open);
        await page.getByRole("heading", { name: PAY_PAGE_TEXT[locale].request }).waitFor();
        await page.locator("octopus-checkout-button").getByRole("button").waitFor({ state: "visible" });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
        expect(await recordedViolations(page)).toEqual([]);
        await page.screenshot({ path: `${OUT}pay-open-${locale}-320.png`, fullPage: true, animations: "disabled", caret: "hide" });
      });
    }
  });
});
