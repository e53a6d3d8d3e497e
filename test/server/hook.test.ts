import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderRecord, StatusChange } from "../../server/store/types.ts";
import { createdOrder, postNotification, readJson, signNotification, gatewayReader, notificationFieldsOf } from "./helpers.ts";
import { actOnPaymentPage, startStack, until, type Stack } from "./stack.ts";

const calls: { order: OrderRecord; change: StatusChange }[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    server: {
      onOrderUpdate: async (order, change) => {
        calls.push({ order, change });
        throw new Error(`merchant's database is down (${change.to})`);
      },
    },
  });
});
afterAll(async () => {
  await stack.close();
});

describe("an onOrderUpdate that throws", () => {
  it("does not stop the create, the change is stored and the error logged", async () => {
    const { view } = await createdOrder(stack);
    expect(view.status).toBe("pending");
    expect((await stack.store.history(view.id!)).map((change) => change.to)).toEqual(["pending"]);
    expect(calls.filter((call) => call.order.id === view.id).map((call) => call.change.to)).toEqual(["pending"]);
    const logged = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "onOrderUpdate threw" && line.order_id === view.id);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "error", to_status: "pending", error: { message: "merchant's database is down (pending)" } });
  });

  it("does not fail the notification: the change is stored, the gateway's notification acknowledged, the hook called once", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    await stack.sandbox.controls.idle();
    const atGateway = stack.sandbox.controls.getOrder(merchantOrderId)!;
    expect(atGateway.notify_status).toBe("completed");
    // Acknowledged the first time: the hook's failure did not make the gateway retry.
    expect(atGateway.notifications.every((attempt) => attempt.outcome === "acknowledged" && attempt.attempt === 1)).toBe(true);
    expect(calls.filter((call) => call.order.id === view.id && call.change.to === "completed")).toHaveLength(1);
    expect((await stack.store.history(view.id!)).map((change) => change.to)).toContain("completed");
    expect(stack.logs.some((line) => line.includes('"msg":"onOrderUpdate threw"') && line.includes(view.id!) && line.includes('"to_status":"completed"'))).toBe(true);

    // Told again, it has nothing new to say: no second call.
    const again = await postNotification(stack, await signNotification(notificationFieldsOf(await gatewayReader(stack).getOrder(merchantOrderId))));
    expect(await readJson(again)).toEqual({ result: "success" });
    expect(calls.filter((call) => call.order.id === view.id && call.change.to === "completed")).toHaveLength(1);
  });

  it("hands the hook the stored order, already in its new status", async () => {
    const last = calls.at(-1)!;
    expect(last.order.status).toBe(last.change.to);
    expect(last.order.id).toBe(last.change.orderId);
  });
});
