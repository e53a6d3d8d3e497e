/**
 * The merchant API over real HTTP: secret keys, checkout sessions (and paying them through the
 * widget's route), orders, events and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_ID } from "../../server/ids.ts";
import { createdOrder, readJson, type ErrorBody } from "../support/stack-requests.ts";
import { actOnPaymentPage, createCheckout, SHOP, startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

const KEY = "sk_test_0123456789abcdefghijklmnopqrstuvwxyz";
const OLD_KEY = "sk_test_old_key_0123456789abcdefghijklmnopqrs";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { secretKeys: [KEY, OLD_KEY] } });
});
afterAll(async () => {
  await stack.close();
});

function api(path: string, init: RequestInit & { key?: string | null } = {}) {
  const { key = KEY, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set("Authorization", `Bearer ${key}`);
  if (rest.body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  return fetch(`${stack.url}/api/v1${path}`, { ...rest, headers });
}

const createSession = (body: Record<string, unknown>, headers: Record<string, string> = {}) => api("/sessions", { method: "POST", body: JSON.stringify(body), headers });

async function errorOf(response: Response) {
  return { status: response.status, ...(await readJson<ErrorBody>(response)).error };
}

describe("secret keys", () => {
  it("refuses a request without a key, with a wrong key, or with another scheme, in the API's error shape", async () => {
    expect(await errorOf(await api("/orders", { key: null }))).toMatchObject({ status: 401, code: "unauthorized", message: expect.stringContaining("Missing Authorization") });
    expect(await errorOf(await api("/orders", { key: "sk_test_0123456789abcdefghijklmnopqrstuvwxyZ" }))).toMatchObject({ status: 401, code: "unauthorized" });
    const basic = await api("/orders", { key: null, headers: { Authorization: `Basic ${btoa(`${KEY}:`)}` } });
    expect(await errorOf(basic)).toMatchObject({ status: 401, message: expect.stringContaining("Bearer") });
    expect(basic.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("takes every listed key, so a key can be rotated", async () => {
    expect((await api("/orders")).status).toBe(200);
    expect((await api("/orders", { key: OLD_KEY })).status).toBe(200);
  });

  it("answers no browser: no CORS headers, and a preflight is not allowed", async () => {
    const response = await api("/orders", { headers: { Origin: SHOP } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${stack.url}/api/v1/sessions`, { method: "OPTIONS", headers: { Origin: SHOP, "Access-Control-Request-Method": "POST" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("says clearly that the API is off when no key is configured", async () => {
    const off = await startStack();
    try {
      const response = await fetch(`${off.url}/api/v1/orders`, { headers: { Authorization: `Bearer ${KEY}` } });
      expect(await errorOf(response)).toMatchObject({ status: 401, code: "unauthorized", message: expect.stringContaining("CHECKOUT_SECRET_KEYS") });
    } finally {
      await off.close();
    }
  });

  it("limits failed attempts per address, and then refuses even a right key for a while", async () => {
    const limited = await startStack({ server: { secretKeys: [KEY] } });
    try {
      const wrong = () => fetch(`${limited.url}/api/v1/orders`, { headers: { Authorization: "Bearer sk_wrong_wrong_wrong_wrong_wrong_wrong_wrong" } });
      const statuses: number[] = [];
      for (let index = 0; index < 21; index++) statuses.push((await wrong()).status);
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
      const right = await fetch(`${limited.url}/api/v1/orders`, { headers: { Authorization: `Bearer ${KEY}` } });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe("checkout sessions", () => {
  it("creates an open session with its payment link, and shows it", async () => {
    const response = await createSession(
      { amount: "250", currency: "PHP", country: "ph", customer: "member-42", description: "2 × Iced coffee", metadata: { cart_id: "c_1", channel: "line" }, return_url: `${SHOP}/thanks` },
      { "Idempotency-Key": "session-key-0001" },
    );
    expect(response.status).toBe(201);
    const session = await readJson<Record<string, unknown>>(response);
    expect(session).toMatchObject({
      object: "session",
      status: "open",
      amount: "250.00",
      currency: "php",
      country: "PH",
      payment: null,
      customer: "member-42",
      description: "2 × Iced coffee",
      metadata: { cart_id: "c_1", channel: "line" },
      return_url: `${SHOP}/thanks`,
      order_id: null,
    });
    expect(session.id).toMatch(SESSION_ID);
    expect(session.url).toBe(`${stack.url}/pay/${session.id}`);
    expect(Date.parse(session.expires_at as string) - Date.parse(session.created_at as string)).toBe(24 * 3600 * 1000);
    expect(await readJson(await api(`/sessions/${session.id}`))).toEqual(session);
  });

  it("gives the same session for the same Idempotency-Key and body, and 422 for another body", async () => {
    const body = { amount: "120.00", currency: "php", expires_in: 600 };
    const first = await readJson<{ id: string }>(await createSession(body, { "Idempotency-Key": "session-key-0002" }));
    const again = await createSession(body, { "Idempotency-Key": "session-key-0002" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await readJson<{ id: string }>(again)).id).toBe(first.id);
    expect(await errorOf(await createSession({ ...body, amount: "121.00" }, { "Idempotency-Key": "session-key-0002" }))).toMatchObject({ status: 422, code: "idempotency_key_reused", field: "Idempotency-Key" });
    // Without a key, each request is a new session.
    const a = await readJson<{ id: string }>(await createSession(body));
    const b = await readJson<{ id: string }>(await createSession(body));
    expect(a.id).not.toBe(b.id);
  });

  it.each([
    [{ currency: "php" }, "amount", /"amount" is required/],
    [{ amount: "10.00", currency: "php" }, "amount", /20\.00 PHP to 50000\.00 PHP for GCash/],
    [{ amount: "100.001", currency: "php" }, "amount", /at most 2 decimals/],
    [{ amount: 100, currency: "php" }, "amount", /^"amount" must be a decimal string such as "100\.00", not a number$/],
    [{ amount: null, currency: "php" }, "amount", /^"amount" must be a decimal string such as "100\.00"$/],
    [{ amount: "100.00", currency: "usd" }, "currency", /is not offered; allowed: php, thb, vnd/],
    [{ amount: "100.00", currency: "php", country: "TH" }, "country", /no method for php; allowed: PH/],
    [{ amount: "100.00", currency: "php", payment: "bkash" }, "payment", /allowed: gcash, maya/],
    [{ amount: "100.00", currency: "php", metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])) }, "metadata", /at most 20 keys/],
    [{ amount: "100.00", currency: "php", metadata: { cart: "x".repeat(501) } }, "metadata.cart", /at most 500/],
    [{ amount: "100.00", currency: "php", metadata: { ["k".repeat(41)]: "v" } }, `metadata.${"k".repeat(41)}`, /at most 40/],
    [{ amount: "100.00", currency: "php", metadata: { nested: { a: "b" } } }, "metadata.nested", /must be a string/],
    [{ amount: "100.00", currency: "php", return_url: "https://evil.example/thanks" }, "return_url", /allowed origins/],
    [{ amount: "100.00", currency: "php", expires_in: 10 }, "expires_in", /at least 60/],
    [{ amount: "100.00", currency: "php", customer: "名前" }, "customer", /letters, digits/],
    [{ amount: "100.00", currency: "php", price: "1" }, "price", /^"price" is not a field of this request$/],
    [{ amount: "100.00", currency: "php", metadata: ["a"] }, "metadata", /^"metadata" must be an object$/],
  ])("refuses %j naming %s", async (body, field, message) => {
    const error = await errorOf(await createSession(body));
    expect(error).toMatchObject({ status: 400, code: "invalid_request", field });
    expect(error.message).toMatch(message);
  });

  it("refuses a body that is not JSON, and a key that is malformed", async () => {
    expect(await errorOf(await api("/sessions", { method: "POST", body: "{nope" }))).toMatchObject({ status: 400, code: "invalid_json" });
    expect(await errorOf(await api("/sessions", { method: "POST", body: "amount=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } }))).toMatchObject({ status: 400, field: "Content-Type" });
    expect(await errorOf(await createSession({ amount: "100.00", currency: "php" }, { "Idempotency-Key": "short" }))).toMatchObject({ status: 400, field: "Idempotency-Key" });
    expect(await errorOf(await api("/sessions/cs_nope"))).toMatchObject({ status: 400, field: "id" });
    expect(await errorOf(await api("/sessions/cs_AAAAAAAAAAAAAAAAAAAAAA"))).toMatchObject({ status: 404, code: "not_found" });
  });

  it("is paid once through the widget's route, with the session's amount and metadata on the order", async () => {
    const session = await readJson<{ id: string }>(await createSession({ amount: "250.00", currency: "php", description: "Coffee", customer: "member-9", metadata: { cart_id: "c_9" } }));

    // What the widget shows for data-session: no metadata, no customer.
    const shown = await readJson<Record<string, unknown>>(await fetch(`${stack.url}/api/checkout/sessions/${session.id}`, { headers: { Origin: SHOP } }));
    expect(shown).toEqual({ id: session.id, status: "open", amount: "250.00", currency: "php", country: null, payment: null, description: "Coffee", merchant_name: "Test Shop", expires_at: expect.any(String), order_id: null });

    const refused = await createCheckout(stack, { session: session.id, amount: "1.00", country: "PH", payment: "gcash" });
    expect(await errorOf(refused)).toMatchObject({ status: 400, code: "invalid_request", field: "amount" });
    expect(await errorOf(await createCheckout(stack, { session: session.id, currency: "thb", country: "PH", payment: "gcash" }))).toMatchObject({ status: 400, field: "currency" });
    expect(await errorOf(await createCheckout(stack, { session: "cs_AAAAAAAAAAAAAAAAAAAAAA", country: "PH", payment: "gcash" }))).toMatchObject({ status: 404, field: "session" });

    const { view } = await createdOrder(stack, { session: session.id, country: "PH", payment: "gcash" });
    expect(view).toMatchObject({ amount: "250.00", currency: "php", status: "pending" });
    // The same attempt again (another tab, a reopened dialog) continues the order instead of making a second one.
    const again = await createCheckout(stack, { session: session.id, country: "PH", payment: "gcash" });
    expect(again.status).toBe(200);
    expect((await readJson<{ id: string }>(again)).id).toBe(view.id);

    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await readJson<{ status: string }>(await api(`/sessions/${session.id}`))).status === "completed");
    expect(await readJson(await api(`/sessions/${session.id}`))).toMatchObject({ status: "completed", order_id: view.id });

    const order = await readJson<Record<string, unknown>>(await api(`/orders/${view.id}`));
    expect(order).toMatchObject({
      id: view.id,
      object: "order",
      session_id: session.id,
      status: "completed",
      amount: "250.00",
      final_amount: "250.00",
      final_amount_differs: false,
      customer: "member-9",
      description: "Coffee",
      metadata: { cart_id: "c_9" },
      payment_uid: expect.any(String),
    });
    // "processing" (the page was opened) is seen or not depending on whether its notification was
    // read before the payment landed: a race the test does not decide.
    expect((order.history as { to: string }[]).map((entry) => entry.to).filter((to) => to !== "processing")).toEqual(["pending", "completed"]);

    expect(await errorOf(await createCheckout(stack, { session: session.id, country: "PH", payment: "maya" }))).toMatchObject({ status: 409, code: "session_completed", field: "session" });
  });

  it("brings a redirect back to the page that paid a session without a return URL (a payment link, to itself); a session's own wins", async () => {
    const backLink = async (id: string | undefined) => /<a href="([^"]*)">Back to the shop<\/a>/.exec(await (await fetch(`${stack.url}/checkout/return/${id}`)).text())?.[1];
    const link = await readJson<{ id: string; url: string }>(await createSession({ amount: "120.00", currency: "php" }));
    const onLink = await createdOrder(stack, { session: link.id, country: "PH", payment: "gcash", return_url: link.url }, { Origin: new URL(link.url).origin });
    expect(await backLink(onLink.view.id)).toBe(`${link.url}?octopus_checkout=${onLink.view.id}`);

    // Embedded on the shop's page: back to that page, and only to the page's own origin.
    const embedded = await readJson<{ id: string }>(await createSession({ amount: "130.00", currency: "php" }));
    const offOrigin = await createCheckout(stack, { session: embedded.id, country: "PH", payment: "gcash", return_url: "https://evil.example/cart" });
    expect(await errorOf(offOrigin)).toMatchObject({ status: 400, field: "return_url" });
    const onShop = await createdOrder(stack, { session: embedded.id, country: "PH", payment: "gcash", return_url: `${SHOP}/cart` });
    expect(await backLink(onShop.view.id)).toBe(`${SHOP}/cart?octopus_checkout=${onShop.view.id}`);

    const withOwn = await readJson<{ id: string }>(await createSession({ amount: "140.00", currency: "php", return_url: `${SHOP}/thanks` }));
    const fromPage = await createdOrder(stack, { session: withOwn.id, country: "PH", payment: "gcash", return_url: `${SHOP}/cart` });
    expect(await backLink(fromPage.view.id)).toBe(`${SHOP}/thanks?octopus_checkout=${fromPage.view.id}`);
  });

  it("refuses an expired session with 410, and lets a failed attempt be tried again", async () => {
    const session = await readJson<{ id: string }>(await createSession({ amount: "100.00", currency: "php", country: "PH" }));
    const first = await createdOrder(stack, { session: session.id, payment: "gcash" });
    await actOnPaymentPage(first.view.payment_url!, "fail");
    await until(async () => (await stack.store.get(first.view.id!))?.status === "failed");
    const retry = await createdOrder(stack, { session: session.id, payment: "gcash" });
    expect(retry.view.id).not.toBe(first.view.id);
    expect(await errorOf(await createCheckout(stack, { session: session.id, country: "TH", payment: "gcash" }))).toMatchObject({ status: 400, field: "country" });

    const { session: stored } = await stack.store.insertSession({
      id: "cs_expiredEXPIREDexpiredx",
      amount: "100.00",
      currency: "php",
      country: null,
      payment: null,
      customer: null,
      description: null,
      metadata: {},
      returnUrl: null,
      idempotencyKey: null,
      requestHash: null,
      createdBy: null,
      createdAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 3_600_000,
    });
    expect(await errorOf(await createCheckout(stack, { session: stored.id, country: "PH", payment: "gcash" }))).toMatchObject({ status: 410, code: "session_expired" });
    expect(await readJson(await api(`/sessions/${stored.id}`))).toMatchObject({ status: "expired" });
  });
});

describe("orders", () => {
  it("lists newest first with filters and a cursor", async () => {
    const mine = [];
    for (let index = 0; index < 3; index++) mine.push((await createdOrder(stack, { amount: "100.00", currency: "php", country: "PH", payment: "gcash", customer: "lister" })).view.id!);
    const page = await readJson<{ data: { id: string; customer: string }[]; has_more: boolean }>(await api("/orders?customer=lister&limit=2"));
    expect(page.data.map((order) => order.id)).toEqual([mine[2], mine[1]]);
    expect(page.has_more).toBe(true);
    const rest = await readJson<{ data: { id: string }[]; has_more: boolean }>(await api(`/orders?customer=lister&limit=2&starting_after=${mine[1]}`));
    expect(rest).toMatchObject({ has_more: false });
    expect(rest.data.map((order) => order.id)).toEqual([mine[0]]);
    for (const limit of ["101", "0", "abc", "2.5"]) {
      expect(await errorOf(await api(`/orders?limit=${limit}`))).toMatchObject({ status: 400, field: "limit", message: '"limit" must be a whole number from 1 to 100' });
    }
    expect(await errorOf(await api("/orders?status=paid"))).toMatchObject({ status: 400, field: "status" });
  });

  it("refuses a cursor that names nothing of its list, rather than answer an empty page a sync job would take for the end", async () => {
    const { view } = await createdOrder(stack);
    for (const [list, cursor] of [
      ["orders", "ck_AAAAAAAAAAAAAAAAAAAAAA"],
      ["orders", "zzz"],
      ["payouts", view.id!],
      ["events", "evt_nope"],
    ] as const) {
      const error = await errorOf(await api(`/${list}?starting_after=${cursor}`));
      expect(error).toMatchObject({ status: 400, code: "invalid_request", field: "starting_after" });
      expect(error.message).toMatch(/the last one of the previous page/);
    }
    expect((await api(`/orders?starting_after=${view.id}`)).status).toBe(200);
  });

  it("re-reads an order from the gateway on request", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    // Paid at the gateway with the notification lost: only a re-read can tell.
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    stack.sandbox.controls.setNotifyFaults({ drop: 0 });
    expect((await readJson<{ status: string }>(await api(`/orders/${view.id}`))).status).toBe("pending");
    const refreshed = await api(`/orders/${view.id}/refresh`, { method: "POST" });
    expect(refreshed.status).toBe(200);
    const order = await readJson<{ status: string; history: { source: string }[] }>(refreshed);
    expect(order.status).toBe("completed");
    expect(order.history.at(-1)!.source).toBe("refresh");
    expect(await errorOf(await api("/orders/ck_AAAAAAAAAAAAAAAAAAAAAA/refresh", { method: "POST" }))).toMatchObject({ status: 404 });
  });
});

describe("the OpenAPI document", () => {
  it("describes every route, without needing a key", async () => {
    const response = await fetch(`${stack.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = await readJson<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } }>(response);
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual(["/events", "/events/{id}", "/events/{id}/redeliver", "/orders", "/orders/{id}", "/orders/{id}/refresh", "/payouts", "/payouts/{id}", "/sessions", "/sessions/{id}"]);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["CreateSession", "Session", "Order", "Event", "Error", "Metadata", "CreatePayout", "Payout"]));
    expect(document.components.securitySchemes.secretKey).toMatchObject({ type: "http", scheme: "bearer" });
    // The document comes from the validating schemas: their limits are in it.
    expect(JSON.stringify(document.components.schemas.CreateSession)).toContain("2592000");
  });
});
