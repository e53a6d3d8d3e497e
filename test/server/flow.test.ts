import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actOnPaymentPage, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe("a checkout from widget to gateway and back", () => {
  it("creates the order, the shopper pays, the notification lands, the status is paid", async () => {
    const response = await createCheckout(stack, gcash, { "Idempotency-Key": "flow-key-0001" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, string>;
    expect(created).toMatchObject({ status: "pending", amount: "100.00", currency: "php", country: "PH", payment: "gcash" });
    expect(created.id).toMatch(/^ck_[A-Za-z0-9_-]{22}$/);
    expect(created.payment_url).toMatch(/\/octopus\/pay\//);

    const atGateway = stack.sandbox.controls.listOrders()[0]!;
    expect(atGateway.redirect_url).toBe(`${stack.url}/checkout/return/${created.id}`);
    expect(atGateway.notify_url).toBe(`${stack.url}/octopus/notify`);

    const paid = await actOnPaymentPage(created.payment_url!, "pay");
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`${stack.url}/checkout/return/${created.id}`);

    await until(async () => {
      const order = await stack.store.get(created.id!);
      return order?.status === "completed";
    });
    await stack.sandbox.controls.idle();
    const status = (await (await fetch(`${stack.url}/api/checkout/${created.id}`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ id: created.id, status: "completed", amount: "100.00" });
    expect(status).not.toHaveProperty("payment_url");
    // The server re-reads the gateway on each notification, so it may see "completed" before it ever
    // sees "processing": intermediate states can be skipped, never repeated or reversed.
    const seen = stack.updates.map((u) => u.change.to);
    expect(seen[0]).toBe("pending");
    expect(seen.at(-1)).toBe("completed");
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((s) => !["pending", "processing", "completed"].includes(s))).toEqual([]);
    expect(stack.sandbox.controls.getOrder(atGateway.merchant_order_id)?.notify_status).toBe("completed");
  });
});
