/**
 * Shared fixtures for the widget's component tests: a catalog like the server's options answer, a
 * `View` builder whose `act` functions are spies, and a harness that keeps the view and re-renders
 * `App` when the form calls `act.pick` (the controller does the same in the real widget).
 */
import { configure, render } from "@testing-library/preact";
import { h } from "preact";
import { vi, type Mock } from "vitest";
import type { Picks, Selection, View } from "../../widget/view-model.ts";
import { translator } from "../../widget/i18n/index.ts";
import { formatMoney } from "../../widget/money.ts";
import type { Order } from "../../widget/api.ts";
import type { Catalog } from "../../widget/types.ts";
import { App } from "../../widget/ui/app.tsx";

export const catalog: Catalog = {
  merchant_name: "Octopus Demo Shop",
  sandbox: false,
  methods: [
    { country: "PH", currency: "php", payment: "gcash", label: "GCash", min: "20.00", max: "50000.00", presets: ["100.00", "500.00", "1000.00"] },
    { country: "PH", currency: "php", payment: "maya", label: "Maya", min: "20.00", max: "50000.00", presets: ["100.00", "500.00", "1000.00"] },
    { country: "TH", currency: "thb", payment: "thailand", label: "PromptPay bank transfer", min: "100.00", max: "200000.00", presets: ["300.00", "500.00", "1000.00"] },
    { country: "VN", currency: "vnd", payment: "momo", label: "MoMo", min: "10000", max: "50000000", presets: ["50000", "100000", "500000"] },
    { country: "ID", currency: "idr", payment: "qris", label: "QRIS", min: "10000", max: "10000000", presets: ["50000", "100000", "250000"] },
    { country: "SG", currency: "sgd", payment: "paynow", label: "PayNow", min: "1.00", max: "20000.00", presets: ["10.00", "20.00", "50.00"] },
    { country: "SG", currency: "usd", payment: "card", label: "Card (USD)", min: "1.00", max: "10000.00" },
    { country: "US", currency: "usd", payment: "card", label: "Card", min: "1.00", max: "10000.00", presets: ["5.00", "10.00", "25.00"] },
  ],
  products: [
    { id: "starter-pack", name: "Starter pack: 500 gems", price: "199.00", currency: "php" },
    { id: "thai-pack", name: "Gem pack (Thailand)", price: "350.00", currency: "thb" },
  ],
};

export const ORDER_ID = "ck_AAAAbbbbCCCCddddEEEE12";

export function order(patch: Partial<Order> = {}): Order {
  return {
    id: ORDER_ID,
    status: "pending",
    payment_url: "https://gateway.example.test/pay/PAY123",
    amount: "100.00",
    currency: "php",
    country: "PH",
    payment: "gcash",
    expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
    ...patch,
  };
}

export type Acts = { [K in keyof View["act"]]: Mock<View["act"][K]> };

export function acts(): Acts {
  return {
    pick: vi.fn<(picks: Picks) => void>(),
    copy: vi.fn<(value: string) => void>(),
    submit: vi.fn<(selection: Selection) => void>(),
    close: vi.fn<() => void>(),
    retry: vi.fn<() => void>(),
    again: vi.fn<() => void>(),
    openPage: vi.fn<() => void>(),
  };
}

export function view(patch: Partial<View> = {}): View {
  return {
    screen: "form",
    picks: {},
    copied: false,
    options: {},
    catalog,
    order: null,
    session: null,
    error: "",
    mode: "popup",
    frameable: null,
    slow: false,
    popupClosed: false,
    closeOnly: false,
    locale: "en",
    t: translator({}),
    formatMoney,
    act: acts(),
    ...patch,
  };
}

/**
 * Renders `App` with the view; `act.pick` merges the picks and re-renders, like the controller.
 * Returns the spies and the current view.
 */
export function renderApp(patch: Partial<View> = {}) {
  const act = acts();
  let current = view({ ...patch, act });
  const result = render(<App {...current} />);
  act.pick.mockImplementation((picks) => {
    current = { ...current, picks: { ...current.picks, ...picks } };
    result.rerender(<App {...current} />);
  });
  return {
    ...result,
    act,
    get view() {
      return current;
    },
    /** Re-renders with a changed view, as the controller would after a state change. */
    update(next: Partial<View>) {
      current = { ...current, ...next };
      result.rerender(<App {...current} />);
    },
  };
}


/**
 * Testing Library prints the container when a query fails, and cannot print a ShadowRoot (it then
 * throws "Expected an element or document but got ShadowRoot" instead). For the tests that query
 * inside the widget's shadow root: the message with the root's HTML.
 */
export function readableShadowErrors(): void {
  configure({
    getElementError(message, container) {
      const error = new Error(`${message ?? ""}\n\n${(container as Element | ShadowRoot).innerHTML ?? ""}`);
      error.name = "TestingLibraryElementError";
      return error;
    },
  });
}

/**
 * happy-dom loads no iframe pages and prints a NotSupportedError with its stack, straight to
 * stderr, for every iframe the widget renders (the widget only needs the iframe there with the right
 * `src`). Drops exactly those writes while a suite runs; returns the function that restores stderr.
 */
export function quietIframeLoading(): () => void {
  const stderr = process.stderr;
  const write = stderr.write;
  stderr.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (String(chunk).includes("Iframe page loading is disabled")) return true;
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stderr.write;
  return () => {
    stderr.write = write;
  };
}
