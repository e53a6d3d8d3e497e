/**
 * The script-tag embed (after giscus's client): reads its own <script> once, takes the server
 * origin from its `src`, renders a pay button where it stands (or into data-target), turns every
 * [data-octopus-checkout] element into a trigger, and finishes a redirect that came back here.
 */
import { readAttributes } from "./attributes.ts";
import { cleanUrl, createCheckout } from "./checkout.ts";
import { loadMessages, localeOf, translator } from "./i18n/index.ts";
import { formatMoney } from "./money.ts";
import type { CheckoutOptions, OctopusCheckoutApi } from "./types.ts";
import { adoptStyles } from "./ui/styles.ts";

export type { OctopusCheckoutApi };

export function createEmbed(server: string, win: Window = window) {
  const checkout = createCheckout(server, win);

  /** Renders our pay button into `element` (in its own shadow root), opening the checkout on click. */
  function mount(element: Element, options: CheckoutOptions = {}) {
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    adoptStyles(root, options.color);
    const button = win.document.createElement("button");
    button.setAttribute("part", "button");
    const locale = localeOf(options, win);
    const label = (messages = {}) => {
      const t = translator(messages);
      button.textContent = options.label ?? (options.amount && options.currency ? t("payAmount", { amount: formatMoney(options.amount, options.currency, locale) }) : t("pay"));
    };
    // English at once; the shopper's language as soon as it has loaded.
    label();
    void loadMessages(server, locale).then(label);
    button.onclick = () => void checkout.open(options, element);
    root.replaceChildren(button);
  }

  return {
    open: (options?: CheckoutOptions) => checkout.open(options),
    mount,
    close: checkout.close,
    checkout,
    /** An element of the merchant's own becomes a trigger: its look stays theirs. */
    bind: (element: HTMLElement) =>
      element.addEventListener("click", (event) => {
        event.preventDefault();
        void checkout.open(readAttributes(element.dataset), element);
      }),
  };
}

/** Runs once when widget.js loads. */
export function boot(win: Window = window): OctopusCheckoutApi {
  const doc = win.document;
  const script = doc.currentScript as HTMLScriptElement | null;
  const embed = createEmbed(script?.src ? new URL(script.src).origin : win.location.origin, win);
  const options = script ? readAttributes(script.dataset) : {};

  const start = () => {
    let host: Element | null = null;
    if (Object.keys(script?.dataset ?? {})[0]) {
      const { target, ...rest } = options;
      // readAttributes has dropped a selector the browser cannot parse: then the button goes after the script.
      host = target ? doc.querySelector(target) : null;
      if (!host) script!.after((host = doc.createElement("octopus-checkout-button")));
      embed.mount(host, rest);
    }
    doc.querySelectorAll<HTMLElement>("[data-octopus-checkout]").forEach(embed.bind);
    // Back from a redirect: the order id is in our query parameter. Show its result, then tidy the URL.
    const id = new URL(win.location.href).searchParams.get("octopus_checkout");
    if (id && /^ck_[\w-]{22}$/.test(id)) {
      win.history.replaceState(win.history.state, "", cleanUrl(win.location.href));
      // From the same host as before the redirect, so the page's listeners on the button hear the result.
      void embed.checkout.open(options, host, id);
    }
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
  return { open: embed.open, mount: embed.mount, close: embed.close };
}
