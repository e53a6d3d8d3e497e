/**
 * Notifications as the real gateway sends them: twice, out of order, or not at all. Whatever
 * arrives, every order must end in the gateway's final status, and the merchant's hook must see
 * each change once, in the one direction statuses move.
 */
import { describe, expect, it } from "vitest";
import type { NotifyFaults } from "../../demo/sandbox/notifier.ts";
import { canTransition } from "../../server/store/types.ts";
import { createdOrder } from "../support/stack-requests.ts";
import { actOnPaymentPage, seededRandom, startStack } from "../support/stack.ts";
import { manualClock } from "../support/time.ts";

const ORDERS = 30;

async function payOrFailAtRandom(faults: Partial<NotifyFaults>, seed: number) {
  const clock = manualClock();
  const stack = await startStack({ server: { now: clock.now, rateLimit: { windowMs: 60_000, max: 10_000 } } });
  try {
    stack.sandbox.controls.setNotifyFaults(faults);
    const random = seededRandom(seed);
    const plans = Array.from({ length: ORDERS }, (): "pay" | "fail" | "reject" => {
      const draw = random();
      return draw < 0.45 ? "pay" : draw < 0.9 ? "fail" : "reject";
    });
    const expected = { pay: "completed", fail: "failed", reject: "reject" } as const;

    const orders = await Promise.all(
      plans.map(async (action) => {
        const { view, merchantOrderId } = await createdOrder(stack);
        const answer = await actOnPaymentPage(view.payment_url!, action);
        expect(answer.status).toBe(303);
        return { id: view.id!, merchantOrderId, action };
      }),
    );
    await stack.sandbox.controls.idle();

    // Whatever was dropped is found by the sweep (or, just the same, by a poll).
    clock.advance(2_000);
    for (let pass = 0; pass < 5; pass++) if ((await stack.checkout.sweepOnce()).claimed === 0) break;
    clock.advance(2_000);
    await Promise.all(orders.slice(0, 5).map((order) => stack.app.request(`/api/checkout/${order.id}`)));

    for (const order of orders) {
      const atGateway = stack.sandbox.controls.getOrder(order.merchantOrderId)!;
      expect(atGateway.payment_status).toBe(expected[order.action]);
      const stored = await stack.store.get(order.id);
      expect(stored?.status, `${order.id} (${order.action})`).toBe(expected[order.action]);
      expect(stored?.gatewayState).toBe("created");
    }

    const seen = new Set<string>();
    for (const { order, change } of stack.updates) {
      const pair = `${order.id}→${change.to}`;
      expect(seen.has(pair), `onOrderUpdate twice for ${pair}`).toBe(false);
      seen.add(pair);
      expect(canTransition(change.from, change.to), `${change.from}→${change.to}`).toBe(true);
    }
    for (const order of orders) {
      const changes = stack.updates.filter((update) => update.order.id === order.id).map((update) => update.change);
      // A chain: each change starts where the previous one ended, from "none" to the final status.
      expect(changes[0]?.from).toBe("none");
      for (let index = 1; index < changes.length; index++) expect(changes[index]!.from).toBe(changes[index - 1]!.to);
      expect(changes.at(-1)?.to).toBe(expected[order.action]);
      expect(changes.map((change) => change.to)).toEqual((await stack.store.history(order.id)).map((change) => change.to));
    }
    const attempts = orders.flatMap((order) => stack.sandbox.controls.getOrder(order.merchantOrderId)!.notifications);
    const sources = new Set(stack.updates.map((update) => update.change.source));
    return { attempts, sources, notificationsOf: (index: number) => stack.sandbox.controls.getOrder(orders[index]!.merchantOrderId)!.notifications };
  } finally {
    await stack.close();
  }
}

describe("notifications under faults", () => {
  it("every notification sent twice", async () => {
    const run = await payOrFailAtRandom({ duplicate: 1 }, 11);
    expect(run.attempts.filter((attempt) => attempt.duplicate && attempt.outcome === "acknowledged").length).toBeGreaterThanOrEqual(ORDERS);
  });

  it("each order's notifications delivered newest first", async () => {
    const run = await payOrFailAtRandom({ reorder: true, reorderWindowMs: 300 }, 12);
    // The final status's notification really did arrive before the "processing" one (for every order
    // paid within the window; timing decides how many, so only some are required).
    const reversed = Array.from({ length: ORDERS }, (_, index) => run.notificationsOf(index).map((attempt) => attempt.status)).filter(
      (statuses) => statuses.length === 2 && statuses[1] === "processing",
    );
    expect(reversed.length).toBeGreaterThan(0);
    expect(run.sources.has("notify")).toBe(true);
  });

  it("30% of notifications lost", async () => {
    const run = await payOrFailAtRandom({ drop: 0.3 }, 13);
    expect(run.attempts.some((attempt) => attempt.outcome === "dropped")).toBe(true);
    expect(run.sources.has("notify")).toBe(true);
  });

  it("all of it at once", async () => {
    const run = await payOrFailAtRandom({ drop: 0.3, duplicate: 0.5, reorder: true, reorderWindowMs: 100 }, 14);
    expect(run.attempts.some((attempt) => attempt.outcome === "dropped")).toBe(true);
    expect(run.attempts.some((attempt) => attempt.duplicate)).toBe(true);
  });

  it("every notification lost: polls and the sweep alone settle every order", async () => {
    const run = await payOrFailAtRandom({ drop: 1 }, 15);
    expect(run.sources.has("notify")).toBe(false);
    expect(run.sources.has("sweep")).toBe(true);
  });
});
