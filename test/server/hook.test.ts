/**
 * The library's onOrderUpdate hook is fed from the outbox: it gets every event with its id, at least
 * once, in order per order, and a hook that throws is called again later instead of losing the call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxEvent } from "../../server/webhooks/dispatcher.ts";
import { createdOrder, postNotification, readJson, signNotification, gatewayReader, notificationFieldsOf } from "../support/stack-requests.ts";
import { actOnPaymentPage, startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

const calls: OutboxEvent[] = [];
let failing = true;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    server: {
      onOrderUpdate: async (event) => {
        calls.push(event);
        if (failing) throw new Error(`merchant's database is down (${event.type})`);
      },
      // The first retry of the schedule is 5 s; the test's clock is real, so a fixed random keeps it 4.5 s.
      dispatcher: { pollMs: 20, random: () => 0 },
    },
  });
});
afterAll(async () => {
  await stack.close();
});

const of = (orderId: string) => calls.filter((event) => event.data.id === orderId);

describe("an onOrderUpdate hook", () => {
  it("does not stop the create or the notification when it throws, and is called again until it succeeds", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    expect(view.status).toBe("pending");
    await until(() => of(view.id!).length >= 1);
    expect(of(view.id!)[0]).toMatchObject({ type: "order.created", data: { id: view.id, object: "order" } });
    expect(stack.logs.some((line) => line.includes('"msg":"onOrderUpdate threw; it will be called again"') && line.includes('"type":"order.created"'))).toBe(true);

    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    await stack.sandbox.controls.idle();
    // Acknowledged the first time: the hook's failure did not make the gateway retry.
    const atGateway = stack.sandbox.controls.getOrder(merchantOrderId)!;
    expect(atGateway.notifications.every((attempt) => attempt.outcome === "acknowledged" && attempt.attempt === 1)).toBe(true);

    failing = false;
    // The retry comes about 5 s later (the schedule's first step), with the same event id.
    const created = of(view.id!)[0]!;
    await until(() => of(view.id!).filter((event) => event.id === created.id).length >= 2, { timeoutMs: 8_000 });
    // order.paid waited behind order.created (events of one order arrive in order), then came once it went through.
    await until(() => of(view.id!).some((event) => event.type === "order.paid"), { timeoutMs: 8_000 });
    const types = of(view.id!).map((event) => event.type);
    expect(types.indexOf("order.paid")).toBeGreaterThan(types.lastIndexOf("order.created"));
    const paid = of(view.id!).find((event) => event.type === "order.paid")!;
    expect(paid.data).toMatchObject({ status: "completed", id: view.id });
    expect(paid.id).toMatch(/^evt_/);
  }, 20_000);

  it("is not called again for a notification that changes nothing", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(() => of(view.id!).some((event) => event.type === "order.paid"));
    const before = of(view.id!).length;
    const again = await postNotification(stack, await signNotification(notificationFieldsOf(await gatewayReader(stack).getOrder(merchantOrderId))));
    expect(await readJson(again)).toEqual({ result: "success" });
    await stack.checkout.dispatcher.runOnce();
    expect(of(view.id!).length).toBe(before);
  });
});
