/**
 * The demo shop served at `/` by `npm start`. Until the widget lands it drives the server's API
 * directly with a plain form: create, pay on the gateway's page (full redirect), come back, see the
 * status. Its script and styles are files, so the page runs under a strict CSP.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { readFileSync } from "node:fs";

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");

export function demoShop(options: { merchantName: string; sandbox: boolean }) {
  const script = asset("shop.js");
  const style = asset("shop.css");
  const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  return new Hono()
    .get("/demo/assets/shop.js", (c) => c.body(script, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" }))
    .get("/demo/assets/shop.css", (c) => c.body(style, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache" }))
    .get("/demo/widget", (c) => {
      c.header("Content-Security-Policy", csp);
      return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.merchantName}: widget</title>
<link rel="stylesheet" href="/demo/assets/shop.css">
</head>
<body>
<main>
<h1>${options.merchantName}</h1>
<p class="lead">Top up with the embeddable widget: one script tag.</p>
<script src="/widget.js" data-amounts="100.00,500.00,1000.00" data-currency="php" data-country="PH" data-label="Top up"></script>
</main>
</body>
</html>`);
    })
    .get("/", (c) => {
      c.header("Content-Security-Policy", csp);
      return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.merchantName}</title>
<link rel="stylesheet" href="/demo/assets/shop.css">
</head>
<body>
${options.sandbox ? html`<div class="sandbox" role="note">SANDBOX: no real money moves. Pay, fail or let orders expire on the sandbox's payment page.</div>` : ""}
<main>
<h1>${options.merchantName}</h1>
<p class="lead">Top up your account.</p>
<form id="checkout" novalidate>
  <label>Payment method <select name="method" id="method" required></select></label>
  <label>Amount <input name="amount" id="amount" inputmode="decimal" autocomplete="off" required></label>
  <p class="hint" id="limits"></p>
  <button type="submit" id="pay">Pay</button>
  <p class="error" id="error" role="alert" hidden></p>
</form>
<section id="result" aria-live="polite" hidden></section>
</main>
<script src="/demo/assets/shop.js"></script>
</body>
</html>`);
    });
}
