import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newMerchantOrderId } from "../../server/ids.ts";
import { scopedIdempotencyKey } from "../../server/orders/idempotency.ts";
import type { NewOrder } from "../../server/store/types.ts";
import { newOrder } from "../support/orders.ts";
import { createdOrder, gatewayReader, readJson, updatesOf, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { manualClock } from "../support/time.ts";

const clock = manualClock();
let stack: Stack;
beforeAll(async () => {
  // A short client timeout, so that a hanging gateway costs this suite little time.
  stack = await startStack({ client: { timeoutMs: 100 }, server: { now: clock.now, rateLimit: { windowMs: 60_000, max: 10_000 } } });
});
afterEach(async () => {
  stack.sandbox.controls.clearFaults();
  stack.sandbox.controls.setNotifyFaults({ drop: 0 });
  await stack.sandbox.controls.idle();
});
afterAll(async () => {
  await stack.close();
});

const PENDING_TIMEOUT_MS = 15 * 60_000; // TEST_CONFIG.pendingTimeoutMinutes

/** One pass takes up to 50 orders: more than this suite ever has open. */
async function sweepAll() {
  const { claimed, failed } = await stack.checkout.sweepOnce();
  expect(failed).toBe(0);
  expect(claimed).toBeLessThan(50);
}

/** An order as a crashed server would have left it: stored, order/new sent or not, never answered. */
function abandoned(overrides: Partial<NewOrder> = {}): NewOrder {
  // Older than the 5-minute creating timeout: the process that was creating it is gone.
  const at = clock.now() - 6 * 60_000;
  return newOrder({ merchantOrderId: newMerchantOrderId("test", at), amount: "100.00", product: null, locale: null, returnUrl: null, createdAt: at, expiresAt: at + PENDING_TIMEOUT_MS, ...overrides });
}

async function unsettledCount(): Promise<number> {
  return (await stack.store.recent(10_000)).filter((order) => order.gatewayState === "creating" || order.gatewayState === "unknown").length;
}

describe("the sweep", () => {
  it("settles a create whose answer was lost and that the gateway has: orphaned, with the gateway's status", async () => {
    const ordersBefore = stack.sandbox.controls.listOrders().length;
    // The gateway stores the order and never answers; the read-backs hang too.
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "hang", times: 3 });
    const response = await createCheckout(stack, gcash, { "Idempotency-Key": "sweep-lost-answer-1" });
    expect(response.status).toBe(503);
    expect((await readJson<ErrorBody>(response)).error.code).toBe("gateway_unavailable");
    expect(stack.sandbox.controls.listOrders().length).toBe(ordersBefore + 1);
    const storedKey = await scopedIdempotencyKey(SHOP, "sweep-lost-answer-1");
    const [stored] = (await stack.store.recent(1)).filter((order) => order.idempotencyKey === storedKey);
    expect(stored?.gatewayState).toBe("unknown");

    clock.advance(2_000);
    await sweepAll();
    const settled = await stack.store.get(stored!.id);
    expect(settled?.gatewayState).toBe("orphaned");
    expect(settled?.status).toBe("pending");
    expect(updatesOf(stack, stored!.id).map((change) => [change.to, change.source])).toEqual([["pending", "sweep"]]);
    // Nobody can pay it from here: no payment page was ever handed out.
    expect(await readJson(await stack.app.request(`/api/checkout/${stored!.id}`))).not.toHaveProperty("payment_url");
    // Settled for good: the same key is told to start again (409 checkout_failed, no Retry-After to
    // loop on), and never makes a second gateway order.
    const retry = await createCheckout(stack, gcash, { "Idempotency-Key": "sweep-lost-answer-1" });
    expect(retry.status).toBe(409);
    expect(retry.headers.get("retry-after")).toBeNull();
    expect((await readJson<ErrorBody>(retry)).error.code).toBe("checkout_failed");
    expect(stack.sandbox.controls.listOrders().length).toBe(ordersBefore + 1);
  });

  it("settles a create that never reached the gateway as rejected", async () => {
    const ordersBefore = stack.sandbox.controls.listOrders().length;
    stack.sandbox.controls.addFault({ endpoint: "new", mode: "hang", times: 1 });
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "hang", times: 3 });
    const response = await createCheckout(stack, gcash, { "Idempotency-Key": "sweep-never-landed-1" });
    expect(response.status).toBe(503);
    const storedKey = await scopedIdempotencyKey(SHOP, "sweep-never-landed-1");
    const [stored] = (await stack.store.recent(1)).filter((order) => order.idempotencyKey === storedKey);
    expect(stored?.gatewayState).toBe("unknown");

    clock.advance(2_000);
    await sweepAll();
    const settled = await stack.store.get(stored!.id);
    expect(settled?.gatewayState).toBe("rejected");
    expect(settled?.status).toBe("none");
    expect(stack.sandbox.controls.listOrders().length).toBe(ordersBefore);
    expect(updatesOf(stack, stored!.id)).toEqual([]);
    // A settled order is not read again.
    const reads = () => stack.gatewayRequests.filter((request) => request.body.merchant_order_id === stored!.merchantOrderId).length;
    const before = reads();
    clock.advance(60_000);
    await sweepAll();
    expect(reads()).toBe(before);
  });

  it("leaves no order in creating or unknown after a crash, and keeps away from a create still in flight", async () => {
    const landed = abandoned();
    const lost = abandoned();
    const inFlight = abandoned({ createdAt: clock.now(), expiresAt: clock.now() + PENDING_TIMEOUT_MS });
    for (const order of [landed, lost, inFlight]) expect((await stack.store.insert(order)).inserted).toBe(true);
    // The crashed server's order/new reached the gateway for one of them.
    await gatewayReader(stack).createOrder({ transaction_type: "income", amount: "100.00", currency: "php", payment: "gcash", country: "PH", merchant_order_id: landed.merchantOrderId });

    clock.advance(2_000);
    await sweepAll();
    expect((await stack.store.get(landed.id))?.gatewayState).toBe("orphaned");
    expect((await stack.store.get(landed.id))?.status).toBe("pending");
    expect((await stack.store.get(lost.id))?.gatewayState).toBe("rejected");
    // Younger than the creating timeout: its create may still be running, so it is left alone.
    expect((await stack.store.get(inFlight.id))?.gatewayState).toBe("creating");

    clock.advance(5 * 60_000 + 1_000);
    await sweepAll();
    expect((await stack.store.get(inFlight.id))?.gatewayState).toBe("rejected");
    expect(await unsettledCount()).toBe(0);
  });

  it("marks an order overdue once it has been pending longer than pendingTimeoutMinutes", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    clock.advance(PENDING_TIMEOUT_MS - 5_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("pending");

    clock.advance(10_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("overdue");
    expect(updatesOf(stack, view.id!).map((change) => [change.to, change.source])).toEqual([
      ["pending", "create"],
      ["overdue", "sweep"],
    ]);
    const status = await readJson(await stack.app.request(`/api/checkout/${view.id}`));
    expect(status.status).toBe("overdue");
    expect(status).not.toHaveProperty("payment_url");
    // Our timeout, not the gateway's: the gateway still has it open.
    expect(stack.sandbox.controls.getOrder(merchantOrderId)?.payment_status).toBe("pending");
  });

  it("takes overdue from the gateway when the gateway's own clock expires the order", async () => {
    const { view } = await createdOrder(stack);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.advanceClock(PENDING_TIMEOUT_MS + 1_000);
    clock.advance(2_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("overdue");
  });

  it("asks the gateway before timing out: an order paid while nobody heard is completed, not overdue", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    clock.advance(PENDING_TIMEOUT_MS + 60_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    expect(updatesOf(stack, view.id!).map((change) => change.to)).toEqual(["pending", "completed"]);
  });

  it("never moves a paid order back", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.complete(merchantOrderId);
    await stack.sandbox.controls.idle();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    const updates = stack.updates.length;
    clock.advance(PENDING_TIMEOUT_MS * 4);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    expect(stack.updates.length).toBe(updates);
    expect((await readJson(await stack.app.request(`/api/checkout/${view.id}`))).status).toBe("completed");
  });

  it("still records a late payment after our own overdue: money that arrived is not lost", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    clock.advance(PENDING_TIMEOUT_MS + 1_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("overdue");
    stack.sandbox.controls.complete(merchantOrderId);
    await stack.sandbox.controls.idle();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    expect(updatesOf(stack, view.id!).map((change) => change.to)).toEqual(["pending", "overdue", "completed"]);
  });

  it("counts, and retries on the next pass, an order it could not read", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "error500" });
    clock.advance(2_000);
    const result = await stack.checkout.sweepOnce();
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect((await stack.store.get(view.id!))?.status).toBe("pending");
    stack.sandbox.controls.clearFaults();
    clock.advance(2_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
  });
});

describe("a late payment after our own overdue", () => {
  it("is still found by re-reading, even when its notification is lost", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    clock.advance(PENDING_TIMEOUT_MS + 10_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("overdue");
    // The gateway's own window is longer than ours: the shopper pays now, and the notification is lost.
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    await stack.sandbox.controls.idle();
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("overdue");

    clock.advance(10 * 60_000);
    await sweepAll();
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    expect(updatesOf(stack, view.id!).map((change) => [change.to, change.source])).toEqual([
      ["pending", "create"],
      ["overdue", "sweep"],
      ["completed", "sweep"],
    ]);
    // Paid: not parked again.
    clock.advance(10 * 60_000);
    const before = stack.gatewayCalls.length;
    await sweepAll();
    expect(stack.gatewayCalls.length).toBe(before);
  });
});
