/**
 * Two server instances on one PostgreSQL deliver the shared outbox: every event reaches the
 * endpoint once per attempt (never twice at once), one order's events in order, none lost when an
 * instance stops mid-way. Needs DATABASE_URL.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../server/log.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createWebhookDispatcher } from "../../server/webhooks/dispatcher.ts";
import { newOrder, T } from "../support/orders.ts";
import { startReceiver, TEST_WEBHOOK_SECRET } from "../support/webhook-receiver.ts";

const url = process.env.DATABASE_URL;
if (!url) console.warn("Webhook tests on PostgreSQL skipped: DATABASE_URL is not set");
const schema = `webhooks_test_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!url)("webhooks from two instances on one PostgreSQL", () => {
  const admin = url ? postgres(url, { max: 1, onnotice: () => {} }) : null;
  afterAll(async () => {
    await admin?.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end({ timeout: 5 });
  });

  it("delivers each event once, in order per order, sharing the work", async () => {
    const receiver = await startReceiver();
    const subscriptions = [{ endpoint: "shop", types: null }];
    const stores = [createPostgresStore({ url: url!, schema, max: 4, subscriptions }), createPostgresStore({ url: url!, schema, max: 4, subscriptions })];
    await Promise.all(stores.map((store) => store.migrate()));
    try {
      const writer = stores[0]!;
      const orders = [];
      for (let index = 0; index < 40; index++) {
        const { order } = await writer.insert(newOrder());
        await writer.setGatewayState(order.id, { gatewayState: "created", at: T });
        await writer.transition(order.id, { status: "processing", source: "notify", at: T + 1 });
        await writer.transition(order.id, { status: "completed", source: "notify", at: T + 2 });
        orders.push(order);
      }
      const dispatchers = stores.map((store, index) =>
        createWebhookDispatcher({
          store,
          endpoints: [{ name: "shop", url: receiver.url, secret: TEST_WEBHOOK_SECRET, types: null }],
          logger: createLogger({ level: "error" }),
          send: { allowPrivate: true, sandbox: false },
          batch: 7,
          owner: `instance-${index}`,
          now: Date.now,
        }),
      );
      const claimedBy = [0, 0];
      // Both instances pull until the outbox is empty, at the same time.
      await Promise.all(
        dispatchers.map(async (dispatcher, index) => {
          for (let idle = 0; idle < 3; ) {
            const { claimed } = await dispatcher.runOnce();
            claimedBy[index]! += claimed;
            idle = claimed === 0 ? idle + 1 : 0;
          }
        }),
      );
      expect(receiver.received).toHaveLength(120);
      expect(new Set(receiver.received.map((entry) => entry.id)).size).toBe(120);
      expect(receiver.received.every((entry) => entry.verified)).toBe(true);
      for (const order of orders) {
        expect(receiver.received.filter((entry) => entry.data.id === order.id).map((entry) => entry.type)).toEqual(["order.created", "order.processing", "order.paid"]);
      }
      expect(claimedBy[0]! + claimedBy[1]!).toBe(120);
      console.log(`two instances on PostgreSQL: ${claimedBy[0]} and ${claimedBy[1]} deliveries of 120`);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await receiver.close();
    }
  }, 60_000);
});
