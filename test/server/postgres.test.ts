/**
 * The create, status and notify flow with orders in PostgreSQL, as several server instances would
 * keep them. Needs DATABASE_URL; runs in a schema of its own, dropped afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { dropSchema } from "../support/postgres-schema.ts";
import { readJson, updatesOf } from "../support/stack-requests.ts";
import { actOnPaymentPage, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { manualClock, until } from "../support/time.ts";

const url = process.env.DATABASE_URL;
if (!url) console.warn("Server flow on PostgreSQL skipped: DATABASE_URL is not set");

describe.skipIf(!url)("the server on a PostgreSQL store", () => {
  const schema = `server_test_${process.pid}_${Date.now().toString(36)}`;
  const clock = manualClock();
  let stack: Stack;
  beforeAll(async () => {
    const store = createPostgresStore({ url: url!, schema, max: 4 });
    stack = await startStack({ store, server: { now: clock.now } });
  });
  afterAll(async () => {
    await stack?.close();
    await dropSchema(url!, schema);
  });

  it("creates once per key, follows the payment through the notification, and reports health", async () => {
    expect(await readJson(await fetch(`${stack.url}/healthz`))).toMatchObject({ status: "ok", store: "postgres" });

    const responses = await Promise.all(Array.from({ length: 10 }, () => createCheckout(stack, gcash, { "Idempotency-Key": "pg-flow-key-0001" })));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const bodies = await Promise.all(responses.map((response) => readJson<Record<string, string>>(response)));
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
    expect(stack.gatewayCalls.filter((path) => path === "order/new")).toHaveLength(1);
    const created = bodies[0]!;

    const status = await readJson(await fetch(`${stack.url}/api/checkout/${created.id}`));
    expect(status).toMatchObject({ id: created.id, status: "pending", payment_url: created.payment_url });

    await actOnPaymentPage(created.payment_url!, "pay");
    await until(async () => (await stack.store.get(created.id!))?.status === "completed");
    await stack.sandbox.controls.idle();
    const paid = await readJson(await fetch(`${stack.url}/api/checkout/${created.id}`));
    expect(paid.status).toBe("completed");
    expect(paid).not.toHaveProperty("payment_url");
    const changes = updatesOf(stack, created.id!).map((change) => change.to);
    expect(changes[0]).toBe("pending");
    expect(changes.at(-1)).toBe("completed");
    expect(new Set(changes).size).toBe(changes.length);
    expect(changes).toEqual((await stack.store.history(created.id!)).map((change) => change.to));
  });

  it("refreshes a stale status from the gateway, one reader at a time", async () => {
    stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    const response = await createCheckout(stack, gcash);
    const { id } = await readJson<{ id: string }>(response);
    const merchantOrderId = (await stack.store.get(id))!.merchantOrderId;
    stack.sandbox.controls.fail(merchantOrderId);
    clock.advance(1_001);
    const reads = stack.gatewayCalls.length;
    const bodies = await Promise.all(Array.from({ length: 10 }, async () => readJson(await fetch(`${stack.url}/api/checkout/${id}`))));
    expect(stack.gatewayCalls.length - reads).toBe(1);
    expect(bodies.some((body) => body.status === "failed")).toBe(true);
    expect(updatesOf(stack, id).filter((change) => change.to === "failed")).toHaveLength(1);
  });
});
