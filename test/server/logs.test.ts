/**
 * A whole run of ordinary and unlucky checkouts, then a look at everything the server said: its
 * log lines and its answers. Secrets and shoppers' data must be in neither.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createdOrder, gatewayReader, signNotification } from "../support/stack-requests.ts";
import { SHOP, actOnPaymentPage, gcash, startStack, type Stack } from "../support/stack.ts";
import { manualClock } from "../support/time.ts";

const SHOPPER_IP = "203.0.113.77";
const SHOPPER_UA = "Mozilla/5.0 (ShopperPhone; marker-ua-51f2) Mobile";

const clock = manualClock();
let stack: Stack;
/** Every response body the server sent in this run, with what was asked. */
const answers: { request: string; status: number; headers: Headers; body: string }[] = [];

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { "User-Agent": SHOPPER_UA, "X-Forwarded-For": `${SHOPPER_IP}, 127.0.0.1`, ...(init.headers as Record<string, string>) };
  const response = await fetch(`${stack.url}${path}`, { ...init, headers });
  const body = await response.text();
  answers.push({ request: `${init.method ?? "GET"} ${path}`, status: response.status, headers: response.headers, body });
  return new Response(body, { status: response.status, headers: response.headers });
}

const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP, ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  stack = await startStack({ client: { timeoutMs: 150 }, server: { now: clock.now, trustProxy: 2 } });

  // Paid, with a customer id, polled and returned.
  const paid = (await (await create({ ...gcash, customer: "member-42", return_url: `${SHOP}/back` }, { "Idempotency-Key": "logs-run-0001" })).json()) as Record<string, string>;
  await create({ ...gcash, customer: "member-42", return_url: `${SHOP}/back` }, { "Idempotency-Key": "logs-run-0001" });
  await actOnPaymentPage(paid.payment_url!, "pay");
  await call(`/checkout/return/${paid.id}`);
  // A Thai order that fails.
  const thai = (await (await create({ amount: "300.00", currency: "thb", country: "TH", payment: "thailand", customer: "member-77" })).json()) as Record<string, string>;
  await actOnPaymentPage(thai.payment_url!, "fail");
  await stack.sandbox.controls.idle();
  // One whose notifications are lost: found by a poll, then by the sweep.
  stack.sandbox.controls.setNotifyFaults({ drop: 1 });
  const quiet = await createdOrder(stack);
  stack.sandbox.controls.complete(quiet.merchantOrderId);
  clock.advance(2_000);
  await call(`/api/checkout/${quiet.view.id}`);
  const another = await createdOrder(stack);
  stack.sandbox.controls.reject(another.merchantOrderId);
  clock.advance(2_000);
  await stack.checkout.sweepOnce();
  // A garbled order/get answer (half of the fields, ip and user_agent among them) during a poll.
  const garbled = await createdOrder(stack);
  stack.sandbox.controls.addFault({ endpoint: "get", mode: "malformed", times: 1 });
  clock.advance(2_000);
  await call(`/api/checkout/${garbled.view.id}`);
  stack.sandbox.controls.setNotifyFaults({ drop: 0 });
  // Faults on create: a lost answer, a refusal-free failure, a hang.
  stack.sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_fail", times: 1 });
  await create(gcash);
  stack.sandbox.controls.addFault({ endpoint: "new", mode: "error500" });
  await create(gcash);
  stack.sandbox.controls.clearFaults();
  stack.sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
  stack.sandbox.controls.addFault({ endpoint: "get", mode: "hang", times: 3 });
  await create(gcash);
  stack.sandbox.controls.clearFaults();
  clock.advance(2_000);
  await stack.checkout.sweepOnce();
  // Refusals, forgeries and lookups.
  await create({ ...gcash, amount: "1e3" });
  await create({ ...gcash, redirect_url: "https://evil.test" });
  await call("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: "https://evil.test" }, body: JSON.stringify(gcash) });
  await call("/octopus/notify", { method: "POST", ...(await signNotification({ merchant_order_id: quiet.merchantOrderId, payment_status: "completed" }, { secret: "guess" })) });
  await call(`/api/checkout/${paid.id}`);
  await call(`/api/checkout/${thai.id}`);
  await call("/api/checkout/ck_AAAAAAAAAAAAAAAAAAAAAA");
  await call("/api/checkout/options");
  await call("/healthz");
  await call("/nowhere");
  // The gateway's own notification for one more paid order, replayed by us.
  const last = await createdOrder(stack);
  stack.sandbox.controls.complete(last.merchantOrderId);
  await stack.sandbox.controls.idle();
  const details = await gatewayReader(stack).getOrder(last.merchantOrderId);
  const replay = await signNotification(Object.fromEntries(Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "")));
  await call("/octopus/notify", { method: "POST", body: replay.body, headers: replay.headers });
});
afterAll(async () => {
  await stack.close();
});

/** Every order the gateway has, as order/get gives it (signature_key, ip and user_agent included). */
async function gatewayOrders() {
  const reader = gatewayReader(stack);
  return Promise.all(stack.sandbox.controls.listOrders().map((order) => reader.getOrder(order.merchant_order_id)));
}

describe("logs and answers of a whole run", () => {
  it("covered the ground", async () => {
    expect(stack.sandbox.controls.listOrders().length).toBeGreaterThanOrEqual(7);
    expect(new Set(stack.updates.map((update) => update.change.source))).toEqual(new Set(["create", "notify", "poll", "sweep"]));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200, 201, 400, 401, 403, 404, 503]));
    expect(stack.logs.length).toBeGreaterThan(30);
    const messages = new Set(stack.logs.map((line) => (JSON.parse(line) as { msg: string }).msg));
    for (const msg of ["status refresh failed", "gateway create failed", "notification with a bad signature refused", "order status changed"]) expect(messages).toContain(msg);
  });

  it("never log the gateway secret", () => {
    for (const line of stack.logs) expect(line).not.toContain("sandbox-secret");
  });

  it("never log or answer any order's signature_key", async () => {
    const orders = await gatewayOrders();
    const keys = orders.map((order) => order.signature_key).filter((key): key is string => Boolean(key));
    expect(keys.length).toBe(orders.length);
    for (const key of keys) {
      for (const line of stack.logs) expect(line).not.toContain(key);
      for (const answer of answers) expect(answer.body).not.toContain(key);
    }
  });

  it("never log the shopper's address or user agent, nor the ones the gateway recorded", async () => {
    for (const line of stack.logs) {
      expect(line).not.toContain(SHOPPER_IP);
      expect(line).not.toContain("marker-ua-51f2");
    }
    // Whatever the gateway recorded is redacted wherever an order's fields are logged.
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${path}[${index}]`));
      else if (value && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) {
          if (["ip", "user_agent", "signature_key", "distribute_rules", "merchant_uid", "from_name", "oc-signature", "api_secret"].includes(key.toLowerCase())) {
            expect(item, `${path}.${key}`).toBe("[redacted]");
          } else visit(item, `${path}.${key}`);
        }
      }
    };
    for (const line of stack.logs) visit(JSON.parse(line), "log");
    const recorded = await gatewayOrders();
    for (const order of recorded) {
      for (const line of stack.logs) {
        if (order.user_agent && order.user_agent.length > 8) expect(line).not.toContain(order.user_agent);
      }
    }
  });

  it("never answer with the gateway's private fields", () => {
    for (const answer of answers) {
      for (const word of ["signature_key", "user_agent", "distribute_rules", "merchant_uid", "sandbox-merchant", "merchant_order_id", "notify_url", "member-42", "member-77"]) {
        expect(answer.body, `${answer.request} → ${word}`).not.toContain(word);
      }
    }
  });

  it("log every status change with its statuses readable", () => {
    const changes = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "order status changed");
    expect(changes.length).toBe(stack.updates.length);
    for (const [index, { order, change }] of stack.updates.entries()) {
      expect(changes[index]).toMatchObject({ order_id: order.id, from_status: change.from, to_status: change.to, source: change.source });
    }
    expect(changes.some((line) => line.to_status === "completed")).toBe(true);
  });

  it("log one line per request, each with the request id the response carries", () => {
    const lines = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === "request");
    // More than our calls: the gateway's notifications are requests too.
    expect(requests.length).toBeGreaterThan(answers.length);
    for (const line of requests) {
      expect(line.request_id).toEqual(expect.any(String));
      expect(String(line.request_id).length).toBeGreaterThan(8);
      expect(line).toMatchObject({ method: expect.any(String), path: expect.any(String), status: expect.any(Number) });
    }
    const ids = new Set(requests.map((line) => line.request_id));
    expect(ids.size).toBe(requests.length);
    for (const answer of answers) expect(ids.has(answer.headers.get("x-request-id")), answer.request).toBe(true);
    expect(requests.filter((line) => line.path === "/octopus/notify").length).toBeGreaterThan(answers.filter((answer) => answer.request === "POST /octopus/notify").length);
  });
});
