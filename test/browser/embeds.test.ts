/**
 * The other ways in: the merchant's own elements with `data-octopus-checkout`, and the JavaScript
 * API (`OctopusCheckout.open()` with callbacks and a promise, `mount()`).
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { demoShop } from "../../demo/shop/routes.ts";
import {
  SUITE_TIMEOUT,
  createdId,
  dialogOf,
  dialogShows,
  pressOnPaymentPage,
  waitForEvent,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

interface Callback {
  name: string;
  detail: { id: string | null; status: string | null } | null;
}

describe.skipIf(warnIfNoChromium("browser embeds"))("triggers and the JavaScript API, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  it("a snippet copied from the demo works on the merchant's own site: it loads widget.js from the checkout server's public URL", async () => {
    // The demo as the checkout server serves it (its public URL is this stack's server), read as a merchant would copy it.
    const { url } = suite.stack;
    const demo = demoShop({ merchantName: "Sunrise Coffee", publicUrl: url, sandbox: false });
    const body = await (await demo.request(`${url}/demo/top-up`)).text();
    const code = /<pre><code id="snippet-top-up">([\s\S]*?)<\/code><\/pre>/.exec(body)![1]!;
    const snippet = code.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    await suite.withShopper(async ({ stack, page }) => {
      // The shop is on another origin than the checkout server (and allowed by it).
      await page.goto(stack.paste(snippet));
      await page.locator("octopus-checkout-button").getByRole("button", { name: "Top up" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).waitFor();
    });
  });

  it("a merchant's <button data-octopus-checkout> opens the checkout with its own attributes; events fire on it", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/triggers`);
      // The script tag has no data-*: it renders no button of its own.
      expect(await page.locator("octopus-checkout-button").count()).toBe(0);
      await page.getByRole("button", { name: "Buy a ₱250 gift card" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).click();
      const id = await createdId(page);
      const order = await stack.gatewayOrder(id);
      expect(order).toMatchObject({ amount: "250.00", payment: "maya", currency: "php" });
      // data-mode="iframe" on the trigger.
      const frame = dialogOf(page).locator("iframe");
      await frame.waitFor();
      await pressOnPaymentPage(frame.contentFrame(), "Pay");
      await dialogShows(page, "Payment received");
      const success = await waitForEvent(page, "success");
      expect(success).toMatchObject({ target: "button", detail: { id, status: "completed", amount: "250.00" } });
    });
  });

  it("a link trigger with data-product sells the server-priced product, and the link does not navigate", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/triggers`);
      const before = page.url();
      await page.getByRole("link", { name: "Buy the starter pack" }).click();
      const dialog = dialogOf(page);
      await dialogShows(page, "Starter pack");
      await dialog.getByRole("button", { name: "Pay ₱199.00" }).click();
      const id = await createdId(page);
      expect(await stack.gatewayOrder(id)).toMatchObject({ amount: "199.00", currency: "php" });
      expect((await stack.store.get(id))?.product).toBe("starter-pack");
      expect(page.url()).toBe(before);
    });
  });

  async function callbacks(page: Page): Promise<Callback[]> {
    return page.evaluate(() => (window as unknown as { __callbacks: Callback[] }).__callbacks);
  }

  it("OctopusCheckout.open(): pending, success and close callbacks, and the promise resolves with the result on close", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/api-page`);
      await page.getByRole("button", { name: "Checkout" }).click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Pay ₱150.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      // Without a trigger, the events come from the dialog's host element.
      expect((await waitForEvent(page, "created")).target).toBe("octopus-checkout");
      await pressOnPaymentPage(popup, "Pay");
      await dialogShows(page, "Payment received");
      await dialogOf(page).getByRole("button", { name: "Done" }).click();
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result);
      const result = await page.evaluate(() => (window as unknown as { __result: unknown }).__result);
      expect(result).toMatchObject({ id, status: "completed", amount: "150.00", currency: "php" });
      expect((await callbacks(page)).map((c) => c.name)).toEqual(["pending", "success", "close"]);
      expect((await callbacks(page)).every((c) => c.detail?.id === id)).toBe(true);
    });
  });

  it("OctopusCheckout.mount() renders a pay button with the given label and options", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/api-page?mode=iframe`);
      await page.locator("#slot").getByRole("button", { name: "Pay with Maya" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱75.00" }).click();
      const id = await createdId(page);
      expect(await stack.gatewayOrder(id)).toMatchObject({ amount: "75.00", payment: "maya" });
      await dialogOf(page).locator("iframe").waitFor();
    });
  });
});
