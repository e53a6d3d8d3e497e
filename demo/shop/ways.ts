/**
 * The ways into the checkout, in the order a merchant meets them: the index lists them, each has a
 * page at /demo/<slug>. Titles and "when to use it" lines live here so the index and the pages agree.
 */
import type { SnippetName } from "./snippets.ts";

export interface Way {
  slug: SnippetName;
  title: string;
  /** One line: when a merchant should pick this way. */
  when: string;
  /** The attribute or call that makes it, for the index card. */
  key: string;
}

export const WAYS: readonly Way[] = [
  {
    slug: "top-up",
    title: "Top-up with presets",
    when: "Wallets, game credit, prepaid balances: the shopper taps a preset or types any amount within the method's limits.",
    key: `data-amounts`,
  },
  {
    slug: "product",
    title: "A fixed-price product",
    when: "Packs, passes, tickets: the price comes from the server's config, so nobody can change it in the page.",
    key: `data-product`,
  },
  {
    slug: "buttons",
    title: "Several buttons on one page",
    when: "A price list or catalogue: your own buttons, in your own style, each with its own data-*.",
    key: `data-octopus-checkout`,
  },
  {
    slug: "js-api",
    title: "The JavaScript API",
    when: "Your code decides when to pay (after a form, in a single-page app) and wants the result as a promise, callbacks and events.",
    key: `OctopusCheckout.open()`,
  },
  {
    slug: "redirect",
    title: "Redirect mode",
    when: "Where popups fail (in-app browsers, kiosks): the whole page goes to the payment page and comes back with the result.",
    key: `data-mode="redirect"`,
  },
  {
    slug: "thai",
    title: "Thai bank transfer",
    when: "PromptPay in Thailand: the gateway adds a few satang to match the transfer, and the widget shows the exact amount to send.",
    key: `data-currency="thb"`,
  },
  {
    slug: "csp",
    title: "Under a strict CSP",
    when: "Pages that send a Content-Security-Policy: the widget needs your checkout server in script, connect and frame sources, and nothing inline.",
    key: `Content-Security-Policy`,
  },
  {
    slug: "dark",
    title: "Dark theme, your colour",
    when: "Dark pages and brand colours: the dialog follows data-theme (light, dark or the shopper's system) and takes your accent.",
    key: `data-theme="dark"`,
  },
  {
    slug: "phone",
    title: "On a phone",
    when: "Always: most shoppers pay on phones. The form fits 320 px, and on phones the checkout redirects rather than opening a popup.",
    key: `width=device-width`,
  },
];
