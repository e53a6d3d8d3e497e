import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createdOrder, gatewayReader, notificationFieldsOf, postNotification, readJson, signNotification, updatesOf } from "../support/stack-requests.ts";
import { actOnPaymentPage, startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterEach(async () => {
  stack.sandbox.controls.clearFaults();
  stack.sandbox.controls.setNotifyFaults({ drop: 0, duplicate: 0, reorder: false });
  await stack.sandbox.controls.idle();
});
afterAll(async () => {
  await stack.close();
});

const reads = () => stack.gatewayCalls.filter((path) => path === "order/get").length;

/** The fields the gateway would send about this order right now, signed with the merchant's secret. */
async function genuineNotification(merchantOrderId: string, overrides: Record<string, string> = {}) {
  const fields = { ...notificationFieldsOf(await gatewayReader(stack).getOrder(merchantOrderId)), ...overrides };
  return signNotification(fields);
}

describe("POST /octopus/notify", () => {
  it("marks the order paid when the shopper pays, calling onOrderUpdate once per change", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    const paid = await actOnPaymentPage(view.payment_url!, "pay");
    expect(paid.status).toBe(303);
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    await stack.sandbox.controls.idle();
    const changes = updatesOf(stack, view.id!);
    expect(changes.map((change) => change.to).filter((to) => to === "completed")).toHaveLength(1);
    expect(new Set(changes.map((change) => change.to)).size).toBe(changes.length);
    expect(changes.find((change) => change.to === "completed")?.source).toBe("notify");
    expect(changes.map((change) => change.to)).toEqual((await stack.store.history(view.id!)).map((change) => change.to));
    // Every notification the gateway sent was acknowledged.
    const atGateway = stack.sandbox.controls.getOrder(merchantOrderId)!;
    expect(atGateway.notify_status).toBe("completed");
    expect(atGateway.notifications.every((attempt) => attempt.outcome === "acknowledged")).toBe(true);
    const status = await readJson(await fetch(`${stack.url}/api/checkout/${view.id}`));
    expect(status.status).toBe("completed");
  });

  it("answers a genuine notification with {\"result\":\"success\"}", async () => {
    const { merchantOrderId } = await createdOrder(stack);
    const response = await postNotification(stack, await genuineNotification(merchantOrderId));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success" });
  });

  describe("a forged notification", () => {
    const forgeries: [string, (fields: Record<string, string>) => Promise<{ body: string; headers: Record<string, string> }>][] = [
      ["a wrong signature", async (fields) => signNotification(fields, { secret: "guessed-secret" })],
      ["an unknown OC-Key", async (fields) => signNotification(fields, { key: "other-key" })],
      ["a malformed signature", async (fields) => ({ ...(await signNotification(fields)), headers: { "Content-Type": "application/json", "OC-Key": "sandbox-key", "OC-Signature": "not-hex" } })],
      [
        "a signature over other fields",
        async (fields) => {
          const signed = await signNotification({ ...fields, payment_status: "pending" });
          return { body: JSON.stringify(fields), headers: signed.headers };
        },
      ],
      [
        "a signature with a field added after signing",
        async (fields) => {
          const signed = await signNotification(fields);
          return { body: JSON.stringify({ ...fields, final_amount: "1.00" }), headers: signed.headers };
        },
      ],
      [
        "a non-string field",
        async (fields) => {
          const signed = await signNotification(fields);
          return { body: JSON.stringify({ ...fields, amount: 100 }), headers: signed.headers };
        },
      ],
    ];

    it.each(forgeries)("with %s (present and wrong) is refused with 401, changes nothing and asks the gateway nothing", async (_name, forge) => {
      const fresh = await createdOrder(stack);
      // Paid at the gateway, but its own notification is lost: only the forgery arrives.
      stack.sandbox.controls.setNotifyFaults({ drop: 1 });
      stack.sandbox.controls.complete(fresh.merchantOrderId);
      const fields = { ...notificationFieldsOf(await gatewayReader(stack).getOrder(fresh.merchantOrderId)) };
      const before = { calls: stack.gatewayCalls.length, updates: stack.updates.length };
      const response = await postNotification(stack, await forge(fields));
      expect(response.status).toBe(401);
      const body = await readJson(response);
      expect(body).toMatchObject({ result: "error", data: { error: "invalid_signature" } });
      expect(stack.gatewayCalls.length).toBe(before.calls);
      expect(stack.updates.length).toBe(before.updates);
      expect((await stack.store.get(fresh.view.id!))?.status).toBe("pending");
    });
  });

  it("changes nothing and calls no hook for a replayed genuine notification", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    const genuine = await genuineNotification(merchantOrderId);
    const first = await postNotification(stack, genuine);
    expect(await first.json()).toEqual({ result: "success" });
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
    const updates = stack.updates.length;
    const history = (await stack.store.history(view.id!)).length;
    for (let replay = 0; replay < 3; replay++) {
      const again = await postNotification(stack, genuine);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ result: "success" });
    }
    expect(stack.updates.length).toBe(updates);
    expect((await stack.store.history(view.id!)).length).toBe(history);
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
  });

  it("never trusts the body: a signed 'completed' while the gateway says pending leaves the order pending", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    const lying = await genuineNotification(merchantOrderId, { payment_status: "completed", final_amount: "100.00" });
    const before = { reads: reads(), updates: stack.updates.length };
    const response = await postNotification(stack, lying);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success" });
    // It read the order back instead.
    expect(reads()).toBe(before.reads + 1);
    expect(stack.updates.length).toBe(before.updates);
    expect((await stack.store.get(view.id!))?.status).toBe("pending");
    expect((await readJson(await fetch(`${stack.url}/api/checkout/${view.id}`))).status).toBe("pending");
  });

  it("acknowledges a genuine notification about an order it does not know, without asking the gateway", async () => {
    const before = reads();
    const response = await postNotification(stack, await signNotification({ merchant_order_id: "someone-elses-order", payment_status: "completed" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success" });
    expect(reads()).toBe(before);
  });

  it("answers 503 when the gateway cannot be read back, so that the gateway retries", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    const genuine = await genuineNotification(merchantOrderId);
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "error500" });
    const before = stack.updates.length;
    const response = await postNotification(stack, genuine);
    expect(response.status).toBe(503);
    expect(await readJson(response)).toMatchObject({ result: "error", data: { error: "gateway_unavailable" } });
    expect((await stack.store.get(view.id!))?.status).toBe("pending");
    expect(stack.updates.length).toBe(before);
    stack.sandbox.controls.clearFaults();
    const retried = await postNotification(stack, genuine);
    expect(await retried.json()).toEqual({ result: "success" });
    expect((await stack.store.get(view.id!))?.status).toBe("completed");
  });

  it("gets the order right through the gateway's own retries when the first read-back fails", async () => {
    const { view, merchantOrderId } = await createdOrder(stack);
    stack.sandbox.controls.addFault({ endpoint: "get", mode: "error500", times: 1 });
    stack.sandbox.controls.complete(merchantOrderId);
    await until(async () => (await stack.store.get(view.id!))?.status === "completed");
    await stack.sandbox.controls.idle();
    const attempts = stack.sandbox.controls.getOrder(merchantOrderId)!.notifications;
    expect(attempts[0]).toMatchObject({ outcome: "not_acknowledged", httpStatus: 503 });
    expect(attempts.at(-1)).toMatchObject({ outcome: "acknowledged", httpStatus: 200 });
    expect(updatesOf(stack, view.id!).filter((change) => change.to === "completed")).toHaveLength(1);
  });

  it.each([
    ["not JSON", "merchant_order_id=1", 400],
    ["without merchant_order_id", JSON.stringify({ payment_status: "completed" }), 400],
    ["an array", "[]", 400],
  ])("refuses a body that is %s", async (_name, body, status) => {
    const before = stack.gatewayCalls.length;
    const response = await fetch(`${stack.url}/octopus/notify`, { method: "POST", headers: { "Content-Type": "application/json", "OC-Key": "sandbox-key", "OC-Signature": "0".repeat(64) }, body });
    expect(response.status).toBe(status);
    expect((await readJson(response)).result).toBe("error");
    expect(stack.gatewayCalls.length).toBe(before);
  });

  it("refuses a body over the size limit", async () => {
    const response = await fetch(`${stack.url}/octopus/notify`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ merchant_order_id: "x", padding: "x".repeat(32 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  it("verifies exactly the fields that were signed, a field named __proto__ included (found by the reliability suite)", async () => {
    const { merchantOrderId } = await createdOrder(stack);
    const body = `{"merchant_order_id":"${merchantOrderId}","payment_status":"pending","__proto__":"x"}`;
    const fields = JSON.parse(body) as Record<string, string>;
    expect(Object.keys(fields)).toContain("__proto__");
    const { headers } = await signNotification(fields);
    const post = (text: string) => fetch(`${stack.url}/octopus/notify`, { method: "POST", headers, body: text });
    expect((await post(body)).status).toBe(200);
    // Without the field, or with it changed, the signature is not the one sent.
    expect((await post(body.replace(',"__proto__":"x"', ""))).status).toBe(401);
    expect((await post(body.replace('"x"', '"y"'))).status).toBe(401);
  });
});
