// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, within } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { renderApp } from "./support.tsx";

afterEach(cleanup);

const NBSP = /[\u00a0\u202f]/g;
const group = (name: string) => screen.queryByRole("group", { name });
const radios = (name: string) =>
  within(screen.getByRole("group", { name }))
    .getAllByRole("radio")
    .map((radio) => radio.closest("label")!.textContent!.replace(NBSP, " "));
const pay = () => screen.getByRole("button", { name: /^Pay/ });
const other = () => screen.getByRole("textbox", { name: "Other amount" });

function typeOther(value: string) {
  fireEvent.click(screen.getByRole("radio", { name: "Other amount" }));
  fireEvent.input(other(), { target: { value } });
}

describe("form: what is offered", () => {
  it("offers only the catalog's countries, and the methods of the picked country", () => {
    const app = renderApp();
    expect(radios("Country")).toEqual(["Philippines", "Thailand", "Vietnam", "Indonesia", "Singapore", "United States"]);
    expect(radios("Payment method")).toEqual(["GCash", "Maya"]);
    // One currency in the Philippines: no Currency step.
    expect(group("Currency")).toBeNull();

    fireEvent.click(screen.getByRole("radio", { name: "Thailand" }));
    expect(app.act.pick).toHaveBeenLastCalledWith({ country: "TH", error: "" });
    expect(screen.getByRole("radio", { name: "Thailand" })).toHaveProperty("checked", true);
    // One method in Thailand: no Payment method step.
    expect(group("Payment method")).toBeNull();
    expect(radios("Amount")).toEqual(["THB 300.00", "THB 500.00", "THB 1,000.00", "Other amount"]);
  });

  it("shows a Currency step only where a country has two currencies", () => {
    renderApp();
    fireEvent.click(screen.getByRole("radio", { name: "Singapore" }));
    expect(radios("Currency")).toEqual(["Singapore Dollar", "US Dollar"]);
    expect(group("Payment method")).toBeNull();
    fireEvent.click(screen.getByRole("radio", { name: "US Dollar" }));
    // The USD card method there has no presets: the amount is typed.
    expect(screen.queryByRole("radio", { name: "Other amount" })).toBeNull();
    expect(other()).toBeTruthy();
    expect(screen.getByText("From $1.00 to $10,000.00")).toBeTruthy();
  });

  it("narrows to the country option: no Country step when one country is left", () => {
    renderApp({ options: { country: "PH" } });
    expect(group("Country")).toBeNull();
    expect(group("Currency")).toBeNull();
    expect(radios("Payment method")).toEqual(["GCash", "Maya"]);
  });

  it("narrows to the currency option", () => {
    renderApp({ options: { currency: "thb" } });
    expect(group("Country")).toBeNull();
    expect(group("Payment method")).toBeNull();
    expect(pay().textContent!.replace(NBSP, " ")).toBe("Pay THB 300.00");
  });

  it("narrows to the currencies option", () => {
    renderApp({ options: { currencies: ["php", "usd"] } });
    expect(radios("Country")).toEqual(["Philippines", "Singapore", "United States"]);
    fireEvent.click(screen.getByRole("radio", { name: "Singapore" }));
    // Singapore keeps only its USD method.
    expect(group("Currency")).toBeNull();
    expect(screen.getByText("From $1.00 to $10,000.00")).toBeTruthy();
  });

  it("narrows to the payment option", () => {
    const app = renderApp({ options: { payment: "maya" } });
    expect(group("Country")).toBeNull();
    expect(group("Payment method")).toBeNull();
    fireEvent.click(pay());
    expect(app.act.submit).toHaveBeenCalledWith({ country: "PH", currency: "php", payment: "maya", amount: "100.00" });
  });

  it("shows the catalog's methods only, whatever the options ask for", () => {
    renderApp({ options: { country: "JP" } });
    expect(screen.getByRole("alert").textContent).toBe("This payment isn't available right now. Please contact the shop.");
    expect(screen.queryByRole("button", { name: /^Pay/ })).toBeNull();
  });
});

describe("form: amounts", () => {
  it("shows the presets formatted for the currency and locale, the first one picked", () => {
    renderApp({ options: { country: "PH" } });
    expect(radios("Amount")).toEqual(["₱100.00", "₱500.00", "₱1,000.00", "Other amount"]);
    expect(screen.getByRole("radio", { name: "₱100.00" })).toHaveProperty("checked", true);
    expect(pay().textContent).toBe("Pay ₱100.00");
    expect(screen.getByText("From ₱20.00 to ₱50,000.00")).toBeTruthy();
    expect(screen.queryByRole("textbox")).toBeNull();
  });

  it("formats in the shopper's locale (vi, vnd)", () => {
    renderApp({ options: { country: "VN" }, locale: "vi" });
    expect(radios("Amount")).toEqual(["50.000 ₫", "100.000 ₫", "500.000 ₫", "Other amount"]);
    expect(pay().textContent!.replace(NBSP, " ")).toBe("Pay 50.000 ₫");
  });

  it("uses the merchant's presets (amounts) over the method's", () => {
    renderApp({ options: { country: "PH", amounts: ["150", "250.5"] } });
    expect(radios("Amount")).toEqual(["₱150.00", "₱250.50", "Other amount"]);
  });

  it("submits the picked preset", () => {
    const app = renderApp({ options: { country: "PH" } });
    fireEvent.click(screen.getByRole("radio", { name: "₱500.00" }));
    expect(pay().textContent).toBe("Pay ₱500.00");
    fireEvent.click(screen.getByRole("radio", { name: "Maya" }));
    fireEvent.click(pay());
    expect(app.act.submit).toHaveBeenCalledTimes(1);
    expect(app.act.submit).toHaveBeenCalledWith({ country: "PH", currency: "php", payment: "maya", amount: "500.00" });
  });

  it("reveals a decimal input for Other amount", () => {
    renderApp({ options: { country: "PH" } });
    expect(screen.queryByRole("textbox")).toBeNull();
    fireEvent.click(screen.getByRole("radio", { name: "Other amount" }));
    expect(other().getAttribute("inputmode")).toBe("decimal");
    expect(pay().textContent).toBe("Pay");
  });

  it.each([
    ["VN", "vnd"],
    ["ID", "idr"],
  ])("reveals a numeric input for Other amount in %s (%s)", (country) => {
    renderApp({ options: { country } });
    fireEvent.click(screen.getByRole("radio", { name: "Other amount" }));
    expect(other().getAttribute("inputmode")).toBe("numeric");
  });

  it.each([
    ["100.001", "Enter an amount such as ₱100.00."],
    ["abc", "Enter an amount such as ₱100.00."],
    ["5", "Enter an amount from ₱20.00 to ₱50,000.00."],
    ["50000.01", "Enter an amount from ₱20.00 to ₱50,000.00."],
    ["", "Enter an amount."],
  ])("refuses %j inline, saying what is allowed, without submitting", (typed, message) => {
    const app = renderApp({ options: { country: "PH" } });
    typeOther(typed);
    fireEvent.click(pay());
    expect(app.act.submit).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe(message);
    const input = other();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    // The input is described by the limits and by the error.
    const described = input
      .getAttribute("aria-describedby")!
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent)
      .join(" ");
    expect(described).toBe(`From ₱20.00 to ₱50,000.00 ${message}`);
  });

  it("refuses decimals in vnd, saying so", () => {
    const app = renderApp({ options: { country: "VN" }, locale: "vi" });
    typeOther("50.000,5");
    fireEvent.click(pay());
    expect(app.act.submit).not.toHaveBeenCalled();
    // The vi translation is not loaded here: English text, Vietnamese number format.
    expect(screen.getByRole("alert").textContent).toBe("Enter a whole amount, without decimals.");
  });

  it("says the range in the currency and locale (vi, vnd)", () => {
    renderApp({ options: { country: "VN" }, locale: "vi" });
    typeOther("5.000");
    fireEvent.click(pay());
    expect(screen.getByRole("alert").textContent!.replace(NBSP, " ")).toBe("Enter an amount from 10.000 ₫ to 50.000.000 ₫.");
  });

  it.each([
    ["en", "PH", "1,234.5", { country: "PH", currency: "php", payment: "gcash", amount: "1234.50" }],
    ["en", "PH", "20", { country: "PH", currency: "php", payment: "gcash", amount: "20.00" }],
    ["en", "PH", "50000.00", { country: "PH", currency: "php", payment: "gcash", amount: "50000.00" }],
    ["vi", "VN", "50.000", { country: "VN", currency: "vnd", payment: "momo", amount: "50000" }],
    ["id", "ID", "1.500.000", { country: "ID", currency: "idr", payment: "qris", amount: "1500000" }],
  ])("in %s, a valid %s amount %j is submitted as a canonical decimal string", (locale, country, typed, selection) => {
    const app = renderApp({ options: { country }, locale: locale as "en" });
    typeOther(typed);
    fireEvent.click(pay());
    expect(screen.queryByRole("alert")).toBeNull();
    expect(app.act.submit).toHaveBeenCalledTimes(1);
    expect(app.act.submit).toHaveBeenCalledWith(selection);
  });

  it.each([
    ["en", "PH", "1,234.5", "Pay ₱1,234.50"],
    ["en", "PH", "12,5", "Pay"],
    ["en", "PH", "", "Pay"],
    ["vi", "VN", "50.000", "Pay 50.000 ₫"],
  ])("in %s, the Pay button shows the typed %s amount %j as soon as it reads as one", (locale, country, typed, label) => {
    renderApp({ options: { country }, locale: locale as "en" });
    typeOther(typed);
    expect(pay().textContent!.replace(NBSP, " ")).toBe(label);
  });

  it("clears the error once a valid amount is submitted", () => {
    const app = renderApp({ options: { country: "PH" } });
    typeOther("5");
    fireEvent.click(pay());
    expect(screen.getByRole("alert")).toBeTruthy();
    fireEvent.input(other(), { target: { value: "25" } });
    fireEvent.click(pay());
    expect(app.act.submit).toHaveBeenCalledWith({ country: "PH", currency: "php", payment: "gcash", amount: "25.00" });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a fixed amount without an amount input", () => {
    const app = renderApp({ options: { country: "PH", amount: "250.00" } });
    expect(group("Amount")).toBeNull();
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.getByText("₱250.00")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Pay ₱250.00" }));
    expect(app.act.submit).toHaveBeenCalledWith({ country: "PH", currency: "php", payment: "gcash", amount: "250.00" });
  });

  // Regression: a typed amount's error stays when the shopper moves to another country, and keeps stating
  // the limits (and currency) of the method they left.
  it("does not keep an error about another country's limits", () => {
    renderApp();
    typeOther("5");
    fireEvent.click(pay());
    expect(screen.getByRole("alert").textContent).toBe("Enter an amount from ₱20.00 to ₱50,000.00.");
    fireEvent.click(screen.getByRole("radio", { name: "Thailand" }));
    expect(screen.queryByRole("alert")?.textContent ?? "").not.toContain("₱");
  });
});

describe("form: products", () => {
  it("shows the product's name and server price, with no amount to type, and submits the product", () => {
    const app = renderApp({ options: { product: "thai-pack" }, locale: "th" });
    expect(screen.getByText("Gem pack (Thailand)")).toBeTruthy();
    expect(screen.getByText("฿350.00")).toBeTruthy();
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(group("Amount")).toBeNull();
    // Only the product's currency is offered: Thailand, one method.
    expect(group("Country")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Pay ฿350.00" }));
    expect(app.act.submit).toHaveBeenCalledTimes(1);
    const selection = app.act.submit.mock.calls[0]![0];
    expect(selection).toEqual({ country: "TH", currency: "thb", payment: "thailand", product: "thai-pack" });
    expect(selection).not.toHaveProperty("amount");
  });

  it("ignores an amount given with a product: the price is the server's", () => {
    const app = renderApp({ options: { product: "starter-pack", amount: "1.00" } });
    expect(screen.getByText("Starter pack: 500 gems")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Pay ₱199.00" }));
    expect(app.act.submit).toHaveBeenCalledWith({ country: "PH", currency: "php", payment: "gcash", product: "starter-pack" });
  });

  it("says the payment is not available for a product the shop does not sell, in the shopper's words", () => {
    renderApp({ options: { product: "no-such-thing" } });
    expect(screen.getByRole("alert").textContent).toBe("This payment isn't available right now. Please contact the shop.");
    expect(screen.queryByRole("button", { name: /^Pay/ })).toBeNull();
  });
});

describe("form: server errors", () => {
  it.each(["amount", "product", "currency", "country", "payment"])("shows the server's error about %s", (field) => {
    const message = `"${field}" is not right: because the server says so`;
    renderApp({ options: { country: "PH" }, picks: { error: message } });
    expect(screen.getByRole("alert").textContent).toBe(message);
  });

  // Regression: the controller goes back to the form for any 400 with a field, but the form shows only
  // five fields. A 400 about "return_url" (data-return-url not on an allowed origin), "customer",
  // "description" or "Idempotency-Key" leaves the shopper on the form with no message at all.
  it("shows the server's error about any other field", () => {
    const message = '"return_url" must be an absolute URL on one of the shop\'s allowed origins';
    renderApp({ options: { country: "PH" }, picks: { error: message } });
    expect(screen.getByText(message)).toBeTruthy();
  });
});
