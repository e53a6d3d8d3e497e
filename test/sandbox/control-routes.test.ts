/** The JSON control routes under /sandbox/api/, over HTTP as the demo panel and curl use them. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, createOrder, getOrder, incomeFields, MERCHANT, startReceiver, startSandbox, uniqueId, type Receiver, type Running } from "../support/sandbox.ts";

let running: Running;
let url: string;
let receiver: Receiver;

beforeAll(async () => {
  running = await startSandbox();
  url = running.url;
  receiver = await startReceiver();
});
afterAll(async () => {
  await running.stop();
  await receiver.close();
});
beforeEach(() => running.sandbox.controls.reset());

async function control(method: string, path: string, body?: unknown, contentType: string | null = "application/json") {
  const headers: Record<string, string> = {};
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(`${url}/sandbox/api/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

const invalid = (details: string) => ({ error: "Invalid parameters", details });

describe("state", () => {
  it("shows settings, merchants and methods, but never a secret", async () => {
    const { status, json, headers } = await control("GET", "state");
    expect(status).toBe(200);
    expect(headers.get("cache-control")).toBe("no-store");
    expect(json).toMatchObject({ latencyMs: 0, refuseFraming: false, faults: [], hangingRequests: 0, pendingNotifications: 0 });
    expect(json.merchants).toEqual([{ apiKey: MERCHANT.apiKey, merchantUid: MERCHANT.merchantUid, merchantName: MERCHANT.merchantName }]);
    expect(json.methods.map((method: { payment: string }) => method.payment)).toEqual(["gcash", "maya", "jkopay", "alipay", "card", "thailand", "momo", "paynow", "qris", "bkash"]);
    expect(JSON.stringify(json)).not.toContain(MERCHANT.apiSecret);
  });
});

describe("settings", () => {
  it("advances the clock, expiring orders", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    const before = (await control("GET", "clock")).json.now as number;
    const advanced = await control("POST", "clock/advance", { ms: 15 * 60_000 });
    expect(advanced.status).toBe(200);
    expect(advanced.json.now).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect((await getOrder(url, id)).json.data.payment_status).toBe("overdue");
  });

  it("sets latency, faults, notification faults and framing", async () => {
    expect((await control("POST", "latency", { ms: 25 })).json).toEqual({ latencyMs: 25 });
    const added = await control("POST", "faults", { endpoint: "get", mode: "error500", times: 1 });
    expect(added.status).toBe(201);
    expect(added.json.fault).toMatchObject({ endpoint: "get", mode: "error500", times: 1, remaining: 1 });
    expect((await control("GET", "faults")).json.faults).toHaveLength(1);
    expect((await getOrder(url, "x")).status).toBe(500);
    expect((await control("POST", "faults", { endpoint: "new", mode: "hang" })).status).toBe(201);
    expect((await control("DELETE", "faults")).json).toEqual({ faults: [] });
    expect((await call(url, "new", incomeFields())).status).toBe(200);
    expect((await control("POST", "notify-faults", { drop: 0.5, reorder: true })).json.notifyFaults).toMatchObject({ drop: 0.5, duplicate: 0, reorder: true });
    expect((await control("POST", "framing", { refuse: true })).json).toEqual({ refuseFraming: true });
    const state = (await control("GET", "state")).json;
    expect(state).toMatchObject({ latencyMs: 25, refuseFraming: true, notifyFaults: { drop: 0.5, reorder: true } });
  });

  it("reset puts everything back", async () => {
    await control("POST", "latency", { ms: 10 });
    await createOrder(url, incomeFields());
    const reset = await control("POST", "reset");
    expect(reset.status).toBe(200);
    expect(reset.json.latencyMs).toBe(0);
    expect((await control("GET", "orders")).json.orders).toEqual([]);
  });
});

describe("validation", () => {
  const cases: [string, string, unknown, string][] = [
    ["a missing ms", "clock/advance", {}, "The 'ms' field is required."],
    ["a string ms", "latency", { ms: "100" }, "The 'ms' field must be a number."],
    ["a negative ms", "clock/advance", { ms: -5 }, "The 'ms' field must be from 0 to 31622400000."],
    ["a fractional latency", "latency", { ms: 1.5 }, "The 'ms' field must be a whole number of milliseconds."],
    ["an unknown fault mode", "faults", { endpoint: "new", mode: "explode" }, `The 'mode' field must be "error500", "malformed", "hang", "commit_then_hang" or "commit_then_fail".`],
    ["an unknown endpoint", "faults", { endpoint: "pay", mode: "hang" }, `The 'endpoint' field must be "new", "get" or "any".`],
    ["a probability over 1", "faults", { endpoint: "new", mode: "hang", probability: 1.5 }, "The 'probability' field must be from 0 to 1."],
    ["an unknown field", "notify-faults", { drop: 0.1, loose: true }, "The 'loose' field is not allowed here."],
    ["a drop over 1", "notify-faults", { drop: 3 }, "The 'drop' field must be a probability from 0 to 1."],
    ["a non-boolean refuse", "framing", { refuse: "yes" }, "The 'refuse' field must be a boolean."],
    ["a body that is not an object", "latency", "[1]", "The body must be a JSON object."],
    ["a body that is not JSON", "latency", "{ms:", "The body must be a JSON object."],
  ];
  for (const [name, path, body, details] of cases) {
    it(`refuses ${name}, naming the field`, async () => {
      const result = await control("POST", path, body);
      expect(result.status).toBe(400);
      expect(result.json).toEqual(invalid(details));
    });
  }

  it("wants JSON, so a cross-site form cannot drive it", async () => {
    const result = await control("POST", "framing", "refuse=true", "application/x-www-form-urlencoded");
    expect(result.status).toBe(415);
    expect((await control("POST", "reset", undefined, null)).status).toBe(415);
  });
});

describe("orders", () => {
  it("lists orders newest first and shows one with its history and notification log", async () => {
    const first = uniqueId();
    const second = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: first }));
    await createOrder(url, incomeFields({ merchant_order_id: second, notify_url: receiver.url }));
    const listed = (await control("GET", "orders")).json.orders;
    expect(listed.map((order: { merchant_order_id: string }) => order.merchant_order_id)).toEqual([second, first]);

    const completed = await control("POST", `orders/${second}/complete`);
    expect(completed.status).toBe(200);
    expect(completed.json.order.payment_status).toBe("completed");
    await control("GET", "idle");
    const shown = (await control("GET", `orders/${second}`)).json.order;
    expect(shown.history.map((change: { status: string; source: string }) => `${change.status}/${change.source}`)).toEqual(["pending/api", "completed/control"]);
    expect(shown.notifications).toEqual([{ at: expect.any(Number), status: "completed", attempt: 1, outcome: "acknowledged", httpStatus: 200 }]);
    expect(shown.notify_status).toBe("completed");
    expect(shown).not.toHaveProperty("signature_key");
    expect(JSON.stringify(shown)).not.toContain(MERCHANT.apiSecret);
  });

  it("runs every action, and answers 404 / 409 / unknown action clearly", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    expect((await control("POST", `orders/${id}/refund`)).status).toBe(409);
    expect((await control("POST", `orders/${id}/complete`)).json.order.payment_status).toBe("completed");
    const again = await control("POST", `orders/${id}/fail`);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: "Invalid transition", details: `The order '${id}' is already completed.` });
    expect((await control("POST", `orders/${id}/refund`)).json.order.payment_status).toBe("refund");
    for (const action of ["fail", "reject", "expire"]) {
      const other = uniqueId();
      await createOrder(url, incomeFields({ merchant_order_id: other }));
      expect((await control("POST", `orders/${other}/${action}`)).status).toBe(200);
    }
    expect(await control("POST", "orders/missing/complete")).toEqual({
      status: 404,
      headers: expect.anything(),
      json: { error: "Order not found", details: "No order with merchant_order_id 'missing'." },
    });
    expect((await control("GET", "orders/missing")).status).toBe(404);
    expect((await control("POST", `orders/${id}/teleport`)).status).toBe(404);
  });
});
