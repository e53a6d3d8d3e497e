/**
 * The hosted payment page's HTML. No scripts and no inline styles, so it renders under a strict CSP;
 * every value goes through `html`'s escaping. It never shows the fields that must stay server-side
 * (signature_key, ip, user_agent, distribute_rules, merchant_uid).
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { parseAmount } from "../../server/gateway/amount.ts";
import type { PaymentStatus } from "../../server/gateway/schemas.ts";
import { isFinalStatus } from "../../server/gateway/schemas.ts";
import { channelLabel, type PaymentMethod } from "./methods.ts";
import { displayAmount } from "./money.ts";
import type { SandboxOrder } from "./order-book.ts";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

// Relative to /octopus/pay/<token>, so the page works wherever the sandbox is mounted.
const STYLESHEET = "assets/page.css";

const OUTCOME: Partial<Record<PaymentStatus, { title: string; text: string; tone: "good" | "bad" | "neutral" }>> = {
  completed: { title: "Payment completed", text: "Your payment was received. You can return to the shop.", tone: "good" },
  failed: { title: "Payment failed", text: "No money was taken. You can go back and try again with a new order.", tone: "bad" },
  reject: { title: "Payment rejected", text: "The payment did not pass verification. No money was taken.", tone: "bad" },
  overdue: { title: "Payment expired", text: "This order was not paid in time. Start again from the shop to get a new one.", tone: "neutral" },
  refund: { title: "Payment refunded", text: "The money has been returned.", tone: "neutral" },
};

function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET}">
</head>
<body>
<div class="sandbox-bar" role="note"><span class="sandbox-tag">SANDBOX</span><span>Test payment page: no real money moves.</span></div>
<main class="page">
${body}
</main>
<footer class="foot">Octopus payment gateway &middot; sandbox</footer>
</body>
</html>`;
}

function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function remaining(ms: number): string {
  if (ms <= 0) return "now";
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `in ${hours} h ${minutes % 60} min`;
}

function initial(name: string): string {
  return (name.trim()[0] ?? "?").toUpperCase();
}

function amountBlock(order: SandboxOrder): Html {
  if (isFinalStatus(order.status)) {
    // Nothing is due any more: the amount is a record, not an instruction.
    return html`<section class="amount" aria-label="Amount">
  <p class="amount-label">${order.status === "completed" || order.status === "refund" ? "Paid" : "Amount"}</p>
  <p class="amount-value">${displayAmount(order.floatingAmount ?? order.amount, order.currency)}</p>
  <p class="amount-code">${order.currency.toUpperCase()}</p>
</section>`;
  }
  if (order.floatingAmount !== undefined) {
    const floating = parseAmount(order.floatingAmount, order.currency);
    const base = parseAmount(order.amount, order.currency);
    const extra = floating.ok && base.ok ? floating.minor - base.minor : 0;
    return html`<section class="amount amount-exact" aria-label="Amount to transfer">
  <p class="amount-label">Transfer exactly</p>
  <p class="amount-value">${displayAmount(order.floatingAmount, order.currency)}</p>
  <p class="amount-note">Order total ${displayAmount(order.amount, order.currency)} plus ${extra} satang. Transfer this exact amount, satang included: it is how your transfer is matched to this order.</p>
</section>`;
  }
  return html`<section class="amount" aria-label="Amount to pay">
  <p class="amount-label">Amount due</p>
  <p class="amount-value">${displayAmount(order.amount, order.currency)}</p>
  <p class="amount-code">${order.currency.toUpperCase()}</p>
</section>`;
}

function details(order: SandboxOrder, method: PaymentMethod | undefined, now: number): Html {
  // Only income orders have a page, and every income order expires: the check only narrows the type.
  const expiresAt = isFinalStatus(order.status) ? undefined : order.expiresAt;
  return html`<dl class="details">
  <div><dt>Method</dt><dd>${method?.label ?? order.payment}</dd></div>
  ${order.channel ? html`<div><dt>Channel</dt><dd>${method ? channelLabel(method, order.channel) : order.channel}</dd></div>` : ""}
  <div><dt>Order</dt><dd class="mono">${order.merchantOrderId}</dd></div>
  ${
    expiresAt === undefined
      ? ""
      : html`<div><dt>Expires</dt><dd><time datetime="${new Date(expiresAt).toISOString()}">${formatUtc(expiresAt)}</time> <span class="muted">(${remaining(expiresAt - now)})</span></dd></div>`
  }
</dl>`;
}

function actions(order: SandboxOrder): Html {
  const due = displayAmount(order.floatingAmount ?? order.amount, order.currency);
  return html`<form method="post" class="actions">
  <button type="submit" name="action" value="pay" class="button button-pay">Pay ${due}</button>
  <div class="actions-row">
    <button type="submit" name="action" value="fail" class="button button-secondary">Fail</button>
    <button type="submit" name="action" value="reject" class="button button-secondary">Reject</button>
  </div>
</form>
<p class="hint">Sandbox controls: <strong>Pay</strong> completes the order, <strong>Fail</strong> and <strong>Reject</strong> end it unpaid.${order.expiresAt === undefined ? "" : ` Doing nothing lets it expire at ${formatUtc(order.expiresAt)}.`}</p>`;
}

function outcome(order: SandboxOrder): Html {
  const shown = OUTCOME[order.status] ?? { title: `Status: ${order.status}`, text: "", tone: "neutral" as const };
  return html`<section class="outcome outcome-${shown.tone}" role="status">
  <span class="outcome-icon" aria-hidden="true"></span>
  <h2>${shown.title}</h2>
  ${shown.text ? html`<p>${shown.text}</p>` : ""}
  <p class="status-line">payment_status: <code>${order.status}</code></p>
  ${order.redirectUrl ? html`<a class="button button-secondary" href="${order.redirectUrl}">Return to ${order.merchantName}</a>` : ""}
</section>`;
}

export function renderPaymentPage(order: SandboxOrder, method: PaymentMethod | undefined, now: number): Html {
  const final = isFinalStatus(order.status);
  return layout(
    `Pay ${order.merchantName}`,
    html`<article class="card">
  <header class="merchant">
    <span class="avatar" aria-hidden="true">${initial(order.merchantName)}</span>
    <div>
      <p class="eyebrow">Pay to</p>
      <h1>${order.merchantName}</h1>
    </div>
    ${final ? "" : html`<span class="chip">${order.status === "processing" ? "Awaiting payment" : order.status}</span>`}
  </header>
  ${amountBlock(order)}
  ${details(order, method, now)}
  ${final ? outcome(order) : actions(order)}
</article>`,
  );
}

export function renderMessagePage(title: string, text: string): Html {
  return layout(
    title,
    html`<article class="card">
  <section class="outcome outcome-neutral" role="status">
    <span class="outcome-icon" aria-hidden="true"></span>
    <h2>${title}</h2>
    <p>${text}</p>
  </section>
</article>`,
  );
}
