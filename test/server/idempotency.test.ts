import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { sleep } from "../support/time.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { rateLimit: { windowMs: 60_000, max: 10_000 } } });
});
afterEach(() => {
  stack.sandbox.controls.setLatency(0);
});
afterAll(async () => {
  await stack.close();
});

let keys = 0;
const newKey = () => `idem-${process.pid}-${Date.now().toString(36)}-${keys++}`;
const creates = () => stack.gatewayCalls.filter((path) => path === "order/new").length;
const gatewayOrders = () => stack.sandbox.controls.listOrders().length;

describe("Idempotency-Key", () => {
  it("gives back the same order for the same key and body: 200, Idempotent-Replayed, one gateway order", async () => {
    const key = newKey();
    const before = { creates: creates(), orders: gatewayOrders() };
    const first = await createCheckout(stack, gcash, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await createCheckout(stack, gcash, { "Idempotency-Key": key });
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const a = await readJson<Record<string, string>>(first);
    const b = await readJson<Record<string, string>>(second);
    expect(b.id).toBe(a.id);
    expect(b.payment_url).toBe(a.payment_url);
    expect(b).toEqual(a);
    expect(creates() - before.creates).toBe(1);
    expect(gatewayOrders() - before.orders).toBe(1);
  });

  it("treats the same body with its fields in another order as the same request", async () => {
    const key = newKey();
    const first = await createCheckout(stack, { amount: "100.00", currency: "php", country: "PH", payment: "gcash" }, { "Idempotency-Key": key });
    const second = await createCheckout(stack, { payment: "gcash", country: "ph", currency: "PHP", amount: "100.00" }, { "Idempotency-Key": key });
    expect(second.status).toBe(200);
    expect((await readJson(second)).id).toBe((await readJson(first)).id);
  });

  it("makes exactly one gateway order for 20 concurrent requests with one key", async () => {
    const key = newKey();
    // The gateway is slow, so every request arrives while the first is still creating.
    stack.sandbox.controls.setLatency(150);
    const before = { creates: creates(), orders: gatewayOrders() };
    const responses = await Promise.all(Array.from({ length: 20 }, () => createCheckout(stack, gcash, { "Idempotency-Key": key })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    const bodies = await Promise.all(responses.map((response) => readJson<Record<string, string>>(response)));
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    expect(new Set(bodies.map((body) => body.payment_url)).size).toBe(1);
    expect(bodies[0]!.payment_url).toMatch(/\/octopus\/pay\//);
    expect(creates() - before.creates).toBe(1);
    expect(gatewayOrders() - before.orders).toBe(1);
  });

  it("refuses the same key with a different body: 422 idempotency_key_reused, no new order", async () => {
    const key = newKey();
    const first = await createCheckout(stack, gcash, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const before = { creates: creates(), orders: gatewayOrders() };
    for (const body of [{ ...gcash, amount: "200.00" }, { ...gcash, payment: "maya" }, { ...gcash, customer: "member-1" }, { ...gcash, return_url: "https://shop.example/back" }]) {
      const response = await createCheckout(stack, body, { "Idempotency-Key": key });
      expect(response.status).toBe(422);
      const error = (await readJson<ErrorBody>(response)).error;
      expect(error.code).toBe("idempotency_key_reused");
      expect(error.field).toBe("Idempotency-Key");
    }
    expect(creates()).toBe(before.creates);
    expect(gatewayOrders()).toBe(before.orders);
  });

  it("scopes a key by origin: the same key from another origin is another request, neither replayed nor refused", async () => {
    const key = newKey();
    const first = await createCheckout(stack, gcash, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const before = creates();
    // Another allowed origin (the server's own), and no Origin at all (a server-side caller).
    const sameServer = await createCheckout(stack, gcash, { "Idempotency-Key": key, Origin: stack.url });
    expect(sameServer.status).toBe(201);
    expect(sameServer.headers.get("idempotent-replayed")).toBeNull();
    const noOrigin = await fetch(`${stack.url}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify({ ...gcash, amount: "300.00" }) });
    expect(noOrigin.status).toBe(201);
    const ids = [await readJson(first), await readJson(sameServer), await readJson(noOrigin)].map((body) => body.id);
    expect(new Set(ids).size).toBe(3);
    expect(creates() - before).toBe(2);
    // Each origin still gets its own order back on a retry.
    const retried = await createCheckout(stack, gcash, { "Idempotency-Key": key, Origin: stack.url });
    expect(retried.status).toBe(200);
    expect((await readJson(retried)).id).toBe(ids[1]);
  });

  it("stores no key as the client sent it, only a hash of origin and key", async () => {
    const key = newKey();
    const { id } = await readJson<{ id: string }>(await createCheckout(stack, gcash, { "Idempotency-Key": key }));
    const stored = (await stack.store.get(id))!.idempotencyKey!;
    expect(stored).not.toContain(key);
    expect(stored).toMatch(/^k1:[0-9a-f]{64}$/);
  });

  it("makes different orders for different keys, and for requests without a key", async () => {
    const before = creates();
    const a = await readJson(await createCheckout(stack, gcash, { "Idempotency-Key": newKey() }));
    const b = await readJson(await createCheckout(stack, gcash, { "Idempotency-Key": newKey() }));
    const c = await readJson(await createCheckout(stack, gcash));
    const d = await readJson(await createCheckout(stack, gcash));
    expect(new Set([a.id, b.id, c.id, d.id]).size).toBe(4);
    expect(new Set([a.payment_url, b.payment_url, c.payment_url, d.payment_url]).size).toBe(4);
    expect(creates() - before).toBe(4);
  });

  it.each([["short"], ["has space in it"], ["x".repeat(129)], ["ünïcödé-key"]])("refuses a malformed key %j", async (key) => {
    const before = creates();
    const response = await stack.app.request("/api/checkout", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "https://shop.example", "Idempotency-Key": key },
      body: JSON.stringify(gcash),
    });
    expect(response.status).toBe(400);
    expect((await readJson<ErrorBody>(response)).error).toMatchObject({ code: "invalid_request", field: "Idempotency-Key" });
    expect(creates()).toBe(before);
  });

  it("answers 409 idempotency_key_in_use with Retry-After while the first request is still running", async () => {
    const quick = await startStack({ server: { idempotencyWaitMs: 50 } });
    try {
      quick.sandbox.controls.setLatency(400);
      const key = newKey();
      const first = createCheckout(quick, gcash, { "Idempotency-Key": key });
      await sleep(100);
      const second = await createCheckout(quick, gcash, { "Idempotency-Key": key });
      expect(second.status).toBe(409);
      expect(second.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      expect((await readJson<ErrorBody>(second)).error.code).toBe("idempotency_key_in_use");
      const done = await first;
      expect(done.status).toBe(201);
      // Once it is done, the same key gives the order back.
      const third = await createCheckout(quick, gcash, { "Idempotency-Key": key });
      expect(third.status).toBe(200);
      expect((await readJson(third)).id).toBe((await readJson(done)).id);
      expect(quick.gatewayCalls.filter((path) => path === "order/new")).toHaveLength(1);
    } finally {
      await quick.close();
    }
  });
});
