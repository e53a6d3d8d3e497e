/**
 * The index and one page per way into the checkout. Each way page puts the live widget ("Try it")
 * beside the markup it runs ("Copy it"): the same string from snippets.ts, raw in one place and
 * escaped in the other.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { html, raw } from "hono/html";
import { codeBlock, page, type Html, type PageParts, type Shell } from "./layout.ts";
import { FRAMED_CSP, PAGE_CSP, STRICT_CSP } from "./policy.ts";
import { JS_API_SCRIPT, VIEWPORT_META, snippets, type SnippetName } from "./snippets.ts";
import { WAYS, type Way } from "./ways.ts";

/** A server-priced product, as checkout.config.json names it; shown beside the buttons that sell it. */
export interface DemoProduct {
  id: string;
  name: string;
  price: string;
  currency: string;
  description?: string | undefined;
}

export interface PagesOptions extends Shell {
  products?: readonly DemoProduct[];
  /** Set when the "your backend" page is mounted, so the index links it. */
  backend?: unknown;
  /** The checkout server's public origin (CHECKOUT_PUBLIC_URL): the snippets load widget.js from it. */
  publicUrl: string;
}

function send(c: Context, body: Html, csp = PAGE_CSP) {
  c.header("Content-Security-Policy", csp);
  c.header("Cache-Control", "no-cache");
  return c.html(body);
}

function money(amount: string, currency: string): string {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(Number(amount));
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

const EVENT_LOG = html`<section class="log" aria-labelledby="log-title">
<h3 id="log-title">What your page hears</h3>
<ol id="event-log" class="events" aria-live="polite"><li class="empty">Nothing yet: open the checkout.</li></ol>
</section>`;

interface WayParts {
  stage: Html;
  copy: Html;
  notes?: Html;
  /** Below the stage: the event log by default. */
  below?: Html;
  variant?: PageParts["variant"];
  headScripts?: PageParts["headScripts"];
  scripts?: readonly string[];
}

function wayPage(shell: Shell, way: Way, parts: WayParts): Html {
  const index = WAYS.indexOf(way);
  const previous = WAYS[index - 1];
  const next = WAYS[index + 1];
  const body = html`<p class="crumbs"><a href="/">All ways in</a> <span aria-hidden="true">/</span> ${index + 1} of ${WAYS.length}</p>
<h1>${way.title}</h1>
<p class="when"><strong>When to use it:</strong> ${way.when}</p>
<div class="split">
<section class="try" aria-labelledby="try-title">
<h2 id="try-title">Try it</h2>
<div class="stage">
${parts.stage}
</div>
${shell.sandbox ? html`<p class="tip">On the sandbox's payment page, press <b>Pay</b> to complete the order, or <b>Fail</b> or <b>Reject</b> to see those endings.</p>` : ""}
${parts.below ?? EVENT_LOG}
</section>
<section class="copy-side" aria-labelledby="copy-title">
<h2 id="copy-title">Copy it</h2>
${parts.copy}
${parts.notes ?? ""}
</section>
</div>
<nav class="pager" aria-label="Ways in">
${previous ? html`<a href="/demo/${previous.slug}" rel="prev">← ${previous.title}</a>` : html`<span></span>`}
${next ? html`<a href="/demo/${next.slug}" rel="next">${next.title} →</a>` : html`<a href="/">All ways in</a>`}
</nav>`;
  return page(shell, {
    title: way.title,
    body,
    ...(parts.variant ? { variant: parts.variant } : {}),
    // Listens before the widget loads, so that even the events of a redirect's return are heard.
    headScripts: parts.headScripts ?? [{ src: "/demo/assets/event-log.js", data: { listen: "" } }],
    scripts: ["/demo/assets/copy.js", ...(parts.scripts ?? [])],
  });
}

function way(slug: SnippetName): Way {
  const found = WAYS.find((candidate) => candidate.slug === slug);
  if (!found) throw new Error(`no way called ${slug}`);
  return found;
}

export function demoPages(options: PagesOptions): Hono {
  const shell: Shell = { merchantName: options.merchantName, sandbox: options.sandbox };
  const products = options.products ?? [];
  const product = (id: string) => products.find((candidate) => candidate.id === id);
  const markup = snippets(options.publicUrl);
  /** The live widget: the snippet exactly as shown in its code block. */
  const live = (name: SnippetName) => raw(markup[name]);
  const htmlBlock = (name: SnippetName) => codeBlock(`snippet-${name}`, "HTML", markup[name]);

  const pages: Record<SnippetName, () => Html> = {
    "top-up": () =>
      wayPage(shell, way("top-up"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Your wallet</p>
<p class="item">Add credit with GCash or Maya</p>
<p class="muted">Tap an amount, or choose “Other amount” and type your own.</p>
${live("top-up")}
</div>`,
        copy: htmlBlock("top-up"),
        notes: html`<ul class="notes">
<li>The presets are suggestions: the shopper may type any amount, and the server checks it against the method's limits in <code>checkout.config.json</code>.</li>
<li><code>data-currency</code> and <code>data-country</code> narrow the methods offered; a step with one choice is skipped.</li>
<li>Leave out <code>data-amounts</code> to use the method's own presets from the config.</li>
</ul>`,
      }),

    product: () => {
      const pack = product("starter-pack");
      return wayPage(shell, way("product"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Item</p>
<p class="item">${pack?.name ?? "starter-pack"}</p>
${pack ? html`<p class="price">${money(pack.price, pack.currency)}</p>` : ""}
${pack?.description ? html`<p class="muted">${pack.description}</p>` : ""}
${live("product")}
</div>`,
        copy: htmlBlock("product"),
        notes: html`<ul class="notes">
<li>The page names the product; the server prices it from <code>products</code> in <code>checkout.config.json</code>. Editing the page cannot change what is charged.</li>
<li>The methods offered are those in the product's currency.</li>
</ul>`,
      });
    },

    buttons: () =>
      wayPage(shell, way("buttons"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Price list</p>
<ul class="price-list">
${["starter-pack", "season-pass"].map((id) => {
  const item = product(id);
  return item ? html`<li><span>${item.name}</span><b>${money(item.price, item.currency)}</b></li>` : "";
})}
<li><span>A tip, by GCash</span><b>${money("50.00", "php")}</b></li>
</ul>
<div class="buttons">
${live("buttons")}
</div>
</div>`,
        copy: htmlBlock("buttons"),
        notes: html`<ul class="notes">
<li>Any element with <code>data-octopus-checkout</code> becomes a trigger, with its own <code>data-*</code>: buttons, links, cards.</li>
<li>Your elements keep your styling; here the <code>buy</code> class is the page's own.</li>
<li>The script tag itself has no <code>data-*</code>, so it adds no button of its own. Events bubble from the element that was clicked.</li>
</ul>`,
      }),

    "js-api": () =>
      wayPage(shell, way("js-api"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Credit</p>
<p class="item">₱250 of credit</p>
<p class="muted">The page's own button; its script opens the checkout.</p>
${live("js-api")}
</div>`,
        below: html`<section class="log" aria-labelledby="log-title">
<div class="log-head"><h3 id="log-title">Events, callbacks and the promise</h3><button type="button" class="ghost" data-clear-log>Clear</button></div>
<ol id="event-log" class="events" data-full aria-live="polite"><li class="empty">Nothing yet: press the button.</li></ol>
<p class="label">The last one's detail, whole</p>
<pre class="detail-box"><code id="event-detail">Nothing yet.</code></pre>
</section>`,
        copy: html`${htmlBlock("js-api")}
${codeBlock("snippet-js-api-script", "js-api.js", JS_API_SCRIPT)}`,
        notes: html`<ul class="notes">
<li>On phones, mode <code>auto</code> pays by redirect: the page reloads on the way back, so the first visit's promise and callbacks are gone, but the events fire again for the returned order. Listen for the events, as above, or pass <code>mode: "popup"</code>.</li>
<li><code>open()</code> resolves with <code>{id, status, amount, finalAmount, floatingAmount, currency}</code> once the order is final or the shopper closes the dialog.</li>
<li>Events <code>octopus-checkout:open</code> and <code>:created</code> are cancelable: <code>event.preventDefault()</code> stops the checkout there.</li>
<li>The status always comes from the server. Credit the shopper on the server, in <code>onOrderUpdate</code>, not from these callbacks.</li>
<li><code>OctopusCheckout.mount(element, options)</code> renders a pay button; <code>OctopusCheckout.close()</code> closes the dialog.</li>
</ul>`,
        // Defines window.demoLog before the page's script picks it up; the page's script listens itself.
        headScripts: [{ src: "/demo/assets/event-log.js" }],
      }),

    redirect: () =>
      wayPage(shell, way("redirect"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Top-up</p>
<p class="item">₱100.00 of credit</p>
<p class="muted">This page is left for the payment page, and comes back here with the result.</p>
${live("redirect")}
</div>`,
        copy: htmlBlock("redirect"),
        notes: html`<ul class="notes">
<li>The payment page returns to this page (or to <code>data-return-url</code>, which must be on an allowed origin) with <code>?octopus_checkout=&lt;id&gt;</code>; the widget asks the server for the status, shows it and tidies the URL.</li>
<li><code>data-mode="auto"</code> (the default) already redirects on phones and in in-app browsers, and uses a popup on computers.</li>
</ul>`,
      }),

    thai: () =>
      wayPage(shell, way("thai"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">PromptPay bank transfer</p>
<p class="item">Top up ${money("500.00", "thb")}</p>
<p class="muted">After you press Pay, the checkout shows the exact amount to transfer, satang included.</p>
${live("thai")}
</div>`,
        copy: htmlBlock("thai"),
        notes: html`<ul class="notes">
<li>The gateway sets a <code>floating_amount</code> (such as 500.37 for 500.00) so the bank transfer can be matched to the order. The widget shows it large, with a Copy button, while the order waits.</li>
<li>Add <code>data-locale="th"</code> for Thai text; by default the checkout follows the browser's language.</li>
</ul>`,
      }),

    csp: () =>
      wayPage(shell, way("csp"), {
        stage: html`<div class="shop-card">
<p class="eyebrow">Locked-down page</p>
<p class="item">₱150.00, paid in a frame</p>
<p class="muted">Iframe mode: the payment page opens inside the dialog, which is what <code>frame-src</code> allows.</p>
${live("csp")}
</div>`,
        below: html`<section class="log violations" aria-labelledby="csp-title">
<h3 id="csp-title">Policy violations on this page</h3>
<p id="csp-status" class="verdict ok" aria-live="polite">None so far.</p>
<ol id="csp-violations" class="events"></ol>
<p class="muted">Does the check work? <button type="button" class="ghost" id="csp-try">Try an inline script</button> The policy blocks it, and it shows up here.</p>
</section>
${EVENT_LOG}`,
        copy: html`<p class="label">The header this page is sent with</p>
${codeBlock("snippet-csp-header", "HTTP header", `Content-Security-Policy: ${STRICT_CSP}`)}
<p class="label">The markup</p>
${htmlBlock("csp")}`,
        notes: html`<ul class="notes">
<li>No <code>'unsafe-inline'</code> anywhere: the widget's dialog lives in a shadow root styled with constructable stylesheets, which <code>style-src</code> does not block.</li>
<li>On your own origin, put your checkout server where this page has <code>'self'</code>: in <code>script-src</code>, <code>connect-src</code> and <code>frame-src</code> (<code>frame-src</code> also needs the gateway's payment page for iframe mode).</li>
</ul>`,
        headScripts: [{ src: "/demo/assets/csp-report.js" }, { src: "/demo/assets/event-log.js", data: { listen: "" } }],
      }),

    dark: () =>
      wayPage(shell, way("dark"), {
        variant: "dark",
        stage: html`<div class="shop-card">
<p class="eyebrow">Night market</p>
<p class="item">Top up your account</p>
<p class="muted">The dialog opens dark, with this page's amber accent.</p>
${live("dark")}
</div>`,
        copy: htmlBlock("dark"),
        notes: html`<ul class="notes">
<li><code>data-theme</code>: <code>light</code>, <code>dark</code>, or <code>auto</code> to follow the shopper's system.</li>
<li><code>data-color</code> sets the accent of the button and the dialog.</li>
<li>The page's CSS does not reach into the dialog, and the dialog's does not leak out.</li>
</ul>`,
      }),

    phone: () =>
      wayPage(shell, way("phone"), {
        stage: html`<div class="device">
<iframe src="/demo/phone/shop" title="The phone shop, 360 px wide" width="360" height="720"></iframe>
</div>
<p class="muted center">A phone's width: <a href="/demo/phone/shop">open this page on its own</a>, or on your phone.</p>`,
        below: html``,
        copy: html`${htmlBlock("phone")}
<p class="label">And in the page's <code>&lt;head&gt;</code></p>
${codeBlock("snippet-phone-viewport", "HTML", VIEWPORT_META)}`,
        notes: html`<ul class="notes">
<li>The dialog fits screens down to 320 px, with 44 px touch targets.</li>
<li>Mode <code>auto</code> (the default) redirects on phones: a popup tab may be closed by the phone while the shopper is in the banking app, a redirect survives it. In this frame, on a computer, it opens a popup.</li>
<li>One method (<code>data-payment="gcash"</code>) skips the method step: the shortest form.</li>
</ul>`,
      }),
  };

  const app = new Hono();

  app.get("/", (c) =>
    send(
      c,
      page(shell, {
        title: "Ways to take a payment",
        body: html`<section class="hero">
<h1>Take payments with one script tag</h1>
<p class="lead">Each page below runs the real checkout against this server${shell.sandbox ? " (in sandbox mode: no money moves)" : ""}, with the exact markup beside it to copy.</p>
</section>
<ol class="ways">
${WAYS.map(
  (item, index) => html`<li><a class="way" href="/demo/${item.slug}">
<span class="num">${index + 1}</span>
<span class="way-title">${item.title}</span>
<span class="way-when">${item.when}</span>
<code>${item.key}</code>
</a></li>`,
)}
</ol>
${shell.sandbox
  ? html`<a class="panel-link" href="/demo/sandbox"><b>Sandbox panel</b><span>Every order with its history and notifications; complete, fail, expire or refund one; break the gateway on purpose and watch the checkout cope.</span></a>`
  : ""}
${shell.sandbox && options.backend
  ? html`<a class="panel-link" href="/demo/backend"><b>Your backend: payment links and webhooks</b><span>Create a checkout session with the secret key, as your server would, send its payment link, and watch the signed webhooks arrive and verify.</span></a>`
  : ""}
<section class="steps" aria-labelledby="steps-title">
<h2 id="steps-title">On your own shop</h2>
<ol>
<li>Run the checkout server with your gateway credentials (<code>OCTOPUS_*</code>); add your shop's origin to <code>allowedOrigins</code>.</li>
<li>Paste a snippet, with your checkout server's URL in <code>src</code>.</li>
<li>Credit the order on the server, in <code>onOrderUpdate</code>: it is called once per status change, whichever way the server learnt it.</li>
</ol>
</section>`,
      }),
    ),
  );

  // The CSP page sends exactly the policy it shows, word for word.
  for (const item of WAYS) app.get(`/demo/${item.slug}`, (c) => send(c, pages[item.slug](), item.slug === "csp" ? STRICT_CSP : PAGE_CSP));

  // The page the phone page frames: a phone shop of its own, framable by this origin only.
  app.get("/demo/phone/shop", (c) =>
    send(
      c,
      page(shell, {
        title: "Top up",
        variant: "bare",
        body: html`<div class="phone-shop">
<p class="phone-brand">${shell.merchantName}</p>
<h1>Top up</h1>
<p class="muted">Add credit to your account with GCash.</p>
<div class="shop-card">
${live("phone")}
</div>
<p class="muted small">Payments are processed by Octopus. You'll come back here when you're done.</p>
</div>`,
      }),
      FRAMED_CSP,
    ),
  );

  // The old widget demo's address, still linked from the README.
  app.get("/demo/widget", (c) => c.redirect("/demo/top-up", 301));

  return app;
}
