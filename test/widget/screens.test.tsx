// @vitest-environment happy-dom
import { cleanup, fireEvent, screen } from "@testing-library/preact";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../widget/i18n/index.ts";
import th from "../../widget/i18n/th.json";
import { catalog, order, quietIframeLoading, renderApp } from "./support.tsx";

let loud: () => void;
beforeAll(() => {
  loud = quietIframeLoading();
});
afterAll(() => loud());
afterEach(cleanup);

const button = (name: string | RegExp) => screen.getByRole("button", { name });
const text = (value: string) => screen.getByText(value);
const liveRegion = () => document.querySelector<HTMLElement>("[aria-live]")!;

describe("the dialog", () => {
  it("is named after the merchant, by its heading", () => {
    renderApp();
    const dialog = screen.getByRole("dialog", { name: "Octopus Demo Shop" });
    const heading = screen.getByRole("heading", { name: "Octopus Demo Shop" });
    expect(dialog.getAttribute("aria-labelledby")).toBe(heading.id);
    expect(dialog.hasAttribute("open")).toBe(true);
  });

  it("is named Checkout before the catalog has loaded", () => {
    renderApp({ screen: "loading", catalog: null });
    expect(screen.getByRole("dialog", { name: "Checkout" })).toBeTruthy();
  });

  it("has a Close button with an accessible name that closes", () => {
    const app = renderApp();
    fireEvent.click(button("Close"));
    expect(app.act.close).toHaveBeenCalledTimes(1);
  });

  it("closes on Escape (the dialog's cancel), without the browser closing it behind our back", () => {
    const app = renderApp();
    const cancel = new Event("cancel", { cancelable: true });
    fireEvent(screen.getByRole("dialog"), cancel);
    expect(cancel.defaultPrevented).toBe(true);
    expect(app.act.close).toHaveBeenCalledTimes(1);
  });

  it("announces its screens in an aria-live region", () => {
    const app = renderApp({ screen: "creating" });
    expect(liveRegion().getAttribute("aria-live")).toBe("polite");
    expect(liveRegion().getAttribute("aria-busy")).toBe("true");
    expect(liveRegion().textContent).toContain("Creating your order…");
    app.update({ screen: "paid", order: order({ status: "completed" }) });
    expect(liveRegion().getAttribute("aria-busy")).toBe("false");
    expect(liveRegion().textContent).toContain("Payment received");
  });

  it("shows the sandbox banner only in sandbox mode", () => {
    const app = renderApp();
    expect(screen.queryByText("Sandbox: no real money moves")).toBeNull();
    app.update({ catalog: { ...catalog, sandbox: true } });
    expect(text("Sandbox: no real money moves")).toBeTruthy();
  });

  it("follows the theme option", () => {
    const app = renderApp({ options: { theme: "dark" } });
    expect(screen.getByRole("dialog").classList.contains("dark")).toBe(true);
    app.update({ options: { theme: "light" } });
    expect(screen.getByRole("dialog").classList.contains("dark")).toBe(false);
    expect(screen.getByRole("dialog").classList.contains("light")).toBe(true);
  });
});

describe("screens", () => {
  it("loading: a busy indicator", () => {
    renderApp({ screen: "loading", catalog: null });
    expect(screen.getByRole("progressbar")).toBeTruthy();
    expect(screen.queryByText("Creating your order…")).toBeNull();
  });

  it("creating: says the order is being created", () => {
    renderApp({ screen: "creating" });
    expect(screen.getByRole("progressbar", { name: "Creating your order…" })).toBeTruthy();
    expect(text("Creating your order…")).toBeTruthy();
  });

  it("waiting in a popup: the amount to pay and a way back to the payment page", () => {
    const app = renderApp({ screen: "waiting", order: order() });
    expect(screen.getByRole("dialog", { name: "Complete your payment" })).toBeTruthy();
    expect(text("Amount to pay")).toBeTruthy();
    expect(text("₱100.00")).toBeTruthy();
    expect(text("Finish paying in the payment window. This page updates by itself.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Copy amount" })).toBeNull();
    fireEvent.click(button("Open the payment page"));
    expect(app.act.openPage).toHaveBeenCalledTimes(1);
  });

  it("waiting with a Thai floating amount: the exact amount and a Copy amount button", () => {
    const app = renderApp({
      screen: "waiting",
      order: order({ amount: "500.00", final_amount: "500.00", floating_amount: "500.37", currency: "thb", country: "TH", payment: "thailand" }),
      locale: "th",
    });
    expect(text("฿500.37")).toBeTruthy();
    expect(screen.queryByText("฿500.00")).toBeNull();
    expect(text("Transfer exactly this amount, including the decimals, so your payment can be matched.")).toBeTruthy();
    fireEvent.click(button("Copy amount"));
    expect(app.act.copy).toHaveBeenCalledWith("500.37");
    app.update({ copied: true });
    expect(button("Copied")).toBeTruthy();
  });

  it("waiting in an iframe: the payment page inside, and Open in a new window", () => {
    const app = renderApp({ screen: "waiting", mode: "iframe", order: order(), frameable: true });
    const frame = screen.getByTitle("Checkout");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame.getAttribute("src")).toBe("https://gateway.example.test/pay/PAY123");
    expect(text("Finish paying below. This page updates by itself.")).toBeTruthy();
    // Two of them: under the frame, and in the header, where the phone's full-screen sheet shows it
    // instead (CSS shows one at a time: test/browser/shopper.test.ts). Each opens the payment page.
    const buttons = screen.getAllByRole("button", { name: "Open in a new window" });
    expect(buttons).toHaveLength(2);
    for (const each of buttons) fireEvent.click(each);
    expect(app.act.openPage).toHaveBeenCalledTimes(2);
  });

  it("waiting in an iframe with a Thai floating amount: the exact amount stays in view", () => {
    const app = renderApp({
      screen: "waiting",
      mode: "iframe",
      frameable: true,
      order: order({ amount: "500.00", floating_amount: "500.37", currency: "thb", country: "TH", payment: "thailand" }),
      locale: "th",
    });
    expect(screen.getByTitle("Checkout")).toBeTruthy();
    expect(text("฿500.37")).toBeTruthy();
    fireEvent.click(button("Copy amount"));
    expect(app.act.copy).toHaveBeenCalledWith("500.37");
  });

  it("waiting in an iframe before framing is known: the iframe is shown", () => {
    renderApp({ screen: "waiting", mode: "iframe", order: order(), frameable: null });
    expect(screen.getByTitle("Checkout").getAttribute("src")).toBe("https://gateway.example.test/pay/PAY123");
  });

  it("waiting in an iframe the payment page refuses: says so, no iframe", () => {
    const app = renderApp({ screen: "waiting", mode: "iframe", order: order(), frameable: false });
    expect(screen.queryByTitle("Checkout")).toBeNull();
    expect(document.querySelector("iframe")).toBeNull();
    expect(text("The payment page can't be shown here. Open it in a new window to pay.")).toBeTruthy();
    fireEvent.click(button("Open in a new window"));
    expect(app.act.openPage).toHaveBeenCalledTimes(1);
  });

  it("paid: Payment received, the amount, Done closes", () => {
    const app = renderApp({ screen: "paid", order: order({ status: "completed" }) });
    expect(text("Payment received")).toBeTruthy();
    expect(text("Thank you! Your payment of ₱100.00 is complete.")).toBeTruthy();
    fireEvent.click(button("Done"));
    expect(app.act.close).toHaveBeenCalledTimes(1);
  });

  it("failed: Payment failed, Try again starts again", () => {
    const app = renderApp({ screen: "failed", order: order({ status: "failed" }) });
    expect(text("Payment failed")).toBeTruthy();
    expect(text("The payment didn't go through. You can try again.")).toBeTruthy();
    fireEvent.click(button("Try again"));
    expect(app.act.again).toHaveBeenCalledTimes(1);
    expect(app.act.retry).not.toHaveBeenCalled();
  });

  it("expired: Order expired, Start again", () => {
    const app = renderApp({ screen: "expired", order: order({ status: "overdue" }) });
    expect(text("Order expired")).toBeTruthy();
    expect(text("The time to pay this order ran out. Start again to get a new order.")).toBeTruthy();
    fireEvent.click(button("Start again"));
    expect(app.act.again).toHaveBeenCalledTimes(1);
  });

  it("refunded: Payment refunded, the amount", () => {
    const app = renderApp({ screen: "refunded", order: order({ status: "refund", amount: "500.00", currency: "thb" }), locale: "th" });
    expect(text("Payment refunded")).toBeTruthy();
    expect(text("This payment of ฿500.00 was refunded.")).toBeTruthy();
    fireEvent.click(button("Done"));
    expect(app.act.close).toHaveBeenCalledTimes(1);
  });

  it("error: the message and Try again retries", () => {
    const app = renderApp({ screen: "error", error: "Too many checkout attempts. Try again in 30 s." });
    expect(text("Something went wrong")).toBeTruthy();
    expect(text("Too many checkout attempts. Try again in 30 s.")).toBeTruthy();
    fireEvent.click(button("Try again"));
    expect(app.act.retry).toHaveBeenCalledTimes(1);
    expect(app.act.again).not.toHaveBeenCalled();
  });

  it("error the shopper cannot fix (the shop's setup): Close instead of Try again", () => {
    const app = renderApp({ screen: "error", error: "This shop's checkout isn't set up for this page yet.", closeOnly: true });
    expect(screen.queryByText("Try again")).toBeNull();
    fireEvent.click(screen.getByText("Close"));
    expect(app.act.close).toHaveBeenCalledTimes(1);
    expect(app.act.retry).not.toHaveBeenCalled();
  });

  it("resume: a payment in progress, Continue or Start a new payment", () => {
    const app = renderApp({ screen: "resume", order: order({ amount: "500.00", floating_amount: "500.37", currency: "thb" }), locale: "th" });
    expect(text("You have a payment in progress")).toBeTruthy();
    expect(text("Continue paying ฿500.37, or start a new payment.")).toBeTruthy();
    fireEvent.click(button("Continue payment"));
    expect(app.act.openPage).toHaveBeenCalledTimes(1);
    fireEvent.click(button("Start a new payment"));
    expect(app.act.again).toHaveBeenCalledTimes(1);
  });
});

describe("in Thai", () => {
  it("shows the waiting screen in Thai", () => {
    renderApp({
      screen: "waiting",
      order: order({ amount: "500.00", floating_amount: "500.37", currency: "thb", country: "TH", payment: "thailand" }),
      locale: "th",
      t: translator(th),
      catalog: { ...catalog, sandbox: true },
    });
    expect(screen.getByRole("dialog", { name: "ชำระเงินให้เสร็จสิ้น" })).toBeTruthy();
    expect(text("ยอดที่ต้องชำระ")).toBeTruthy();
    expect(text("฿500.37")).toBeTruthy();
    expect(button("คัดลอกยอดเงิน")).toBeTruthy();
    expect(button("ปิด")).toBeTruthy();
    expect(button("เปิดหน้าชำระเงิน")).toBeTruthy();
    expect(text("โหมดทดสอบ: ไม่มีการตัดเงินจริง")).toBeTruthy();
    expect(screen.queryByText(/Amount to pay|Close|Copy amount/)).toBeNull();
  });

  it("shows the paid screen in Thai", () => {
    renderApp({ screen: "paid", order: order({ status: "completed", amount: "350.00", currency: "thb" }), locale: "th", t: translator(th) });
    expect(text("ชำระเงินสำเร็จ")).toBeTruthy();
    expect(text("ขอบคุณ! ชำระเงิน ฿350.00 เรียบร้อยแล้ว")).toBeTruthy();
    expect(button("เสร็จสิ้น")).toBeTruthy();
  });
});
