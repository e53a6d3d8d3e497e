/**
 * A shop with a strict Content-Security-Policy: scripts, connections and frames only from the
 * checkout server, styles only its own. The widget must render and take a payment without one
 * violation (its CSS is adopted as constructable stylesheets, it has no inline script or style).
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  SUITE_TIMEOUT,
  createdId,
  dialogOf,
  dialogShows,
  payButton,
  pressOnPaymentPage,
  recordedViolations,
  waitForEvent,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

describe.skipIf(warnIfNoChromium("browser CSP"))("a shop page with a strict CSP, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  /** Chromium also reports CSP violations on the console: a second witness besides the events. */
  function consoleViolations(page: Page): string[] {
    const seen: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
    });
    return seen;
  }

  it("serves the page with the CSP the test means", async () => {
    const { stack } = suite;
    const response = await fetch(`${stack.shopUrl}/csp`);
    expect(response.headers.get("content-security-policy")).toBe(
      `default-src 'none'; script-src ${stack.url}; style-src 'self'; connect-src ${stack.url}; frame-src ${stack.url}; img-src 'self'`,
    );
  });

  it("shows the widget and completes a popup payment with zero CSP violations", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const logged = consoleViolations(page);
      await page.goto(`${stack.shopUrl}/csp`);
      const button = payButton(page, "Pay ₱100.00");
      await button.waitFor();
      // Styled by its adopted stylesheet (the shop's CSS cannot reach into the shadow root): the accent colour.
      expect(await button.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe("rgb(15, 118, 110)");
      await button.click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      await pressOnPaymentPage(popup, "Pay");
      await dialogShows(page, "Payment received");
      expect((await waitForEvent(page, "success")).detail?.id).toBe(id);
      expect(await recordedViolations(page)).toEqual([]);
      expect(logged).toEqual([]);

      // The witnesses work: an inline style attribute is a violation here, and both see it.
      await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<p style="color:red">inline</p>'));
      await page.waitForFunction(() => (window as unknown as { __violations: unknown[] }).__violations.length > 0);
      expect(await recordedViolations(page)).toMatchObject([{ directive: expect.stringMatching(/^style-src/) }]);
      expect(logged.length).toBeGreaterThan(0);
    });
  });

  it("iframe mode under the same CSP, with the gateway's origin added to frame-src, pays with zero violations", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const logged = consoleViolations(page);
      await page.goto(`${stack.shopUrl}/csp?mode=iframe&frame=gateway`);
      await payButton(page, "Pay ₱100.00").click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const frame = dialogOf(page).locator("iframe");
      await frame.waitFor();
      await pressOnPaymentPage(frame.contentFrame(), "Pay");
      await dialogShows(page, "Payment received");
      expect(await recordedViolations(page)).toEqual([]);
      expect(logged).toEqual([]);
    });
  });
});
