/**
 * The demo's "your backend" page (sandbox mode only): it plays the merchant's own server. Its form
 * is handled here, on the server, which creates a checkout session through the real merchant API
 * (`POST /api/v1/sessions` with the secret key in the Authorization header: the key never reaches
 * the browser), then shows the session's payment link. Its little webhook endpoint,
 * `POST /demo/backend/webhooks` (sandbox mode's default endpoint), verifies every delivery with the
 * `standardwebhooks` package, as a merchant's would, and keeps the last few in memory for the page,
 * which polls them from `/demo/backend/api/webhooks`.
 */
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { Webhook } from "standardwebhooks";
import { codeBlock, page, type Html, type Shell } from "./layout.ts";
import { PAGE_CSP } from "./policy.ts";

export interface DemoBackendOptions {
  /** The merchant API as this backend reaches it: a fetch of the checkout server (in process or over HTTP). */
  api: (path: string, init: RequestInit) => Promise<Response>;
  /** A secret key the checkout server accepts (sandbox mode: the public sandbox key unless one is set). */
  secretKey: string;
  /** The secret of the webhook endpoint that points here (sandbox mode's default endpoint). */
  webhookSecret: string;
  /** The checkout server's public URL, for the snippets a merchant copies. */
  publicUrl: string;
  /** The currencies the shop's methods take, for the form. */
  currencies: readonly string[];
  /** How many received webhooks the page keeps (the oldest go first). */
  keep?: number;
}

const BACKEND_WEBHOOK_PATH = "/demo/backend/webhooks";
const MAX_WEBHOOK_BYTES = 256 * 1024;

/** One delivery as the endpoint saw it: never its body, only what the page lists. */
export interface ReceivedWebhook {
  webhookId: string;
  type: string | null;
  objectId: string | null;
  status: string | null;
  verified: boolean;
  /** Why verification failed, in the package's words. */
  error: string | null;
  receivedAt: number;
}

/** Shows which key or secret is in use without showing it: a prefix and its last four characters. */
export const masked = (secret: string) => `${secret.slice(0, secret.indexOf("_") + 1)}…${secret.slice(-4)}`;

export function createSessionSnippet(publicUrl: string): string {
  return `// On your server (Node 20+): a checkout session for a cart, and its payment link for the shopper.
// The secret key stays on your server: never in a page, an app or a chat message.
const response = await fetch("${publicUrl}/api/v1/sessions", {
  method: "POST",
  headers: {
    Authorization: \`Bearer \${process.env.CHECKOUT_SECRET_KEY}\`,
    "Content-Type": "application/json",
    // The same key again (a retry after a timeout) answers the same session, never a second one.
    "Idempotency-Key": \`cart-\${cart.id}\`,
  },
  body: JSON.stringify({
    amount: "250.00",
    currency: "php",
    description: "2 × Iced coffee",
    metadata: { cart_id: cart.id },
  }),
});
const session = await response.json();
if (!response.ok) throw new Error(\`\${session.error.field ?? ""} \${session.error.message}\`);
// Send session.url in LINE, Messenger or Instagram, or redirect the shopper to it.
console.log(session.url); // ${publicUrl}/pay/cs_…
`;
}

export const RECEIVE_WEBHOOK_SNIPPET = `// Your webhook endpoint (Node 20+, npm install standardwebhooks).
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.CHECKOUT_WEBHOOK_SECRET); // whsec_…

createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  let event;
  try {
    // Checks the signature over the raw body, and that the timestamp is recent.
    event = webhook.verify(body, request.headers);
  } catch {
    response.writeHead(400).end();
    return;
  }
  // webhook-id is the same on every retry: do each event's work once.
  const id = request.headers["webhook-id"];
  if (event.type === "order.paid" && !(await alreadyDone(id))) {
    await fulfil(event.data.metadata.cart_id, event.data.id);
  }
  response.writeHead(204).end(); // any 2xx: delivered, no retry
}).listen(3000);
`;

/** "cart_id=c_1\nchannel=line" → {cart_id: "c_1", channel: "line"}, or a message naming the line. */
export function parseMetadata(text: string): { ok: true; metadata: Record<string, string> } | { ok: false; message: string } {
  const metadata: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const at = line.indexOf("=");
    const key = at > 0 ? line.slice(0, at).trim() : "";
    if (!key) return { ok: false, message: `metadata, line ${index + 1}: write key=value, such as cart_id=c_1042` };
    metadata[key] = line.slice(at + 1).trim();
  }
  return { ok: true, metadata };
}

interface FormValues {
  amount: string;
  currency: string;
  description: string;
  metadata: string;
}

interface Created {
  session: { id: string; url: string; status: string; amount: string; currency: string; expires_at: string } & Record<string, unknown>;
}

export function demoBackend(shell: Shell, options: DemoBackendOptions): Hono {
  const keep = options.keep ?? 50;
  const received: ReceivedWebhook[] = [];
  const verifier = new Webhook(options.webhookSecret);
  const app = new Hono();

  const defaults = (): FormValues => ({
    amount: "250.00",
    currency: options.currencies.includes("php") ? "php" : (options.currencies[0] ?? "php"),
    description: "2 × Iced coffee",
    metadata: "cart_id=c_1042\nchannel=line",
  });

  function form(values: FormValues, problem: { message: string; field?: string | undefined } | null): Html {
    const invalid = (field: string) => (problem?.field === field ? html` aria-invalid="true" aria-describedby="form-error"` : "");
    return html`<form method="post" action="/demo/backend/sessions" class="fields backend-form">
${problem ? html`<p id="form-error" class="message bad" role="alert">${problem.field ? html`<code>${problem.field}</code>: ` : ""}${problem.message}</p>` : ""}
<label>Amount <input type="text" name="amount" inputmode="decimal" autocomplete="off" required maxlength="20" value="${values.amount}"${invalid("amount")}></label>
<label>Currency <select name="currency"${invalid("currency")}>${options.currencies.map(
      (currency) => html`<option value="${currency}"${currency === values.currency ? html` selected` : ""}>${currency.toUpperCase()}</option>`,
    )}</select></label>
<label>Description <span class="muted small">what the shopper sees they are paying for</span><input type="text" name="description" maxlength="140" value="${values.description}"${invalid("description")}></label>
<label>Metadata <span class="muted small">your own labels, one key=value a line (up to 20); the shopper never sees them</span><textarea name="metadata" rows="3" spellcheck="false"${invalid("metadata")}>${values.metadata}</textarea></label>
<input type="hidden" name="idempotency_key" value="${crypto.randomUUID()}">
<div class="row"><button type="submit">Create the session</button></div>
</form>`;
  }

  function linkPanel(created: Created): Html {
    const { session } = created;
    return html`<section class="made" aria-labelledby="link-title">
<h3 id="link-title">2. Send the payment link</h3>
<p class="small muted">Session <code>${session.id}</code>, ${session.status}, ${session.amount} ${session.currency.toUpperCase()}, until ${session.expires_at}.</p>
${codeBlock("pay-link", "Payment link", session.url)}
<p class="row"><a class="buy" href="${session.url}" target="_blank" rel="noopener">Open the link</a></p>
<details class="answer"><summary class="small">The API's answer, as your backend got it</summary><pre class="detail-box"><code>${JSON.stringify(session, null, 2)}</code></pre></details>
</section>`;
  }

  function backendPage(values: FormValues, problem: { message: string; field?: string | undefined } | null, created: Created | null): Html {
    return page(shell, {
      title: "Your backend",
      scripts: ["/demo/assets/copy.js", "/demo/assets/backend.js"],
      body: html`<p class="crumbs"><a href="/">All ways in</a></p>
<h1>Your backend</h1>
<p class="lead">This page plays your shop's server. Its form is handled on the server, which creates a checkout session through the merchant API with the secret key (<code>${masked(options.secretKey)}</code>, sent in the <code>Authorization</code> header, never to this browser), and shows the session's payment link. Its webhook endpoint verifies what the checkout sends with the <code>standardwebhooks</code> package.</p>
<div class="split backend">
<section class="card" aria-labelledby="create-title">
<h2 id="create-title">1. Create a checkout session</h2>
<p class="small muted"><code>POST /api/v1/sessions</code>: the amount is yours to set, and nobody can change it in a page.</p>
${form(values, problem)}
${created ? linkPanel(created) : ""}
</section>
<section class="card" aria-labelledby="hooks-title">
<h2 id="hooks-title">3. Webhooks your endpoint received</h2>
<p class="small muted"><code>POST ${BACKEND_WEBHOOK_PATH}</code>, verified with the secret <code>${masked(options.webhookSecret)}</code>. Pay the link (or move the order in the <a href="/demo/sandbox">sandbox panel</a>) and they arrive here.</p>
<p class="small muted" id="hooks-updated" aria-live="off">Loading…</p>
<ol id="hooks" class="hooks" aria-live="polite"><li class="empty muted">None yet.</li></ol>
</section>
</div>
<section class="backend-code" aria-labelledby="code-title">
<h2 id="code-title">What your backend does, in Node</h2>
${codeBlock("snippet-create-session", "Create a session", createSessionSnippet(options.publicUrl))}
${codeBlock("snippet-receive-webhook", "Receive webhooks", RECEIVE_WEBHOOK_SNIPPET)}
</section>`,
    });
  }

  const send = (c: Context, body: Html, status: 200 | 400 | 502 = 200) => {
    c.header("Content-Security-Policy", PAGE_CSP);
    c.header("Cache-Control", "no-store");
    return c.html(body, status);
  };

  app.get("/demo/backend", async (c) => {
    const id = c.req.query("session");
    let created: Created | null = null;
    if (id && /^cs_[A-Za-z0-9_-]{22}$/.test(id)) {
      const response = await options.api(`/api/v1/sessions/${id}`, { headers: { Authorization: `Bearer ${options.secretKey}` } });
      if (response.ok) created = { session: (await response.json()) as Created["session"] };
    }
    return send(c, backendPage(defaults(), null, created));
  });

  app.post("/demo/backend/sessions", async (c) => {
    // Only this page's own form: a form on another site must not make sessions with our key.
    // Sec-Fetch-Site says so where browsers send it (pages cannot forge it); Origin is "null" from
    // our own pages under Referrer-Policy: no-referrer, so it only counts when it names a site.
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const foreign = site ? site !== "same-origin" : origin !== undefined && origin !== "null" && origin !== new URL(c.req.url).origin;
    if (foreign) {
      return send(c, backendPage(defaults(), { message: "Only this page's own form may create sessions." }, null), 400);
    }
    const form = await c.req.parseBody();
    const text = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : "");
    const values: FormValues = { amount: text("amount").trim(), currency: text("currency"), description: text("description").trim(), metadata: text("metadata") };
    const metadata = parseMetadata(values.metadata);
    if (!metadata.ok) return send(c, backendPage(values, { message: metadata.message, field: "metadata" }, null), 400);
    const body = {
      amount: values.amount,
      currency: values.currency,
      ...(values.description ? { description: values.description } : {}),
      ...(Object.keys(metadata.metadata).length ? { metadata: metadata.metadata } : {}),
    };
    const idempotencyKey = /^[A-Za-z0-9-]{8,64}$/.test(text("idempotency_key")) ? text("idempotency_key") : crypto.randomUUID();
    const response = await options.api("/api/v1/sessions", {
      method: "POST",
      headers: { Authorization: `Bearer ${options.secretKey}`, "Content-Type": "application/json", "Idempotency-Key": `demo-${idempotencyKey}` },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => null)) as { id?: string; error?: { message: string; field?: string } } | null;
    if (!response.ok || !answer?.id) {
      const problem = answer?.error ?? { message: `The merchant API answered ${response.status}.` };
      return send(c, backendPage(values, problem, null), response.status >= 500 ? 502 : 400);
    }
    // Post, then redirect: a reload shows the session instead of sending the form again.
    return c.redirect(`/demo/backend?session=${answer.id}`, 303);
  });

  app.post(BACKEND_WEBHOOK_PATH, async (c) => {
    if (Number(c.req.header("content-length") ?? 0) > MAX_WEBHOOK_BYTES) return c.body(null, 413);
    const body = await c.req.text();
    if (body.length > MAX_WEBHOOK_BYTES) return c.body(null, 413);
    const headers = {
      "webhook-id": c.req.header("webhook-id") ?? "",
      "webhook-timestamp": c.req.header("webhook-timestamp") ?? "",
      "webhook-signature": c.req.header("webhook-signature") ?? "",
    };
    let payload: unknown = null;
    let error: string | null = null;
    try {
      payload = verifier.verify(body, headers);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      // Shown (marked unverified) so the page can say what was refused; never acted on.
      try {
        payload = JSON.parse(body);
      } catch {
        payload = null;
      }
    }
    const event = (payload ?? {}) as { type?: unknown; data?: { id?: unknown; status?: unknown } };
    const str = (value: unknown) => (typeof value === "string" ? value.slice(0, 100) : null);
    received.unshift({
      webhookId: headers["webhook-id"].slice(0, 100),
      type: str(event.type),
      objectId: str(event.data?.id),
      status: str(event.data?.status),
      verified: error === null,
      error,
      receivedAt: Date.now(),
    });
    received.length = Math.min(received.length, keep);
    // What a merchant's endpoint should answer: 2xx once the event is safely taken, 400 for a forgery.
    return error === null ? c.body(null, 204) : c.json({ error: "signature verification failed" }, 400);
  });

  app.get("/demo/backend/api/webhooks", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ received });
  });

  return app;
}
