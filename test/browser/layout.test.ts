/**
 * Small screens and keyboards: the dialog fits a 320 px phone without sideways scrolling, its Pay
 * button is reachable and works; and the whole thing can be driven with Tab, Enter and Escape.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  PHP_100,
  PHP_PRESETS,
  SUITE_TIMEOUT,
  closeWindow,
  createdId,
  dialogOf,
  dialogShows,
  focusedElement,
  payButton,
  pressOnPaymentPage,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

const PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

describe.skipIf(warnIfNoChromium("browser layout and keyboard"))("layout and keyboard, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  /** No sideways scrolling of the page, and the dialog's box lies within the viewport. */
  async function expectFits(page: Page, width: number) {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const box = (await dialogOf(page).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
  }

  /** Nothing inside the dialog is wider than the dialog: it does not scroll sideways itself. */
  async function expectNoOverflowInside(page: Page) {
    const overflow = await dialogOf(page).evaluate((element) => ({ scrollWidth: element.scrollWidth, clientWidth: element.clientWidth }));
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
  }

  /** A phone: touch, and a phone's user agent, so "auto" picks the redirect. */
  const phone = (width: number) => ({ viewport: { width, height: 640 }, isMobile: true, hasTouch: true, userAgent: PHONE_UA });

  /** On a phone(width) shopper: the presets form, no wider than the screen. */
  async function openPhoneForm(page: Page, width: number) {
    await page.goto(suite.stack.embedUrl("auto", PHP_PRESETS));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await payButton(page, "Top up").tap();
    await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).waitFor();
  }

  it.each([320, 375])("at %i px wide the dialog fits, and its Pay button is visible and works", async (width) => {
    await suite.withShopper(phone(width), async ({ stack, page }) => {
      await openPhoneForm(page, width);
      const dialog = dialogOf(page);
      await expectFits(page, width);

      // Another amount: the input appears, still within the width.
      await dialog.getByText("Other amount").first().tap();
      const input = dialog.getByRole("textbox", { name: "Other amount" });
      await input.fill("1234.50");
      await expectFits(page, width);

      const submit = dialog.getByRole("button", { name: /^Pay/ });
      await submit.scrollIntoViewIfNeeded();
      const box = (await submit.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(box.y + box.height).toBeLessThanOrEqual(640);
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(await submit.isVisible()).toBe(true);
      await submit.tap();
      await page.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      expect(stack.sandbox.controls.listOrders()[0]).toMatchObject({ amount: "1234.50", currency: "php" });
      await pressOnPaymentPage(page, "Pay");
      await page.waitForURL((url) => url.origin === stack.shopUrl);
      await dialogShows(page, "Payment received");
      await expectFits(page, width);
    });
  });

  // Regression (was a widget bug, fixed): The UA style of a
  // modal <dialog> caps its width at calc(100% - 6px - 2em), 282 px on a 320 px screen, below the
  // widget's own min(440px, 100vw - 16px); the preset chips (white-space: nowrap) need more, so
  // "₱1,000.00" runs past its chip and the dialog scrolls sideways by a few pixels.
  it("at 320 px the presets wrap inside the dialog, which never scrolls sideways", async () => {
    await suite.withShopper(phone(320), async ({ page }) => {
      await openPhoneForm(page, 320);
      await expectNoOverflowInside(page);
    });
  });

  it("at 375 px nothing overflows inside the dialog", async () => {
    await suite.withShopper(phone(375), async ({ page }) => {
      await openPhoneForm(page, 375);
      await expectNoOverflowInside(page);
    });
  });

  it.each([
    [1280, 800],
    [375, 812],
  ])("the dialog is centred in a %ix%i viewport", async (width, height) => {
    await suite.withShopper({ viewport: { width, height } }, async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup", PHP_PRESETS));
      await payButton(page, "Top up").click();
      const dialog = dialogOf(page);
      await dialog.getByRole("button", { name: "Pay ₱100.00" }).waitFor();
      const box = (await dialog.boundingBox())!;
      expect(Math.abs(box.x - (width - box.x - box.width))).toBeLessThanOrEqual(1);
      expect(Math.abs(box.y - (height - box.y - box.height))).toBeLessThanOrEqual(1);
    });
  });

  // The ✓ of "Payment received" sat 6 px under the yellow sandbox banner, as if glued to it (seen on
  // the payment link page at 1280 px). Every result screen keeps its icon clear of the banner.
  it.each([
    [320, 640],
    [1280, 800],
  ])("at %ix%i on a sandbox server, each result screen's icon stands clear of the sandbox banner", async (width, height) => {
    for (const [end, title] of [
      ["Pay", "Payment received"],
      ["Fail", "Payment failed"],
      ["expire", "Order expired"],
    ] as const) {
      await suite.withShopper({ viewport: { width, height } }, async ({ stack, context, page }) => {
        // The browser tests' server is not in sandbox mode: its options answer says sandbox, as a sandbox server's does.
        await context.route("**/api/checkout/options", async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, json: { ...(await response.json()), sandbox: true } });
        });
        await page.goto(stack.embedUrl("popup"));
        await payButton(page).click();
        const popupOpened = page.waitForEvent("popup");
        await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
        const popup = await popupOpened;
        const id = await createdId(page);
        if (end === "expire") stack.sandbox.controls.expire((await stack.gatewayOrder(id)).merchant_order_id);
        else await pressOnPaymentPage(popup, end);
        await dialogShows(page, title);
        const banner = (await dialogOf(page).locator(".sandbox").boundingBox())!;
        const icon = (await dialogOf(page).locator(".icon").boundingBox())!;
        expect(icon.y - (banner.y + banner.height), `${title}: space between the banner and the icon`).toBeGreaterThanOrEqual(14);
        await expectFits(page, width);
      });
    }
  });

  // Regression (was a widget bug, fixed): In iframe mode the frame is min(640px, 100dvh - 150px) tall, and
  // the header, the text and the "Open in a new window" button below it need more than 150 px: on a
  // 1280x800 laptop the dialog holds 824 px of content in 784 px, so that button (the way out when
  // the framed page misbehaves) is cut by the dialog's bottom edge and needs scrolling inside the
  // dialog to reach. The same on a 375x812 phone (847 px in 796) and at 320x640 (704 in 624).
  it("in iframe mode at 1280x800 'Open in a new window' is inside the dialog", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe"));
      await payButton(page).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      await dialogOf(page).locator("iframe").waitFor();
      const button = dialogOf(page).getByRole("button", { name: "Open in a new window" });
      await button.waitFor();
      const box = (await button.boundingBox())!;
      const dialogBox = (await dialogOf(page).boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(Math.min(800, dialogBox.y + dialogBox.height));
    });
  });

  it("keyboard only: Tab reaches the pay button, Enter opens the dialog with focus inside, Tab stays out of the page behind, Escape closes it", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).waitFor();
      let focused = await focusedElement(page);
      for (let i = 0; i < 10 && focused.host !== "octopus-checkout-button"; i++) {
        await page.keyboard.press("Tab");
        focused = await focusedElement(page);
      }
      expect(focused).toMatchObject({ tag: "button", host: "octopus-checkout-button", text: "Pay ₱100.00" });

      await page.keyboard.press("Enter");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).waitFor();
      expect(await focusedElement(page)).toMatchObject({ host: "octopus-checkout", inDialog: true });
      // A modal dialog: Tab never reaches the page behind it (inert). Past its last control focus goes
      // out to the browser's own UI (document.activeElement is then <body>) and comes back to it.
      const stops: string[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Tab");
        const inside = await focusedElement(page);
        stops.push(inside.inDialog ? `dialog ${inside.tag} ${inside.text}` : inside.tag!);
        expect(inside.inDialog || inside.tag === "body").toBe(true);
      }
      expect(stops).toContain("dialog button Pay ₱100.00");
      // Back where the dialog put it.
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).focus();

      await page.keyboard.press("Escape");
      await dialogOf(page).waitFor({ state: "detached" });
      expect(await page.locator("octopus-checkout").count()).toBe(0);
      // Focus back on the button: see the known bug below; focus must at least not be lost in a
      // removed dialog, and the next Tab must bring the shopper back to the button.
      expect(await focusedElement(page)).not.toMatchObject({ host: "octopus-checkout" });
    });
  });

  // Regression (was a widget bug, fixed): After Escape (or ×, or Done) focus goes to <body>, not back to the
  // script tag's pay button. checkout.ts close() calls trigger.focus() on <octopus-checkout-button>,
  // the shadow host embed.ts mount() renders the button into: a host without tabindex and without
  // `delegatesFocus` is not focusable, so the call does nothing; and since the <dialog> is removed
  // rather than closed, the browser's own focus restoration does not run either. (A merchant's own
  // <button data-octopus-checkout> gets focus back: see the next test.)
  it("Escape returns focus to the script tag's pay button", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).focus();
      expect(await focusedElement(page)).toMatchObject({ tag: "button", host: "octopus-checkout-button" });
      await page.keyboard.press("Enter");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).waitFor();
      await page.keyboard.press("Escape");
      await dialogOf(page).waitFor({ state: "detached" });
      expect(await focusedElement(page)).toMatchObject({ tag: "button", host: "octopus-checkout-button" });
    });
  });

  it("keyboard only on a merchant's own trigger: Enter opens, Escape closes, focus returns to the trigger", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/triggers`);
      const trigger = page.getByRole("button", { name: "Buy a ₱250 gift card" });
      await trigger.waitFor();
      await page.keyboard.press("Tab");
      expect(await focusedElement(page)).toMatchObject({ tag: "button", text: "Buy a ₱250 gift card" });
      await page.keyboard.press("Enter");
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).waitFor();
      expect(await focusedElement(page)).toMatchObject({ inDialog: true });
      await page.keyboard.press("Escape");
      await dialogOf(page).waitFor({ state: "detached" });
      expect(await focusedElement(page)).toMatchObject({ tag: "button", text: "Buy a ₱250 gift card" });
    });
  });

  it("keyboard only through the form: arrow keys pick a preset, Enter on Pay opens the payment window for that amount", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup", PHP_PRESETS));
      await payButton(page, "Top up").focus();
      await page.keyboard.press("Enter");
      const dialog = dialogOf(page);
      await dialog.getByRole("button", { name: "Pay ₱100.00" }).waitFor();
      // Into the amount group (after the close button and the method group), then the next preset.
      await dialog.getByRole("radio", { name: "₱100.00" }).focus();
      await page.keyboard.press("ArrowRight");
      expect(await dialog.getByRole("radio", { name: "₱500.00" }).isChecked()).toBe(true);
      await dialog.getByRole("button", { name: "Pay ₱500.00" }).waitFor();
      // Tab on to the Pay button, and Enter.
      let focused = await focusedElement(page);
      for (let i = 0; i < 6 && !focused.text.startsWith("Pay "); i++) {
        await page.keyboard.press("Tab");
        focused = await focusedElement(page);
      }
      expect(focused).toMatchObject({ tag: "button", text: "Pay ₱500.00", inDialog: true });
      const popupOpened = page.waitForEvent("popup");
      await page.keyboard.press("Enter");
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      expect(stack.sandbox.controls.listOrders()[0]).toMatchObject({ amount: "500.00", payment: "gcash" });
      await closeWindow(popup);
    });
  });

  // WCAG's contrast ratio of two sRGB colours given as "rgb(r, g, b)" (or lch/others resolved by the browser to rgb).
  const contrast = (a: number[], b: number[]) => {
    const lum = ([r, g, b]: number[]) => [r!, g!, b!].map((c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };

  it.each([
    ["#f59e0b", "a light amber"],
    ["#fde047", "a pale yellow"],
    ["#0f766e", "the default teal"],
    ["#1d4ed8", "a deep blue"],
  ])("the Pay button's text stays readable on a merchant's accent %s (%s)", async (color) => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup", { ...PHP_100, color }));
      const button = page.locator("octopus-checkout-button").getByRole("button");
      await button.waitFor();
      const [text, background] = await button.evaluate((element) => {
        // Resolve whatever colour syntax the style uses to sRGB through a 1x1 canvas.
        const canvas = document.createElement("canvas").getContext("2d")!;
        const rgb = (css: string) => {
          canvas.clearRect(0, 0, 1, 1);
          canvas.fillStyle = css;
          canvas.fillRect(0, 0, 1, 1);
          return [...canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)];
        };
        const style = getComputedStyle(element);
        return [rgb(style.color), rgb(style.backgroundColor)];
      });
      // WCAG AA for large bold text is 3:1, for other text 4.5:1; the button's text is 600-weight 16 px.
      expect(contrast(text!, background!)).toBeGreaterThanOrEqual(4.5);
    });
  });
});
