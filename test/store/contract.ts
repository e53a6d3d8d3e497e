/**
 * The one contract every OrderStore keeps, run against each implementation (sqlite.test.ts,
 * postgres.test.ts). Every test gets a fresh, migrated store; races are real `Promise.all` races
 * (for PostgreSQL across the pool's connections).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PaymentStatus } from "../../server/gateway/schemas.ts";
import type { NewOrder, OrderStore } from "../../server/store/types.ts";
import { newOrder, T } from "../support/orders.ts";

export function storeContract(name: string, makeStore: () => Promise<OrderStore>, cleanup: (store: OrderStore) => Promise<void>): void {
  describe(`OrderStore contract: ${name}`, () => {
    let store: OrderStore;

    beforeEach(async () => {
      store = await makeStore();
      await store.migrate();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    /** Inserts an order already at `status` (as if order/new answered), with its history. */
    async function orderAt(status: PaymentStatus, overrides: Partial<NewOrder> = {}) {
      const { order } = await store.insert(newOrder({ gatewayState: "created", status, ...overrides }));
      return order;
    }

    describe("lifecycle", () => {
      it("ping answers and migrate is harmless to repeat, also concurrently", async () => {
        await store.ping();
        const { order } = await store.insert(newOrder());
        await store.migrate();
        await Promise.all([store.migrate(), store.migrate()]);
        expect(await store.get(order.id)).toEqual(order);
      });
    });

    describe("insert and get", () => {
      it("stores every field and reads it back by id and by merchant order id", async () => {
        const input = newOrder({
          channel: "promptpay",
          finalAmount: "100.50",
          floatingAmount: "100.37",
          paymentUrl: "https://pay.example/1",
          customer: "c-1",
          description: "one shirt",
          idempotencyKey: "key-all-fields",
          requestHash: "sha256:abc",
          errorCode: "none-yet",
          refreshedAt: T + 5,
          sessionId: "cs_session",
          metadata: { cart: "c-9", "emoji ✓": "ภาษาไทย" },
        });
        const result = await store.insert(input);
        // The gateway's payment_uid and fail reason arrive only with a status read.
        const expected = { ...input, updatedAt: input.createdAt, refreshedAt: T + 5, paymentUid: null, paymentFailReason: null, kind: "checkout", payeeAccount: null, payeeName: null, payeeBank: null, accountingType: null, createdBy: null };
        expect(result).toEqual({ inserted: true, order: expected });
        expect(await store.get(input.id)).toEqual(expected);
        expect(await store.getByMerchantOrderId(input.merchantOrderId)).toEqual(expected);
      });

      it("keeps money as the exact decimal strings given", async () => {
        const { order } = await store.insert(newOrder({ amount: "0.10", finalAmount: "12345678901234567890.01" }));
        const read = await store.get(order.id);
        expect(read?.amount).toBe("0.10");
        expect(read?.finalAmount).toBe("12345678901234567890.01");
      });

      it("defaults refreshedAt to null and updatedAt to createdAt", async () => {
        const { order } = await store.insert(newOrder({ createdAt: T + 7 }));
        expect(order.refreshedAt).toBeNull();
        expect(order.updatedAt).toBe(T + 7);
      });

      it("returns null for unknown ids", async () => {
        expect(await store.get("ck_missing")).toBeNull();
        expect(await store.getByMerchantOrderId("mo-missing")).toBeNull();
      });

      it("returns the existing order untouched for a repeated idempotency key", async () => {
        const first = await store.insert(newOrder({ idempotencyKey: "key-1", requestHash: "h1", amount: "10.00" }));
        const retry = newOrder({ idempotencyKey: "key-1", requestHash: "h2", amount: "99.00" });
        const second = await store.insert(retry);
        expect(first.inserted).toBe(true);
        expect(second).toEqual({ inserted: false, order: first.order });
        expect(await store.get(first.order.id)).toEqual(first.order);
        expect(await store.get(retry.id)).toBeNull();
        expect(await store.getByMerchantOrderId(retry.merchantOrderId)).toBeNull();
        expect(await store.recent(10)).toHaveLength(1);
      });

      it("yields exactly one order when 20 inserts race on one key", async () => {
        const attempts = Array.from({ length: 20 }, () => newOrder({ idempotencyKey: "key-race" }));
        const results = await Promise.all(attempts.map((order) => store.insert(order)));
        const winners = results.filter((result) => result.inserted);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!.order;
        for (const result of results) expect(result.order).toEqual(winner);
        expect(await store.recent(50)).toEqual([winner]);
      });

      it("never makes orders without a key collide", async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => store.insert(newOrder({ idempotencyKey: null }))));
        expect(results.every((result) => result.inserted)).toBe(true);
        expect(await store.recent(50)).toHaveLength(10);
      });

      it("refuses a second order with the same merchant order id or id", async () => {
        const { order } = await store.insert(newOrder());
        await expect(store.insert(newOrder({ merchantOrderId: order.merchantOrderId }))).rejects.toThrow();
        await expect(store.insert(newOrder({ id: order.id }))).rejects.toThrow();
        await expect(store.insert(newOrder({ merchantOrderId: order.merchantOrderId, idempotencyKey: "fresh-key" }))).rejects.toThrow();
        expect(await store.recent(10)).toEqual([order]);
      });
    });

    describe("setGatewayState", () => {
      it("records order/new's outcome without touching the status", async () => {
        const { order } = await store.insert(newOrder({ status: "none" }));
        const created = await store.setGatewayState(order.id, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 10 });
        expect(created).toEqual({ ...order, gatewayState: "created", paymentUrl: "https://pay.example/x", updatedAt: T + 10 });
        expect(await store.get(order.id)).toEqual(created);
        expect(await store.history(order.id)).toEqual([]);
      });

      it("leaves paymentUrl and errorCode alone unless given; null clears them", async () => {
        const { order } = await store.insert(newOrder({ paymentUrl: "https://pay.example/y", errorCode: "E1" }));
        const unknown = await store.setGatewayState(order.id, { gatewayState: "unknown", at: T + 1 });
        expect(unknown).toMatchObject({ gatewayState: "unknown", paymentUrl: "https://pay.example/y", errorCode: "E1" });
        const rejected = await store.setGatewayState(order.id, { gatewayState: "rejected", paymentUrl: null, errorCode: "duplicate", at: T + 2 });
        expect(rejected).toMatchObject({ gatewayState: "rejected", paymentUrl: null, errorCode: "duplicate", updatedAt: T + 2 });
        const orphaned = await store.setGatewayState(order.id, { gatewayState: "orphaned", errorCode: null, at: T + 3 });
        expect(orphaned).toMatchObject({ gatewayState: "orphaned", paymentUrl: null, errorCode: null, status: "none" });
      });

      it("returns null for an unknown order", async () => {
        expect(await store.setGatewayState("ck_missing", { gatewayState: "created", at: T })).toBeNull();
      });
    });

    describe("recordGatewayAnswer", () => {
      it("writes what setGatewayState then transition write, in one call", async () => {
        const { order: one } = await store.insert(newOrder());
        const { order: two } = await store.insert(newOrder());
        const patch = { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 10 } as const;
        const update = { status: "pending", floatingAmount: "100.53", source: "create", at: T + 11 } as const;
        const together = await store.recordGatewayAnswer(one, patch, update);
        await store.setGatewayState(two.id, patch);
        const apart = await store.transition(two.id, update);
        if (!apart?.changed) throw new Error("the two calls made no change");
        expect(together).toEqual({ changed: true, order: { ...apart.order, id: one.id, merchantOrderId: one.merchantOrderId }, change: { ...apart.change, orderId: one.id } });
        expect(together).toMatchObject({ changed: true, order: { gatewayState: "created", paymentUrl: "https://pay.example/x", status: "pending", floatingAmount: "100.53", refreshedAt: T + 11, updatedAt: T + 11 } });
        expect(await store.get(one.id)).toEqual(together?.order);
        expect(await store.history(one.id)).toEqual([{ orderId: one.id, from: "none", to: "pending", source: "create", at: T + 11 }]);
      });

      it("when the order moved on since the caller's copy, applies the answer to the order as it is: no second change", async () => {
        const { order: copy } = await store.insert(newOrder());
        // A notification got there first: the order was read back, orphaned, at pending.
        await store.setGatewayState(copy.id, { gatewayState: "orphaned", errorCode: "gateway_unavailable", at: T + 5 });
        await store.transition(copy.id, { status: "pending", source: "notify", at: T + 6 });
        const result = await store.recordGatewayAnswer(copy, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 10 }, { status: "pending", source: "create", at: T + 11 });
        expect(result).toMatchObject({ changed: false, order: { gatewayState: "created", paymentUrl: "https://pay.example/x", errorCode: "gateway_unavailable", status: "pending", refreshedAt: T + 11 } });
        expect(await store.get(copy.id)).toEqual(result?.order);
        expect(await store.history(copy.id)).toEqual([{ orderId: copy.id, from: "none", to: "pending", source: "notify", at: T + 6 }]);
      });

      it("racing identical transitions, records the first status exactly once", async () => {
        const { order } = await store.insert(newOrder());
        const results = await Promise.all([
          store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: T + 1 }, { status: "pending", source: "create", at: T + 2 }),
          ...Array.from({ length: 10 }, (_, index) => store.transition(order.id, { status: "pending", source: "notify", at: T + 3 + index })),
        ]);
        expect(results.filter((result) => result?.changed)).toHaveLength(1);
        expect(await store.history(order.id)).toHaveLength(1);
        expect(await store.get(order.id)).toMatchObject({ gatewayState: "created", paymentUrl: "https://pay.example/x", status: "pending" });
      });

      it("applies answers for many orders at once (a busy server) each as if alone, one that moved on meanwhile included", async () => {
        const orders = await Promise.all(Array.from({ length: 12 }, async () => (await store.insert(newOrder())).order));
        // A notification got to the sixth first: read back, orphaned, at pending.
        await store.setGatewayState(orders[5]!.id, { gatewayState: "orphaned", errorCode: "gateway_unavailable", at: T + 5 });
        await store.transition(orders[5]!.id, { status: "pending", source: "notify", at: T + 6 });
        const paidAt = 7;
        const results = await Promise.all(
          orders.map((order, index) =>
            store.recordGatewayAnswer(
              order,
              { gatewayState: "created", paymentUrl: `https://pay.example/${index}`, at: T + 10 },
              index === paidAt ? { status: "completed", finalAmount: "100.50", paymentUid: "uid-7", source: "create", at: T + 11 } : { status: "pending", source: "create", at: T + 11 },
            ),
          ),
        );
        for (const [index, order] of orders.entries()) {
          const result = results[index];
          expect(result?.order).toMatchObject({ id: order.id, gatewayState: "created", paymentUrl: `https://pay.example/${index}`, status: index === paidAt ? "completed" : "pending" });
          expect(await store.get(order.id)).toEqual(result?.order);
          const first = index === 5 ? { from: "none", to: "pending", source: "notify", at: T + 6 } : { from: "none", to: index === paidAt ? "completed" : "pending", source: "create", at: T + 11 };
          expect(await store.history(order.id)).toEqual([{ orderId: order.id, ...first }]);
        }
        expect(results[5]).toMatchObject({ changed: false, order: { errorCode: "gateway_unavailable" } });
        expect(results[paidAt]).toMatchObject({ changed: true, order: { finalAmount: "100.50", paymentUid: "uid-7" } });
        expect(results.filter((result) => result?.changed)).toHaveLength(11);
      });

      it("applies each of two answers for one order given at once, the first as the order's first status", async () => {
        const { order: other } = await store.insert(newOrder());
        const { order } = await store.insert(newOrder());
        // The other's answer goes first, so that the two queue behind it together.
        const [, first, second] = await Promise.all([
          store.recordGatewayAnswer(other, { gatewayState: "created", paymentUrl: "https://pay.example/0", at: T + 1 }, { status: "pending", source: "create", at: T + 2 }),
          store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/1", at: T + 1 }, { status: "pending", source: "create", at: T + 2 }),
          store.recordGatewayAnswer(order, { gatewayState: "created", paymentUrl: "https://pay.example/2", at: T + 3 }, { status: "pending", source: "create", at: T + 4 }),
        ]);
        expect([first?.changed, second?.changed]).toEqual([true, false]);
        expect(await store.history(order.id)).toEqual([{ orderId: order.id, from: "none", to: "pending", source: "create", at: T + 2 }]);
        expect(await store.get(order.id)).toMatchObject({ paymentUrl: "https://pay.example/2", status: "pending" });
      });

      it("returns null for an unknown order", async () => {
        const missing = { ...(await store.insert(newOrder())).order, id: "ck_missing" };
        expect(await store.recordGatewayAnswer(missing, { gatewayState: "created", at: T }, { status: "pending", source: "create", at: T })).toBeNull();
      });
    });

    describe("transition", () => {
      it("moves forward and records each change with its source, oldest first", async () => {
        const order = await orderAt("pending");
        const processing = await store.transition(order.id, { status: "processing", source: "poll", at: T + 1 });
        expect(processing).toEqual({
          changed: true,
          order: { ...order, status: "processing", refreshedAt: T + 1, updatedAt: T + 1 },
          change: { orderId: order.id, from: "pending", to: "processing", source: "poll", at: T + 1 },
        });
        const completed = await store.transition(order.id, { status: "completed", finalAmount: "100.50", source: "notify", at: T + 2 });
        expect(completed).toMatchObject({ changed: true, order: { status: "completed", finalAmount: "100.50", refreshedAt: T + 2 } });
        expect(await store.get(order.id)).toEqual(completed?.order);
        expect(await store.history(order.id)).toEqual([
          { orderId: order.id, from: "pending", to: "processing", source: "poll", at: T + 1 },
          { orderId: order.id, from: "processing", to: "completed", source: "notify", at: T + 2 },
        ]);
      });

      it("refuses to move a completed order back, but still records the refresh", async () => {
        const order = await orderAt("completed", { finalAmount: "100.50" });
        for (const status of ["pending", "failed", "overdue", "processing", "none"] as const) {
          const result = await store.transition(order.id, { status, source: "poll", at: T + 5 });
          expect(result).toEqual({ changed: false, order: { ...order, refreshedAt: T + 5 } });
        }
        expect(await store.get(order.id)).toEqual({ ...order, refreshedAt: T + 5 });
        expect(await store.history(order.id)).toEqual([]);
      });

      it("lets a refund follow completed, and a late payment follow overdue or failed", async () => {
        const paid = await orderAt("completed");
        expect(await store.transition(paid.id, { status: "refund", source: "notify", at: T + 1 })).toMatchObject({ changed: true, order: { status: "refund" } });
        expect(await store.transition(paid.id, { status: "completed", source: "poll", at: T + 2 })).toMatchObject({ changed: false, order: { status: "refund" } });

        const overdue = await orderAt("overdue");
        expect(await store.transition(overdue.id, { status: "completed", source: "sweep", at: T + 1 })).toMatchObject({
          changed: true,
          change: { from: "overdue", to: "completed", source: "sweep" },
        });
        const failed = await orderAt("failed");
        expect(await store.transition(failed.id, { status: "completed", source: "poll", at: T + 1 })).toMatchObject({ changed: true });
        const pending = await orderAt("pending");
        expect(await store.transition(pending.id, { status: "refund", source: "poll", at: T + 1 })).toMatchObject({ changed: false, order: { status: "pending" } });
      });

      it("on the same status changes nothing but stores the amounts given and the refresh time", async () => {
        const order = await orderAt("pending", { floatingAmount: "100.37" });
        const result = await store.transition(order.id, { status: "pending", finalAmount: "100.50", floatingAmount: "100.41", source: "poll", at: T + 9 });
        const expected = { ...order, finalAmount: "100.50", floatingAmount: "100.41", refreshedAt: T + 9, updatedAt: T + 9 };
        expect(result).toEqual({ changed: false, order: expected });
        expect(await store.get(order.id)).toEqual(expected);
        expect(await store.history(order.id)).toEqual([]);
      });

      it("keeps amounts that a read does not report, and clears one reported as null", async () => {
        const order = await orderAt("pending", { floatingAmount: "100.37", finalAmount: "1.00" });
        const kept = await store.transition(order.id, { status: "processing", source: "poll", at: T + 1 });
        expect(kept?.order).toMatchObject({ floatingAmount: "100.37", finalAmount: "1.00" });
        const cleared = await store.transition(order.id, { status: "processing", finalAmount: null, source: "poll", at: T + 2 });
        expect(cleared?.order).toMatchObject({ floatingAmount: "100.37", finalAmount: null });
      });

      it("lets a refused (stale) read fill in a missing amount but never overwrite one", async () => {
        const order = await orderAt("overdue", { floatingAmount: "100.37" });
        const result = await store.transition(order.id, { status: "pending", finalAmount: "100.50", floatingAmount: "999.99", source: "poll", at: T + 3 });
        expect(result).toEqual({ changed: false, order: { ...order, finalAmount: "100.50", refreshedAt: T + 3, updatedAt: T + 3 } });
      });

      it("gives exactly one of 20 concurrent identical moves the change, and records it once", async () => {
        const order = await orderAt("pending");
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.transition(order.id, { status: "completed", finalAmount: "100.50", source: i % 2 ? "poll" : "notify", at: T + 100 })),
        );
        expect(results.filter((result) => result?.changed)).toHaveLength(1);
        for (const result of results) expect(result?.order.status).toBe("completed");
        const history = await store.history(order.id);
        expect(history).toHaveLength(1);
        expect(history[0]).toMatchObject({ from: "pending", to: "completed", at: T + 100 });
      });

      it("keeps racing different moves one-way: history is a chain without repeats", async () => {
        const order = await orderAt("none");
        const moves: PaymentStatus[] = ["pending", "preparing", "processing", "completed", "pending", "processing", "refund", "failed"];
        await Promise.all(moves.map((status, i) => store.transition(order.id, { status, source: "poll", at: T + i })));
        const history = await store.history(order.id);
        expect(history.length).toBeGreaterThan(0);
        expect(history[0]!.from).toBe("none");
        for (let i = 1; i < history.length; i++) expect(history[i]!.from).toBe(history[i - 1]!.to);
        expect((await store.get(order.id))?.status).toBe(history.at(-1)!.to);
      });

      it("returns null for an unknown order, whose history is empty", async () => {
        expect(await store.transition("ck_missing", { status: "completed", source: "poll", at: T })).toBeNull();
        expect(await store.history("ck_missing")).toEqual([]);
      });

      it("keeps each order's history to itself", async () => {
        const a = await orderAt("pending");
        const b = await orderAt("pending");
        await store.transition(a.id, { status: "failed", source: "sweep", at: T + 1 });
        await store.transition(b.id, { status: "completed", source: "create", at: T + 2 });
        expect(await store.history(a.id)).toEqual([{ orderId: a.id, from: "pending", to: "failed", source: "sweep", at: T + 1 }]);
        expect(await store.history(b.id)).toEqual([{ orderId: b.id, from: "pending", to: "completed", source: "create", at: T + 2 }]);
      });
    });

    describe("claimRefresh", () => {
      it("lets exactly one of concurrent claimers win, and sets refreshedAt", async () => {
        const order = await orderAt("pending");
        const wins = await Promise.all(Array.from({ length: 20 }, () => store.claimRefresh(order.id, T + 1000, T + 1000)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.get(order.id))?.refreshedAt).toBe(T + 1000);
      });

      it("blocks a new claim until the last refresh is older than staleBefore", async () => {
        const order = await orderAt("pending", { refreshedAt: T });
        expect(await store.claimRefresh(order.id, T, T + 100)).toBe(false);
        expect(await store.claimRefresh(order.id, T + 1, T + 100)).toBe(true);
        expect(await store.claimRefresh(order.id, T + 100, T + 200)).toBe(false);
        expect(await store.claimRefresh(order.id, T + 101, T + 5000)).toBe(true);
        // A transition is a refresh too.
        await store.transition(order.id, { status: "pending", source: "notify", at: T + 6000 });
        expect(await store.claimRefresh(order.id, T + 5500, T + 6100)).toBe(false);
      });

      it("is false for an unknown order", async () => {
        expect(await store.claimRefresh("ck_missing", T, T)).toBe(false);
      });
    });

    describe("claimForSweep", () => {
      const sweep = (owner: string, now = T + 60_000, limit = 100, leaseMs = 30_000) => store.claimForSweep({ limit, now, leaseMs, owner });
      const ids = (orders: { id: string }[]) => orders.map((order) => order.id).sort();

      it("claims non-final orders and unresolved creates, not settled final ones", async () => {
        const pending = await orderAt("pending");
        const none = await orderAt("none");
        const creating = await orderAt("none", { gatewayState: "creating" });
        const unknownButFinal = await orderAt("failed", { gatewayState: "unknown" });
        const creatingButFinal = await orderAt("completed", { gatewayState: "creating" });
        for (const status of ["completed", "failed", "reject", "refund", "overdue"] as const) await orderAt(status);
        // Refused by the gateway: nothing there to re-read, so never swept.
        await orderAt("none", { gatewayState: "rejected" });
        const claimed = await sweep("sweeper-a");
        expect(ids(claimed)).toEqual(ids([pending, none, creating, unknownButFinal, creatingButFinal]));
        expect(claimed.find((order) => order.id === pending.id)).toEqual(pending);
      });

      it("respects the limit, oldest refresh first (never refreshed before all)", async () => {
        const old = await orderAt("pending", { refreshedAt: T + 10 });
        const never = await orderAt("pending", { refreshedAt: null, createdAt: T + 5 });
        const newest = await orderAt("pending", { refreshedAt: T + 30 });
        const older = await orderAt("pending", { refreshedAt: T + 1 });
        const neverEarlier = await orderAt("pending", { refreshedAt: null, createdAt: T + 1 });
        const first = await sweep("a", T + 60_000, 3);
        expect(first.map((order) => order.id)).toEqual([neverEarlier.id, never.id, older.id]);
        const second = await sweep("b", T + 60_000, 3);
        expect(second.map((order) => order.id)).toEqual([old.id, newest.id]);
        expect(await sweep("c", T + 60_000, 3)).toEqual([]);
      });

      it("returns nothing for a limit of zero", async () => {
        await orderAt("pending");
        expect(await sweep("a", T + 60_000, 0)).toEqual([]);
        expect(await sweep("a", T + 60_000, 1)).toHaveLength(1);
      });

      it("only claims orders created before createdBefore when given", async () => {
        const old = await orderAt("none", { gatewayState: "creating", createdAt: T });
        await orderAt("none", { gatewayState: "creating", createdAt: T + 50 });
        const claimed = await store.claimForSweep({ limit: 10, now: T + 60, leaseMs: 1000, owner: "a", createdBefore: T + 50 });
        expect(ids(claimed)).toEqual([old.id]);
      });

      it("gives two concurrent claimers disjoint sets that together cover every order", async () => {
        const all = await Promise.all(Array.from({ length: 12 }, (_, i) => orderAt("pending", { refreshedAt: T + i })));
        const [a, b] = await Promise.all([sweep("a", T + 60_000, 8), sweep("b", T + 60_000, 8)]);
        const claimedA = new Set(ids(a));
        expect(ids(b).filter((id) => claimedA.has(id))).toEqual([]);
        // Each claimer takes at most its limit; what neither took is still there for a third.
        const rest = await sweep("c", T + 60_000, 100);
        expect([...ids(a), ...ids(b), ...ids(rest)].sort()).toEqual(ids(all));
        expect(a.length + b.length).toBeGreaterThanOrEqual(8);
      });

      it("keeps a leased order from others until the lease expires", async () => {
        const order = await orderAt("pending");
        expect(ids(await sweep("a", T, 10, 1000))).toEqual([order.id]);
        expect(await sweep("b", T + 999, 10, 1000)).toEqual([]);
        expect(ids(await sweep("b", T + 1000, 10, 1000))).toEqual([order.id]);
        expect(await sweep("a", T + 1500, 10, 1000)).toEqual([]);
      });

      it("frees an order on releaseSweep by its owner only", async () => {
        const order = await orderAt("pending");
        await sweep("a", T, 10, 10_000);
        await store.releaseSweep(order.id, "b");
        expect(await sweep("b", T + 1, 10, 10_000)).toEqual([]);
        await store.releaseSweep(order.id, "a");
        expect(ids(await sweep("b", T + 2, 10, 10_000))).toEqual([order.id]);
        await store.releaseSweep("ck_missing", "b");
      });

      it("claims a final order parked with deferSweep once, when its time comes", async () => {
        const order = await orderAt("overdue");
        expect(await sweep("a", T, 10, 1000)).toEqual([]);
        await store.deferSweep(order.id, T + 600_000);
        expect(await sweep("a", T + 599_999, 10, 1000)).toEqual([]);
        expect(ids(await sweep("a", T + 600_000, 10, 1000))).toEqual([order.id]);
        // Released without being parked again: a final order is not wanted any more.
        await store.releaseSweep(order.id, "a");
        expect(await sweep("b", T + 700_000, 10, 1000)).toEqual([]);
        // Parked again before the release: it comes back at the new time, the release is a no-op.
        await store.deferSweep(order.id, T + 800_000);
        await store.releaseSweep(order.id, "b");
        expect(ids(await sweep("b", T + 800_000, 10, 1000))).toEqual([order.id]);
      });

      it("stops claiming an order once it is final", async () => {
        const order = await orderAt("pending");
        const [claimed] = await sweep("a", T, 10, 1000);
        expect(claimed?.id).toBe(order.id);
        await store.transition(order.id, { status: "completed", source: "sweep", at: T + 10 });
        await store.releaseSweep(order.id, "a");
        expect(await sweep("b", T + 20, 10, 1000)).toEqual([]);
      });
    });

    describe("recent", () => {
      it("lists newest first, up to the limit", async () => {
        const a = await store.insert(newOrder({ createdAt: T + 1 }));
        const c = await store.insert(newOrder({ createdAt: T + 3 }));
        const b = await store.insert(newOrder({ createdAt: T + 2 }));
        expect(await store.recent(10)).toEqual([c.order, b.order, a.order]);
        expect(await store.recent(2)).toEqual([c.order, b.order]);
        expect(await store.recent(0)).toEqual([]);
      });

      it("merges checkouts and payouts newest first, ties broken by id (it reads one kind at a time)", async () => {
        const at = (createdAt: number, kind: "checkout" | "payout", id: string) => store.insert(newOrder({ createdAt, kind, id }));
        const made = [await at(T + 1, "payout", "ck_p1"), await at(T + 2, "checkout", "ck_c2"), await at(T + 4, "payout", "ck_p4"), await at(T + 3, "checkout", "ck_c3"), await at(T + 4, "checkout", "ck_c4")];
        const byId = new Map(made.map((result) => [result.order.id, result.order]));
        const newestFirst = ["ck_p4", "ck_c4", "ck_c3", "ck_c2", "ck_p1"].map((id) => byId.get(id));
        expect(await store.recent(10)).toEqual(newestFirst);
        expect(await store.recent(3)).toEqual(newestFirst.slice(0, 3));
      });
    });
  });
}
