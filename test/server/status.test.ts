import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createdOrder, readJson, updatesOf, type ErrorBody } from "../support/stack-requests.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { manualClock } from "../support/time.ts";

const clock = manualClock();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { now: clock.now } });
  // Status changes reach the server only by polling here.
  stack.sandbox.controls.setNotifyFaults({ drop: 1 });
});
afterEach(() => {
  stack.sandbox.controls.clearFaults();
});
afterAll(async () => {
  await stack.close();
});

// Just past TEST_CONFIG.refreshAfterSeconds: a status read this long ago is stale.
const REFRESH_MS = 1_001;
const status = (id: string) => stack.app.request(`/api/checkout/${id}`);
const reads = () => stack.gatewayCalls.filter((path) => path === "order/get").length;

const FORBIDDEN = ["signature_key", "ip", "user_agent", "distribute_rules", "merchant_uid", "merchant_name", "merchant_order_id", "notify_url", "redirect_url", "customer", "origin", "return_url", "idempotency_key", "description"];

describe("GET /api/checkout/:id", () => {
  it("shows only the fields a shopper may see", async () => {
    const { view } = await createdOrder(stack, { amount: "100.00", currency: "php", country: "PH", payment: "gcash", customer: "member-9", description: "Top-up", return_url: "https://shop.example/back" });
    const response = await status(view.id!);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await readJson<Record<string, string>>(response);
    expect(Object.keys(body).sort()).toEqual(["amount", "country", "currency", "expires_at", "final_amount", "id", "payment", "payment_url", "status"]);
    expect(body).toEqual(view);
    const text = JSON.stringify(body);
    for (const field of FORBIDDEN) expect(text).not.toContain(`"${field}"`);
    expect(text).not.toContain("member-9");
    expect(text).not.toContain("sandbox-merchant");
  });

  it("shows a Thai order's floating_amount, the figure to transfer", async () => {
    const { view } = await createdOrder(stack, { amount: "100.00", currency: "thb", country: "TH", payment: "thailand" });
    const body = await readJson<Record<string, string>>(await status(view.id!));
    expect(Object.keys(body).sort()).toEqual(["amount", "country", "currency", "expires_at", "final_amount", "floating_amount", "id", "payment", "payment_url", "status"]);
    expect(body.floating_amount).toBe(view.floating_amount);
    expect(body.status).toBe("preparing");
  });

  it.each([["ck_AAAAAAAAAAAAAAAAAAAAAA"], ["ck_short"], ["abc"], ["ck_AAAAAAAAAAAAAAAAAAAAAA%00"], ["..%2F..%2Fhealthz"], ["%27%20OR%201%3D1"]])("answers an unknown or malformed id (%s) with 404 not_found", async (id) => {
    const before = reads();
    const response = await status(id);
    expect(response.status).toBe(404);
    expect((await readJson<ErrorBody>(response)).error.code).toBe("not_found");
    expect(reads()).toBe(before);
  });

  it("does not ask the gateway while the status is fresh, and refreshes it from order/get once it is stale", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.complete(merchantOrderId);
    const before = reads();
    const fresh = await readJson(await status(view.id!));
    expect(fresh.status).toBe("pending");
    expect(fresh.payment_url).toBe(view.payment_url);
    expect(reads()).toBe(before);

    clock.advance(REFRESH_MS);
    const refreshed = await readJson(await status(view.id!));
    expect(refreshed.status).toBe("completed");
    expect(reads()).toBe(before + 1);
    // Paid: there is nothing left to pay on that page.
    expect(refreshed).not.toHaveProperty("payment_url");
    expect(updatesOf(stack, view.id!).map((change) => [change.to, change.source])).toEqual([
      ["pending", "create"],
      ["completed", "poll"],
    ]);

    // Final: never asked again, however stale.
    clock.advance(10 * REFRESH_MS);
    expect((await readJson(await status(view.id!))).status).toBe("completed");
    expect(reads()).toBe(before + 1);
  });

  it.each([
    ["fail", "failed"],
    ["reject", "reject"],
    ["expire", "overdue"],
  ] as const)("follows a %s at the gateway to %s and drops payment_url", async (action, expected) => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.act(action === "fail" ? "fail" : action, merchantOrderId);
    clock.advance(REFRESH_MS);
    const body = await readJson(await status(view.id!));
    expect(body.status).toBe(expected);
    expect(body).not.toHaveProperty("payment_url");
  });

  it("lets 20 concurrent pollers of a stale order cause one order/get", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.complete(merchantOrderId);
    stack.sandbox.controls.setLatency(50);
    try {
      clock.advance(REFRESH_MS);
      const before = reads();
      const bodies = await Promise.all(Array.from({ length: 20 }, async () => readJson(await status(view.id!))));
      expect(reads() - before).toBe(1);
      for (const body of bodies) expect(["pending", "completed"]).toContain(body.status);
      expect(bodies.some((body) => body.status === "completed")).toBe(true);
      expect(updatesOf(stack, view.id!).filter((change) => change.to === "completed")).toHaveLength(1);
    } finally {
      stack.sandbox.controls.setLatency(0);
    }
    expect((await readJson(await status(view.id!))).status).toBe("completed");
  });

  it("still answers with the last known status when the gateway cannot be read", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.complete(merchantOrderId);
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "error500", times: 1 });
    clock.advance(REFRESH_MS);
    const response = await status(view.id!);
    expect(response.status).toBe(200);
    expect((await readJson(response)).status).toBe("pending");
    // The next poll after the refresh interval tries again.
    clock.advance(REFRESH_MS);
    expect((await readJson(await status(view.id!))).status).toBe("completed");
  });

  it("works over HTTP for a page on an allowed origin", async () => {
    const { view } = await createdOrder(stack);
    const response = await fetch(`${stack.url}/api/checkout/${view.id}`, { headers: { Origin: "https://shop.example" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect((await readJson(response)).id).toBe(view.id);
  });
});
