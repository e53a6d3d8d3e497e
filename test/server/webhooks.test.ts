/**
 * Webhooks over real HTTP to a merchant endpoint on 127.0.0.1 that verifies them with the
 * `standardwebhooks` package: end to end from a payment, and the dispatcher's rules (retry schedule,
 * Retry-After, redirects, timeouts, 410, order per object) on a fake clock.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore } from "../../server/store/types.ts";
import { createWebhookDispatcher } from "../../server/webhooks/dispatcher.ts";
import { RETRY_DELAYS_MS } from "../../server/webhooks/schedule.ts";
import { newOrder, T } from "../support/orders.ts";
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from "../support/webhook-receiver.ts";
import { createdOrder, readJson } from "../support/stack-requests.ts";
import { actOnPaymentPage, startStack, type Stack } from "../support/stack.ts";
import { until } from "../support/time.ts";

const KEY = "sk_test_0123456789abcdefghijklmnopqrstuvwxyz";

describe("webhooks from a payment, end to end", () => {
  let stack: Stack;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startStack({
      server: {
        secretKeys: [KEY],
        webhooks: [{ name: "shop", url: receiver.url, secret: TEST_WEBHOOK_SECRET, types: null }],
        allowPrivateWebhookUrls: true,
        dispatcher: { pollMs: 50 },
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it("delivers order.created and order.paid, signed, with the order as the API shows it", async () => {
    const { view } = await createdOrder(stack);
    await actOnPaymentPage(view.payment_url!, "pay");
    await until(() => receiver.received.some((entry) => entry.type === "order.paid" && entry.data.id === view.id));
    // "order.processing" (the page was opened) comes or not depending on whether its notification was
    // read before the payment landed: a race the test does not decide.
    const all = receiver.received.filter((entry) => entry.data.id === view.id);
    const mine = all.filter((entry) => entry.type !== "order.processing");
    expect(mine.map((entry) => entry.type)).toEqual(["order.created", "order.paid"]);
    expect(all.every((entry) => entry.verified)).toBe(true);
    const order = await readJson(await fetch(`${stack.url}/api/v1/orders/${view.id}`, { headers: { Authorization: `Bearer ${KEY}` } }));
    expect(mine[1]!.data).toEqual(order);

    // The events API shows the same event with its delivery, and the webhook-id is the event id.
    const events = await readJson<{ data: { id: string; type: string; deliveries: { endpoint: string; status: string; attempts: { status_code: number }[] }[] }[] }>(
      await fetch(`${stack.url}/api/v1/events?object_id=${view.id}`, { headers: { Authorization: `Bearer ${KEY}` } }),
    );
    const paid = events.data.find((event) => event.type === "order.paid")!;
    expect(paid.id).toBe(mine[1]!.id);
    await until(async () => {
      const event = await readJson<{ deliveries: { status: string }[] }>(await fetch(`${stack.url}/api/v1/events/${paid.id}`, { headers: { Authorization: `Bearer ${KEY}` } }));
      return event.deliveries[0]?.status === "delivered";
    });
  });

  it("redelivers an event on request, with the same webhook-id", async () => {
    const { view } = await createdOrder(stack);
    await until(() => receiver.received.some((entry) => entry.data.id === view.id));
    const first = receiver.received.find((entry) => entry.data.id === view.id)!;
    const response = await fetch(`${stack.url}/api/v1/events/${first.id}/redeliver`, { method: "POST", headers: { Authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(200);
    await until(() => receiver.received.filter((entry) => entry.id === first.id).length === 2);
    const bad = await fetch(`${stack.url}/api/v1/events/${first.id}/redeliver`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ endpoints: ["nowhere"] }),
    });
    expect(bad.status).toBe(400);
    expect((await readJson<{ error: { field: string; message: string } }>(bad)).error).toMatchObject({ field: "endpoints", message: expect.stringContaining("shop") });
  });
});

describe("the dispatcher's rules, on a fake clock", () => {
  let receiver: Receiver;
  let store: OrderStore;
  let clock = T;
  const logs: string[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(async () => {
    await store.close();
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 204 });
  });

  async function setup(options: { timeoutMs?: number; url?: string } = {}) {
    clock = T;
    store = createSqliteStore({ filename: ":memory:", subscriptions: [{ endpoint: "shop", types: null }] });
    await store.migrate();
    const dispatcher = createWebhookDispatcher({
      store,
      endpoints: [{ name: "shop", url: options.url ?? receiver.url, secret: TEST_WEBHOOK_SECRET, types: null }],
      logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
      send: { allowPrivate: true, sandbox: false, timeoutMs: options.timeoutMs ?? 2_000 },
      now: () => clock,
      // The middle of the jitter: each wait is exactly the schedule's.
      random: () => 0.5,
    });
    return dispatcher;
  }

  /** An order the gateway took: one order.created event. */
  async function takenOrder() {
    const { order } = await store.insert(newOrder());
    await store.setGatewayState(order.id, { gatewayState: "created", at: clock });
    await store.transition(order.id, { status: "pending", source: "create", at: clock });
    return order;
  }

  async function deliveryOf(orderId: string) {
    const [event] = (await store.listEvents({ objectId: orderId, limit: 1 })).data;
    return (await store.deliveries(event!.id))[0]!;
  }

  it("retries on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 14 h, 20 h, 24 h), then gives up", async () => {
    const dispatcher = await setup();
    receiver.answer = () => ({ status: 500 });
    const order = await takenOrder();
    const times: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      expect((await dispatcher.runOnce()).claimed).toBe(1);
      times.push(clock);
      const delivery = await deliveryOf(order.id);
      if (attempt < 10) {
        expect(delivery.status).toBe("pending");
        // Not a moment before it is due.
        clock = delivery.nextAttemptAt! - 1;
        expect((await dispatcher.runOnce()).claimed).toBe(0);
        clock = delivery.nextAttemptAt!;
      } else {
        expect(delivery).toMatchObject({ status: "failed", nextAttemptAt: null });
      }
    }
    const waits = times.slice(1).map((time, index) => time - times[index]!);
    expect(waits).toEqual(RETRY_DELAYS_MS);
    expect(RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0) / 86_400_000).toBeGreaterThan(3);
    // Every attempt carried the same webhook-id, and each is on record with its status.
    expect(new Set(receiver.received.map((entry) => entry.id)).size).toBe(1);
    expect(receiver.received).toHaveLength(11);
    expect((await deliveryOf(order.id)).attempts.map((attempt) => attempt.statusCode)).toEqual(Array(11).fill(500));
  });

  it("spreads retries with jitter of at most ±10%", async () => {
    const { nextAttemptAt } = await import("../../server/webhooks/schedule.ts");
    expect(nextAttemptAt(1, 0, () => 0)).toBe(4_500);
    expect(nextAttemptAt(1, 0, () => 1)).toBe(5_500);
    expect(nextAttemptAt(10, 0, () => 0.999)).toBeLessThanOrEqual(86_400_000 * 1.1);
    expect(nextAttemptAt(11, 0, () => 0.5)).toBeNull();
  });

  it("honours Retry-After when it asks for longer than the schedule", async () => {
    const dispatcher = await setup();
    receiver.answer = () => ({ status: 503, headers: { "Retry-After": "120" } });
    const order = await takenOrder();
    await dispatcher.runOnce();
    expect((await deliveryOf(order.id)).nextAttemptAt).toBe(clock + 120_000);
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const dispatcher = await setup();
    receiver.answer = () => ({ status: 307, headers: { Location: `${receiver.url}/elsewhere` } });
    const order = await takenOrder();
    await dispatcher.runOnce();
    expect(receiver.received).toHaveLength(1);
    const delivery = await deliveryOf(order.id);
    expect(delivery.status).toBe("pending");
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 307, error: "redirects are not followed" });
  });

  it("counts a timeout and a refused connection as failed attempts to retry", async () => {
    const dispatcher = await setup({ timeoutMs: 200 });
    receiver.answer = () => "hang";
    const order = await takenOrder();
    await dispatcher.runOnce();
    expect((await deliveryOf(order.id)).attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining("no answer") });

    // A port that was free a moment ago: nothing listens, so the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const closed = await setup({ url: `http://127.0.0.1:${port}/hooks` });
    const other = await takenOrder();
    await closed.runOnce();
    const delivery = await deliveryOf(other.id);
    expect(delivery.status).toBe("pending");
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, error: "connection failed (ECONNREFUSED)" });
  });

  it("disables an endpoint that answers 410 Gone, until its URL changes", async () => {
    const dispatcher = await setup();
    receiver.answer = () => ({ status: 410 });
    const first = await takenOrder();
    await dispatcher.runOnce();
    expect((await deliveryOf(first.id)).status).toBe("failed");
    receiver.answer = () => ({ status: 204 });
    const second = await takenOrder();
    clock += 60_000;
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(await store.disabledEndpoints()).toEqual([{ name: "shop", url: receiver.url, reason: "answered 410 Gone", at: T }]);

    // The operator points the endpoint elsewhere (a new deploy): deliveries resume.
    const moved = createWebhookDispatcher({
      store,
      endpoints: [{ name: "shop", url: `${receiver.url}?v=2`, secret: TEST_WEBHOOK_SECRET, types: null }],
      logger: createLogger({ level: "error" }),
      send: { allowPrivate: true, sandbox: false },
      now: () => clock,
    });
    expect((await moved.runOnce()).delivered).toBe(1);
    expect((await deliveryOf(second.id)).status).toBe("delivered");
  });

  it("delivers an order's events in order, and an endpoint down for a day gets every event once it is back", async () => {
    const dispatcher = await setup();
    let up = false;
    receiver.answer = () => (up ? { status: 200 } : { status: 502 });
    const orders = [await takenOrder(), await takenOrder(), await takenOrder()];
    for (const order of orders) {
      await store.transition(order.id, { status: "processing", source: "notify", at: clock });
      await store.transition(order.id, { status: "completed", source: "notify", at: clock });
    }
    // A day of failures, attempt after attempt as they come due.
    const end = T + 24 * 3_600_000;
    while (clock < end) {
      await dispatcher.runOnce();
      clock += 5 * 60_000;
    }
    up = true;
    clock += 3 * 24 * 3_600_000;
    for (let round = 0; round < 5; round++) await dispatcher.runOnce();
    for (const order of orders) {
      const seen = receiver.received.filter((entry) => entry.data.id === order.id);
      // Once back: the failing one, then the two that waited behind it, in order.
      expect(seen.slice(-3).map((entry) => entry.type)).toEqual(["order.created", "order.processing", "order.paid"]);
      // While the first event was failing, the later ones waited behind it.
      const typesWhileDown = seen.slice(0, -3).map((entry) => entry.type);
      expect(new Set(typesWhileDown)).toEqual(new Set(["order.created"]));
    }
    for (const order of orders) {
      for (const event of (await store.listEvents({ objectId: order.id, limit: 10 })).data) {
        expect((await store.deliveries(event.id))[0]!.status).toBe("delivered");
      }
    }
  });

  it("refuses to send to a private address unless allowed", async () => {
    clock = T;
    store = createSqliteStore({ filename: ":memory:", subscriptions: [{ endpoint: "shop", types: null }] });
    await store.migrate();
    const strict = createWebhookDispatcher({
      store,
      endpoints: [{ name: "shop", url: receiver.url, secret: TEST_WEBHOOK_SECRET, types: null }],
      logger: createLogger({ level: "error" }),
      send: { allowPrivate: false, sandbox: false },
      now: () => clock,
    });
    const order = await takenOrder();
    await strict.runOnce();
    expect(receiver.received).toHaveLength(0);
    expect((await deliveryOf(order.id)).attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining("private or loopback") });
  });
});
