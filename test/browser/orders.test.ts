/**
 * The order itself: a double click makes one, closing the dialog midway and reopening resumes the
 * same one, and a Thai order shows the exact floating amount to transfer, with a copy button.
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
  readMessages,
  recordedEvents,
  waitForEvent,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";
import { sleep } from "../support/time.ts";

const th = readMessages("th");

describe.skipIf(warnIfNoChromium("browser orders"))("orders, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  const settle = () => sleep(1_500);

  it.each(["popup", "iframe"] as const)("a double click on Pay (%s) makes one order", async (mode) => {
    await suite.withShopper(async ({ stack, page }) => {
      const before = stack.gatewayOrderCount();
      await page.goto(stack.embedUrl(mode));
      // On the script tag's button: one dialog.
      await payButton(page).dblclick();
      const pay = dialogOf(page).getByRole("button", { name: "Pay ₱100.00" });
      await pay.waitFor();
      expect(await page.locator("octopus-checkout").count()).toBe(1);
      // On the dialog's Pay: one order.
      await pay.dblclick();
      const id = await createdId(page);
      await settle();
      expect(stack.gatewayOrderCount()).toBe(before + 1);
      expect((await stack.gatewayOrder(id)).amount).toBe("100.00");
      expect((await recordedEvents(page)).filter((e) => e.type === "octopus-checkout:created")).toHaveLength(1);
      expect(await page.locator("octopus-checkout").count()).toBe(1);
    });
  });

  it("closing the dialog midway and opening it again resumes the same order", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const before = stack.gatewayOrderCount();
      await page.goto(stack.embedUrl("popup"));
      await payButton(page).click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      const paymentUrl = popup.url();

      // The shopper gives up midway: closes the dialog and the payment window.
      await dialogOf(page).getByRole("button", { name: "Close" }).click();
      await dialogOf(page).waitFor({ state: "detached" });
      expect((await waitForEvent(page, "close")).detail?.id).toBe(id);
      await closeWindow(popup);

      // And comes back to it.
      await payButton(page).click();
      await dialogShows(page, "You have a payment in progress");
      await dialogShows(page, "Continue paying ₱100.00, or start a new payment.");
      expect(await dialogOf(page).getByRole("button", { name: "Start a new payment" }).isVisible()).toBe(true);
      const again = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: "Continue payment" }).click();
      const resumed = await again;
      await resumed.waitForURL(paymentUrl);
      expect(stack.gatewayOrderCount()).toBe(before + 1);

      await pressOnPaymentPage(resumed, "Pay");
      await dialogShows(page, "Payment received");
      const success = await waitForEvent(page, "success");
      expect(success.detail).toMatchObject({ id, status: "completed" });
      expect((await stack.gatewayOrder(id)).payment_status).toBe("completed");
      expect(stack.gatewayOrderCount()).toBe(before + 1);
      await closed(resumed);
    });
  });

  it("after a reload the order in progress is offered again; 'Start a new payment' makes a new one", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe"));
      await payButton(page).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const first = await createdId(page);
      await dialogOf(page).locator("iframe").waitFor();

      await page.reload();
      await payButton(page).click();
      await dialogShows(page, "You have a payment in progress");
      const before = stack.gatewayOrderCount();
      await dialogOf(page).getByRole("button", { name: "Start a new payment" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const second = await createdId(page);
      expect(second).not.toBe(first);
      expect(stack.gatewayOrderCount()).toBe(before + 1);
    });
  });

  it("a Thai order shows, in Thai, the exact floating amount the sandbox set, and copies it", async () => {
    await suite.withShopper({ locale: "th-TH" }, async ({ stack, context, page }) => {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.shopUrl });
      await page.goto(`${stack.shopUrl}/thb`);
      await payButton(page, `${th.pay} ฿500.00`).click();
      const popupOpened = page.waitForEvent("popup");
      await dialogOf(page).getByRole("button", { name: `${th.pay} ฿500.00` }).click();
      const popup = await popupOpened;
      // The popup's waiting page speaks Thai too.
      const id = await createdId(page);
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);

      const floating = (await stack.gatewayOrder(id)).floating_amount!;
      expect(floating).toMatch(/^500\.\d\d$/);
      expect(floating).not.toBe("500.00");
      await dialogShows(page, th.waitingPopup!);
      await dialogShows(page, th.transferExactly!);
      // Exactly the figure to transfer, every satang of it.
      const shown = dialogOf(page).getByText(`฿${floating}`, { exact: true });
      await shown.waitFor();
      expect(await dialogOf(page).getByText("฿500.00", { exact: true }).count()).toBe(0);
      expect((await waitForEvent(page, "created")).detail).toMatchObject({ id, amount: "500.00", floatingAmount: floating, currency: "thb" });

      const copy = dialogOf(page).getByRole("button", { name: th.copy });
      await copy.click();
      await dialogOf(page).getByRole("button", { name: th.copied }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(floating);

      await pressOnPaymentPage(popup, "Pay");
      await dialogShows(page, th.paidTitle!);
    });
  });

  it("a thb order in English shows the floating amount with a 'Copy amount' button", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/thb?locale=en&mode=iframe`);
      // English writes the currency's code, not ฿: "THB 500.00".
      await payButton(page, /^Pay THB\s500\.00$/).click();
      await dialogOf(page).getByRole("button", { name: /^Pay THB\s500\.00$/ }).click();
      const id = await createdId(page);
      const floating = (await stack.gatewayOrder(id)).floating_amount!;
      await dialogOf(page).getByText(new RegExp(`^THB\\s${floating.replace(".", "\\.")}$`)).waitFor();
      await dialogShows(page, "Transfer exactly this amount, including the decimals, so your payment can be matched.");
      expect(await dialogOf(page).getByRole("button", { name: "Copy amount" }).isVisible()).toBe(true);
      // The framed payment page asks for the same figure.
      await dialogOf(page).locator("iframe").contentFrame().getByText(floating).first().waitFor();
    });
  });
});
