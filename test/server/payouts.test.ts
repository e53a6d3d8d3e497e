/**
 * Payouts through the merchant API, over real HTTP against the sandbox gateway's expense orders:
 * validation naming the field, limits per payout and per day, idempotency, exactly one expense
 * order at the gateway, following to a final status, and payout.* webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAYOUT_ID } from "../../server/ids.ts";
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from "../support/webhook-receiver.ts";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

const KEY = "sk_test_payouts_0123456789abcdefghijklmnopqrs";

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({
    sandbox: { payouts: { processingMs: 50, settleMs: 400 }, expirySweepMs: 20 },
    server: {
      secretKeys: [KEY],
      payouts: { php: { maxPerPayout: "5000.00", maxPerDay: "12000.00" }, thb: { maxPerPayout: "10000.00", maxPerDay: "50000.00" } },
      webhooks: [{ name: "shop", url: receiver.url, secret: TEST_WEBHOOK_SECRET, types: ["payout.created", "payout.processing", "payout.paid", "payout.failed"] }],
      allowPrivateWebhookUrls: true,
      dispatcher: { pollMs: 50 },
    },
  });
});
afterAll(async () => {
  await stack.close();
  await receiver.close();
});

let keys = 0;
function createPayout(body: Record<string, unknown>, key: string | null = `payout-key-${++keys}-${Date.now()}`) {
  return fetch(`${stack.url}/api/v1/payouts`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", ...(key === null ? {} : { "Idempotency-Key": key }) },
    body: JSON.stringify(body),
  });
}
const get = (path: string) => fetch(`${stack.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${KEY}` } });
const errorOf = async (response: Response) => ({ status: response.status, ...(await readJson<ErrorBody>(response)).error });

const gcash = { amount: "1500.00", currency: "php", country: "PH", payment: "gcash", to: "09171234567", to_name: "Juan Dela Cruz", metadata: { withdrawal: "w-1" } };

describe("payouts", () => {
  it("sends one expense order to the gateway and follows it to paid, with payout.* webhooks", async () => {
    const response = await createPayout(gcash);
    expect(response.status).toBe(201);
    const payout = await readJson<Record<string, unknown>>(response);
    expect(payout).toMatchObject({
      object: "payout",
      amount: "1500.00",
      currency: "php",
      country: "PH",
      payment: "gcash",
      to: "*******4567",
      to_name: "Juan Dela Cruz",
      accounting_type: "pay",
      metadata: { withdrawal: "w-1" },
      requested_by: `sk_…${KEY.slice(-4)}`,
    });
    expect(payout.id).toMatch(PAYOUT_ID);
    const atGateway = stack.gatewayRequests.filter((request) => request.path === "order/new" && request.body.merchant_order_id === payout.merchant_order_id);
    expect(atGateway).toHaveLength(1);
    expect(atGateway[0]!.body).toMatchObject({ transaction_type: "expense", accounting_type: "pay", to: "09171234567", to_name: "Juan Dela Cruz", amount: "1500.00" });
    expect(atGateway[0]!.body.redirect_url).toBeUndefined();

    // The sandbox settles it by itself; its notification makes the server re-read it.
    await until(async () => (await readJson<{ status: string }>(await get(`/payouts/${payout.id}`))).status === "completed");
    await until(() => receiver.received.some((entry) => entry.type === "payout.paid" && entry.data.id === payout.id));
    const types = receiver.received.filter((entry) => entry.data.id === payout.id).map((entry) => entry.type);
    // processing is seen when a read falls between the sandbox's two steps; created and paid always, in order.
    expect(types.filter((type) => type !== "payout.processing")).toEqual(["payout.created", "payout.paid"]);
    expect(types.indexOf("payout.processing")).toBeLessThanOrEqual(1);
    // Nowhere but the gateway request does the full account number appear.
    expect(JSON.stringify(receiver.received)).not.toContain("09171234567");
    expect(stack.logs.join("\n")).not.toContain("09171234567");
    expect(stack.logs.some((line) => line.includes('"msg":"payout requested"') && line.includes(`sk_…${KEY.slice(-4)}`))).toBe(true);
  });

  it("gives the same payout for the same key and body (200), 422 for another body, and never a second expense order", async () => {
    const key = `same-key-${Date.now()}`;
    const first = await readJson<{ id: string; merchant_order_id: string }>(await createPayout(gcash, key));
    const again = await createPayout(gcash, key);
    expect(again.status).toBe(200);
    expect((await readJson<{ id: string }>(again)).id).toBe(first.id);
    expect(await errorOf(await createPayout({ ...gcash, amount: "1501.00" }, key))).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    expect(stack.gatewayRequests.filter((request) => request.path === "order/new" && request.body.merchant_order_id === first.merchant_order_id)).toHaveLength(1);
  });

  it.each([
    [{ ...gcash, to: undefined }, "to", /required/],
    [{ ...gcash, to_name: undefined }, "to_name", /required/],
    [{ ...gcash, amount: "-5.00" }, "amount", /decimal string/],
    [{ ...gcash, amount: "5000.01" }, "amount", /at most 5000\.00 PHP per payout/],
    [{ ...gcash, currency: "vnd", amount: "50000" }, "currency", /in vnd are off/],
    [{ ...gcash, currency: "thb", country: "TH", payment: "thailand" }, "to_bank_name", /Thai bank code/],
    [{ ...gcash, accounting_type: "recharge" }, "accounting_type", /pay, settle/],
    [{ ...gcash, to: "12" }, "to", /at least 4/],
  ])("refuses %j naming %s", async (body, field, message) => {
    const error = await errorOf(await createPayout(body));
    expect(error.field).toBe(field);
    expect(error.status).toBe(field === "currency" ? 403 : 400);
    expect(error.message).toMatch(message);
  });

  it("requires an Idempotency-Key", async () => {
    expect(await errorOf(await createPayout(gcash, null))).toMatchObject({ status: 400, field: "Idempotency-Key" });
  });

  it("refuses a payout that would pass the day's cap, naming amount and the limit", async () => {
    // 1500 + 1500 already today (the tests above); 12000 a day.
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) statuses.push((await createPayout({ ...gcash, amount: "2000.00" })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 400, 400]);
    const error = await errorOf(await createPayout({ ...gcash, amount: "1001.00" }));
    expect(error).toMatchObject({ status: 400, field: "amount" });
    expect(error.message).toMatch(/today's payout limit of 12000\.00 PHP .*11000\.00 PHP already requested/);
    // Exactly what is left still goes.
    expect((await createPayout({ ...gcash, amount: "1000.00" })).status).toBe(201);
  });

  it("lists payouts apart from orders, newest first", async () => {
    const page = await readJson<{ data: { id: string; object: string }[]; has_more: boolean }>(await get("/payouts?limit=3"));
    expect(page.data).toHaveLength(3);
    expect(page.has_more).toBe(true);
    expect(page.data.every((item) => item.object === "payout")).toBe(true);
    const orders = await readJson<{ data: unknown[] }>(await get("/orders"));
    expect(orders.data).toHaveLength(0);
    expect((await get(`/orders/${page.data[0]!.id}`)).status).toBe(400);
    expect((await fetch(`${stack.url}/api/checkout/${page.data[0]!.id}`)).status).toBe(404);
  });

  it("shows a payout the gateway refused as failed with its reason, and gives its share of the day back", async () => {
    const thb = { amount: "9000.00", currency: "thb", country: "TH", payment: "thailand", to: "1234567890", to_name: "Somchai", to_bank_name: "KBANK" };
    // A method the gateway does not know for this merchant: a definite refusal.
    const refused = await createPayout({ ...thb, payment: "nosuchbank" });
    const body = await readJson<{ status: string; failure_reason: string }>(refused);
    expect(refused.status).toBe(201);
    expect(body.status).toBe("failed");
    expect(body.failure_reason).toMatch(/refused|could not be reached/);
    // 50000 a day: 9000 given back, so five more of 9000 still fit (45000).
    for (let index = 0; index < 5; index++) expect((await createPayout(thb)).status).toBe(201);
  });
});
