/**
 * The gateway misbehaving while an order is created: the shopper gets a clear answer, the store
 * knows where the order stands, and the gateway never ends up with two orders for one checkout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OctopusDuplicateOrderError, type OctopusClient } from "../../server/gateway/index.ts";
import { scopedIdempotencyKey } from "../../server/orders/idempotency.ts";
import { gatewayReader, readJson, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // grabpay is in the shop's config but not enabled at the gateway.
    config: {
      methods: [
        { country: "PH", currency: "php", payment: "gcash", label: "GCash", min: "20.00", max: "50000.00" },
        { country: "PH", currency: "php", payment: "grabpay", label: "GrabPay", min: "20.00", max: "50000.00" },
      ],
    },
    // Short, for the hang tests, but not so short that a loaded machine (the full suite beside a
    // build) turns a slow answer into a timeout: at 150 ms the read-back after a 500 timed out at load 6.
    client: { timeoutMs: 600 },
    server: { rateLimit: { windowMs: 60_000, max: 10_000 } },
  });
});
afterEach(() => {
  stack.sandbox.controls.clearFaults();
});
afterAll(async () => {
  await stack.close();
});

let keys = 0;
const newKey = () => `fault-${Date.now().toString(36)}-${keys++}`;
const newOrderCalls = () => stack.gatewayCalls.filter((path) => path === "order/new").length;
const gatewayOrders = () => stack.sandbox.controls.listOrders().length;

async function storedByKey(key: string) {
  // Stored scoped by origin (server/orders/idempotency.ts).
  const stored = await scopedIdempotencyKey(SHOP, key);
  const order = (await stack.store.recent(1000)).find((candidate) => candidate.idempotencyKey === stored);
  if (!order) throw new Error(`no stored order for ${key}`);
  return order;
}

/** Creates with a fresh key; returns the answer, the key, and what it did at the gateway. */
async function attempt(body: Record<string, unknown> = gcash) {
  const key = newKey();
  const before = { calls: newOrderCalls(), orders: gatewayOrders() };
  const response = await createCheckout(stack, body, { "Idempotency-Key": key });
  return { response, key, newCalls: newOrderCalls() - before.calls, newOrders: gatewayOrders() - before.orders };
}

/** The same key again: the same answer, and not one more order/new. */
async function retrySame(key: string, body: Record<string, unknown> = gcash) {
  const calls = newOrderCalls();
  const orders = gatewayOrders();
  const response = await createCheckout(stack, body, { "Idempotency-Key": key });
  expect(newOrderCalls()).toBe(calls);
  expect(gatewayOrders()).toBe(orders);
  return response;
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = await readJson<ErrorBody>(response);
  expect(body.error.code).toBe(code);
  return body.error;
}

/**
 * A replay of a create that is settled without a payment page (orphaned, or rejected without a
 * refusal): 409 checkout_failed and no Retry-After, since no wait can change it.
 */
async function expectFailedForGood(response: Response) {
  await expectError(response, 409, "checkout_failed");
  expect(response.headers.get("retry-after")).toBeNull();
}

describe("gateway faults while creating", () => {
  it("survives one 500: the client re-sends safely, the shopper gets 201, the gateway has one order", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "error500", times: 1 });
    const { response, key, newCalls, newOrders } = await attempt();
    expect(response.status).toBe(201);
    const created = await readJson(response);
    expect(created.payment_url).toMatch(/\/octopus\/pay\//);
    expect(newCalls).toBe(2);
    expect(newOrders).toBe(1);
    expect((await storedByKey(key)).gatewayState).toBe("created");
    const again = await retrySame(key);
    expect(again.status).toBe(200);
    expect((await readJson(again)).id).toBe(created.id);
  });

  it("survives a garbled answer by reading the order back: 503, one gateway order, orphaned", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "malformed", times: 1 });
    const { response, key, newOrders } = await attempt();
    await expectError(response, 503, "gateway_unavailable");
    expect(newOrders).toBe(1);
    expect((await storedByKey(key)).gatewayState).toBe("orphaned");
  });

  it("answers commit_then_fail with 503 gateway_unavailable and Retry-After; one gateway order, stored as orphaned", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_fail", times: 1 });
    const { response, key, newCalls, newOrders } = await attempt();
    const error = await expectError(response, 503, "gateway_unavailable");
    expect(response.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(error.message).toMatch(/try again/i);
    expect(newCalls).toBe(1);
    expect(newOrders).toBe(1);
    const stored = await storedByKey(key);
    expect(stored.gatewayState).toBe("orphaned");
    expect(stored.paymentUrl).toBeNull();
    // The gateway's status is recorded all the same.
    expect(stored.status).toBe("pending");
    await expectFailedForGood(await retrySame(key));
  });

  it("answers a gateway that keeps failing with 503 and makes no gateway order", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "error500" });
    const { response, key, newCalls, newOrders } = await attempt();
    await expectError(response, 503, "gateway_unavailable");
    expect(response.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(newOrders).toBe(0);
    // Tried a bounded number of times, each after checking the previous one did not land.
    expect(newCalls).toBe(3);
    expect((await storedByKey(key)).gatewayState).toBe("rejected");
    await expectFailedForGood(await retrySame(key));
    // A new key is a new try, and works once the gateway is back.
    stack.sandbox.controls.clearFaults();
    const fresh = await attempt();
    expect(fresh.response.status).toBe(201);
    expect(fresh.newOrders).toBe(1);
  });

  it("answers a refusal (a method the gateway does not have for this merchant) with 502 gateway_refused", async () => {
    const { response, key, newCalls, newOrders } = await attempt({ ...gcash, payment: "grabpay" });
    const error = await expectError(response, 502, "gateway_refused");
    expect(error.message).toMatch(/another method/);
    // The gateway's own words stay in our logs, not in the shopper's answer.
    expect(error.message).not.toMatch(/enabled for this merchant/);
    expect(newCalls).toBe(1);
    expect(newOrders).toBe(0);
    expect((await storedByKey(key)).gatewayState).toBe("rejected");
    await expectError(await retrySame(key, { ...gcash, payment: "grabpay" }), 502, "gateway_refused");
  });

  it("answers a hanging gateway with 503 after the client timeout", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "hang" });
    const started = Date.now();
    const { response, key, newOrders } = await attempt();
    await expectError(response, 503, "gateway_unavailable");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(newOrders).toBe(0);
    const state = (await storedByKey(key)).gatewayState;
    expect(["rejected", "unknown"]).toContain(state);
    // Unknown: the sweep will read it back, so waiting can change the answer; rejected: it cannot.
    if (state === "unknown") await expectError(await retrySame(key), 503, "gateway_unavailable");
    else await expectFailedForGood(await retrySame(key));
  });

  it("answers a create that landed but whose answer hangs with 503 and one gateway order", async () => {
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
    const { response, key, newCalls, newOrders } = await attempt();
    await expectError(response, 503, "gateway_unavailable");
    expect(newCalls).toBe(1);
    expect(newOrders).toBe(1);
    expect((await storedByKey(key)).gatewayState).toBe("orphaned");
    await expectFailedForGood(await retrySame(key));
  });

  it("answers 503 when the gateway rejects our credentials, without details", async () => {
    const wrong = await startStack({ client: { apiSecret: "not-the-secret" } });
    try {
      const response = await createCheckout(wrong, gcash);
      const error = await expectError(response, 503, "gateway_unavailable");
      expect(JSON.stringify(error)).not.toMatch(/signature|secret|OC-/i);
      expect(wrong.sandbox.controls.listOrders()).toEqual([]);
    } finally {
      await wrong.close();
    }
  });

  it("answers 503, not 502, when a re-send was a duplicate but the read-back could not tell (found by the reliability suite)", async () => {
    // The client's createOrder after: timeout, read-back "not found", re-send "duplicate" (the first one
    // landed late), read-backs that all time out. The gateway has the order: it did not refuse it.
    let reader: OctopusClient | undefined;
    const gateway: OctopusClient = {
      createOrder: async (input) => {
        await reader!.createOrder(input);
        throw new OctopusDuplicateOrderError("Duplicate order", `The merchant_order_id '${input.merchant_order_id}' already exists.`, {
          status: 400,
          merchantOrderId: input.merchant_order_id,
          outcomeUnknown: true,
        });
      },
      getOrder: (id) => reader!.getOrder(id),
      verifyNotification: (fields, headers) => reader!.verifyNotification(fields, headers),
    };
    const racy = await startStack({ server: { gateway } });
    reader = gatewayReader(racy);
    try {
      const response = await createCheckout(racy, gcash, { "Idempotency-Key": "racy-duplicate-1" });
      await expectError(response, 503, "gateway_unavailable");
      const [stored] = await racy.store.recent(1);
      expect(stored?.gatewayState).toBe("unknown");
      expect(stored?.errorCode).toBe("gateway_unavailable");
      // Unknown yet, and the sweep will know: the same key is told to wait and retry.
      const meanwhile = await createCheckout(racy, gcash, { "Idempotency-Key": "racy-duplicate-1" });
      await expectError(meanwhile, 503, "gateway_unavailable");
      expect(meanwhile.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      // The sweep finds it at the gateway: orphaned, never "rejected".
      const settled = await racy.checkout.service.refreshFromGateway(stored!, "sweep");
      expect(settled.gatewayState).toBe("orphaned");
      // Settled without a payment page: the key is told to stop.
      await expectFailedForGood(await createCheckout(racy, gcash, { "Idempotency-Key": "racy-duplicate-1" }));
    } finally {
      await racy.close();
    }
  });
});
