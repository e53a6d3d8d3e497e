/** Status transitions, the sandbox clock and expiry, and the programmatic order controls. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxControlError } from "../../demo/sandbox/controls.ts";
import { createOrder, getOrder, incomeFields, MERCHANT, OTHER, payoutFields, startReceiver, startSandbox, uniqueId, type Running } from "../support/sandbox.ts";
import { until } from "../support/time.ts";

let running: Running;
let url: string;
const BASE = Date.UTC(2030, 0, 1, 12, 0, 0);

beforeAll(async () => {
  running = await startSandbox({ now: () => BASE, merchants: [MERCHANT, { ...OTHER }] });
  url = running.url;
});
afterAll(() => running.stop());

const controls = () => running.sandbox.controls;

async function statusOf(id: string): Promise<string> {
  return (await getOrder(url, id)).json.data.payment_status;
}

describe("clock and expiry", () => {
  it("starts at the base clock and only moves when told", () => {
    const before = controls().now();
    expect(before).toBeGreaterThanOrEqual(BASE);
    expect(controls().advanceClock(1000)).toBe(before + 1000);
    expect(controls().now()).toBe(before + 1000);
    expect(() => controls().advanceClock(-1)).toThrow(SandboxControlError);
  });

  it("expires an unpaid order once its 15 minutes are up, not before", async () => {
    const id = uniqueId();
    const created = controls().now();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    expect(controls().getOrder(id)?.expires_at).toBe(created + 15 * 60_000);
    await fetch((controls().getOrder(id)?.payment_url) ?? "");
    controls().advanceClock(15 * 60_000 - 1);
    expect(await statusOf(id)).toBe("processing");
    controls().advanceClock(1);
    // advanceClock itself expires it: nobody has to ask first.
    expect(controls().getOrder(id)?.history.at(-1)).toEqual({ status: "overdue", at: created + 15 * 60_000, source: "expiry" });
    const data = (await getOrder(url, id)).json.data;
    expect(data.payment_status).toBe("overdue");
    expect(data.payment_fail_reason).toBe("The payment was not completed in time.");
  });

  it("leaves final orders alone when the clock moves", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    controls().complete(id);
    controls().advanceClock(60 * 60_000);
    expect(await statusOf(id)).toBe("completed");
  });

  it("expires orders in the background too, with nobody asking", async () => {
    const quick = await startSandbox({ orderTtlMs: 30, expirySweepMs: 10 });
    const receiver = await startReceiver();
    try {
      const id = uniqueId();
      await createOrder(quick.url, incomeFields({ merchant_order_id: id, notify_url: receiver.url }));
      // Real time passes here and nothing calls the sandbox: only its timer can notice, and notify.
      await until(() => receiver.received.some((n) => n.body.payment_status === "overdue"));
      expect(receiver.received.map((n) => n.body.merchant_order_id)).toEqual([id]);
      expect(quick.sandbox.controls.getOrder(id)?.history.at(-1)?.source).toBe("expiry");
    } finally {
      await quick.stop();
      await receiver.close();
    }
  });
});

describe("order controls", () => {
  it("complete, then refund; refund only from completed", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    expect(() => controls().refund(id)).toThrow(/Only a completed order can be refunded/);
    const completed = controls().complete(id);
    expect(completed.payment_status).toBe("completed");
    expect(completed.accounting_status).toBe("accounted");
    expect(controls().refund(id).payment_status).toBe("refund");
    expect(await statusOf(id)).toBe("refund");
    expect(() => controls().refund(id)).toThrow(SandboxControlError);
  });

  it("fail, reject and expire end an open order and nothing more", async () => {
    for (const [action, status] of [
      ["fail", "failed"],
      ["reject", "reject"],
      ["expire", "overdue"],
    ] as const) {
      const id = uniqueId();
      await createOrder(url, incomeFields({ merchant_order_id: id }));
      expect(controls()[action](id).payment_status).toBe(status);
      expect(controls().getOrder(id)?.history.at(-1)?.source).toBe("control");
      expect(() => controls().complete(id)).toThrow(/already/);
      expect(await statusOf(id)).toBe(status);
    }
  });

  it("acts on payouts too (they have no payment page)", async () => {
    const id = uniqueId();
    await createOrder(url, payoutFields({ merchant_order_id: id }));
    expect(controls().complete(id).payment_status).toBe("completed");
  });

  it("names unknown and ambiguous orders", async () => {
    expect(() => controls().complete("nope")).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(controls().getOrder("nope")).toBeUndefined();
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    await createOrder(url, incomeFields({ merchant_order_id: id, merchant_uid: OTHER.merchantUid, payment: "maya" }), { key: OTHER.apiKey, secret: OTHER.apiSecret });
    expect(() => controls().getOrder(id)).toThrow(expect.objectContaining({ code: "ambiguous" }));
    expect(controls().complete(id, OTHER.merchantUid).merchant_uid).toBe(OTHER.merchantUid);
    expect(controls().getOrder(id, MERCHANT.merchantUid)?.payment_status).toBe("pending");
  });

  it("lists orders newest first, without signature_key", async () => {
    const first = uniqueId();
    const second = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: first }));
    await createOrder(url, incomeFields({ merchant_order_id: second }));
    const listed = controls().listOrders();
    expect(listed[0]?.merchant_order_id).toBe(second);
    expect(listed[1]?.merchant_order_id).toBe(first);
    expect(listed[0]).not.toHaveProperty("signature_key");
    expect(listed[0]?.payment_url).toMatch(/\/octopus\/pay\//);
    expect(JSON.stringify(listed)).not.toContain(MERCHANT.apiSecret);
  });

  it("reset forgets orders and settings", async () => {
    const sandbox = await startSandbox();
    try {
      await createOrder(sandbox.url, incomeFields());
      sandbox.sandbox.controls.setLatency(5);
      sandbox.sandbox.controls.addFault({ endpoint: "get", mode: "error500" });
      sandbox.sandbox.controls.setRefuseFraming(true);
      sandbox.sandbox.controls.advanceClock(1000);
      sandbox.sandbox.controls.reset();
      const state = sandbox.sandbox.controls.state();
      expect(state).toMatchObject({ latencyMs: 0, refuseFraming: false, faults: [], hangingRequests: 0, pendingNotifications: 0 });
      expect(sandbox.sandbox.controls.listOrders()).toEqual([]);
      expect(Math.abs(state.now - Date.now())).toBeLessThan(500);
    } finally {
      await sandbox.stop();
    }
  });
});
