/**
 * GET /pay/:session_id, a checkout session's payment link: a page on this server that says who is
 * paid, for what and how much, and pays through the widget (`data-session`, display mode `auto`:
 * a redirect on phones and in in-app browsers, where a chat app's link opens, a popup elsewhere).
 * A link that was paid or has expired says so, in the shopper's language, instead of offering to pay.
 *
 * The page runs under a nonce-based CSP: its one script is the widget (with the nonce), anything
 * the widget loads is trusted through 'strict-dynamic', and its style is inline under a hash.
 */
import { createHash, randomBytes } from "node:crypto";
import { Hono } from "hono";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { currencyDecimals, type CurrencyCode } from "../gateway/amount.ts";
import { SESSION_ID } from "../ids.ts";
import { sessionStatus } from "../merchant/views.ts";
import type { Logger } from "../log.ts";
import type { OrderRecord, OrderStore, SessionRecord } from "../store/types.ts";
import type { AppEnv } from "./app-env.ts";
import { fill, LOCALES, PAY_PAGE_TEXT, payPageLocale, type Locale, type PayPageText } from "./pay-page-text.ts";
import { shopperPageErrors } from "./shopper-page-errors.ts";

const PAY_STYLE = `*{box-sizing:border-box}
:root{color-scheme:light dark;--bg:#f1f5f9;--card:#fff;--text:#0f172a;--muted:#475569;--line:#e2e8f0;--ok:#047857;--ok-bg:#d1fae5;--warn:#9a3412;--warn-bg:#ffedd5;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Bengali",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0b1120;--card:#111827;--text:#f1f5f9;--muted:#94a3b8;--line:#1f2937;--ok:#6ee7b7;--ok-bg:#064e3b;--warn:#fdba74;--warn-bg:#431407}}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);line-height:1.5;display:flex;flex-direction:column}
.sandbox{background:#fde68a;color:#422006;padding:.5rem 1rem;font-size:.875rem;text-align:center}
main{flex:1;width:100%;max-width:30rem;margin:0 auto;padding:1.5rem 1rem 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:1rem;padding:1.5rem 1.25rem;box-shadow:0 1px 3px rgb(0 0 0/.06)}
.merchant{margin:0;font-weight:700;font-size:1.125rem;overflow-wrap:anywhere}
.eyebrow{margin:.125rem 0 0;color:var(--muted);font-size:.875rem}
h1,h2{text-wrap:balance}
h1{margin:0 0 .25rem;font-size:1.375rem;line-height:1.3}
.what{margin:1.25rem 0 0;font-size:1.0625rem;overflow-wrap:anywhere}
.amount{margin:1rem 0 0;padding-top:1rem;border-top:1px solid var(--line)}
.amount span{display:block;color:var(--muted);font-size:.875rem}
.amount strong{display:block;font-size:2rem;line-height:1.2;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.action{margin-top:1.25rem;min-height:3rem}
.action octopus-checkout-button{display:block}
.action octopus-checkout-button::part(button){width:100%;min-height:3rem;font-size:1.0625rem}
.note{margin:1rem 0 0;color:var(--muted);font-size:.875rem}
.state{margin:1.25rem 0 0;padding:.75rem 1rem;border-radius:.75rem}
.state h2{margin:0;font-size:1.0625rem;line-height:1.35}
.state p{margin:.25rem 0 0;font-weight:600}
.state.paid{background:var(--ok-bg);color:var(--ok)}
.state.expired{background:var(--warn-bg);color:var(--warn)}
.ref{margin:.75rem 0 0;font-size:.875rem;color:var(--muted)}
.ref code{display:inline-block;font-size:.8125rem;overflow-wrap:anywhere;color:var(--text)}
.langs{display:flex;flex-wrap:wrap;gap:.25rem .75rem;justify-content:center;margin:1.5rem 0 0;padding:0;list-style:none;font-size:.875rem}
.langs a{color:var(--muted);display:inline-block;padding:.5rem .25rem;min-height:44px;line-height:28px}
.langs a[aria-current]{color:var(--text);font-weight:700;text-decoration:none}
noscript p{margin:0;font-weight:600}
.retry a{display:inline-block;margin-top:1rem;padding:.625rem 1.25rem;min-height:44px;border-radius:.5rem;background:var(--text);color:var(--card);font-weight:600;text-decoration:none}`;

const STYLE_HASH = `'sha256-${createHash("sha256").update(PAY_STYLE).digest("base64")}'`;

/**
 * Paid in the popup or the frame, the shopper closes the dialog (Done) onto this page: without a
 * reload it would still say "Amount to pay" with a Pay button, as if nothing had happened. The
 * page made again by the server says the link is paid.
 */
const RELOAD_WHEN_PAID = `document.addEventListener("octopus-checkout:close", function (event) {
  if (event.detail && event.detail.status === "completed") location.reload();
});
`;

/** The page's policy: only the nonced widget script (and what it loads), only the hashed style. */
function payPagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    // 'self' is for browsers without 'strict-dynamic' (which then ignore the nonce's trust chain).
    `script-src 'nonce-${nonce}' 'strict-dynamic' 'self'`,
    `style-src ${STYLE_HASH}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    // The widget falls back to a frame when a popup is blocked: the gateway's https payment page.
    "frame-src 'self' https:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The amount as the shopper reads it, to the currency's own decimals (server/gateway/amount.ts). */
function formatAmount(amount: string, currency: string, locale: Locale): string {
  const digits = currencyDecimals(currency as CurrencyCode);
  try {
    // A decimal string is formatted exactly (Intl.NumberFormat v3): no float ever decides the digits.
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount as unknown as number);
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

/** "in 23 hours", "in 5 minutes", "tomorrow" in the shopper's language. */
function expiresIn(expiresAt: number, now: number, locale: Locale): string {
  const seconds = Math.max(0, (expiresAt - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (seconds < 90 * 60) return format.format(Math.max(1, Math.round(seconds / 60)), "minute");
  if (seconds < 48 * 3600) return format.format(Math.round(seconds / 3600), "hour");
  return format.format(Math.round(seconds / 86400), "day");
}

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

interface Frame {
  locale: Locale;
  text: PayPageText;
  title: string;
  sandbox: boolean;
  body: Html;
}

/** Relative links (`?lang=th`): the same page in another language. */
function languageLinks(locale: Locale, text: PayPageText): Html {
  return html`<nav aria-label="${text.language}"><ul class="langs">${LOCALES.map(
    (other) =>
      html`<li><a href="?lang=${other}" hreflang="${other}" lang="${other}"${other === locale ? raw(' aria-current="true"') : ""}>${PAY_PAGE_TEXT[other].name}</a></li>`,
  )}</ul></nav>`;
}

function frame(parts: Frame): Html {
  return html`<!doctype html>
<html lang="${parts.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${parts.title}</title>
<link rel="icon" href="data:,">
<style>${raw(PAY_STYLE)}</style>
</head>
<body>
${parts.sandbox ? html`<div class="sandbox" role="note"><strong>SANDBOX</strong> <span>${parts.text.sandbox}</span></div>` : ""}
<main>
${parts.body}
${languageLinks(parts.locale, parts.text)}
</main>
</body>
</html>`;
}

/** Who is paid, for what and how much: the same head in every state of a session. */
function summary(merchantName: string, text: PayPageText, session: SessionRecord, locale: Locale, label: string): Html {
  return html`<p class="merchant">${merchantName}</p>
<h1 id="title" class="eyebrow">${text.request}</h1>
${session.description ? html`<p class="what">${session.description}</p>` : ""}
<p class="amount"><span>${label}</span><strong>${formatAmount(session.amount, session.currency, locale)}</strong></p>`;
}

export interface PayPageOptions {
  store: OrderStore;
  merchantName: string;
  sandbox: boolean;
  /** Where an error that is not the shopper's is logged (the order store down, a bug). */
  logger: Logger;
  now?: () => number;
}

export function payPage(options: PayPageOptions) {
  const { store, merchantName } = options;
  const now = options.now ?? Date.now;

  const app = new Hono<AppEnv>();
  app.onError(
    shopperPageErrors({
      logger: options.logger,
      store: store.kind,
      // The page's own policy, less its nonce: the error page runs no script.
      headers: { "Content-Security-Policy": `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`, "X-Robots-Tag": "noindex" },
      render: ({ locale, text, retry }) =>
        frame({
          locale,
          text,
          sandbox: options.sandbox,
          title: text.unavailableTitle,
          body: html`<article class="card" aria-labelledby="title"><p class="merchant">${merchantName}</p><h1 id="title">${text.unavailableTitle}</h1><p class="note">${text.unavailableText}</p><p class="retry"><a href="${retry}">${text.tryAgain}</a></p></article>`,
        }),
    }),
  );
  // A file of its own, like the return page's: the page runs no inline code.
  app.get("/checkout/assets/pay.js", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.body(RELOAD_WHEN_PAID, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  return app.get("/pay/:id", async (c) => {
    const id = c.req.param("id");
    const locale = payPageLocale(c.req.query("lang"), c.req.header("accept-language"));
    const text = PAY_PAGE_TEXT[locale];
    const nonce = randomBytes(16).toString("base64");
    // A link's state changes (paid, expired): never from a cache, never kept by a shared one.
    c.header("Cache-Control", "no-store");
    c.header("Content-Security-Policy", payPagePolicy(nonce));
    c.header("Content-Language", locale);
    c.header("Vary", "Accept-Language");
    c.header("X-Robots-Tag", "noindex");

    const session = SESSION_ID.test(id) ? await store.getSession(id) : null;
    const shell = { locale, text, sandbox: options.sandbox };
    if (!session) {
      return c.html(
        frame({
          ...shell,
          title: text.notFoundTitle,
          body: html`<article class="card" aria-labelledby="title"><p class="merchant">${merchantName}</p><h1 id="title">${text.notFoundTitle}</h1><p class="note">${text.notFoundText}</p></article>`,
        }),
        404,
      );
    }

    const at = now();
    const status = sessionStatus(session, at);
    const title = fill(text.payTo, { merchant: merchantName });

    if (status === "completed") {
      const order: OrderRecord | null = session.orderId ? await store.get(session.orderId) : null;
      const word = order?.status === "refund" ? text.statusRefunded : text.statusPaid;
      return c.html(
        frame({
          ...shell,
          title,
          body: html`<article class="card" aria-labelledby="title">
${summary(merchantName, text, session, locale, text.amountPaid)}
<div class="state paid" role="status" data-status="${order?.status ?? "completed"}"><h2>${text.paidTitle}</h2><p>${text.status}: ${word}</p></div>
${order ? html`<p class="ref">${text.reference}: <code>${order.id}</code></p>` : ""}
<p class="note">${fill(text.paidText, { merchant: merchantName })}</p>
</article>`,
        }),
      );
    }

    if (status === "expired") {
      return c.html(
        frame({
          ...shell,
          title,
          body: html`<article class="card" aria-labelledby="title">
${summary(merchantName, text, session, locale, text.amountPlain)}
<div class="state expired" role="status"><h2>${text.expiredTitle}</h2></div>
<p class="note">${fill(text.expiredText, { merchant: merchantName })}</p>
</article>`,
        }),
      );
    }

    return c.html(
      frame({
        ...shell,
        title,
        body: html`<article class="card" aria-labelledby="title">
${summary(merchantName, text, session, locale, text.amount)}
<div class="action">
<script src="/widget.js" data-session="${session.id}" data-mode="auto" data-locale="${locale}" nonce="${nonce}" async></script>
<script src="/checkout/assets/pay.js" nonce="${nonce}" async></script>
<noscript><p>${text.noScript}</p></noscript>
</div>
<p class="note">${fill(text.expires, { when: expiresIn(session.expiresAt, at, locale) })}</p>
</article>`,
      }),
    );
  });
}
