/**
 * When the browser gets in the way: a blocked popup, a popup that lost its opener, a payment page
 * that refuses to be framed. The shopper must still be able to pay and see the result.
 */
import { describe, expect, it } from "vitest";
import {
  SUITE_TIMEOUT,
  closed,
  closeWindow,
  createdId,
  dialogOf,
  dialogShows,
  payButton,
  pressOnPaymentPage,
  recordedEvents,
  waitForEvent,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

describe.skipIf(warnIfNoChromium("browser fallbacks"))("fallbacks, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  it("a blocked popup (window.open returns null) falls back to the payment page framed in the dialog", async () => {
    await suite.withShopper({ init: "window.open = () => null;" }, async ({ stack, context, page }) => {
      const popups: unknown[] = [];
      context.on("page", (opened) => opened !== page && popups.push(opened));
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const id = await createdId(page);
      const frame = dialogOf(page).locator("iframe");
      await frame.waitFor();
      expect(await frame.getAttribute("src")).toBe((await stack.gatewayOrder(id)).payment_url);
      await dialogShows(page, "Finish paying below");
      // And it is a working payment page, not just a picture of one.
      await pressOnPaymentPage(frame.contentFrame(), "Pay");
      await dialogShows(page, "Payment received");
      expect((await waitForEvent(page, "success")).detail?.id).toBe(id);
      expect(popups).toEqual([]);
    });
  });

  it("a popup whose opener was cut off (as COOP or an in-app browser does) still ends in Payment received, by polling", async () => {
    // The gateway's payment page severs the opener (as a Cross-Origin-Opener-Policy or an in-app
    // browser does): the return page after it can post nothing back, only polling can find out.
    await suite.withShopper({ init: `if (location.origin === ${JSON.stringify(suite.stack.gatewayUrl)}) window.opener = null;` }, async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      expect(await popup.evaluate(() => window.opener)).toBeNull();
      await pressOnPaymentPage(popup, "Pay");
      await popup.waitForURL(`${stack.url}/checkout/return/${id}`).catch(() => undefined);
      await dialogShows(page, "Payment received");
      expect((await waitForEvent(page, "success")).detail).toMatchObject({ id, status: "completed" });
      // The widget closes the window it opened once the order is final.
      await closed(popup);
    });
  });

  // Regression (was a widget bug, fixed): When the popup's opener is severed while it still shows the server's
  // waiting page, `popup.location.href = payment_url` in checkout.ts show() throws a SecurityError
  // ("Unsafe attempt to initiate navigation") inside the create promise: set({screen: "waiting"})
  // and follow() never run, so the dialog stays on "Creating your order…" for good, with no button
  // and no polling, while the order exists at the gateway.
  it("a popup severed before the order exists still reaches the waiting screen, with a way to open the payment page", async () => {
    await suite.withShopper({ init: `if (location.origin === ${JSON.stringify(suite.stack.url)}) window.opener = null;` }, async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      await createdId(page);
      // Expected: the waiting screen, with a button that opens the payment page.
      await dialogOf(page).getByRole("button", { name: "Open the payment page" }).waitFor({ timeout: 8_000 });
    });
  });

  it("a popup the shopper closes right after paying: the dialog still ends in Payment received", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      // Paid at the gateway (as if in a banking app), then the window is closed before any return page.
      const order = await stack.gatewayOrder(id);
      stack.sandbox.controls.complete(order.merchant_order_id);
      await closeWindow(popup);
      await dialogShows(page, "Payment received");
      expect((await waitForEvent(page, "success")).detail?.id).toBe(id);
    });
  });

  it("iframe mode with a payment page that refuses framing says so and offers a new window, not a blank frame", async () => {
    const { stack } = suite;
    stack.sandbox.controls.setRefuseFraming(true);
    try {
      await suite.withShopper(async ({ page }) => {
        await page.goto(stack.embedUrl("iframe"));
        await payButton(page).click();
        await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
        const id = await createdId(page);
        await dialogShows(page, "The payment page can't be shown here. Open it in a new window to pay.");
        const openButton = dialogOf(page).getByRole("button", { name: "Open in a new window" });
        expect(await openButton.isVisible()).toBe(true);
        expect(await dialogOf(page).locator("iframe").count()).toBe(0);
        expect(await dialogOf(page).getByText("Finish paying below").count()).toBe(0);

        // The offered way works: a window with the same order's payment page.
        const popupOpened = page.waitForEvent("popup");
        await openButton.click();
        const popup = await popupOpened;
        await popup.waitForURL((await stack.gatewayOrder(id)).payment_url!);
        await pressOnPaymentPage(popup, "Pay");
        await dialogShows(page, "Payment received");
        expect(stack.gatewayOrderCount()).toBeGreaterThanOrEqual(1);
        expect((await recordedEvents(page)).filter((e) => e.type === "octopus-checkout:created")).toHaveLength(1);
      });
    } finally {
      stack.sandbox.controls.setRefuseFraming(false);
    }
  });
});
