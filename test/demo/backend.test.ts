/**
 * The demo's "your backend" page and the sandbox panel's events, requested through the app as
 * `npm start` builds it in sandbox mode (checkout server, sandbox gateway inside, demo at /, webhooks
 * to the demo's own endpoint): the page creates sessions through the real merchant API with the
 * secret key (which never reaches the browser), its endpoint verifies what the dispatcher sends
 * with `standardwebhooks` and refuses forgeries, and the panel lists each order's events with
 * their deliveries.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_SECRET_KEY, SANDBOX_WEBHOOK_PATH, SANDBOX_WEBHOOK_SECRET } from "../../server/config.ts";
import { createSessionSnippet, parseMetadata, RECEIVE_WEBHOOK_SNIPPET, type ReceivedWebhook } from "../../demo/shop/backend.ts";
import { demoShop } from "../../demo/shop/routes.ts";
import { ORIGIN, startDemo, type Demo } from "../support/demo-stack.ts";
import { until } from "../support/time.ts";

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo({ backend: true });
});
afterAll(async () => {
  await demo?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => demo.app.request(`${ORIGIN}${path}`, { headers });

/** The page's form, sent as a browser on this page sends it. */
function submit(fields: Record<string, string>, headers: Record<string, string> = { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" }) {
  return demo.app.request(`${ORIGIN}/demo/backend/sessions`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const received = async () => ((await (await get("/demo/backend/api/webhooks")).json()) as { received: ReceivedWebhook[] }).received;

const withoutCode = (page: string) => page.replace(/<pre[^>]*><code[\s\S]*?<\/code><\/pre>/g, "");

describe("the 'your backend' page", () => {
  it("is linked from the index and served under the demo's strict policy, without inline code", async () => {
    expect(await (await get("/")).text()).toContain('href="/demo/backend"');
    const response = await get("/demo/backend");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const body = await response.text();
    expect(body).toMatch(/<div class="sandbox" role="note"><strong>SANDBOX<\/strong>/);
    for (const tag of withoutCode(body).match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/demo\/assets\/[a-z-]+\.js"/);
    expect(withoutCode(body)).not.toMatch(/\son[a-z]+=|\sstyle=|<style/i);
    expect(body).toContain('action="/demo/backend/sessions"');
    for (const name of ["amount", "currency", "description", "metadata", "idempotency_key"]) expect(body).toContain(`name="${name}"`);
    expect((await get("/demo/assets/backend.js")).status).toBe(200);
  });

  it("never sends the secret key or the webhook secret to the browser, only their last four characters", async () => {
    const body = await (await get("/demo/backend")).text();
    expect(body).not.toContain(SANDBOX_SECRET_KEY);
    expect(body).not.toContain(SANDBOX_WEBHOOK_SECRET);
    expect(body).toContain(`sk_…${SANDBOX_SECRET_KEY.slice(-4)}`);
    expect(body).toContain(`whsec_…${SANDBOX_WEBHOOK_SECRET.slice(-4)}`);
  });

  it("creates a session through the merchant API with the key, and shows its payment link to copy and open", async () => {
    const response = await submit({ amount: "320.00", currency: "php", description: "Beans, 1 kg", metadata: "cart_id=c_77\nchannel = line", idempotency_key: "0f7a1c2e-aaaa-bbbb-cccc-1234567890ab" });
    expect(response.status).toBe(303);
    const location = response.headers.get("Location")!;
    const id = /^\/demo\/backend\?session=(cs_[\w-]{22})$/.exec(location)?.[1];
    expect(id).toBeTruthy();

    const stored = await demo.store.getSession(id!);
    expect(stored).toMatchObject({ amount: "320.00", currency: "php", description: "Beans, 1 kg", metadata: { cart_id: "c_77", channel: "line" }, createdBy: SANDBOX_SECRET_KEY.slice(-4) });

    const shown = await (await get(location)).text();
    const url = `${ORIGIN}/pay/${id}`;
    expect(shown).toContain(`<pre><code id="pay-link">${url}</code></pre>`);
    expect(shown).toContain('<button type="button" class="copy" data-copy="pay-link">Copy</button>');
    expect(shown).toContain(`<a class="buy" href="${url}" target="_blank" rel="noopener">Open the link</a>`);
    expect(shown).not.toContain(SANDBOX_SECRET_KEY);
    // The link works: the payment link page of the same server.
    expect((await get(`/pay/${id}`)).status).toBe(200);

    // The form sent again (a double click, a reload of the POST) is the same session, not a second one.
    const again = await submit({ amount: "320.00", currency: "php", description: "Beans, 1 kg", metadata: "cart_id=c_77\nchannel = line", idempotency_key: "0f7a1c2e-aaaa-bbbb-cccc-1234567890ab" });
    expect(again.headers.get("Location")).toBe(location);
  });

  it("shows the API's refusal naming the field, with what was typed kept", async () => {
    const bad = await submit({ amount: "12,50", currency: "php", description: "Tea", metadata: "" });
    expect(bad.status).toBe(400);
    const body = await bad.text();
    expect(body).toMatch(/<p id="form-error" class="message bad" role="alert"><code>amount<\/code>: [^<]*must be/);
    expect(body).toMatch(/name="amount"[^>]*value="12,50" aria-invalid="true"/);
    expect(body).toContain('value="Tea"');

    const currency = await (await submit({ amount: "100.00", currency: "eur", description: "", metadata: "" })).text();
    expect(currency).toContain("<code>currency</code>: ");

    const metadata = await submit({ amount: "100.00", currency: "php", description: "", metadata: "cart_id=c_1\nno equals sign" });
    expect(metadata.status).toBe(400);
    expect(await metadata.text()).toContain("metadata, line 2: write key=value");
  });

  it("refuses a form sent from another site", async () => {
    const response = await submit({ amount: "100.00", currency: "php", description: "", metadata: "" }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    expect(await response.text()).toContain("Only this page&#39;s own form may create sessions.");
    // Without Sec-Fetch-Site (an older browser), a foreign Origin is refused too.
    expect((await submit({ amount: "100.00", currency: "php" }, { Origin: "https://evil.example" })).status).toBe(400);
    // Our own page under Referrer-Policy: no-referrer sends Origin: null with Sec-Fetch-Site: same-origin.
    expect((await submit({ amount: "100.00", currency: "php" }, { Origin: "null", "Sec-Fetch-Site": "same-origin" })).status).toBe(303);
  });

  it("receives the webhooks of a paid link and verifies each with standardwebhooks", async () => {
    const created = await submit({ amount: "150.00", currency: "php", description: "Pastry box", metadata: "cart_id=c_9" });
    const sessionId = /session=(cs_[\w-]{22})/.exec(created.headers.get("Location")!)![1]!;
    // The shopper pays through the link: the widget's call, then the sandbox's payment page.
    const checkout = await demo.app.request(`${ORIGIN}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ session: sessionId, country: "PH", payment: "gcash" }),
    });
    expect(checkout.status).toBe(201);
    const { id: orderId } = (await checkout.json()) as { id: string };
    const order = (await demo.store.get(orderId))!;
    demo.sandbox.controls.complete(order.merchantOrderId);

    const hooks = await until(async () => {
      const mine = (await received()).filter((hook) => hook.objectId === orderId);
      return mine.some((hook) => hook.type === "order.paid") ? mine : undefined;
    });
    // Newest first; every one verified, with the order's status at the time.
    expect(hooks.map((hook) => [hook.type, hook.status, hook.verified])).toEqual([
      ["order.paid", "completed", true],
      ["order.created", expect.any(String), true],
    ]);
    const { data: events } = await demo.store.listEvents({ objectId: orderId, limit: 10 });
    expect(hooks.map((hook) => hook.webhookId)).toEqual(events.map((event) => event.id));
    expect(hooks.every((hook) => hook.error === null && hook.receivedAt > 0)).toBe(true);
    // The endpoint answered 2xx: each delivery is done. The dispatcher records that once the answer
    // is back, which can be just after the endpoint has stored the hook this test read.
    for (const event of events) {
      const statuses = async () => (await demo.store.deliveries(event.id)).map((delivery) => delivery.status);
      await until(async () => (await statuses()).every((status) => status !== "pending"), { what: `delivery of ${event.type} recorded` });
      expect(await statuses()).toEqual(["delivered"]);
    }
  });

  it("refuses a forged or tampered webhook with 400, and lists it as not verified", async () => {
    const body = JSON.stringify({ type: "order.paid", timestamp: new Date().toISOString(), data: { id: "ck_forgedFORGEDforgedfor", status: "completed" } });
    const forged = new Webhook(Buffer.from("not-the-secret-not-the-secret!!").toString("base64"));
    const at = new Date();
    const headers = { "webhook-id": "evt_forged", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": forged.sign("evt_forged", at, body) };
    const response = await demo.app.request(`${ORIGIN}/demo/backend/webhooks`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
    expect(response.status).toBe(400);

    // Signed right, then changed on the way.
    const real = new Webhook(SANDBOX_WEBHOOK_SECRET);
    const signature = real.sign("evt_tampered", at, body);
    const tampered = await demo.app.request(`${ORIGIN}/demo/backend/webhooks`, {
      method: "POST",
      headers: { "webhook-id": "evt_tampered", "webhook-timestamp": headers["webhook-timestamp"], "webhook-signature": signature },
      body: body.replace("completed", "refund"),
    });
    expect(tampered.status).toBe(400);

    const list = await received();
    expect(list[0]).toMatchObject({ webhookId: "evt_tampered", verified: false, error: expect.any(String) });
    expect(list[1]).toMatchObject({ webhookId: "evt_forged", type: "order.paid", objectId: "ck_forgedFORGEDforgedfor", verified: false });
  });

  it("keeps only the latest 50 webhooks in memory", async () => {
    for (let index = 0; index < 60; index++) {
      await demo.app.request(`${ORIGIN}/demo/backend/webhooks`, { method: "POST", headers: { "webhook-id": `evt_flood_${index}` }, body: "{}" });
    }
    const list = await received();
    expect(list).toHaveLength(50);
    expect(list[0]!.webhookId).toBe("evt_flood_59");
    expect(list.at(-1)!.webhookId).toBe("evt_flood_10");
  });

  it("refuses a webhook body over 256 KiB", async () => {
    const response = await demo.app.request(`${ORIGIN}/demo/backend/webhooks`, { method: "POST", body: "x".repeat(300 * 1024) });
    expect(response.status).toBe(413);
  });

  it("shows the Node a merchant's backend runs, which parses, uses the key from the environment and standardwebhooks", async () => {
    const body = await (await get("/demo/backend")).text();
    expect(body).toContain('data-copy="snippet-create-session"');
    expect(body).toContain('data-copy="snippet-receive-webhook"');
    const create = createSessionSnippet(ORIGIN);
    expect(create).toContain(`fetch("${ORIGIN}/api/v1/sessions"`);
    expect(create).toContain("Bearer ${process.env.CHECKOUT_SECRET_KEY}");
    expect(create).toContain('"Idempotency-Key"');
    expect(create).not.toMatch(/sk_[A-Za-z0-9]/);
    expect(RECEIVE_WEBHOOK_SNIPPET).toContain('import { Webhook } from "standardwebhooks"');
    expect(RECEIVE_WEBHOOK_SNIPPET).toContain("webhook.verify(body, request.headers)");
    // Both are valid modules as written.
    const dir = mkdtempSync(join(tmpdir(), "snippets-"));
    for (const [name, code] of [["create.mjs", create], ["receive.mjs", RECEIVE_WEBHOOK_SNIPPET]] as const) {
      writeFileSync(join(dir, name), code);
      execFileSync(process.execPath, ["--check", join(dir, name)]);
    }
  });

  it("reads metadata lines, and names the line that is not key=value", () => {
    expect(parseMetadata("a=1\n\n b = two words \nc=")).toEqual({ ok: true, metadata: { a: "1", b: "two words", c: "" } });
    expect(parseMetadata("=x")).toEqual({ ok: false, message: expect.stringContaining("line 1") });
  });

  it("is not there outside sandbox mode", async () => {
    const live = demoShop({ merchantName: "Live", publicUrl: ORIGIN, sandbox: false, backend: { api: () => Promise.reject(new Error("never")), secretKey: SANDBOX_SECRET_KEY, webhookSecret: SANDBOX_WEBHOOK_SECRET, publicUrl: ORIGIN, currencies: ["php"] } });
    expect((await live.request("/demo/backend")).status).toBe(404);
    expect((await live.request(SANDBOX_WEBHOOK_PATH, { method: "POST", body: "{}" })).status).toBe(404);
    expect(await (await live.request("/")).text()).not.toContain('href="/demo/backend"');
  });
});

describe("the sandbox panel's events and deliveries", () => {
  it("lists each order's events, oldest first, with each delivery's endpoint, status and attempts", async () => {
    const created = await demo.app.request(`${ORIGIN}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    });
    const { id } = (await created.json()) as { id: string };
    demo.sandbox.controls.fail((await demo.store.get(id))!.merchantOrderId);
    await until(async () => {
      const { data } = await demo.store.listEvents({ objectId: id, limit: 10 });
      const all = await Promise.all(data.map((event) => demo.store.deliveries(event.id)));
      return data.length === 2 && all.every((deliveries) => deliveries.every((delivery) => delivery.status === "delivered"));
    });

    const answer = (await (await get("/demo/api/orders")).json()) as { orders: { id: string; events: unknown[] }[] };
    const order = answer.orders.find((candidate) => candidate.id === id)!;
    expect(order.events).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        type: "order.created",
        createdAt: expect.any(Number),
        deliveries: [{ endpoint: "default", status: "delivered", nextAttemptAt: null, attempts: [{ at: expect.any(Number), statusCode: 204, error: null, durationMs: expect.any(Number) }] }],
      },
      {
        id: expect.stringMatching(/^evt_/),
        type: "order.failed",
        createdAt: expect.any(Number),
        deliveries: [{ endpoint: "default", status: "delivered", nextAttemptAt: null, attempts: [{ at: expect.any(Number), statusCode: 204, error: null, durationMs: expect.any(Number) }] }],
      },
    ]);
    // Not the event's data (the order again), not the endpoint's secret.
    expect(JSON.stringify(order.events)).not.toContain(SANDBOX_WEBHOOK_SECRET);
    expect(JSON.stringify(order.events)).not.toContain('"data"');
  });

  it("shows a refused attempt's status code while the delivery waits for its retry", async () => {
    const created = await demo.app.request(`${ORIGIN}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    });
    const { id } = (await created.json()) as { id: string };
    const merchantOrderId = (await demo.store.get(id))!.merchantOrderId;
    demo.sandbox.controls.complete(merchantOrderId);
    await until(async () => (await demo.store.get(id))?.status === "completed");
    demo.sandbox.controls.refund(merchantOrderId);

    // The "broken" endpoint (order.refunded only) answers 404: its delivery waits for a retry.
    type Delivery = { endpoint: string; status: string; nextAttemptAt: number | null; attempts: { statusCode: number | null }[] };
    const refunded = await until(async () => {
      const answer = (await (await get("/demo/api/orders")).json()) as { orders: { id: string; events: { type: string; deliveries: Delivery[] }[] }[] };
      const event = answer.orders.find((candidate) => candidate.id === id)?.events.find((candidate) => candidate.type === "order.refunded");
      return event && event.deliveries.every((delivery) => delivery.attempts.length > 0) ? event : undefined;
    });
    expect(refunded.deliveries).toEqual([
      { endpoint: "broken", status: "pending", nextAttemptAt: expect.any(Number), attempts: [expect.objectContaining({ statusCode: 404, error: null })] },
      { endpoint: "default", status: "delivered", nextAttemptAt: null, attempts: [expect.objectContaining({ statusCode: 204 })] },
    ]);
    expect(refunded.deliveries[0]!.nextAttemptAt!).toBeGreaterThan(Date.now());
  });
});
