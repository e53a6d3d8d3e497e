/**
 * Each display mode (popup, iframe, redirect) from the script tag to a result screen: paid, failed
 * on the payment page, and expired at the gateway; with the DOM events the shop listens to.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  SUITE_TIMEOUT,
  closed,
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

type Outcome = "paid" | "failed" | "expired";
const SCREEN: Record<Outcome, { title: string; event: "success" | "failure"; status: string }> = {
  paid: { title: "Payment received", event: "success", status: "completed" },
  failed: { title: "Payment failed", event: "failure", status: "failed" },
  expired: { title: "Order expired", event: "failure", status: "overdue" },
};

describe.skipIf(warnIfNoChromium("browser display modes"))("display modes, end to end in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  /** The shopper opens the dialog from the script tag's button and presses Pay in it. */
  async function orderFromForm(page: Page, mode: "popup" | "iframe" | "redirect") {
    await page.goto(suite.stack.embedUrl(mode));
    await payButton(page, "Pay ₱100.00").click();
    await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
  }

  async function expireAtGateway(checkoutId: string) {
    const order = await suite.stack.gatewayOrder(checkoutId);
    suite.stack.sandbox.controls.expire(order.merchant_order_id);
  }

  async function expectResult(page: Page, outcome: Outcome, id: string, target: string) {
    const { title, event, status } = SCREEN[outcome];
    await dialogShows(page, title);
    const fired = await waitForEvent(page, event);
    expect(fired.target).toBe(target);
    expect(fired.detail).toMatchObject({ id, status, amount: "100.00", currency: "php" });
    const events = await recordedEvents(page);
    // One result event, and not the other kind.
    expect(events.filter((e) => e.type === "octopus-checkout:success" || e.type === "octopus-checkout:failure").map((e) => e.type)).toEqual([`octopus-checkout:${event}`]);
    expect((await suite.stack.gatewayOrder(id)).payment_status).toBe(status);
  }

  describe("popup", () => {
    async function start(page: Page) {
      const popupOpened = page.waitForEvent("popup");
      await orderFromForm(page, "popup");
      const popup = await popupOpened;
      await popup.waitForURL(`${suite.stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      await dialogShows(page, "Finish paying in the payment window");
      return { popup, id };
    }

    it("pays in the popup: the dialog shows Payment received, success fires, the popup closes", async () => {
      await suite.withShopper(async ({ page }) => {
        const { popup, id } = await start(page);
        await pressOnPaymentPage(popup, "Pay");
        await expectResult(page, "paid", id, "octopus-checkout-button");
        await closed(popup);
        expect(await dialogOf(page).getByText("Thank you! Your payment of ₱100.00 is complete.").isVisible()).toBe(true);
      });
    });

    it("fails in the popup: Payment failed, failure fires", async () => {
      await suite.withShopper(async ({ page }) => {
        const { popup, id } = await start(page);
        await pressOnPaymentPage(popup, "Fail");
        await expectResult(page, "failed", id, "octopus-checkout-button");
        expect(await dialogOf(page).getByRole("button", { name: "Try again" }).isVisible()).toBe(true);
      });
    });

    it("expires at the gateway while the popup is open: Order expired, failure fires, the popup is closed", async () => {
      await suite.withShopper(async ({ page }) => {
        const { popup, id } = await start(page);
        await expireAtGateway(id);
        await expectResult(page, "expired", id, "octopus-checkout-button");
        await closed(popup);
        expect(await dialogOf(page).getByRole("button", { name: "Start again" }).isVisible()).toBe(true);
      });
    });
  });

  describe("iframe", () => {
    async function start(page: Page) {
      await orderFromForm(page, "iframe");
      const id = await createdId(page);
      const frame = dialogOf(page).locator("iframe");
      await frame.waitFor();
      expect(await frame.getAttribute("src")).toMatch(new RegExp(`^${suite.stack.gatewayUrl}/octopus/pay/`));
      await dialogShows(page, "Finish paying below");
      return { frame: frame.contentFrame(), id };
    }

    it("pays inside the dialog's frame: Payment received, success fires, the frame is gone", async () => {
      await suite.withShopper(async ({ page }) => {
        const { frame, id } = await start(page);
        // The payment page got the permissions the frame grants (allow is applied at load, so it
        // must be set before the frame goes into the page): Payment Request, and copying.
        const granted = await frame.locator("body").evaluate(() => {
          const policy = (document as unknown as { featurePolicy: { allowsFeature(feature: string): boolean } }).featurePolicy;
          return [policy.allowsFeature("payment"), policy.allowsFeature("clipboard-write")];
        });
        expect(granted).toEqual([true, true]);
        await pressOnPaymentPage(frame, "Pay");
        await expectResult(page, "paid", id, "octopus-checkout-button");
        expect(await dialogOf(page).locator("iframe").count()).toBe(0);
      });
    });

    it("fails inside the frame: Payment failed, failure fires", async () => {
      await suite.withShopper(async ({ page }) => {
        const { frame, id } = await start(page);
        await pressOnPaymentPage(frame, "Fail");
        await expectResult(page, "failed", id, "octopus-checkout-button");
      });
    });

    it("expires at the gateway while framed: Order expired, failure fires", async () => {
      await suite.withShopper(async ({ page }) => {
        const { id } = await start(page);
        await expireAtGateway(id);
        await expectResult(page, "expired", id, "octopus-checkout-button");
      });
    });
  });

  describe("redirect", () => {
    /** To the payment page in the same tab; the id comes from the order the sandbox just got. */
    async function start(page: Page) {
      await orderFromForm(page, "redirect");
      await page.waitForURL(`${suite.stack.gatewayUrl}/octopus/pay/**`);
      const newest = suite.stack.sandbox.controls.listOrders()[0]!;
      const record = await suite.stack.store.getByMerchantOrderId(newest.merchant_order_id);
      return record!.id;
    }

    async function expectBack(page: Page) {
      await page.waitForURL((url) => url.origin === suite.stack.shopUrl);
      const url = new URL(page.url());
      await dialogOf(page).waitFor();
      // The widget took its order id out of the address bar.
      await page.waitForFunction(() => !location.search.includes("octopus_checkout"));
      expect(new URL(page.url()).searchParams.has("octopus_checkout")).toBe(false);
      expect(url.pathname).toBe("/embed/redirect");
    }

    it("goes to the payment page, pays, comes back to the shop page and shows Payment received", async () => {
      await suite.withShopper(async ({ page }) => {
        const id = await start(page);
        await pressOnPaymentPage(page, "Pay");
        await expectBack(page);
        // Back from a redirect the event comes from the same button host as before it, so listeners on it hear the result.
        await expectResult(page, "paid", id, "octopus-checkout-button");
        // Back to the same page, by origin and path only: the page's query string (which may hold a
        // token) is not sent to the checkout server; a merchant who needs it sets data-return-url.
        const back = new URL(page.url());
        expect(back.pathname).toBe("/embed/redirect");
        expect(back.search).toBe("");
      });
    });

    it("fails on the payment page, comes back and shows Payment failed", async () => {
      await suite.withShopper(async ({ page }) => {
        const id = await start(page);
        await pressOnPaymentPage(page, "Fail");
        await expectBack(page);
        await expectResult(page, "failed", id, "octopus-checkout-button");
      });
    });

    it("expires while on the payment page; returning from it shows Order expired", async () => {
      await suite.withShopper(async ({ page }) => {
        const id = await start(page);
        await expireAtGateway(id);
        await page.reload();
        await page.getByRole("heading", { name: "Payment expired" }).waitFor();
        await page.getByRole("link", { name: /^Return to/ }).click();
        await expectBack(page);
        await expectResult(page, "expired", id, "octopus-checkout-button");
      });
    });
  });
});
