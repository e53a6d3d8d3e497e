/**
 * The rough edges a new shopper (and a new merchant) hit in the demo, issue by issue: each test
 * here failed before its fix. Resuming only the same purchase, following a payment after the
 * dialog closed, a redirect that cannot announce someone else's order, the full-screen sheet on
 * phones, a hanging server, focus, the closed popup, the Pay button's amounts, merchants' mistakes,
 * a page whose origin is not allowed, and what is bought.
 */
import { describe, expect, it } from "vitest";
import type { ConsoleMessage, Page } from "playwright-core";
import { createCheckout, gcash } from "../support/stack.ts";
import {
  SUITE_TIMEOUT,
  createdId,
  dialogOf,
  closeWindow,
  dialogShows,
  focusedElement,
  payButton,
  pressOnPaymentPage,
  readMessages,
  recordedEvents,
  waitForEvent,
  warnIfNoChromium,
  useBrowserStack,
} from "./harness.ts";

const th = readMessages("th");

/** The console's messages of a page, from the moment it is called. */
function consoleOf(page: Page) {
  const messages: Array<{ type: string; text: string }> = [];
  page.on("console", (message: ConsoleMessage) => messages.push({ type: message.type(), text: message.text() }));
  return messages;
}

describe.skipIf(warnIfNoChromium("browser shopper defects"))("a shopper's rough edges, in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  it("offers to resume only the same purchase: a ₱250 gift card abandoned, the ₱199 starter pack starts afresh", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/triggers`);
      await page.getByRole("button", { name: "Buy a ₱250 gift card" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).click();
      await createdId(page);
      await dialogShows(page, "Complete your payment");
      await dialogOf(page).getByRole("button", { name: "Close" }).click();

      await page.getByRole("link", { name: "Buy the starter pack" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱199.00" }).waitFor();
      expect(await dialogOf(page).getByText("You have a payment in progress").count()).toBe(0);
      await dialogOf(page).getByRole("button", { name: "Close" }).click();

      // The gift card again: that order is offered, and says what it is for.
      await page.getByRole("button", { name: "Buy a ₱250 gift card" }).click();
      await dialogShows(page, "You have a payment in progress");
      await dialogShows(page, "Continue paying ₱250.00, or start a new payment.");
    });
  });

  it("keeps following an order paid in the popup after the dialog closed: success fires, and reopening shows the result", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      const popupOpened = page.waitForEvent("popup");
      await payButton(page, "Pay ₱100.00").click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      const id = await createdId(page);
      await dialogOf(page).getByRole("button", { name: "Close" }).click();
      expect(await page.locator("octopus-checkout").count()).toBe(0);

      await pressOnPaymentPage(popup, "Pay");
      const success = await waitForEvent(page, "success");
      expect(success.detail).toMatchObject({ id, status: "completed", amount: "100.00" });
      expect(success.target).toBe("octopus-checkout-button");

      // Reopening shows where that order ended, not a fresh form to pay twice.
      await payButton(page, "Pay ₱100.00").click();
      await dialogShows(page, "Payment received");
      expect((await recordedEvents(page)).filter((event) => event.type === "octopus-checkout:success")).toHaveLength(1);
    });
  });

  it("back from a redirect with an order id this browser never started: shows its status, announces nothing", async () => {
    // Someone else's order, paid.
    const { stack } = suite;
    const created = (await (await createCheckout(stack, { ...gcash, return_url: `${stack.shopUrl}/embed/redirect` }, { Origin: stack.shopUrl, "Idempotency-Key": `foreign-${Date.now()}` })).json()) as { id: string };
    stack.sandbox.controls.complete((await stack.gatewayOrder(created.id)).merchant_order_id);

    await suite.withShopper(async ({ page }) => {
      await page.goto(`${stack.embedUrl("redirect")}&octopus_checkout=${created.id}`);
      await dialogShows(page, "Payment received");
      // Long enough for a success event to have fired, had it been going to.
      await page.waitForTimeout(500);
      expect((await recordedEvents(page)).map((event) => event.type)).not.toContain("octopus-checkout:success");
    });
  });

  it.each([
    [360, 740, 480],
    [320, 568, 320],
  ])("iframe mode at %i×%i: the dialog is a full-screen sheet and the payment page gets all the height left (at least %i px)", async (width, height, least) => {
    await suite.withShopper({ viewport: { width, height } }, async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe"));
      await payButton(page, "Pay ₱100.00").click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const frame = dialogOf(page).locator("iframe");
      await frame.waitFor();
      const sheet = (await dialogOf(page).boundingBox())!;
      expect(sheet).toEqual({ x: 0, y: 0, width, height });
      const box = (await frame.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(least);
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      // "Open in a new window" is still there, in the sheet's header.
      const open = (await dialogOf(page).getByRole("button", { name: "Open in a new window" }).boundingBox())!;
      expect(open.y + open.height).toBeLessThanOrEqual(box.y);
      if (width >= 360) {
        // The payment page's own Pay button is in view, not below the fold.
        const pay = (await page.frameLocator("octopus-checkout iframe").getByRole("button", { name: /^Pay\b/ }).boundingBox())!;
        expect(pay.y + pay.height).toBeLessThanOrEqual(box.y + box.height);
      }
    });
  });

  it("a server that hangs: says so after a few seconds, gives up with a way on well before 30 s", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      // The create request never answers (the server stuck behind a hanging gateway).
      await page.route(`${stack.url}/api/checkout`, () => {});
      await page.goto(stack.embedUrl("iframe"));
      await payButton(page, "Pay ₱100.00").click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const clicked = Date.now();
      await dialogShows(page, "Creating your order…");
      await dialogShows(page, "This is taking longer than usual. Please wait a moment…", 8_000);
      await dialogShows(page, "The payment service didn't answer in time. Nothing was charged. Try again in a moment.", 20_000);
      expect(Date.now() - clicked).toBeLessThan(20_000);
      // Try again: back to the form, where Pay works once the server answers.
      await page.unroute(`${stack.url}/api/checkout`);
      await dialogOf(page).getByRole("button", { name: "Try again" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      await dialogShows(page, "Complete your payment");
    });
  });

  it("moves focus to each new screen, and back to the element that opened the dialog after close() from the JS API", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(`${stack.shopUrl}/api-page?mode=iframe`);
      await page.getByRole("button", { name: "Checkout" }).click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱150.00" }).waitFor();
      await expect.poll(() => focusedElement(page)).toMatchObject({ tag: "h2", inDialog: true });
      await dialogOf(page).getByRole("button", { name: "Pay ₱150.00" }).click();
      await dialogShows(page, "Complete your payment");
      await expect.poll(() => focusedElement(page)).toMatchObject({ tag: "h2", text: "Complete your payment", inDialog: true });
      await page.evaluate(() => window.OctopusCheckout!.close());
      await expect.poll(() => focusedElement(page)).toMatchObject({ tag: "button", text: "Checkout", host: null });
    });
  });

  it("says the payment window was closed once the shopper closes it, and offers to open it again", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup"));
      const popupOpened = page.waitForEvent("popup");
      await payButton(page, "Pay ₱100.00").click();
      await dialogOf(page).getByRole("button", { name: "Pay ₱100.00" }).click();
      const popup = await popupOpened;
      await dialogShows(page, "Finish paying in the payment window");
      // The waiting screen comes as the popup starts for the payment page: closed on the payment
      // page, as a shopper closes it, and not mid-navigation (see closeWindow).
      await popup.waitForURL(`${stack.gatewayUrl}/octopus/pay/**`);
      await closeWindow(popup);
      await dialogShows(page, "The payment window was closed. If you haven't finished paying, open it again.");
      expect(await dialogOf(page).getByText("Finish paying in the payment window").count()).toBe(0);
      // Focus is on the way on.
      await expect.poll(() => focusedElement(page)).toMatchObject({ text: "Open the payment page", inDialog: true });
    });
  });

  it("the Pay button names only amounts that can be paid, and reads full-width digits and a typed peso sign", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe", { amounts: "100.00,500.00", currency: "php", country: "PH", payment: "gcash", label: "Top up" }));
      await payButton(page, "Top up").click();
      await dialogOf(page).getByRole("radio", { name: "Other amount" }).check();
      const input = dialogOf(page).getByRole("textbox", { name: "Other amount" });
      await input.fill("5");
      // ₱5.00 is under the ₱20.00 minimum: not offered as "Pay ₱5.00".
      await dialogOf(page).getByRole("button", { name: "Pay", exact: true }).waitFor();
      await input.fill("１５０");
      await dialogOf(page).getByRole("button", { name: "Pay ₱150.00" }).waitFor();
      await input.fill("₱250");
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).click();
      const id = await createdId(page);
      expect((await stack.gatewayOrder(id)).amount).toBe("250.00");
    });
  });

  it("an amount error goes once the typed amount can be paid, without pressing Pay again", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe", { amounts: "100.00,500.00", currency: "php", country: "PH", payment: "gcash", label: "Top up" }));
      await payButton(page, "Top up").click();
      await dialogOf(page).getByRole("radio", { name: "Other amount" }).check();
      const input = dialogOf(page).getByRole("textbox", { name: "Other amount" });
      const error = dialogOf(page).getByRole("alert");
      await input.fill("abc");
      await dialogOf(page).getByRole("button", { name: "Pay", exact: true }).click();
      await expect.poll(() => error.textContent()).toContain("Enter an amount such as");
      expect(await input.getAttribute("aria-invalid")).toBe("true");
      // Still not payable (under the minimum): the error stays.
      await input.fill("5");
      expect(await error.count()).toBe(1);
      await input.fill("２５０");
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).waitFor();
      await expect.poll(() => error.count()).toBe(0);
      expect(await input.getAttribute("aria-invalid")).toBe("false");
    });
  });

  it("reads Thai digits in a Thai form", async () => {
    await suite.withShopper({ locale: "th-TH" }, async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe", { amounts: "300.00,500.00", currency: "thb", country: "TH", locale: "th", label: "เติมเงิน" }));
      await payButton(page, "เติมเงิน").click();
      await dialogOf(page).getByRole("radio", { name: th.otherAmount }).check();
      await dialogOf(page).getByRole("textbox", { name: th.otherAmount }).fill("๑๕๐");
      await dialogOf(page).getByRole("button", { name: th.payAmount!.replace("{amount}", "฿150.00") }).waitFor();
    });
  });

  it.each([
    [{ amount: "5.00", currency: "php", country: "PH", payment: "gcash" }, 'data-amount="5.00"', "en"],
    [{ product: "no-such-pack" }, 'data-product="no-such-pack"', "en"],
    [{ amount: "10.00", currency: "sgd", locale: "th" }, 'data-currency="sgd"', "th"],
  ])("a merchant's mistake (%j) is a console warning at load naming %s, and a short translated message to the shopper", async (attributes, named, language) => {
    await suite.withShopper(async ({ stack, page }) => {
      const console = consoleOf(page);
      await page.goto(stack.embedUrl("popup", attributes));
      await expect.poll(() => console.filter((message) => message.type === "warning" && message.text.includes(named)).length, { timeout: 10_000 }).toBe(1);
      // In the shopper's language once the page is idle ("ชำระเงิน …"), in English before.
      await page.locator("octopus-checkout-button").getByRole("button").click();
      const text = language === "th" ? th.errorNotAvailable! : "This payment isn't available right now. Please contact the shop.";
      await dialogShows(page, text);
      expect(await dialogOf(page).getByText(/[a-z]+ must|is not offered|not a product/).count()).toBe(0);
    });
  });

  it("the same mistake through the JS API (open, mount) is a console warning naming the option, not the attribute", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const console = consoleOf(page);
      await page.goto(`${stack.shopUrl}/api-page`);
      await page.evaluate(() => void (window as unknown as { OctopusCheckout: { open(options: object): Promise<unknown> } }).OctopusCheckout.open({ amount: "250.00", currency: "peso", country: "PH" }));
      await dialogShows(page, "This payment isn't available right now. Please contact the shop.");
      await expect.poll(() => console.filter((message) => message.type === "warning" && message.text.includes('currency: "peso"')).length, { timeout: 10_000 }).toBe(1);
      expect(console.filter((message) => message.text.includes("data-currency")).length).toBe(0);
      // The page's own mount() of a valid button has nothing to say.
      expect(console.filter((message) => message.type === "warning" && message.text.includes("Maya")).length).toBe(0);
    });
  });

  it("a key given to the JS API that is not an option (a typo) is a console warning naming the option meant; the shopper goes on as without it", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const console = consoleOf(page);
      await page.goto(`${stack.shopUrl}/api-page`);
      await page.evaluate(() => void (window as unknown as { OctopusCheckout: { open(options: object): Promise<unknown> } }).OctopusCheckout.open({ ammount: "250.00", currency: "php", country: "PH" }));
      await expect.poll(() => console.filter((message) => message.type === "warning" && message.text.includes("ammount is not an option")).length, { timeout: 10_000 }).toBe(1);
      const [warning] = console.filter((message) => message.text.includes("ammount is not an option"));
      expect(warning!.text).toContain("Did you mean amount?");
      // Ignored, not refused: the shopper is asked for the amount the typo did not set.
      await dialogOf(page).getByText("Other amount").waitFor();
      expect(await dialogOf(page).getByText("This payment isn't available right now").count()).toBe(0);
    });
  });

  it("on a page whose origin the server does not allow: one console error naming the fix, and the shopper reads that the shop is not set up", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      const console = consoleOf(page);
      await page.goto(`${stack.strangerUrl}/embed/popup?${new URLSearchParams({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" })}`);
      await expect.poll(() => console.filter((message) => message.type === "error" && message.text.includes("octopus-checkout")).length, { timeout: 10_000 }).toBe(1);
      const [error] = console.filter((message) => message.type === "error" && message.text.includes("octopus-checkout"));
      expect(error!.text).toContain(stack.strangerUrl);
      expect(error!.text).toContain("allowedOrigins");
      expect(error!.text).toContain("CHECKOUT_ALLOWED_ORIGINS");
      await payButton(page, "Pay ₱100.00").click();
      await dialogShows(page, "This shop's checkout isn't set up for this page yet. Please contact the shop.");
      expect(await dialogOf(page).getByText("We couldn't reach the payment server").count()).toBe(0);
      // Trying again cannot help the shopper (only the merchant can): the one way on is Close, and it has focus.
      expect(await dialogOf(page).getByRole("button", { name: "Try again" }).count()).toBe(0);
      const main = dialogOf(page).locator("button[data-main]");
      await expect.poll(() => main.textContent()).toBe("Close");
      await expect.poll(() => focusedElement(page)).toMatchObject({ tag: "button", text: "Close", inDialog: true });
      await main.click();
      await expect.poll(() => page.locator("octopus-checkout").count()).toBe(0);
    });
  });

  it("shows what is bought (the merchant's description) and the method's name", async () => {
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("popup", { ...{ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }, description: "Coffee card top-up" }));
      await payButton(page, "Pay ₱100.00").click();
      await dialogShows(page, "Coffee card top-up");
      await dialogShows(page, "Pay with GCash");
    });
  });
});

describe.skipIf(warnIfNoChromium("browser checkout sessions"))("checkout sessions (data-session), in Chromium", { timeout: SUITE_TIMEOUT }, () => {
  const suite = useBrowserStack();

  it("pays a merchant's session: its amount and description, no amount step; once paid, reopening says so", async () => {
    const session = await suite.stack.createSession({ amount: "250.00", currency: "php", description: "Invoice 1042: two coffee bags" });
    await suite.withShopper(async ({ stack, page }) => {
      await page.goto(stack.embedUrl("iframe", { session: session.id, label: "Pay the invoice" }));
      await payButton(page, "Pay the invoice").click();
      await dialogShows(page, "Invoice 1042: two coffee bags");
      expect(await dialogOf(page).getByRole("textbox").count()).toBe(0);
      await dialogOf(page).getByRole("radio", { name: "Maya" }).check();
      await dialogOf(page).getByRole("button", { name: "Pay ₱250.00" }).click();
      const id = await createdId(page);
      const order = await stack.gatewayOrder(id);
      expect(order.amount).toBe("250.00");
      await pressOnPaymentPage(page.frameLocator("octopus-checkout iframe"), "Pay");
      await dialogShows(page, "Payment received");
      await dialogOf(page).getByRole("button", { name: "Done" }).click();

      await payButton(page, "Pay the invoice").click();
      await dialogShows(page, "Already paid");
      await dialogShows(page, "This payment has already been made. There is nothing more to pay.");
    });
  });
});
