/**
 * Notifications as hints (docs/gateway.md, "Notifications"): the documents never say that the
 * gateway signs them, so an unsigned POST is followed like a signed one (re-read with order/get,
 * answered {"result":"success"}), and since anyone can send one, hints for one order are coalesced:
 * at most one read in flight and a minimum interval between reads, whatever arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createdOrder, gatewayReader, notificationFieldsOf, postNotification, readJson, signNotification, updatesOf } from "../support/stack-requests.ts";
import { createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { sleep, until } from "../support/time.ts";

const INTERVAL_MS = 400;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { notifyMinIntervalMs: INTERVAL_MS, rateLimit: { windowMs: 60_000, max: 10_000 } } });
});
afterAll(async () => {
  await stack.close();
});

const readsOf = (merchantOrderId: string) => stack.gatewayRequests.filter((request) => request.path === "order/get" && request.body.merchant_order_id === merchantOrderId).length;
const unsigned = (fields: Record<string, string>) => ({ body: JSON.stringify(fields), headers: { "Content-Type": "application/json" } });

/** An order paid at the gateway whose own notifications are all lost. */
async function paidQuietly() {
  const order = await createdOrder(stack);
  stack.sandbox.controls.setNotifyFaults({ drop: 1 });
  stack.sandbox.controls.complete(order.merchantOrderId);
  await stack.sandbox.controls.idle();
  stack.sandbox.controls.setNotifyFaults({ drop: 0 });
  // Past the interval since the create's own read.
  await sleep(INTERVAL_MS + 50);
  return order;
}

describe("notifications as hints", () => {
  it("follows an unsigned notification: re-reads the order and answers success", async () => {
    const { view, merchantOrderId } = await paidQuietly();
    const before = readsOf(merchantOrderId);
    const response = await postNotification(stack, unsigned({ merchant_order_id: merchantOrderId, payment_status: "failed" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success" });
    expect(readsOf(merchantOrderId)).toBe(before + 1);
    // The gateway's word, not the body's.
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    expect(updatesOf(stack, view.id!).at(-1)).toMatchObject({ to: "completed", source: "notify" });
  });

  it("follows a form-encoded notification, and one with an OC-Key but no signature", async () => {
    const form = await paidQuietly();
    const response = await fetch(`${stack.url}/octopus/notify`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ merchant_order_id: form.merchantOrderId }),
    });
    expect(response.status).toBe(200);
    expect((await stack.store.get(form.view.id!))?.status).toBe("completed");

    const keyed = await paidQuietly();
    const keyOnly = await postNotification(stack, { body: JSON.stringify({ merchant_order_id: keyed.merchantOrderId }), headers: { "Content-Type": "application/json", "OC-Key": "sandbox-key" } });
    expect(keyOnly.status).toBe(200);
    expect((await stack.store.get(keyed.view.id!))?.status).toBe("completed");
  });

  it("acknowledges an unsigned hint about an unknown order without asking the gateway", async () => {
    const before = stack.gatewayCalls.length;
    const response = await postNotification(stack, unsigned({ merchant_order_id: "nobody-knows-this-order" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success" });
    expect(stack.gatewayCalls.length).toBe(before);
  });

  it("turns a flood of hints for one order, signed replays and unsigned alike, into at most two reads, one at a time", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await sleep(INTERVAL_MS + 50);
    const genuine = await signNotification(notificationFieldsOf(await gatewayReader(stack).getOrder(merchantOrderId)));
    stack.sandbox.controls.setLatency(100);
    const before = readsOf(merchantOrderId);
    const started = Date.now();
    try {
      const flood = await Promise.all(
        Array.from({ length: 60 }, (_, index) => postNotification(stack, index % 2 ? genuine : unsigned({ merchant_order_id: merchantOrderId }))),
      );
      expect(flood.map((response) => response.status)).toEqual(Array(60).fill(200));
    } finally {
      stack.sandbox.controls.setLatency(0);
    }
    // One read for the first hint, then at most one per interval for all that arrived meanwhile
    // (on a loaded machine the 60 posts may take longer than one interval to arrive).
    const intervals = Math.floor((Date.now() - started) / INTERVAL_MS);
    expect(readsOf(merchantOrderId) - before).toBeGreaterThanOrEqual(1);
    expect(readsOf(merchantOrderId) - before).toBeLessThanOrEqual(2 + intervals);
    expect(readsOf(merchantOrderId) - before).toBeLessThan(10);
    expect(stack.maxConcurrentReads.get(merchantOrderId)).toBe(1);
    expect((await stack.store.get(view.id!))?.status).toBe("pending");
  });

  it("never loses a change: a hint inside the interval is followed by a read when the interval ends", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await sleep(INTERVAL_MS + 50);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    // First hint: read at once, the order is still pending.
    expect((await postNotification(stack, unsigned({ merchant_order_id: merchantOrderId }))).status).toBe(200);
    expect((await stack.store.get(view.id!))?.status).toBe("pending");
    // Paid right after that read; its hint arrives inside the interval.
    stack.sandbox.controls.complete(merchantOrderId);
    await stack.sandbox.controls.idle();
    stack.sandbox.controls.setNotifyFaults({ drop: 0 });
    const started = Date.now();
    const second = await postNotification(stack, unsigned({ merchant_order_id: merchantOrderId }));
    expect(second.status).toBe(200);
    // Answered once the trailing read had run, not before.
    expect(Date.now() - started).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
  });

  it("reads again for a hint after the interval, and keeps nothing in memory once idle", async () => {
    const { merchantOrderId } = await createdOrder(stack);
    for (let round = 0; round < 3; round++) {
      await sleep(INTERVAL_MS + 50);
      const before = readsOf(merchantOrderId);
      expect((await postNotification(stack, unsigned({ merchant_order_id: merchantOrderId }))).status).toBe(200);
      expect(readsOf(merchantOrderId)).toBe(before + 1);
    }
    await until(() => stack.checkout.notifyHintsPending === 0);
  });

  it("leaves an order whose create is still running alone: no read that could find nothing yet", async () => {
    stack.sandbox.controls.setLatency(300);
    try {
      const creating = createCheckout(stack, gcash);
      const order = await until(async () => (await stack.store.recent(1)).find((candidate) => candidate.gatewayState === "creating"));
      const before = readsOf(order.merchantOrderId);
      const response = await postNotification(stack, unsigned({ merchant_order_id: order.merchantOrderId }));
      expect(response.status).toBe(200);
      expect(readsOf(order.merchantOrderId)).toBe(before);
      expect((await creating).status).toBe(201);
      expect((await stack.store.get(order.id))?.gatewayState).toBe("created");
    } finally {
      stack.sandbox.controls.setLatency(0);
    }
  });

  it("answers 503 to a hint whose read failed, so that a gateway that retries tries again", async () => {
    const { merchantOrderId } = await createdOrder(stack);
    await sleep(INTERVAL_MS + 50);
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "error500" });
    try {
      const response = await postNotification(stack, unsigned({ merchant_order_id: merchantOrderId }));
      expect(response.status).toBe(503);
      expect(await readJson(response)).toMatchObject({ result: "error", data: { error: "gateway_unavailable" } });
    } finally {
      stack.sandbox.controls.clearFaults();
    }
  });
});
