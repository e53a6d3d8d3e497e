/**
 * The markup each demo page runs. Each string is used twice, unescaped in the page (the live widget)
 * and escaped in its code block (what the merchant copies), so what is shown is what runs.
 * test/demo/demo.test.ts checks that they match.
 *
 * `src` is the checkout server's public URL (CHECKOUT_PUBLIC_URL), not "/widget.js": a snippet copied
 * onto the merchant's own site must load the widget from the checkout server, not from the shop.
 */
import { readFileSync } from "node:fs";

/** The markup of every demo page, for the checkout server at `server` (its public origin, no trailing slash). */
export const snippets = (server: string) => ({
  "top-up": `<script src="${server}/widget.js" data-amounts="100.00,500.00,1000.00" data-currency="php" data-country="PH" data-label="Top up" async></script>`,

  product: `<script src="${server}/widget.js" data-product="starter-pack" data-label="Buy now" async></script>`,

  // The script tag has no data-* of its own here, so it renders no button: only these trigger.
  buttons: `<button type="button" class="buy" data-octopus-checkout data-product="starter-pack">Starter pack</button>
<button type="button" class="buy" data-octopus-checkout data-product="season-pass">Season pass</button>
<button type="button" class="buy" data-octopus-checkout data-amount="50.00" data-currency="php" data-country="PH" data-payment="gcash">Tip ₱50 by GCash</button>
<script src="${server}/widget.js" async></script>`,

  // Not async: the page's own script after it calls window.OctopusCheckout at once.
  "js-api": `<button type="button" class="buy" id="buy-credit">Buy ₱250 of credit</button>
<script src="${server}/widget.js"></script>
<script src="/demo/assets/js-api.js"></script>`,

  redirect: `<script src="${server}/widget.js" data-amount="100.00" data-currency="php" data-country="PH" data-mode="redirect" async></script>`,

  thai: `<script src="${server}/widget.js" data-amount="500.00" data-currency="thb" data-country="TH" async></script>`,

  // Iframe mode on purpose: the framed payment page is what a strict frame-src usually breaks.
  csp: `<script src="${server}/widget.js" data-amount="150.00" data-currency="php" data-country="PH" data-mode="iframe" async></script>`,

  dark: `<script src="${server}/widget.js" data-amounts="100.00,500.00" data-currency="php" data-country="PH" data-theme="dark" data-color="#f59e0b" async></script>`,

  // One method and small presets: the shortest form, for the smallest screens.
  phone: `<script src="${server}/widget.js" data-amounts="50.00,100.00,200.00" data-currency="php" data-country="PH" data-payment="gcash" data-label="Top up" async></script>`,
});

export type SnippetName = keyof ReturnType<typeof snippets>;

/** The JS API page's script, served from this file and shown from it: one source for both. */
export const JS_API_SCRIPT = readFileSync(new URL("./assets/js-api.js", import.meta.url), "utf8");

/** The viewport tag a phone page needs; shown on the phone page, used in every page's head. */
export const VIEWPORT_META = `<meta name="viewport" content="width=device-width,initial-scale=1">`;
