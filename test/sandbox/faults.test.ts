/** Every API fault mode as raw HTTP, and latency: what a client actually sees on the wire. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, createOrder, getOrder, incomeFields, startSandbox, uniqueId, type Running } from "../support/sandbox.ts";
import { until } from "../support/time.ts";

let running: Running;
let url: string;

beforeAll(async () => {
  running = await startSandbox();
  url = running.url;
});
afterAll(() => running.stop());
afterEach(() => {
  running.sandbox.controls.clearFaults();
  running.sandbox.controls.setLatency(0);
});

const controls = () => running.sandbox.controls;
const stored = (id: string) => controls().listOrders().filter((order) => order.merchant_order_id === id).length;
const SERVER_ERROR = { result: "error", data: "An error occurred processing your request" };

describe("error500", () => {
  it("answers 500 with the gateway document's error body and stores nothing", async () => {
    controls().addFault({ endpoint: "new", mode: "error500" });
    const fields = incomeFields();
    const result = await call(url, "new", fields);
    expect(result.status).toBe(500);
    expect(result.json).toEqual(SERVER_ERROR);
    expect(result.headers.get("content-type")).toMatch(/^application\/json/);
    expect(stored(fields.merchant_order_id ?? "")).toBe(0);
  });

  it("applies `times` calls, then goes away", async () => {
    controls().addFault({ endpoint: "new", mode: "error500", times: 2 });
    expect(controls().listFaults()).toEqual([{ id: expect.any(Number), endpoint: "new", mode: "error500", times: 2, remaining: 2 }]);
    expect((await call(url, "new", incomeFields())).status).toBe(500);
    expect(controls().listFaults()[0]?.remaining).toBe(1);
    expect((await call(url, "new", incomeFields())).status).toBe(500);
    expect(controls().listFaults()).toEqual([]);
    expect((await call(url, "new", incomeFields())).status).toBe(200);
  });

  it("hits only its endpoint; 'any' hits both", async () => {
    controls().addFault({ endpoint: "get", mode: "error500" });
    const id = uniqueId();
    expect((await call(url, "new", incomeFields({ merchant_order_id: id }))).status).toBe(200);
    expect((await getOrder(url, id)).status).toBe(500);
    controls().clearFaults();
    controls().addFault({ endpoint: "any", mode: "error500" });
    expect((await call(url, "new", incomeFields())).status).toBe(500);
    expect((await getOrder(url, id)).status).toBe(500);
  });

  it("with a probability, hits some calls and not others (seeded, so always the same ones)", async () => {
    controls().addFault({ endpoint: "get", mode: "error500", probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await getOrder(url, "nothing")).status);
    expect(statuses).toContain(500);
    expect(statuses).toContain(404);
  });

  it("refuses a fault it cannot apply", () => {
    expect(() => controls().addFault({ endpoint: "new", mode: "explode" as never })).toThrow(/Invalid fault/);
    expect(() => controls().addFault({ endpoint: "new", mode: "hang", probability: 2 })).toThrow(/Invalid fault/);
    expect(() => controls().addFault({ endpoint: "new", mode: "hang", times: 0 })).toThrow(/Invalid fault/);
  });
});

describe("malformed", () => {
  it("on new: 200 with cut-off JSON, and the order IS stored", async () => {
    controls().addFault({ endpoint: "new", mode: "malformed", times: 1 });
    const id = uniqueId();
    const result = await call(url, "new", incomeFields({ merchant_order_id: id }));
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toMatch(/^application\/json/);
    expect(result.json).toBeUndefined();
    expect(result.text.startsWith('{"result":"success"')).toBe(true);
    expect(stored(id)).toBe(1);
    expect((await getOrder(url, id)).json.data.merchant_order_id).toBe(id);
  });

  it("on get: 200 with cut-off JSON", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    controls().addFault({ endpoint: "get", mode: "malformed", times: 1 });
    const result = await getOrder(url, id);
    expect(result.status).toBe(200);
    expect(() => JSON.parse(result.text)).toThrow();
  });
});

describe("commit_then_fail", () => {
  it("stores the order, then answers 500", async () => {
    controls().addFault({ endpoint: "new", mode: "commit_then_fail", times: 1 });
    const id = uniqueId();
    const result = await call(url, "new", incomeFields({ merchant_order_id: id }));
    expect(result.status).toBe(500);
    expect(result.json).toEqual(SERVER_ERROR);
    expect(stored(id)).toBe(1);
    // A second create with the same id is now a duplicate: what a careless client would meet.
    expect((await call(url, "new", incomeFields({ merchant_order_id: id }))).json.data.error).toBe("Duplicate order");
  });
});

describe("hang", () => {
  it("never answers and stores nothing; released when the client gives up", async () => {
    controls().addFault({ endpoint: "new", mode: "hang", times: 1 });
    const id = uniqueId();
    const started = Date.now();
    const outcome = await call(url, "new", incomeFields({ merchant_order_id: id }), { signal: AbortSignal.timeout(150) }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(DOMException);
    expect((outcome as DOMException).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(stored(id)).toBe(0);
    // @hono/node-server aborts the request's signal when the client goes away: nothing stays held.
    await until(() => controls().state().hangingRequests === 0);
  });

  it("commit_then_hang stores the order, then never answers", async () => {
    controls().addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
    const id = uniqueId();
    const outcome = await call(url, "new", incomeFields({ merchant_order_id: id }), { signal: AbortSignal.timeout(150) }).catch((error: unknown) => error);
    expect((outcome as DOMException).name).toBe("TimeoutError");
    expect(stored(id)).toBe(1);
    await until(() => controls().state().hangingRequests === 0);
  });

  it("close() releases hanging requests", async () => {
    const other = await startSandbox();
    other.sandbox.controls.addFault({ endpoint: "any", mode: "hang" });
    const pending = [call(other.url, "new", incomeFields()), getOrder(other.url, "x")];
    await until(() => other.sandbox.controls.state().hangingRequests === 2);
    other.sandbox.close();
    const results = await Promise.all(pending);
    expect(results.map((result) => result.status)).toEqual([500, 500]);
    expect(other.sandbox.controls.state().hangingRequests).toBe(0);
    await other.served.close();
  });
});

describe("latency", () => {
  it("delays every API call by the set time", async () => {
    controls().setLatency(250);
    const started = Date.now();
    expect((await getOrder(url, "nothing")).status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(245);
    controls().setLatency(0);
    const quick = Date.now();
    await getOrder(url, "nothing");
    expect(Date.now() - quick).toBeLessThan(200);
    expect(() => controls().setLatency(-1)).toThrow();
  });

  it("a create whose client gave up during the latency still lands, as it can at a real gateway", async () => {
    controls().setLatency(150);
    const id = uniqueId();
    await call(url, "new", incomeFields({ merchant_order_id: id }), { signal: AbortSignal.timeout(50) }).catch(() => undefined);
    await until(() => stored(id) === 1);
  });
});
