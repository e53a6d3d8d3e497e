/**
 * Expense orders (payouts) over HTTP: the payee rules per country, the answer without payment_url,
 * settling by themselves after a delay or by hand, notifications, faults and duplicates.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OrderDetails } from "../../server/gateway/schemas.ts";
import { call, createOrder, getOrder, incomeFields, payoutFields, startReceiver, startSandbox, thaiFields, uniqueId, type Receiver, type Running } from "../support/sandbox.ts";
import { until } from "../support/time.ts";

const BASE = Date.UTC(2030, 0, 1, 12, 0, 0);
const invalid = (details: string) => ({ result: "error", data: { error: "Invalid parameters", details } });

const bangladesh = (overrides: Record<string, string | undefined> = {}) =>
  payoutFields({ currency: "bdt", payment: "bkash", country: "BD", amount: "500.00", to: "01712345678", to_bank_name: "bkash", ...overrides });
const thaiPayout = (overrides: Record<string, string | undefined> = {}) =>
  thaiFields({ transaction_type: "expense", accounting_type: "pay", to: "1234567890", to_name: "Somchai Jaidee", to_bank_name: "KBANK", ...overrides });

let running: Running;
let url: string;
let receiver: Receiver;

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/sandbox/api/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as any };
}

const controls = () => running.sandbox.controls;
/**
 * The statuses notified about one order, sorted: two steps taken back to back are two deliveries in
 * flight at once, which may arrive either way round (docs/gateway.md). The order is in the history.
 */
const notified = (id: string) =>
  receiver.received
    .filter((n) => n.body.merchant_order_id === id)
    .map((n) => n.body.payment_status)
    .sort();
const steps = (id: string) => controls().getOrder(id)?.history.map((change) => change.status);

beforeAll(async () => {
  // A fixed base clock: payouts move only when the test moves the sandbox clock (or settles them by hand).
  running = await startSandbox({ now: () => BASE, expirySweepMs: 10 });
  url = running.url;
  receiver = await startReceiver();
});
afterAll(async () => {
  await running.stop();
  await receiver.close();
});
beforeEach(() => controls().reset());

describe("order/new for a payout", () => {
  it("answers with the payment object and no payment_url, and order/get shows the payee", async () => {
    const id = uniqueId("po");
    const result = await call(url, "new", payoutFields({ merchant_order_id: id, to_bank_name: "gcash", amount: "250.00" }));
    expect(result.status).toBe(200);
    expect(result.json.result).toBe("success");
    expect(Object.keys(result.json.data)).toEqual(["payment"]);
    expect(result.json.data.payment).toMatchObject({
      transaction_type: "expense",
      to: "09171234567",
      to_name: "Jane Doe",
      to_bank_name: "gcash",
      payment_status: "pending",
      final_amount: "250.00",
      currency: "php",
    });

    const got = await getOrder(url, id);
    expect(got.status).toBe(200);
    const details = OrderDetails.parse(got.json.data);
    expect(details).toMatchObject({
      transaction_type: "expense",
      accounting_type: "pay",
      to: "09171234567",
      to_name: "Jane Doe",
      to_bank_name: "gcash",
      amount: "250.00",
      payment_status: "pending",
    });
    expect(got.json.data).not.toHaveProperty("payment_url");
    const view = controls().getOrder(id);
    expect(view?.expires_at).toBeNull();
    expect(view).not.toHaveProperty("payment_url");
  });

  it("takes settle as well as pay, and refuses income's accounting types on a payout, in the gateway's envelope", async () => {
    expect((await call(url, "new", payoutFields({ accounting_type: "settle" }))).status).toBe(200);
    for (const accounting_type of ["recharge", "receive"]) {
      const refused = await call(url, "new", payoutFields({ accounting_type }));
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual(invalid(`The 'accounting_type' field must be "pay" or "settle" for expense orders.`));
    }
    const income = await call(url, "new", incomeFields({ accounting_type: "settle" }));
    expect(income.json).toEqual(invalid(`The 'accounting_type' field must be "recharge" or "receive" for income orders.`));
  });

  const refusals: [string, Record<string, string>, string][] = [
    ["a payout without a payee account", payoutFields({ to: undefined }), "The 'to' field is required for payouts (the payee's account)."],
    ["a Bangladesh payout without to_bank_name", bangladesh({ to_bank_name: undefined }), `The 'to_bank_name' field is required for Bangladesh payouts: send "bkash".`],
    ["a Bangladesh payout to another wallet", bangladesh({ to_bank_name: "nagad" }), `The 'to_bank_name' field must be "bkash" for Bangladesh payouts.`],
    ["a Thailand payout without to_bank_name", thaiPayout({ to_bank_name: undefined }), "The 'to_bank_name' field is required for Thailand payouts (the payee's bank code)."],
    ["a Thailand payout without to_name", thaiPayout({ to_name: undefined }), "The 'to_name' field is required for Thailand payouts (the payee's account name)."],
    ["a Thailand payout with from_bank_name", thaiPayout({ from_bank_name: "SCB" }), "The 'from_bank_name' field is for collections only in Thailand."],
    ["a Thailand collection with to_name", thaiFields({ to_name: "Somchai Jaidee" }), "The 'to_name' field is for payouts only in Thailand."],
    ["a Thailand payout without channel", thaiPayout({ channel: undefined }), "The 'channel' field is required for thb (Thailand) orders."],
    ["a bank code with spaces", payoutFields({ to_bank_name: "Bank of Example" }), "The 'to_bank_name' field must be a bank code from the gateway's list: 2 to 32 letters, digits, '_' or '-'."],
  ];
  for (const [name, fields, details] of refusals) {
    it(`refuses ${name}`, async () => {
      const result = await call(url, "new", fields);
      expect(result.status).toBe(400);
      expect(result.json).toEqual(invalid(details));
      expect(controls().listOrders()).toHaveLength(0);
    });
  }

  it("accepts a Bangladesh payout to bkash and a Thailand payout to a bank code", async () => {
    const bd = await createOrder(url, bangladesh());
    expect(bd.payment).toMatchObject({ to_bank_name: "bkash", payment_status: "pending" });
    const th = await createOrder(url, thaiPayout({ amount: "1500.00" }));
    expect(Object.keys(th)).toEqual(["payment"]);
    // A payout is not matched by amount: the payee gets exactly what was asked.
    expect(th.payment).toMatchObject({ to_bank_name: "KBANK", to_name: "Somchai Jaidee", payment_status: "preparing", floating_amount: "1500.00", channel: "promptpay" });
  });

  it("keeps the method's limits", async () => {
    const result = await call(url, "new", bangladesh({ amount: "30000.00" }));
    expect(result.json).toEqual(invalid("The 'amount' field must be between 50.00 and 25000.00 bdt for payment 'bkash'."));
  });

  it("refuses a merchant_order_id already used, by a payout or by a checkout", async () => {
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id }));
    const again = await call(url, "new", payoutFields({ merchant_order_id: id, amount: "5.00" }));
    expect(again.json).toEqual({ result: "error", data: { error: "Duplicate order", details: `The merchant_order_id '${id}' already exists.` } });
    const income = uniqueId("o");
    await createOrder(url, incomeFields({ merchant_order_id: income }));
    expect((await call(url, "new", payoutFields({ merchant_order_id: income }))).json.data.error).toBe("Duplicate order");
    expect(controls().getOrder(id)?.amount).toBe("100.00");
  });
});

describe("settling", () => {
  it("goes to processing, then completed, by itself after its delays, notifying each step", async () => {
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id, notify_url: receiver.url }));
    expect(controls().getOrder(id)?.payout_schedule).toEqual({ processing_at: BASE + 1000, settle_at: BASE + 3000 });
    controls().advanceClock(999);
    expect((await getOrder(url, id)).json.data.payment_status).toBe("pending");
    controls().advanceClock(1);
    expect((await getOrder(url, id)).json.data.payment_status).toBe("processing");
    controls().advanceClock(2000);
    await controls().idle();
    const done = (await getOrder(url, id)).json.data;
    expect(done).toMatchObject({ payment_status: "completed", accounting_status: "accounted", notify_status: "completed" });
    expect(notified(id)).toEqual(["completed", "processing"]);
    expect(controls().getOrder(id)?.history.map((change) => `${change.status}/${change.source}`)).toEqual(["pending/api", "processing/gateway", "completed/gateway"]);
  });

  it("does both steps in order when the clock jumps past them, and never goes overdue", async () => {
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id, notify_url: receiver.url }));
    controls().advanceClock(24 * 3600_000);
    await controls().idle();
    expect(notified(id)).toEqual(["completed", "processing"]);
    expect(steps(id)).toEqual(["pending", "processing", "completed"]);
  });

  it("settles on real time too, without the clock being moved", async () => {
    const live = await startSandbox({ payouts: { processingMs: 30, settleMs: 30 }, expirySweepMs: 10 });
    try {
      const id = uniqueId("po");
      await createOrder(live.url, payoutFields({ merchant_order_id: id }));
      await until(() => live.sandbox.controls.getOrder(id)?.payment_status === "completed");
    } finally {
      await live.stop();
    }
  });

  it("fails at the rate the control route sets, with a reason", async () => {
    const set = await control("POST", "payouts/settings", { failRate: 1, processingMs: 10, settleMs: 20 });
    expect(set).toEqual({ status: 200, json: { payouts: { auto: true, processingMs: 10, settleMs: 20, failRate: 1 } } });
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id, notify_url: receiver.url }));
    controls().advanceClock(30);
    await controls().idle();
    const failed = (await getOrder(url, id)).json.data;
    expect(failed).toMatchObject({ payment_status: "failed", payment_fail_reason: "The transfer to the payee failed.", accounting_status: "none" });
    expect(notified(id)).toEqual(["failed", "processing"]);
    expect(steps(id)).toEqual(["pending", "processing", "failed"]);
    expect((await control("POST", "payouts/settings", { failRate: 2 })).json).toEqual({ error: "Invalid parameters", details: "The 'failRate' field must be a probability from 0 to 1." });
    // reset() goes back to the settings the sandbox was created with.
    controls().reset();
    expect((await control("GET", "payouts/settings")).json.payouts).toEqual({ auto: true, processingMs: 1000, settleMs: 2000, failRate: 0 });
  });

  it("waits for a hand when auto is off; completing or failing by hand goes through processing", async () => {
    await control("POST", "payouts/settings", { auto: false });
    const paid = uniqueId("po");
    const refused = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: paid, notify_url: receiver.url }));
    await createOrder(url, payoutFields({ merchant_order_id: refused, notify_url: receiver.url }));
    controls().advanceClock(24 * 3600_000);
    expect(controls().getOrder(paid)?.payment_status).toBe("pending");

    const completed = await control("POST", `orders/${paid}/complete`, {});
    expect(completed.json.order.payment_status).toBe("completed");
    const failed = await control("POST", `orders/${refused}/fail`, {});
    expect(failed.json.order).toMatchObject({ payment_status: "failed", payment_fail_reason: "The transfer to the payee failed." });
    await controls().idle();
    expect(notified(paid)).toEqual(["completed", "processing"]);
    expect(notified(refused)).toEqual(["failed", "processing"]);
    expect(steps(paid)).toEqual(["pending", "processing", "completed"]);
    expect(steps(refused)).toEqual(["pending", "processing", "failed"]);

    const again = await control("POST", `orders/${paid}/fail`, {});
    expect(again.status).toBe(409);
    const other = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: other }));
    const expire = await control("POST", `orders/${other}/expire`, {});
    expect(expire).toEqual({ status: 409, json: { error: "Invalid transition", details: `'${other}' is a payout: payouts do not expire; complete, fail or reject it.` } });
  });

  it("a payout settled by hand before its time is left alone when the time comes", async () => {
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id, notify_url: receiver.url }));
    controls().fail(id);
    controls().advanceClock(10_000);
    await controls().idle();
    expect(steps(id)).toEqual(["pending", "processing", "failed"]);
    expect(notified(id)).toEqual(["failed", "processing"]);
  });

  it("lists payouts apart from checkouts", async () => {
    const payout = uniqueId("po");
    const checkout = uniqueId("o");
    await createOrder(url, payoutFields({ merchant_order_id: payout }));
    await createOrder(url, incomeFields({ merchant_order_id: checkout }));
    const payouts = await control("GET", "orders?transaction_type=expense");
    expect(payouts.json.orders.map((order: { merchant_order_id: string }) => order.merchant_order_id)).toEqual([payout]);
    const checkouts = await control("GET", "orders?transaction_type=income");
    expect(checkouts.json.orders.map((order: { merchant_order_id: string }) => order.merchant_order_id)).toEqual([checkout]);
    expect((await control("GET", "orders?transaction_type=refund")).status).toBe(400);
  });
});

describe("faults apply to payouts", () => {
  it("commit_then_fail stores the payout and answers 500: a read-back finds it, a resend is a duplicate", async () => {
    controls().addFault({ endpoint: "new", mode: "commit_then_fail", times: 1 });
    const id = uniqueId("po");
    const fields = payoutFields({ merchant_order_id: id });
    const first = await call(url, "new", fields);
    expect(first.status).toBe(500);
    expect(first.json).toEqual({ result: "error", data: "An error occurred processing your request" });
    expect((await getOrder(url, id)).json.data).toMatchObject({ transaction_type: "expense", payment_status: "pending" });
    expect((await call(url, "new", fields)).json.data.error).toBe("Duplicate order");
  });

  it("error500 stores nothing; a lost answer (hang) still stores it", async () => {
    controls().addFault({ endpoint: "new", mode: "error500", times: 1 });
    const lost = uniqueId("po");
    expect((await call(url, "new", payoutFields({ merchant_order_id: lost }))).status).toBe(500);
    expect((await getOrder(url, lost)).status).toBe(404);

    controls().addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
    const hung = uniqueId("po");
    const aborted = await call(url, "new", payoutFields({ merchant_order_id: hung }), { signal: AbortSignal.timeout(200) }).catch((error: unknown) => error);
    expect(aborted).toBeInstanceOf(Error);
    expect((await getOrder(url, hung)).json.data.payment_status).toBe("pending");
  });

  it("duplicated notifications reach the merchant twice", async () => {
    controls().setNotifyFaults({ duplicate: 1 });
    const id = uniqueId("po");
    await createOrder(url, payoutFields({ merchant_order_id: id, notify_url: receiver.url }));
    controls().advanceClock(3000);
    await controls().idle();
    expect(notified(id)).toEqual(["completed", "completed", "processing", "processing"]);
  });
});
