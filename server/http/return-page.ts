/**
 * GET /checkout/return/:id, where the gateway sends the shopper's browser when the payment is done.
 * It tells the widget (a hint: the widget then asks the server for the status) and gets out of the
 * way. Its script is a file of its own so that the page works under `script-src 'self'`.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { isFinalStatus } from "../gateway/schemas.ts";
import { CHECKOUT_ID } from "../ids.ts";
import type { Logger } from "../log.ts";
import type { OrderStore } from "../store/types.ts";
import type { AppEnv } from "./app-env.ts";
import { PAY_PAGE_TEXT, payPageLocale } from "./pay-page-text.ts";
import { shopperPageErrors } from "./shopper-page-errors.ts";

// Posts to the opener (popup) or the parent (iframe) at the exact merchant origin recorded when the
// order was made, never "*". With neither, the browser goes back to the shop's own return URL.
const RETURN_SCRIPT = `(function () {
  var data = document.body.dataset;
  var message = { octopusCheckout: { v: 1, event: "return", id: data.id } };
  var opener = null;
  try { opener = window.opener && !window.opener.closed ? window.opener : null; } catch (e) { opener = null; }
  var target = opener || (window.parent !== window ? window.parent : null);
  if (target && data.origin) {
    try { target.postMessage(message, data.origin); } catch (e) {}
    if (opener) setTimeout(function () { window.close(); }, 100);
    return;
  }
  if (data.back) window.location.replace(data.back);
})();
`;

const RETURN_STYLE = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText}
main{max-width:28rem;padding:2rem;text-align:center;line-height:1.5}
h1{text-wrap:balance}
a{color:#1d4ed8}
@media (prefers-color-scheme:dark){a{color:#93c5fd}}`;

function backUrl(returnUrl: string | null, id: string, allowedOrigins: ReadonlySet<string>): string | null {
  if (!returnUrl) return null;
  try {
    const url = new URL(returnUrl);
    // Checked again now, not just at create: a removed origin must stop receiving shoppers.
    if (!allowedOrigins.has(url.origin)) return null;
    url.searchParams.set("octopus_checkout", id);
    return url.href;
  } catch {
    return null;
  }
}

/** A page of the return page's look that only says something: a heading, a sentence, maybe a link. */
function messagePage(locale: string, title: string, text: string, after: ReturnType<typeof html> | "" = "") {
  return html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/checkout/assets/return.css"></head><body><main><h1>${title}</h1><p>${text}</p>${after}</main></body></html>`;
}

export function returnPage(options: {
  store: OrderStore;
  allowedOrigins: ReadonlySet<string>;
  /** Re-reads the order from the gateway before the widget is told to look: it asks right after. */
  refresh?: (id: string) => Promise<unknown>;
  /** Where an error that is not the shopper's is logged (the order store down, a bug). */
  logger: Logger;
}) {
  const { store, allowedOrigins } = options;
  const app = new Hono<AppEnv>();
  app.onError(
    shopperPageErrors({
      logger: options.logger,
      store: store.kind,
      // The order, and so the shop's origin, could not be read: any shop of this server may frame
      // the page (iframe mode), since it holds nothing but the message.
      headers: { "Content-Security-Policy": `default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ${[...allowedOrigins].join(" ") || "'none'"}` },
      render: ({ locale, text, retry }) => messagePage(locale, text.unavailableTitle, text.unavailableText, html`<p><a href="${retry}">${text.tryAgain}</a></p>`),
    }),
  );
  return app
    .get("/checkout/assets/return.js", (c) => {
      c.header("Cache-Control", "public, max-age=300");
      return c.body(RETURN_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" });
    })
    .get("/checkout/assets/return.css", (c) => {
      c.header("Cache-Control", "public, max-age=300");
      return c.body(RETURN_STYLE, 200, { "Content-Type": "text/css; charset=utf-8" });
    })
    .get("/checkout/return/:id", async (c) => {
      const id = c.req.param("id");
      let order = CHECKOUT_ID.test(id) ? await store.get(id) : null;
      if (order && !isFinalStatus(order.status) && options.refresh) {
        // Never fails the page: the widget polls anyway.
        await options.refresh(order.id).catch(() => undefined);
        order = (await store.get(order.id)) ?? order;
      }
      const origin = order?.origin && allowedOrigins.has(order.origin) ? order.origin : null;
      const back = order ? backUrl(order.returnUrl, order.id, allowedOrigins) : null;
      c.header("Cache-Control", "no-store");
      c.header(
        "Content-Security-Policy",
        `default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ${origin ?? "'none'"}`,
      );
      // The language the shopper paid in (the widget sends it with the order), else the browser's.
      const locale = payPageLocale(order?.locale ?? undefined, c.req.header("accept-language"));
      const text = PAY_PAGE_TEXT[locale];
      c.header("Content-Language", locale);
      if (!order) {
        return c.html(messagePage(locale, text.checkoutNotFoundTitle, text.checkoutNotFoundText), 404);
      }
      const heading = order.status === "completed" ? text.returnPaid : isFinalStatus(order.status) ? text.returnNotPaid : text.returnSubmitted;
      return c.html(html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${text.returning}</title>
<link rel="stylesheet" href="/checkout/assets/return.css">
</head>
<body data-id="${order.id}" data-origin="${origin ?? ""}" data-back="${back ?? ""}">
<main>
<h1>${heading}</h1>
<p>${text.returnText}</p>
${back ? html`<p><a href="${back}">${text.backToShop}</a></p>` : ""}
</main>
<script src="/checkout/assets/return.js"></script>
</body>
</html>`);
    });
}
