/**
 * A refund comes after `completed`; when its notification is lost, only a re-read can tell. The
 * sweep re-reads a paid order on a decaying schedule (1 h, 6 h, 1 d, 3 d, 7 d, 30 d), then stops.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextRefundRecheck, REFUND_RECHECKS_MS } from "../../server/orders/service.ts";
import { createdOrder } from "../support/stack-requests.ts";
import { actOnPaymentPage, startStack, type Stack } from "../support/stack.ts";
import { manualClock, until } from "../support/time.ts";

const clock = manualClock();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { now: clock.now } });
});
afterAll(async () => {
  await stack.close();
});

const reads = (merchantOrderId: string) => stack.gatewayRequests.filter((request) => request.path === "order/get" && request.body.merchant_order_id === merchantOrderId).length;

describe("re-reading paid orders for refunds", () => {
  it("follows the schedule from the moment of payment, and stops after 30 days", () => {
    const paid = 1_000;
    expect(nextRefundRecheck(paid, paid)).toBe(paid + 3_600_000);
    expect(nextRefundRecheck(paid, paid + 3_600_000)).toBe(paid + 6 * 3_600_000);
    expect(nextRefundRecheck(paid, paid + 25 * 3_600_000)).toBe(paid + 72 * 3_600_000);
    expect(nextRefundRecheck(paid, paid + REFUND_RECHECKS_MS.at(-1)!)).toBeNull();
  });

  it("sees a refund whose notification was lost, at the next re-read", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    await stack.sandbox.controls.idle();

    // Nothing to do for the sweep before the first hour is up.
    const before = reads(merchantOrderId);
    await stack.checkout.sweepOnce();
    expect(reads(merchantOrderId)).toBe(before);

    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.refund(merchantOrderId);
    clock.advance(3_600_000);
    await stack.checkout.sweepOnce();
    expect(reads(merchantOrderId)).toBe(before + 1);
    expect((await stack.store.get(view.id!))!.status).toBe("refund");
    expect((await stack.store.history(view.id!)).at(-1)).toMatchObject({ from: "completed", to: "refund", source: "sweep" });
    stack.sandbox.controls.setNotifyFaults({ drop: 0 });
  });

  it("re-reads an unrefunded paid order at each step, then never again", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    const paidAt = (await stack.store.history(view.id!)).find((change) => change.to === "completed")!.at;
    const start = reads(merchantOrderId);
    for (const [index, after] of REFUND_RECHECKS_MS.entries()) {
      clock.advance(paidAt + after - clock.now());
      await stack.checkout.sweepOnce();
      expect(reads(merchantOrderId)).toBe(start + index + 1);
    }
    clock.advance(90 * 24 * 3_600_000);
    await stack.checkout.sweepOnce();
    expect(reads(merchantOrderId)).toBe(start + REFUND_RECHECKS_MS.length);
    expect((await stack.store.get(view.id!))!.status).toBe("completed");
  });
});
