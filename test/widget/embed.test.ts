// @vitest-environment happy-dom
/** The script-tag embed: the pay button it renders, the triggers it binds, the redirect it finishes. */
import { fireEvent, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as dialogModule from "../../widget/dialog.ts";
import { boot, createEmbed } from "../../widget/embed.ts";
import { markStarted } from "../../widget/resume.ts";
import { catalog, order, ORDER_ID, readableShadowErrors } from "./support.tsx";

readableShadowErrors();

const SERVER = "https://pay.example.com";
const realSetTimeout = globalThis.setTimeout;
const flush = () => new Promise<void>((resolve) => realSetTimeout(resolve, 0));
const answer = (status: number, body: unknown) => ({ ok: status >= 200 && status < 300, status, json: async () => body }) as unknown as Response;

/** The dialog as the npm entry gets it: the module itself (widget.js fetches the same code as a file). */
const loadDialog = () => Promise.resolve(dialogModule);

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
  fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    if (url === `${SERVER}/api/checkout/options`) return answer(200, catalog);
    if (url === `${SERVER}/api/checkout/${ORDER_ID}`) return answer(200, (({ payment_url: _, ...rest }) => rest)(order({ status: "completed" })));
    return answer(404, { error: { code: "not_found", message: "" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  localStorage.clear();
});
/** What each test started, closed after it so that no listener outlives its test. */
const started: Array<{ close(): void }> = [];
const track = <T extends { close(): void }>(api: T): T => (started.push(api), api);

afterEach(() => {
  for (const api of started.splice(0)) api.close();
  vi.clearAllTimers();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.replaceChildren();
  history.replaceState(null, "", "/");
});

const dialog = () => {
  const host = document.querySelector("octopus-checkout");
  return host?.shadowRoot ? within(host.shadowRoot as unknown as HTMLElement) : null;
};
const inShadow = (element: Element) => within(element.shadowRoot as unknown as HTMLElement);

describe("mount", () => {
  it("renders a pay button naming the amount, which opens the checkout", async () => {
    const place = document.createElement("div");
    document.body.append(place);
    track(createEmbed(SERVER, window, loadDialog)).mount(place, { amount: "100.00", currency: "php", country: "PH", locale: "en" });
    const button = inShadow(place).getByRole("button", { name: "Pay ₱100.00" });
    expect(dialog()).toBeNull();
    fireEvent.click(button);
    await flush();
    expect(dialog()!.getByRole("dialog", { name: "Octopus Demo Shop" })).toBeTruthy();
    expect(dialog()!.getByRole("button", { name: "Pay ₱100.00" })).toBeTruthy();
  });

  it("uses the merchant's label, or a plain Pay", () => {
    const a = document.createElement("div");
    const b = document.createElement("div");
    document.body.append(a, b);
    const embed = track(createEmbed(SERVER, window, loadDialog));
    embed.mount(a, { label: "Top up gems", locale: "en" });
    embed.mount(b, { locale: "en" });
    expect(inShadow(a).getByRole("button", { name: "Top up gems" })).toBeTruthy();
    expect(inShadow(b).getByRole("button", { name: "Pay" })).toBeTruthy();
  });
});

describe("boot", () => {
  /**
   * The <script> that is running, as `document.currentScript` shows it. Its `src` names the server;
   * it is left out of the page unless it has to render a button, so that happy-dom loads nothing.
   */
  function scriptTag(attributes: Record<string, string>, inPage = false) {
    const script = document.createElement("script");
    for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
    if (inPage) document.body.append(script);
    vi.spyOn(document, "currentScript", "get").mockReturnValue(script);
    return script;
  }

  it("renders a pay button right after its script tag, from its data-* attributes", () => {
    const script = scriptTag({ "data-amount": "500.00", "data-currency": "php", "data-locale": "en" }, true);
    track(boot(window, () => loadDialog));
    const host = script.nextElementSibling!;
    expect(inShadow(host).getByRole("button", { name: "Pay ₱500.00" })).toBeTruthy();
  });

  it("survives a data-target the browser cannot parse: one warning, and the button after the script", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const script = scriptTag({ "data-target": "a[", "data-label": "Top up" }, true);
    track(boot(window, () => loadDialog));
    expect(inShadow(script.nextElementSibling!).getByRole("button", { name: "Top up" })).toBeTruthy();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('data-target="a["'));
    warn.mockRestore();
  });

  it("turns each [data-octopus-checkout] element into a trigger with its own options", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const trigger = document.createElement("a");
    trigger.textContent = "Buy the Thai pack";
    trigger.setAttribute("href", "#buy");
    trigger.setAttribute("data-octopus-checkout", "");
    trigger.setAttribute("data-product", "thai-pack");
    trigger.setAttribute("data-locale", "en");
    trigger.setAttribute("data-colour", "red");
    document.body.append(trigger);
    const opened = vi.fn();
    trigger.addEventListener("octopus-checkout:open", opened);
    scriptTag({ src: `${SERVER}/widget.js` });
    track(boot(window, () => loadDialog));
    fireEvent.click(trigger);
    await flush();
    expect(opened).toHaveBeenCalledTimes(1);
    expect(dialog()!.getByText("Gem pack (Thailand)")).toBeTruthy();
    expect(dialog()!.getByRole("button", { name: /^Pay THB\s350\.00$/ })).toBeTruthy();
    expect(warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes("data-colour"))).toHaveLength(1);
  });

  it("finishes a redirect that came back here: shows the result and tidies the URL", async () => {
    markStarted(SERVER, ORDER_ID);
    history.replaceState(null, "", `/shop?item=7&octopus_checkout=${ORDER_ID}`);
    const onSuccess = vi.fn();
    document.addEventListener("octopus-checkout:success", onSuccess);
    try {
      scriptTag({ src: `${SERVER}/widget.js` });
      track(boot(window, () => loadDialog));
      await flush();
      expect(location.href).toBe("http://localhost:3000/shop?item=7");
      expect(dialog()!.getByText("Payment received")).toBeTruthy();
      expect(onSuccess).toHaveBeenCalledTimes(1);
    } finally {
      document.removeEventListener("octopus-checkout:success", onSuccess);
    }
  });

  it("keeps the page's fragment when it tidies the URL after a redirect", async () => {
    history.replaceState(null, "", `/shop?octopus_checkout=${ORDER_ID}#/cart`);
    scriptTag({ src: `${SERVER}/widget.js` });
    track(boot(window, () => loadDialog));
    await flush();
    expect(location.href).toBe("http://localhost:3000/shop#/cart");
    expect(dialog()!.getByText("Payment received")).toBeTruthy();
  });

  it("ignores an octopus_checkout parameter that is not a checkout id", async () => {
    history.replaceState(null, "", "/shop?octopus_checkout=../../admin");
    scriptTag({ src: `${SERVER}/widget.js` });
    track(boot(window, () => loadDialog));
    await flush();
    expect(dialog()).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
