/**
 * The merchant API's part of the store contract, run against each implementation: sessions, order
 * listing, and the outbox (events written with their change, one delivery per subscribed endpoint,
 * claimed in order per object, leased, retried, redelivered).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { OutboxConfig } from "../../server/store/outbox.ts";
import type { NewSession, OrderStore } from "../../server/store/types.ts";
import { newOrder, T } from "../support/orders.ts";

let serial = 0;

function makeSession(overrides: Partial<NewSession> = {}): NewSession {
  serial += 1;
  return {
    id: `cs_${Date.now().toString(36)}${serial.toString(36)}`,
    amount: "250.00",
    currency: "php",
    country: "PH",
    payment: null,
    customer: "member-7",
    description: "Two coffees",
    metadata: { cart: "c-1" },
    returnUrl: null,
    idempotencyKey: null,
    requestHash: null,
    createdBy: "abcd",
    createdAt: T,
    expiresAt: T + 3_600_000,
    ...overrides,
  };
}

const SUBSCRIPTIONS: OutboxConfig = {
  subscriptions: [
    { endpoint: "all", types: null },
    { endpoint: "paid-only", types: ["order.paid"] },
  ],
};

export function outboxContract(name: string, makeStore: (outbox?: OutboxConfig) => Promise<OrderStore>, cleanup: (store: OrderStore) => Promise<void>): void {
  describe(`OrderStore merchant API contract: ${name}`, () => {
    const opened: OrderStore[] = [];
    async function open(outbox: OutboxConfig = SUBSCRIPTIONS): Promise<OrderStore> {
      const store = await makeStore(outbox);
      await store.migrate();
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      for (const store of opened.splice(0)) await cleanup(store);
    });

    /** An order the gateway has accepted (order.created written), at `pending`. */
    async function createdOrder(store: OrderStore, overrides: Parameters<typeof newOrder>[0] = {}) {
      const { order } = await store.insert(newOrder(overrides));
      await store.setGatewayState(order.id, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 });
      await store.transition(order.id, { status: "pending", source: "create", at: T + 2 });
      return order;
    }

    describe("events", () => {
      it("writes order.created once when the gateway takes the order, and one event per announced change", async () => {
        const store = await open();
        const order = await createdOrder(store);
        // A second "created" (a replayed answer) is no new event.
        await store.setGatewayState(order.id, { gatewayState: "created", at: T + 3 });
        await store.transition(order.id, { status: "processing", source: "notify", at: T + 4 });
        await store.transition(order.id, { status: "processing", source: "poll", at: T + 5 });
        await store.transition(order.id, { status: "completed", finalAmount: "100.50", paymentUid: "uid-9", source: "notify", at: T + 6 });
        const { data } = await store.listEvents({ objectId: order.id, limit: 10 });
        expect(data.map((event) => event.type)).toEqual(["order.paid", "order.processing", "order.created"]);
        const paid = data[0]!;
        expect(paid.data).toMatchObject({ id: order.id, status: "completed", final_amount: "100.50", payment_uid: "uid-9", metadata: {} });
        expect((paid.data.history as unknown[]).length).toBe(3);
        expect(data[2]!.data).toMatchObject({ status: "pending" });
      });

      it("writes order.created (and a first status's own event after it) with their deliveries when order/new's answer is recorded", async () => {
        const store = await open();
        const { order: pending } = await store.insert(newOrder());
        await store.recordGatewayAnswer(pending, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 }, { status: "pending", source: "create", at: T + 2 });
        const [created] = (await store.listEvents({ objectId: pending.id, limit: 10 })).data;
        expect(created).toMatchObject({ type: "order.created", createdAt: T + 2, data: { id: pending.id, status: "pending" } });
        expect(created!.data.history).toHaveLength(1);
        expect((await store.deliveries(created!.id)).map((delivery) => [delivery.endpoint, delivery.status])).toEqual([["all", "pending"]]);

        const { order: paid } = await store.insert(newOrder());
        await store.recordGatewayAnswer(paid, { gatewayState: "created", paymentUrl: "https://pay.example/y", at: T + 1 }, { status: "completed", finalAmount: "100.50", source: "create", at: T + 2 });
        const events = (await store.listEvents({ objectId: paid.id, limit: 10 })).data;
        expect(events.map((event) => event.type)).toEqual(["order.paid", "order.created"]);
        expect(events[0]!.seq).toBeGreaterThan(events[1]!.seq);
        expect((await store.deliveries(events[0]!.id)).map((delivery) => delivery.endpoint)).toEqual(["all", "paid-only"]);
        expect((await store.deliveries(events[1]!.id)).map((delivery) => delivery.endpoint)).toEqual(["all"]);
      });

      it("writes each order's events, in order, with their deliveries, when many answers are recorded at once", async () => {
        const store = await open();
        const metadata = { "emoji ✓": "ภาษาไทย", quote: 'a "b" \\ c\n' };
        const orders = await Promise.all(Array.from({ length: 8 }, async () => (await store.insert(newOrder({ metadata }))).order));
        const paid = (index: number) => index % 2 === 1;
        await Promise.all(
          orders.map((order, index) =>
            store.recordGatewayAnswer(
              order,
              { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 },
              paid(index) ? { status: "completed", finalAmount: "100.50", source: "create", at: T + 2 } : { status: "pending", source: "create", at: T + 2 },
            ),
          ),
        );
        for (const [index, order] of orders.entries()) {
          const events = (await store.listEvents({ objectId: order.id, limit: 10 })).data;
          expect(events.map((event) => event.type)).toEqual(paid(index) ? ["order.paid", "order.created"] : ["order.created"]);
          const created = events.at(-1)!;
          expect(created).toMatchObject({ createdAt: T + 2, data: { id: order.id, status: paid(index) ? "completed" : "pending", metadata } });
          expect((await store.deliveries(created.id)).map((delivery) => [delivery.endpoint, delivery.status, delivery.nextAttemptAt])).toEqual([["all", "pending", T + 2]]);
          if (!paid(index)) continue;
          expect(events[0]!.seq).toBeGreaterThan(created.seq);
          expect((await store.deliveries(events[0]!.id)).map((delivery) => delivery.endpoint)).toEqual(["all", "paid-only"]);
        }
        expect((await store.listEvents({ limit: 20 })).data).toHaveLength(12);
      });

      it("writes no event when order/new's answer finds the order already announced", async () => {
        const store = await open();
        const { order: copy } = await store.insert(newOrder());
        await store.setGatewayState(copy.id, { gatewayState: "orphaned", at: T + 1 });
        await store.transition(copy.id, { status: "pending", source: "notify", at: T + 2 });
        await store.recordGatewayAnswer(copy, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 3 }, { status: "pending", source: "create", at: T + 4 });
        expect((await store.listEvents({ objectId: copy.id, limit: 10 })).data.map((event) => event.type)).toEqual(["order.created"]);
      });

      it("writes no event for a refused move, and maps failed and reject to order.failed", async () => {
        const store = await open();
        const first = await createdOrder(store);
        await store.transition(first.id, { status: "reject", source: "notify", at: T + 3 });
        await store.transition(first.id, { status: "pending", source: "poll", at: T + 4 });
        const second = await createdOrder(store);
        await store.transition(second.id, { status: "failed", source: "notify", at: T + 3 });
        expect((await store.listEvents({ objectId: first.id, limit: 10 })).data.map((event) => event.type)).toEqual(["order.failed", "order.created"]);
        expect((await store.listEvents({ type: "order.failed", limit: 10 })).data.map((event) => event.objectId).sort()).toEqual([first.id, second.id].sort());
      });

      it("makes one delivery per subscribed endpoint, none for the others", async () => {
        const store = await open();
        const order = await createdOrder(store);
        await store.transition(order.id, { status: "completed", source: "notify", at: T + 3 });
        const events = (await store.listEvents({ objectId: order.id, limit: 10 })).data;
        const created = events.find((event) => event.type === "order.created")!;
        const paid = events.find((event) => event.type === "order.paid")!;
        expect((await store.deliveries(created.id)).map((delivery) => delivery.endpoint)).toEqual(["all"]);
        expect((await store.deliveries(paid.id)).map((delivery) => [delivery.endpoint, delivery.status])).toEqual([
          ["all", "pending"],
          ["paid-only", "pending"],
        ]);
      });

      it("writes exactly one event for one change made by racing callers", async () => {
        const store = await open();
        const order = await createdOrder(store);
        await Promise.all(Array.from({ length: 6 }, (_, index) => store.transition(order.id, { status: "completed", source: "notify", at: T + 10 + index })));
        expect((await store.listEvents({ objectId: order.id, type: "order.paid", limit: 10 })).data).toHaveLength(1);
      });

      it("pages events newest first with starting_after", async () => {
        const store = await open();
        const orders = [await createdOrder(store), await createdOrder(store), await createdOrder(store)];
        const first = await store.listEvents({ limit: 2 });
        expect(first.hasMore).toBe(true);
        const second = await store.listEvents({ limit: 2, startingAfter: first.data[1]!.id });
        expect(second.hasMore).toBe(false);
        expect([...first.data, ...second.data].map((event) => event.objectId)).toEqual([...orders].reverse().map((order) => order.id));
      });

      it("pages one object's events newest first with starting_after", async () => {
        const store = await open();
        const order = await createdOrder(store);
        await createdOrder(store);
        await store.transition(order.id, { status: "processing", source: "notify", at: T + 3 });
        await store.transition(order.id, { status: "completed", source: "notify", at: T + 4 });
        const first = await store.listEvents({ objectId: order.id, limit: 2 });
        expect(first).toMatchObject({ hasMore: true, data: [{ type: "order.paid" }, { type: "order.processing" }] });
        const second = await store.listEvents({ objectId: order.id, limit: 2, startingAfter: first.data[1]!.id });
        expect(second).toMatchObject({ hasMore: false, data: [{ type: "order.created", objectId: order.id }] });
        expect((await store.listEvents({ objectId: order.id, type: "order.created", limit: 5 })).data).toHaveLength(1);
      });
    });

    describe("deliveries", () => {
      it("claims only the oldest pending event of an object per endpoint, and the next once it is done", async () => {
        const store = await open({ subscriptions: [{ endpoint: "all", types: null }] });
        const order = await createdOrder(store);
        await store.transition(order.id, { status: "processing", source: "notify", at: T + 3 });
        await store.transition(order.id, { status: "completed", source: "notify", at: T + 4 });
        const other = await createdOrder(store);

        const first = await store.claimDeliveries({ now: T + 10, limit: 10, leaseMs: 1_000, owner: "a", endpoints: ["all"] });
        expect(first.map((claim) => [claim.event.objectId, claim.event.type])).toEqual([
          [order.id, "order.created"],
          [other.id, "order.created"],
        ]);
        // Leased: nobody else gets them, and the later events of the order wait behind them.
        expect(await store.claimDeliveries({ now: T + 11, limit: 10, leaseMs: 1_000, owner: "b", endpoints: ["all"] })).toEqual([]);

        const done = first[0]!;
        expect(await store.recordAttempt({ deliveryId: done.id, owner: "a", attempt: { at: T + 12, statusCode: 200, error: null, durationMs: 3 }, outcome: "delivered" })).toBe(true);
        const next = await store.claimDeliveries({ now: T + 13, limit: 10, leaseMs: 1_000, owner: "b", endpoints: ["all"] });
        expect(next.map((claim) => claim.event.type)).toEqual(["order.processing"]);
      });

      it("retries at the time given, keeps every attempt, and refuses a result from a lost lease", async () => {
        const store = await open({ subscriptions: [{ endpoint: "all", types: null }] });
        const order = await createdOrder(store);
        const [claim] = await store.claimDeliveries({ now: T + 10, limit: 1, leaseMs: 1_000, owner: "a", endpoints: ["all"] });
        await store.recordAttempt({ deliveryId: claim!.id, owner: "a", attempt: { at: T + 11, statusCode: 500, error: null, durationMs: 9 }, outcome: "retry", nextAttemptAt: T + 5_000 });
        expect(await store.claimDeliveries({ now: T + 4_999, limit: 1, leaseMs: 1_000, owner: "a", endpoints: ["all"] })).toEqual([]);

        // The lease runs out while "a" is still sending: "b" takes it, and "a"'s late result is ignored.
        const [again] = await store.claimDeliveries({ now: T + 5_000, limit: 1, leaseMs: 1_000, owner: "a", endpoints: ["all"] });
        expect(again!.attemptCount).toBe(1);
        const [taken] = await store.claimDeliveries({ now: T + 6_001, limit: 1, leaseMs: 1_000, owner: "b", endpoints: ["all"] });
        expect(taken!.id).toBe(again!.id);
        expect(await store.recordAttempt({ deliveryId: again!.id, owner: "a", attempt: { at: T + 6_002, statusCode: 200, error: null, durationMs: 1 }, outcome: "delivered" })).toBe(false);
        expect(await store.recordAttempt({ deliveryId: taken!.id, owner: "b", attempt: { at: T + 6_003, statusCode: null, error: "timeout", durationMs: 15_000 }, outcome: "failed" })).toBe(true);

        const events = (await store.listEvents({ objectId: order.id, limit: 10 })).data;
        const [delivery] = await store.deliveries(events[0]!.id);
        expect(delivery).toMatchObject({ status: "failed", nextAttemptAt: null });
        expect(delivery!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, null]);
      });

      it("claims nothing for an endpoint not asked for (a disabled one)", async () => {
        const store = await open();
        await createdOrder(store);
        expect(await store.claimDeliveries({ now: T + 10, limit: 10, leaseMs: 1_000, owner: "a", endpoints: ["paid-only"] })).toEqual([]);
        await store.disableEndpoint({ name: "all", url: "https://hooks.example/a", reason: "410 Gone", at: T + 11 });
        await store.disableEndpoint({ name: "all", url: "https://hooks.example/b", reason: "410 Gone", at: T + 12 });
        expect(await store.disabledEndpoints()).toEqual([{ name: "all", url: "https://hooks.example/b", reason: "410 Gone", at: T + 12 }]);
      });

      it("redelivers a delivered event, also to an endpoint it never went to", async () => {
        const store = await open();
        const order = await createdOrder(store);
        const [claim] = await store.claimDeliveries({ now: T + 10, limit: 1, leaseMs: 1_000, owner: "a", endpoints: ["all"] });
        await store.recordAttempt({ deliveryId: claim!.id, owner: "a", attempt: { at: T + 11, statusCode: 204, error: null, durationMs: 2 }, outcome: "delivered" });
        const eventId = claim!.event.id;
        expect(await store.redeliver(eventId, { at: T + 20 })).toBe(1);
        expect(await store.redeliver(eventId, { at: T + 20, endpoints: ["paid-only"] })).toBe(1);
        expect(await store.redeliver("evt_missing", { at: T + 20 })).toBe(0);
        const deliveries = await store.deliveries(eventId);
        expect(deliveries.map((delivery) => [delivery.endpoint, delivery.status, delivery.attempts.length])).toEqual([
          ["all", "pending", 1],
          ["paid-only", "pending", 0],
        ]);
        const again = await store.claimDeliveries({ now: T + 20, limit: 10, leaseMs: 1_000, owner: "a", endpoints: ["all", "paid-only"] });
        expect(again.map((item) => [item.endpoint, item.event.objectId])).toEqual([
          ["all", order.id],
          ["paid-only", order.id],
        ]);
      });
    });

    describe("sessions", () => {
      it("stores a session, and returns the first one for a repeated idempotency key", async () => {
        const store = await open();
        const session = makeSession({ idempotencyKey: "key-session-1", requestHash: "h1" });
        const first = await store.insertSession(session);
        expect(first.inserted).toBe(true);
        expect(first.session).toEqual({ ...session, status: "open", orderId: null, updatedAt: T });
        const replay = await store.insertSession(makeSession({ idempotencyKey: "key-session-1", requestHash: "h2" }));
        expect(replay).toEqual({ inserted: false, session: first.session });
        expect(await store.getSession(session.id)).toEqual(first.session);
        expect(await store.getSession("cs_nothing")).toBeNull();
      });

      it("is completed by the first order of it that is paid, in the same transaction", async () => {
        const store = await open();
        const { session } = await store.insertSession(makeSession());
        const abandoned = await createdOrder(store, { sessionId: session.id, metadata: session.metadata });
        const paid = await createdOrder(store, { sessionId: session.id, metadata: session.metadata });
        await store.transition(abandoned.id, { status: "failed", source: "notify", at: T + 5 });
        expect((await store.getSession(session.id))!.status).toBe("open");
        await store.transition(paid.id, { status: "completed", source: "notify", at: T + 6 });
        expect(await store.getSession(session.id)).toMatchObject({ status: "completed", orderId: paid.id, updatedAt: T + 6 });
        const [event] = (await store.listEvents({ objectId: paid.id, type: "order.paid", limit: 1 })).data;
        expect(event!.data).toMatchObject({ session_id: session.id, metadata: { cart: "c-1" } });
      });
    });

    describe("payouts", () => {
      const cap = (amountMinor: number) => ({ day: "2026-12-02", currency: "php", amountMinor, maxPerDayMinor: 100_000 });
      const payout = (overrides: Parameters<typeof newOrder>[0] = {}) =>
        newOrder({ kind: "payout", payeeAccount: "09171234567", payeeName: "Juan", payeeBank: null, accountingType: "pay", createdBy: "x9Qa", ...overrides });

      it("reserves the day's total with the insert, and refuses past the cap without writing", async () => {
        const store = await open();
        const first = await store.insertPayout(payout({ idempotencyKey: "p-1" }), cap(60_000));
        expect(first).toMatchObject({ inserted: true, order: { kind: "payout", payeeAccount: "09171234567", createdBy: "x9Qa" } });
        const over = await store.insertPayout(payout({ idempotencyKey: "p-2" }), cap(40_001));
        expect(over).toEqual({ inserted: false, capExceeded: true, dayTotalMinor: 60_000 });
        // A repeated key answers with its payout and reserves nothing, even at the cap.
        const replay = await store.insertPayout(payout({ idempotencyKey: "p-1" }), cap(60_000));
        expect(replay).toMatchObject({ inserted: false, order: { id: (first as { order: { id: string } }).order.id } });
        expect(await store.insertPayout(payout({ idempotencyKey: "p-3" }), cap(40_000))).toMatchObject({ inserted: true });
        await store.releasePayoutCap({ day: "2026-12-02", currency: "php", amountMinor: 40_000 });
        expect(await store.insertPayout(payout({ idempotencyKey: "p-4" }), cap(40_000))).toMatchObject({ inserted: true });
        // Another day, another currency: their own totals.
        expect(await store.insertPayout(payout({ idempotencyKey: "p-5" }), { ...cap(100_000), day: "2026-12-03" })).toMatchObject({ inserted: true });
        expect(await store.insertPayout(payout({ idempotencyKey: "p-6" }), { ...cap(100_000), currency: "thb" })).toMatchObject({ inserted: true });
      });

      it("never passes the cap under 20 concurrent creators", async () => {
        const store = await open();
        const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.insertPayout(payout({ idempotencyKey: `race-${index}` }), cap(15_000))));
        expect(results.filter((result) => result.inserted)).toHaveLength(6);
        expect(results.filter((result) => "capExceeded" in result)).toHaveLength(14);
      });

      it("keeps payouts out of the order list, and announces them as payout events", async () => {
        const store = await open();
        const { order } = (await store.insertPayout(payout(), cap(1_000))) as { order: { id: string } };
        await store.insert(newOrder());
        expect((await store.listOrders({ limit: 10 })).data.map((item) => item.kind)).toEqual(["checkout"]);
        expect((await store.listOrders({ limit: 10, kind: "payout" })).data.map((item) => item.id)).toEqual([order.id]);
        await store.setGatewayState(order.id, { gatewayState: "created", at: T + 1 });
        await store.transition(order.id, { status: "processing", source: "notify", at: T + 2 });
        await store.transition(order.id, { status: "completed", source: "notify", at: T + 3 });
        const events = (await store.listEvents({ objectId: order.id, limit: 10 })).data;
        expect(events.map((event) => event.type)).toEqual(["payout.paid", "payout.processing", "payout.created"]);
        expect(events[0]!.data).toMatchObject({ object: "payout", to: "*******4567", to_name: "Juan", requested_by: "sk_…x9Qa" });
        expect(JSON.stringify(events.map((event) => event.data))).not.toContain("09171234567");
      });
    });

    describe("listing orders", () => {
      it("lists newest first with filters and a cursor", async () => {
        const store = await open();
        const made = [];
        for (let index = 0; index < 5; index++) {
          const { order } = await store.insert(newOrder({ createdAt: T + index, customer: index % 2 === 0 ? "even" : "odd", sessionId: index === 4 ? "cs_x" : null }));
          made.push(order);
        }
        await store.transition(made[1]!.id, { status: "completed", source: "notify", at: T + 9 });
        const page1 = await store.listOrders({ limit: 2 });
        expect(page1.data.map((order) => order.id)).toEqual([made[4]!.id, made[3]!.id]);
        expect(page1.hasMore).toBe(true);
        const page2 = await store.listOrders({ limit: 10, startingAfter: made[3]!.id });
        expect(page2).toMatchObject({ hasMore: false });
        expect(page2.data.map((order) => order.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
        expect((await store.listOrders({ limit: 10, customer: "even" })).data.map((order) => order.id)).toEqual([made[4]!.id, made[2]!.id, made[0]!.id]);
        expect((await store.listOrders({ limit: 10, status: "completed" })).data.map((order) => order.id)).toEqual([made[1]!.id]);
        expect((await store.listOrders({ limit: 10, session: "cs_x" })).data.map((order) => order.id)).toEqual([made[4]!.id]);
        expect(await store.listOrders({ limit: 10, startingAfter: "ck_unknown" })).toEqual({ data: [], hasMore: false });
        // Filters together, and a cursor within a filter.
        expect((await store.listOrders({ limit: 10, session: "cs_x", customer: "odd" })).data).toEqual([]);
        expect((await store.listOrders({ limit: 10, session: "cs_x", customer: "even", status: "none" })).data.map((order) => order.id)).toEqual([made[4]!.id]);
        const evenAfter = await store.listOrders({ limit: 1, customer: "even", startingAfter: made[4]!.id });
        expect(evenAfter).toMatchObject({ hasMore: true, data: [{ id: made[2]!.id }] });
        expect((await store.listOrders({ limit: 10, customer: "odd", status: "none" })).data.map((order) => order.id)).toEqual([made[3]!.id]);
        expect((await store.listOrders({ limit: 10, kind: "payout", customer: "even" })).data).toEqual([]);
      });

      it("orders made at the same millisecond are neither skipped nor repeated across pages", async () => {
        const store = await open();
        for (let index = 0; index < 7; index++) await store.insert(newOrder({ createdAt: T }));
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listOrders({ limit: 3, startingAfter: after });
          seen.push(...page.data.map((order) => order.id));
          if (!page.hasMore) break;
          after = page.data.at(-1)!.id;
        }
        expect(seen).toHaveLength(7);
        expect(new Set(seen).size).toBe(7);
      });
    });
  });
}
