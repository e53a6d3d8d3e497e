/** Notifications to notify_url, received by a small Hono app on 127.0.0.1. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyFields } from "../../server/gateway/signing.ts";
import { serve } from "../support/serve.ts";
import { createOrder, getOrder, incomeFields, MERCHANT, startReceiver, startSandbox, uniqueId, type Receiver, type Running } from "../support/sandbox.ts";
import { until } from "../support/time.ts";

let running: Running;
let receiver: Receiver;

beforeAll(async () => {
  // A generous timeout: on two busy cores a first delivery can take over 300 ms, and a retry after a
  // timeout reaches the receiver twice. The timeout itself is tested with sandboxes of its own below.
  running = await startSandbox({ notifyRetryDelaysMs: [10, 20], notifyTimeoutMs: 5_000 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await running.stop();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respond = () => Response.json({ result: "success" });
});
afterEach(async () => {
  running.sandbox.controls.setNotifyFaults({ drop: 0, duplicate: 0, reorder: false });
  await running.sandbox.controls.idle();
});

const controls = () => running.sandbox.controls;

async function newOrder(fields: Record<string, string> = {}) {
  const id = uniqueId();
  const data = await createOrder(running.url, incomeFields({ merchant_order_id: id, notify_url: receiver.url, ...fields }));
  return { id, pageUrl: data.payment_url as string };
}

describe("delivery", () => {
  it("notifies every status change after creation, signed like a request, with the order/get fields", async () => {
    const { id, pageUrl } = await newOrder({ from_name: "member-7" });
    await controls().idle();
    expect(receiver.received).toHaveLength(0);

    await fetch(pageUrl);
    await controls().idle();
    await fetch(pageUrl, { method: "POST", body: new URLSearchParams({ action: "pay" }), redirect: "manual" });
    await controls().idle();
    controls().refund(id);
    await controls().idle();

    expect(receiver.received.map((n) => n.body.payment_status)).toEqual(["processing", "completed", "refund"]);
    for (const notification of receiver.received) {
      expect(notification.headers.get("content-type")).toBe("application/json");
      expect(notification.headers.get("oc-key")).toBe(MERCHANT.apiKey);
      expect(await verifyFields(MERCHANT.apiSecret, notification.body, notification.headers.get("oc-signature"))).toBe(true);
      expect(await verifyFields("wrong-secret", notification.body, notification.headers.get("oc-signature"))).toBe(false);
      // Flat strings, empty ones left out, no payment_url.
      for (const value of Object.values(notification.body)) {
        expect(typeof value).toBe("string");
        expect(value).not.toBe("");
      }
      expect(notification.body).not.toHaveProperty("payment_url");
      expect(notification.body).not.toHaveProperty("from");
      expect(notification.body).toMatchObject({ merchant_order_id: id, merchant_uid: MERCHANT.merchantUid, from_name: "member-7", amount: "100.00", notify_status: "delivered" });
    }
    const read = (await getOrder(running.url, id)).json.data;
    expect(read.notify_status).toBe("completed");
    expect(read.notify_fail_reason).toBe("");
    const log = controls().getOrder(id)?.notifications ?? [];
    expect(log.map((entry) => [entry.status, entry.attempt, entry.outcome, entry.httpStatus])).toEqual([
      ["processing", 1, "acknowledged", 200],
      ["completed", 1, "acknowledged", 200],
      ["refund", 1, "acknowledged", 200],
    ]);
    expect(log.every((entry) => typeof entry.at === "number")).toBe(true);
  });

  it("notifies failed, reject and overdue too, and nothing without a notify_url", async () => {
    const statuses: string[] = [];
    for (const action of ["fail", "reject", "expire"] as const) {
      const { id } = await newOrder();
      controls()[action](id);
      await controls().idle();
      statuses.push(receiver.received.at(-1)?.body.payment_status ?? "");
      expect(receiver.received.at(-1)?.body.payment_fail_reason).toBeTruthy();
    }
    expect(statuses).toEqual(["failed", "reject", "overdue"]);
    const count = receiver.received.length;
    const quiet = uniqueId();
    await createOrder(running.url, incomeFields({ merchant_order_id: quiet }));
    controls().complete(quiet);
    await controls().idle();
    expect(receiver.received).toHaveLength(count);
    expect(controls().getOrder(quiet)?.notify_status).toBe("none");
  });
});

describe("acknowledgement and retries", () => {
  it("retries until HTTP 200 with {result: success}, recording each attempt", async () => {
    receiver.respond = (_, index) =>
      index === 0 ? new Response("oops", { status: 500 }) : index === 1 ? Response.json({ result: "ok" }) : Response.json({ result: "success" });
    const { id } = await newOrder();
    controls().complete(id);
    await controls().idle();
    expect(receiver.received).toHaveLength(3);
    const log = controls().getOrder(id)?.notifications ?? [];
    expect(log.map((entry) => [entry.attempt, entry.outcome, entry.httpStatus, entry.error])).toEqual([
      [1, "not_acknowledged", 500, "HTTP 500"],
      [2, "not_acknowledged", 200, 'HTTP 200 without {"result":"success"}'],
      [3, "acknowledged", 200, undefined],
    ]);
    expect(controls().getOrder(id)?.notify_status).toBe("completed");
  });

  it("is 'delivered' while trying, and 'failed' with a reason after the last attempt", async () => {
    const slow = await startSandbox({ notifyRetryDelaysMs: [400, 10], notifyTimeoutMs: 300 });
    try {
      receiver.respond = () => new Response("no", { status: 503 });
      const id = uniqueId();
      await createOrder(slow.url, incomeFields({ merchant_order_id: id, notify_url: receiver.url }));
      slow.sandbox.controls.complete(id);
      // Between the first attempt and the first retry.
      await until(() => slow.sandbox.controls.getOrder(id)?.notifications.length === 1);
      const during = (await getOrder(slow.url, id)).json.data;
      expect(during.notify_status).toBe("delivered");
      expect(during.notify_fail_reason).toBe("HTTP 503");
      await slow.sandbox.controls.idle();
      const after = (await getOrder(slow.url, id)).json.data;
      expect(after.notify_status).toBe("failed");
      expect(after.notify_fail_reason).toBe("HTTP 503 (gave up after 3 attempts)");
      expect(receiver.received).toHaveLength(3);
    } finally {
      await slow.stop();
    }
  });

  it("does not take a redirect for an acknowledgement", async () => {
    receiver.respond = () => new Response(null, { status: 302, headers: { Location: "/elsewhere" } });
    const { id } = await newOrder();
    controls().complete(id);
    await controls().idle();
    expect(controls().getOrder(id)?.notifications.map((entry) => entry.httpStatus)).toEqual([302, 302, 302]);
    expect(controls().getOrder(id)?.notify_status).toBe("failed");
  });

  it("records a refused connection and a receiver that never answers", async () => {
    const gone = await serve({ fetch: () => new Response("") });
    await gone.close();
    const { id } = await newOrder({ notify_url: `${gone.url}/notify` });
    controls().complete(id);
    await controls().idle();
    const refused = controls().getOrder(id)?.notifications ?? [];
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ outcome: "error", error: expect.stringMatching(/^Connection failed: /) });
    expect(refused[0]).not.toHaveProperty("httpStatus");

    const quick = await startSandbox({ notifyRetryDelaysMs: [], notifyTimeoutMs: 50 });
    try {
      receiver.respond = () => new Promise<Response>(() => undefined);
      const silent = uniqueId();
      await createOrder(quick.url, incomeFields({ merchant_order_id: silent, notify_url: receiver.url }));
      quick.sandbox.controls.complete(silent);
      await quick.sandbox.controls.idle();
      expect(quick.sandbox.controls.getOrder(silent)?.notify_fail_reason).toBe("No answer within 50 ms (gave up after 1 attempts)");
    } finally {
      await quick.stop();
    }
  });

  it("idle() waits for retries, and close() cancels them", async () => {
    const slow = await startSandbox({ notifyRetryDelaysMs: [60_000] });
    receiver.respond = () => new Response("no", { status: 500 });
    const id = uniqueId();
    await createOrder(slow.url, incomeFields({ merchant_order_id: id, notify_url: receiver.url }));
    slow.sandbox.controls.complete(id);
    let idle = false;
    const waiting = slow.sandbox.controls.idle().then(() => (idle = true));
    // The first attempt has been answered (500): only the minute-long retry is left, and idle waits for it.
    await until(() => receiver.received.length === 1 && slow.sandbox.controls.getOrder(id)!.notifications.length === 1);
    expect(idle).toBe(false);
    expect(slow.sandbox.controls.state().pendingNotifications).toBe(1);
    await slow.stop();
    await waiting;
    expect(idle).toBe(true);
    expect(receiver.received).toHaveLength(1);
  });
});

describe("notification faults", () => {
  it("drop: never sent, logged as dropped, notify_status stays delivered", async () => {
    controls().setNotifyFaults({ drop: 1 });
    const { id } = await newOrder();
    controls().complete(id);
    await controls().idle();
    expect(receiver.received).toHaveLength(0);
    expect(controls().getOrder(id)?.notifications).toEqual([{ at: expect.any(Number), status: "completed", attempt: 0, outcome: "dropped" }]);
    expect(controls().getOrder(id)?.notify_status).toBe("delivered");
  });

  it("drop with a probability uses the seeded random: some go, some do not", async () => {
    controls().setNotifyFaults({ drop: 0.5 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { id } = await newOrder();
      controls().complete(id);
      ids.push(id);
    }
    await controls().idle();
    const dropped = ids.filter((id) => controls().getOrder(id)?.notifications[0]?.outcome === "dropped").length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(12);
    expect(receiver.received).toHaveLength(12 - dropped);
  });

  it("duplicate: the same signed body arrives twice", async () => {
    controls().setNotifyFaults({ duplicate: 1 });
    const { id } = await newOrder();
    controls().complete(id);
    await controls().idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.raw).toBe(receiver.received[1]?.raw);
    expect(receiver.received[0]?.headers.get("oc-signature")).toBe(receiver.received[1]?.headers.get("oc-signature"));
    expect(controls().getOrder(id)?.notifications.map((entry) => entry.duplicate ?? false).sort()).toEqual([false, true]);
  });

  it("reorder: one order's notifications arrive newest first", async () => {
    controls().setNotifyFaults({ reorder: true, reorderWindowMs: 300 });
    const { id, pageUrl } = await newOrder();
    await fetch(pageUrl);
    controls().complete(id);
    await controls().idle();
    expect(receiver.received.map((n) => n.body.payment_status)).toEqual(["completed", "processing"]);
    // The newest notification decides notify_status, whatever order they were acknowledged in.
    expect(controls().getOrder(id)?.notify_status).toBe("completed");
  });

  it("notify faults can be changed one field at a time", () => {
    expect(controls().setNotifyFaults({ duplicate: 0.25 })).toEqual({ drop: 0, duplicate: 0.25, reorder: false, reorderWindowMs: 300 });
    expect(() => controls().setNotifyFaults({ drop: 2 })).toThrow(/probability/);
  });
});
