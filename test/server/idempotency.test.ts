import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OctopusClient } from "../../server/gateway/index.ts";
import { gatewayReader, readJson, type ErrorBody } from "../support/stack-requests.ts";
import { createCheckout, gcash, SHOP, startStack, type Stack } from "../support/stack.ts";
import { testServer } from "../support/test-server.ts";
import { offsetClock, sleep, until } from "../support/time.ts";

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

/**
 * A create whose instance died while it waited on the gateway leaves its order "creating". Its key
 * answers 409 idempotency_key_in_use with Retry-After while nobody can know what became of it; once
 * the sweep has settled it (after 5 minutes) it will never have a payment page, and the key answers
 * 409 checkout_failed without Retry-After. It used to answer 503 gateway_unavailable with
 * Retry-After: 5 for ever, so that a client honouring Retry-After retried that key in a loop.
 */
describe("Idempotency-Key of a create cut off by a crash", () => {
  it.each([
    ["before order/new was sent", "rejected"],
    ["after the gateway stored it, its answer lost", "orphaned"],
  ] as const)("answers 409 checkout_failed, without Retry-After, once the sweep has settled it (%s: %s)", async (when, settledAs) => {
    const clock = offsetClock();
    const stack = await startStack({ server: { now: clock.now, idempotencyWaitMs: 50 } });
    const reader = gatewayReader(stack);
    // The instance that dies: its order/new never comes back (the process is gone), after sending it or not.
    const dying: OctopusClient = {
      createOrder: async (input) => {
        if (settledAs === "orphaned") await reader.createOrder(input);
        return new Promise(() => {});
      },
      getOrder: (id) => reader.getOrder(id),
      verifyNotification: (fields, headers) => reader.verifyNotification(fields, headers),
    };
    const crashed = testServer({ store: stack.store, gateway: dying, publicUrl: stack.url, now: clock.now });
    try {
      const key = newKey();
      void crashed.app.request("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": key }, body: JSON.stringify(gcash) });
      await until(async () => (await stack.store.recent(10)).length === 1 && (settledAs === "rejected" || stack.sandbox.controls.listOrders().length === 1), { what: `the order stored ${when}` });

      // Unknown for now, and the sweep will know: wait and retry the same key.
      const meanwhile = await createCheckout(stack, gcash, { "Idempotency-Key": key });
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      expect((await readJson<ErrorBody>(meanwhile)).error.code).toBe("idempotency_key_in_use");

      clock.advance(6 * 60_000);
      await stack.checkout.sweepOnce();
      const [stored] = await stack.store.recent(1);
      expect(stored?.gatewayState).toBe(settledAs);

      for (let retry = 0; retry < 2; retry++) {
        const replayed = await createCheckout(stack, gcash, { "Idempotency-Key": key });
        expect(replayed.status).toBe(409);
        expect(replayed.headers.get("retry-after")).toBeNull();
        expect((await readJson<ErrorBody>(replayed)).error).toEqual({ code: "checkout_failed", field: "Idempotency-Key", message: expect.stringMatching(/new checkout/) });
      }
      expect(stack.gatewayCalls.filter((path) => path === "order/new")).toEqual([]);
      // What the answer says to do works: a new key is a new checkout.
      expect((await createCheckout(stack, gcash, { "Idempotency-Key": newKey() })).status).toBe(201);
    } finally {
      await stack.close();
    }
  });
});
