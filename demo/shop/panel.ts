/**
 * The sandbox panel (sandbox mode only): recent checkouts as the gateway and as this server see them,
 * the gateway's payouts (expense orders) apart from them, buttons that move either, and the sandbox's
 * fault and payout switches. The page is a shell; panel.js fills
 * it from the sandbox's JSON routes (/sandbox/api/...) and from /demo/api/orders, every 2 s.
 *
 * /demo/api/orders is the server's side of the story (the store: what the shop believes), so the
 * panel can show the two agree, or how long they take to: with notifications dropped, the server
 * only learns from its polls and sweep.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import type { OrderStore } from "../../server/store/types.ts";
import { page, type Shell } from "./layout.ts";
import { PAGE_CSP } from "./policy.ts";

const RECENT = 20;

/** The fault modes of the sandbox's API (demo/sandbox/faults.ts), with what each rehearses. */
const FAULTS = [
  { mode: "error500", label: "500 error", text: "Answers HTTP 500; nothing is stored." },
  { mode: "malformed", label: "Malformed answer", text: "Answers with JSON that cannot be read." },
  { mode: "hang", label: "Hang", text: "Never answers: the server's call times out." },
  { mode: "commit_then_fail", label: "Commit, then fail", text: "Stores the order, then answers 500: the server must read it back, not create it twice." },
  { mode: "commit_then_hang", label: "Commit, then hang", text: "Stores the order, then never answers." },
] as const;

/** The server's view of its recent orders, for the panel: no keys, hashes or payment URLs. */
async function serverOrders(store: OrderStore) {
  const orders = await store.recent(RECENT);
  return Promise.all(
    orders.map(async (order) => ({
      id: order.id,
      merchantOrderId: order.merchantOrderId,
      status: order.status,
      gatewayState: order.gatewayState,
      amount: order.amount,
      finalAmount: order.finalAmount,
      floatingAmount: order.floatingAmount,
      currency: order.currency,
      country: order.country,
      payment: order.payment,
      product: order.product,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      history: (await store.history(order.id)).map(({ from, to, source, at }) => ({ from, to, source, at })),
    })),
  );
}

export function sandboxPanel(options: Shell & { store?: OrderStore | null }): Hono {
  const shell: Shell = { merchantName: options.merchantName, sandbox: options.sandbox };
  // The sandbox keeps its orders in memory: the store's orders from before this start are ones it
  // has forgotten, which the panel folds away rather than report as missing at the gateway.
  const startedAt = Date.now();
  const app = new Hono();

  app.get("/demo/api/orders", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ startedAt, orders: options.store ? await serverOrders(options.store) : [] });
  });

  app.get("/demo/sandbox", (c) => {
    c.header("Content-Security-Policy", PAGE_CSP);
    c.header("Cache-Control", "no-cache");
    return c.html(
      page(shell, {
        title: "Sandbox panel",
        scripts: ["/demo/assets/panel.js"],
        body: html`<div class="panel-head">
<div>
<h1>Sandbox panel</h1>
<p class="lead">Every order, as the gateway and this server see it. Move one by hand, or make the gateway misbehave and watch the checkout cope.</p>
</div>
<p class="refresh"><span id="updated" aria-live="off">Loading…</span><label class="switch"><input type="checkbox" id="auto-refresh" checked> Refresh every 2 s</label></p>
</div>
<nav class="jump" aria-label="Panel sections"><a href="#orders-title">Checkouts</a><a href="#payouts-title">Payouts</a><a href="#faults-title">Faults</a><a href="#notify-title">Notifications</a><a href="#gateway-title">Latency, framing, clock</a></nav>
<p id="panel-message" class="message" role="status" hidden></p>
<div class="panel-grid">
<div class="stack">
<section class="card" aria-labelledby="orders-title">
<h2 id="orders-title">Recent checkouts</h2>
<div id="orders" class="orders"><p class="muted">Loading…</p></div>
<p id="stale-note" class="muted small" hidden></p>
</section>
<section class="card" aria-labelledby="payouts-title">
<h2 id="payouts-title">Payouts</h2>
<p class="muted small">Expense orders: money the merchant sends out. They have no payment page; the gateway moves them to processing, then to completed or failed, after the delays below, or when you press a button.</p>
<div class="fields payout-settings">
<label class="switch"><input type="checkbox" id="payout-auto" checked> Settle by themselves</label>
<label>To processing after, ms <input type="number" id="payout-processing" min="0" max="86400000" step="500" value="1000" inputmode="numeric"></label>
<label>Then ends after, ms <input type="number" id="payout-settle" min="0" max="86400000" step="500" value="2000" inputmode="numeric"></label>
<label>Fail (chance) <input type="number" id="payout-fail-rate" min="0" max="1" step="0.1" value="0" inputmode="decimal"></label>
</div>
<p class="muted small">Changes apply to payouts made from now on.</p>
<div id="payouts" class="orders"><p class="muted">Loading…</p></div>
</section>
</div>
<div class="controls">
<section class="card" aria-labelledby="faults-title">
<h2 id="faults-title">Gateway faults</h2>
<p class="muted small">On the gateway's order API. Each switch adds the fault at once; a chance below 1 hits only some calls.</p>
<div class="faults">
${FAULTS.map(
  (fault) => html`<div class="fault" data-mode="${fault.mode}">
<label class="switch"><input type="checkbox" data-fault-toggle> <b>${fault.label}</b></label>
<p class="muted small">${fault.text}</p>
<div class="fault-options">
<label>On <select data-fault-endpoint><option value="new">order/new</option><option value="get">order/get</option><option value="any">both</option></select></label>
<label>Chance <input type="number" data-fault-probability min="0" max="1" step="0.1" value="1" inputmode="decimal"></label>
</div>
</div>`,
)}
</div>
<p class="small" id="fault-list"></p>
</section>
<section class="card" aria-labelledby="notify-title">
<h2 id="notify-title">Notifications</h2>
<p class="muted small">The gateway's calls to this server's <code>/octopus/notify</code>.</p>
<div class="fields">
<label>Drop (chance) <input type="number" id="notify-drop" min="0" max="1" step="0.1" value="0" inputmode="decimal"></label>
<label>Duplicate (chance) <input type="number" id="notify-duplicate" min="0" max="1" step="0.1" value="0" inputmode="decimal"></label>
<label class="switch"><input type="checkbox" id="notify-reorder"> Reorder (newest first)</label>
<label>Reorder window, ms <input type="number" id="notify-window" min="0" max="60000" step="100" value="200" inputmode="numeric"></label>
</div>
</section>
<section class="card" aria-labelledby="gateway-title">
<h2 id="gateway-title">Gateway</h2>
<div class="fields">
<label>Latency, ms <input type="number" id="latency" min="0" max="600000" step="100" value="0" inputmode="numeric"></label>
<label class="switch"><input type="checkbox" id="refuse-framing"> Refuse framing (iframe mode falls back to a window)</label>
</div>
<div class="row">
<button type="button" class="ghost" id="advance-clock">Advance the clock 16 min</button>
<button type="button" class="ghost" id="all-off">Turn every fault off</button>
</div>
<p class="muted small" id="gateway-state"></p>
</section>
</div>
</div>`,
      }),
    );
  });

  return app;
}
