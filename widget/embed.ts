/**
 * The script-tag embed (after giscus's client): reads its own <script> once, takes the server
 * origin from its `src`, renders a pay button where it stands (or into data-target), turns every
 * [data-octopus-checkout] element into a trigger, and finishes a redirect that came back here.
 */
import { readAttributes } from "./attributes.ts";
import { createCheckout } from "./checkout.ts";
import { loadMessages, pickLocale, translator } from "./i18n/index.ts";
import { formatMoney } from "./money.ts";
import type { CheckoutOptions } from "./types.ts";
import { adoptStyles } from "./ui/styles.ts";

export interface OctopusCheckoutApi {
  open(options?: CheckoutOptions): ReturnType<ReturnType<typeof createCheckout>["open"]>;
  mount(element: Element, options?: CheckoutOptions): void;
  close(): void;
}

export function createEmbed(server: string, win: Window = window): OctopusCheckoutApi {
  const checkout = createCheckout(server, win);
  const doc = win.document;

  /** Renders our pay button into `element` (in its own shadow root), opening the checkout on click. */
  function mount(element: Element, options: CheckoutOptions = {}) {
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    adoptStyles(root, options.color);
    const button = doc.createElement("button");
    button.type = "button";
    button.setAttribute("part", "button");
    const locale = pickLocale(options.locale ? [options.locale] : [...(win.navigator.languages ?? [])]);
    const label = (t = translator({})) =>
      options.label ?? (options.amount && options.currency ? t("payAmount", { amount: formatMoney(options.amount, options.currency, locale) }) : t("pay"));
    button.textContent = label();
    if (locale !== "en") void loadMessages(server, locale).then((messages) => (button.textContent = label(translator(messages))));
    button.addEventListener("click", () => void checkout.open(options, element));
    root.replaceChildren(button);
  }

  /** An element of the merchant's own becomes a trigger: its look stays theirs. */
  function bind(element: Element) {
    element.addEventListener("click", (event) => {
      event.preventDefault();
      void checkout.open(readAttributes((element as HTMLElement).dataset), element);
    });
  }

  return { open: (options) => checkout.open(options), mount, close: checkout.close, bind, checkout } as OctopusCheckoutApi & { bind: typeof bind; checkout: typeof checkout };
}

/** Runs once when widget.js loads. */
export function boot(win: Window = window): OctopusCheckoutApi {
  const doc = win.document;
  const script = doc.currentScript as HTMLScriptElement | null;
  const server = script?.src ? new URL(script.src).origin : win.location.origin;
  const embed = createEmbed(server, win) as OctopusCheckoutApi & { bind(element: Element): void; checkout: ReturnType<typeof createCheckout> };

  const start = () => {
    let host: Element | null = null;
    if (script && Object.keys(script.dataset).length > 0) {
      const { target, ...options } = readAttributes(script.dataset);
      let place: Element | null = null;
      try {
        place = target ? doc.querySelector(target) : null;
      } catch {
        // A selector the browser cannot parse must not break the page: the button goes after the script.
        console.warn(`octopus-checkout: data-target="${target}" is not a valid CSS selector`);
      }
      host = place ?? doc.createElement("octopus-checkout-button");
      if (!place) script.after(host);
      embed.mount(host, options);
    }
    doc.querySelectorAll("[data-octopus-checkout]").forEach((element) => embed.bind(element));
    // Back from a redirect: the order id is in our query parameter. Show its result, then tidy the URL.
    const url = new URL(win.location.href);
    const id = url.searchParams.get("octopus_checkout");
    if (id && /^ck_[\w-]{22}$/.test(id)) {
      url.searchParams.delete("octopus_checkout");
      win.history.replaceState(win.history.state, "", url.href);
      // From the same host as before the redirect, so the page's listeners on the button hear the result.
      void embed.checkout.open(script ? readAttributes(script.dataset) : {}, host, id);
    }
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
  return { open: embed.open, mount: embed.mount, close: embed.close };
}
