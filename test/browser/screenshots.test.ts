/**
 * The README's pictures of the widget, phone (375x812) and laptop (1280x800): the form, waiting for
 * the popup, the framed payment page (a full-screen sheet on the phone), a Thai transfer amount, the
 * three result screens, a payment in progress offered again, the closed payment window, and a page
 * whose origin the server does not allow.
 *
 * Every run takes them (each screen must render on both sizes); they are written to
 * docs/screenshots/ only with UPDATE_SCREENSHOTS=1, otherwise to test-results/screenshots/:
 *
 *   UPDATE_SCREENSHOTS=1 npx vitest run test/browser/screenshots.test.ts
 *
 * Thai needs a Thai font on the machine (Debian: fonts-thai-tlwg), or it renders as boxes.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { BrowserContextOptions, Page } from "playwright-core";
import {
  PHP_PRESETS,
  SUITE_TIMEOUT,
  closeWindow,
  createdId,
  dialogOf,
  dialogShows,
  payButton,
  pressOnPaymentPage,
  readMessages,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

const OUT = fileURLToPath(new URL(process.env.UPDATE_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../../test-results/screenshots/", import.meta.url));

const DEVICES: Record<"phone" | "laptop", BrowserContextOptions> = {
  phone: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  laptop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
};

const th = readMessages("th");

describe.skipIf(warnIfNoChromium("browser screenshots"))("screenshots for the README", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();
  beforeAll(() => {
    mkdirSync(OUT, { recursive: true });
  });

  async function shoot(page: Page, name: string) {
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${OUT}${name}.png`, animations: "disabled", caret: "hide" });
  }

  /** Opens the form on the presets page and, unless `form`, presses Pay ₱100.00 (popup mode). */
  async function toPopupWaiting(page: Page) {
    await page.goto(suite.stack.embedUrl("popup", PHP_PRESETS));
    await payButton(page, "Top up").click();
    const popupOpened = page.waitForEvent("popup");
    await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
    const popup = await popupOpened;
    await popup.waitForURL(`${suite.stack.gatewayUrl}/octopus/pay/**`);
    const id = await createdId(page);
    await dialogShows(page, "Finish paying in the payment window");
    return { popup, id };
  }

  for (const [device, options] of Object.entries(DEVICES)) {
    describe(device, () => {
      it("form", async () => {
        await suite.withShopper(options, async ({ stack, page }) => {
          await page.goto(stack.embedUrl("popup", PHP_PRESETS));
          await payButton(page, "Top up").click();
          await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).waitFor();
          await shoot(page, `form-${device}`);
        });
      });

      it("waiting for the popup", async () => {
        await suite.withShopper(options, async ({ page }) => {
          await toPopupWaiting(page);
          await shoot(page, `waiting-${device}`);
        });
      });

      it("iframe", async () => {
        await suite.withShopper(options, async ({ stack, page }) => {
          await page.goto(stack.embedUrl("iframe"));
          await payButton(page).click();
          await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
          const frame = dialogOf(page).locator("iframe");
          await frame.contentFrame().getByRole("button", { name: /^Pay/ }).waitFor();
          // On the phone a full-screen sheet: no note under the frame, "Open in a new window" in its header.
          if (device === "laptop") await dialogShows(page, "Finish paying below");
          await shoot(page, `iframe-${device}`);
        });
      });

      it("Thai waiting, with the amount to transfer", async () => {
        await suite.withShopper({ ...options, locale: "th-TH" }, async ({ stack, page }) => {
          await page.goto(`${stack.shopUrl}/thb`);
          await payButton(page, `${th.pay} ฿500.00`).click();
          const popupOpened = page.waitForEvent("popup");
          await dialogOf(page).getByRole("button", { name: `${th.pay} ฿500.00` }).click();
          await popupOpened;
          const id = await createdId(page);
          const floating = (await stack.gatewayOrder(id)).floating_amount!;
          await dialogOf(page).getByText(`฿${floating}`, { exact: true }).waitFor();
          await dialogOf(page).getByRole("button", { name: th.copy }).waitFor();
          await shoot(page, `thai-waiting-${device}`);
        });
      });

      it("paid", async () => {
        await suite.withShopper(options, async ({ page }) => {
          const { popup } = await toPopupWaiting(page);
          await pressOnPaymentPage(popup, "Pay");
          await dialogShows(page, "Payment received");
          await shoot(page, `paid-${device}`);
        });
      });

      it("failed", async () => {
        await suite.withShopper(options, async ({ page }) => {
          const { popup } = await toPopupWaiting(page);
          await pressOnPaymentPage(popup, "Fail");
          await dialogShows(page, "Payment failed");
          await shoot(page, `failed-${device}`);
        });
      });

      it("a payment in progress, offered again", async () => {
        await suite.withShopper(options, async ({ stack, page }) => {
          await page.goto(stack.embedUrl("popup", { ...PHP_PRESETS, description: "Coffee card top-up" }));
          await payButton(page, "Top up").click();
          const popupOpened = page.waitForEvent("popup");
          await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
          const popup = await popupOpened;
          await createdId(page);
          // Not while the popup is still on its way to the payment page (see closeWindow).
          await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
          await closeWindow(popup);
          await dialogShows(page, "The payment window was closed");
          await shoot(page, `popup-closed-${device}`);
          await dialogOf(page).getByRole("button", { name: "Close", exact: true }).click();
          await payButton(page, "Top up").click();
          await dialogShows(page, "You have a payment in progress");
          await shoot(page, `resume-${device}`);
        });
      });

      it("a page whose origin is not allowed", async () => {
        await suite.withShopper(options, async ({ stack, page }) => {
          await page.goto(`${stack.strangerUrl}/embed/popup?${new URLSearchParams(PHP_PRESETS)}`);
          await payButton(page, "Top up").click();
          await dialogShows(page, "This shop's checkout isn't set up for this page yet");
          await shoot(page, `not-set-up-${device}`);
        });
      });

      it("expired", async () => {
        await suite.withShopper(options, async ({ stack, page }) => {
          const { id } = await toPopupWaiting(page);
          stack.sandbox.controls.expire((await stack.gatewayOrder(id)).merchant_order_id);
          await dialogShows(page, "Order expired");
          await shoot(page, `expired-${device}`);
          expect(await dialogOf(page).getByRole("button", { name: "Start again" }).isVisible()).toBe(true);
        });
      });
    });
  }
});
