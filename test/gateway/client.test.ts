/**
 * The gateway client against the real sandbox over HTTP. `fetch` is only ever wrapped to count
 * calls or to delay one on its way, never to fake an answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import {
  OctopusAuthenticationError,
  OctopusDuplicateOrderError,
  OctopusGatewayError,
  OctopusInvalidRequestError,
  OctopusNetworkError,
  OctopusOrderNotFoundError,
  OctopusResponseError,
  OctopusServerError,
  OctopusTimeoutError,
  createOctopusClient,
  signFields,
  type CreateOrderInput,
  type OctopusClientConfig,
} from "../../server/gateway/index.ts";
import { loopbackFetch } from "../support/loopback-fetch.ts";
import { serve, type Served } from "../support/serve.ts";
import { JAVA_SAMPLE } from "../support/java-sample.ts";
import { sleep } from "../support/time.ts";

const JAVA = { apiKey: "API_KEY", apiSecret: "API_SECRET", merchantUid: "Merchant_UID", merchantName: "Java Sample Shop" };
const SANDBOX = { apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", merchantName: "Sandbox Shop" };

let seed = 42;
const random = () => {
  // Deterministic, so a failing run can be replayed.
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const sandbox = createSandboxGateway({ merchants: [SANDBOX, JAVA], random, notifyRetryDelaysMs: [5, 5], fetch: loopbackFetch });
let gateway: Served;
let ids = 0;
const nextId = () => `t${Date.now().toString(36)}${(ids++).toString(36)}`;

beforeAll(async () => {
  gateway = await serve(sandbox.app);
});
afterEach(() => {
  sandbox.controls.clearFaults();
  sandbox.controls.setLatency(0);
});
afterAll(async () => {
  sandbox.close();
  await gateway.close();
});

/** A fetch that counts what it sends, per API path. */
function countingFetch() {
  const calls: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    calls.push(new URL(String(input)).pathname.replace("/octopus/api/", ""));
    return fetch(input, init);
  };
  return { fetch: wrapped, calls, count: (path: string) => calls.filter((c) => c === path).length };
}

function client(overrides: Partial<OctopusClientConfig> = {}, fetchImpl?: typeof fetch) {
  return createOctopusClient(
    { baseUrl: gateway.url, apiKey: SANDBOX.apiKey, apiSecret: SANDBOX.apiSecret, merchantUid: SANDBOX.merchantUid, timeoutMs: 2_000, retryDelayMs: 1, ...overrides },
    fetchImpl ? { fetch: fetchImpl } : {},
  );
}

function order(overrides: Partial<Record<keyof CreateOrderInput, string>> = {}): CreateOrderInput {
  return {
    transaction_type: "income",
    amount: "100.00",
    currency: "php",
    payment: "gcash",
    country: "PH",
    merchant_order_id: nextId(),
    redirect_url: "https://shop.example/return",
    ...overrides,
  } as CreateOrderInput;
}

const ordersAtGateway = (id: string) => sandbox.controls.listOrders().filter((o) => o.merchant_order_id === id).length;

describe("the gateway documents' Java sample, rewritten", () => {
  const data: Record<string, string> = { ...JAVA_SAMPLE };

  async function post(body: Record<string, string>, signature: string, key = "API_KEY") {
    const response = await fetch(`${gateway.url}/octopus/api/order/new`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "OC-Key": key, "OC-Signature": signature },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { result: string; data: any } };
  }

  it("gets a payment_url with the same fields and the same signing", async () => {
    const signature = await signFields("API_SECRET", data);
    expect(signature).toBe("a735124d234be9260c00dfbe8194372f8a7a215dc8d0a5497ac9fff538398bfc");
    const { status, json } = await post(data, signature);
    expect(status).toBe(200);
    expect(json.result).toBe("success");
    expect(json.data.payment.payment_status).toBe("pending");
    expect(json.data.payment_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/octopus\/pay\//);
    const page = await fetch(json.data.payment_url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Java Sample Shop");
    expect(html).toMatch(/100\.00/);
  });

  it("is refused when any one field changes after signing", async () => {
    const signature = await signFields("API_SECRET", { ...data, merchant_order_id: "123qq-tamper" });
    for (const field of Object.keys(data)) {
      const tampered = { ...data, merchant_order_id: "123qq-tamper", [field]: field === "merchant_order_id" ? "123qq-other" : `${data[field]}x` };
      const { status, json } = await post(tampered, signature);
      expect(status, field).toBe(401);
      expect(json).toEqual({ result: "error", data: { error: "Unauthorized", details: "Invalid OC-Signature." } });
    }
    // The untampered body with that signature is fine, so it was the change that was refused.
    expect((await post({ ...data, merchant_order_id: "123qq-tamper" }, signature)).status).toBe(200);
  });

  it("is refused when the signature, the key or the secret is wrong", async () => {
    const body = { ...data, merchant_order_id: "123qq-sig" };
    const signature = await signFields("API_SECRET", body);
    const flipped = (signature[0] === "a" ? "b" : "a") + signature.slice(1);
    expect((await post(body, flipped)).status).toBe(401);
    expect((await post(body, "")).status).toBe(401);
    expect((await post(body, signature, "NOT_A_KEY")).json.data.details).toBe("Unknown OC-Key.");
    expect((await post(body, await signFields("WRONG_SECRET", body))).status).toBe(401);
    expect(ordersAtGateway("123qq-sig")).toBe(0);
  });
});

describe("createOrder and getOrder", () => {
  it("creates an income order and reads it back", async () => {
    const input = order({ notify_url: "https://shop.example/notify", accounting_type: "recharge", from_name: "member-42" });
    const created = await client().createOrder(input);
    expect(created.recovered).toBe(false);
    expect(created.paymentUrl).toMatch(/\/octopus\/pay\//);
    if (!created.recovered) expect(created.payment.payment_status).toBe("pending");
    const read = await client().getOrder(input.merchant_order_id);
    expect(read).toMatchObject({
      merchant_order_id: input.merchant_order_id,
      amount: "100.00",
      currency: "php",
      payment: "gcash",
      payment_status: "pending",
      accounting_type: "recharge",
      merchant_uid: "sandbox-merchant",
      redirect_url: "https://shop.example/return",
      notify_url: "https://shop.example/notify",
    });
    expect(read).not.toHaveProperty("payment_url");
  });

  it("creates a payout with no payment page", async () => {
    const created = await client().createOrder(order({ transaction_type: "expense", accounting_type: "pay", to: "09171234567", to_name: "Jane Doe" }));
    expect(created.recovered).toBe(false);
    expect(created.paymentUrl).toBeUndefined();
  });

  it("creates a Thai order whose floating amount differs from the amount by satang", async () => {
    const input = order({ currency: "thb", payment: "thailand", country: "TH", channel: "promptpay", amount: "500.00", merchant_id: "member-7" });
    const created = await client().createOrder(input);
    expect(created.recovered).toBe(false);
    if (created.recovered) return;
    const floating = created.payment.floating_amount!;
    expect(floating).toMatch(/^500\.\d\d$/);
    expect(floating).not.toBe("500.00");
    expect((await client().getOrder(input.merchant_order_id)).floating_amount).toBe(floating);
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const counted = countingFetch();
    const c = client({}, counted.fetch);
    const cases: [Partial<Record<string, string>>, string][] = [
      [{ amount: "1e3" }, "amount"],
      [{ amount: "-1" }, "amount"],
      [{ amount: "100.001" }, "amount"],
      [{ currency: "eur" }, "currency"],
      [{ merchant_order_id: "a b" }, "merchant_order_id"],
      [{ from_name: "Tom & Jerry" }, "from_name"],
      [{ from_name: "a=b" }, "from_name"],
      [{ redirect_url: "https://shop.example/return?a=1" }, "redirect_url"],
      [{ currency: "thb", payment: "thailand", country: "TH" }, "channel"],
    ];
    for (const [overrides, field] of cases) {
      const error = await c.createOrder(order(overrides)).catch((e: unknown) => e);
      expect(error, JSON.stringify(overrides)).toBeInstanceOf(OctopusInvalidRequestError);
      expect((error as OctopusInvalidRequestError).field).toBe(field);
      expect((error as Error).message).toContain(`"${field}"`);
    }
    expect(counted.calls).toEqual([]);
  });

  it("passes on the gateway's refusal with its message and details, without retrying", async () => {
    const counted = countingFetch();
    const error = await client({}, counted.fetch)
      .createOrder(order({ payment: "no-such-method" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusGatewayError);
    expect((error as OctopusGatewayError).gatewayMessage).toBe("Invalid parameters");
    expect((error as OctopusGatewayError).details).toMatch(/payment/);
    expect(counted.calls).toEqual(["order/new"]);
  });

  it("tells a duplicate merchant_order_id apart, and does not touch the existing order", async () => {
    const input = order();
    await client().createOrder(input);
    const error = await client().createOrder({ ...input, amount: "999.00" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusDuplicateOrderError);
    expect((await client().getOrder(input.merchant_order_id)).amount).toBe("100.00");
  });

  it("tells an unknown order apart", async () => {
    await expect(client().getOrder("never-created")).rejects.toBeInstanceOf(OctopusOrderNotFoundError);
  });

  it("tells bad credentials apart and never retries them", async () => {
    const counted = countingFetch();
    await expect(client({ apiSecret: "wrong" }, counted.fetch).createOrder(order())).rejects.toBeInstanceOf(OctopusAuthenticationError);
    await expect(client({ apiKey: "wrong" }, counted.fetch).getOrder("x1")).rejects.toBeInstanceOf(OctopusAuthenticationError);
    expect(counted.calls).toEqual(["order/new", "order/get"]);
  });

  it("refuses a config without what it needs, naming the setting", () => {
    expect(() => createOctopusClient({ baseUrl: "not a url", apiKey: "k", apiSecret: "s", merchantUid: "m" })).toThrow(/"baseUrl"/);
    expect(() => createOctopusClient({ baseUrl: "https://x.example", apiKey: "", apiSecret: "s", merchantUid: "m" })).toThrow(/"apiKey"/);
  });

  it("verifies notifications signed with its own secret only", async () => {
    const fields = { merchant_order_id: "n1", payment_status: "completed" };
    const signature = await signFields(SANDBOX.apiSecret, fields);
    expect(await client().verifyNotification(fields, { key: SANDBOX.apiKey, signature })).toBe(true);
    expect(await client().verifyNotification({ ...fields, payment_status: "failed" }, { key: SANDBOX.apiKey, signature })).toBe(false);
    expect(await client().verifyNotification(fields, { key: "other", signature })).toBe(false);
    expect(await client().verifyNotification({ ...fields, n: 1 }, { key: SANDBOX.apiKey, signature })).toBe(false);
  });
});

describe("faults: every one ends in the error it should, with no second order", () => {
  it("a 500 before the order is stored: reads back, finds nothing, sends the same order again", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "error500", times: 1 });
    const counted = countingFetch();
    const input = order();
    const created = await client({}, counted.fetch).createOrder(input);
    expect(created.recovered).toBe(false);
    expect(created.paymentUrl).toBeTruthy();
    expect(counted.calls).toEqual(["order/new", "order/get", "order/new"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("a 500 that persists: a server error, known not to have made an order", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "error500" });
    const counted = countingFetch();
    const input = order();
    const error = await client({ createAttempts: 3 }, counted.fetch).createOrder(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusServerError);
    expect((error as OctopusServerError).outcomeUnknown).toBe(false);
    expect(counted.count("order/new")).toBe(3);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(0);
  });

  it("commit-then-fail: the order is found by reading it back, never sent twice", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_fail", times: 1 });
    const counted = countingFetch();
    const input = order();
    const created = await client({}, counted.fetch).createOrder(input);
    expect(created.recovered).toBe(true);
    if (created.recovered) expect(created.order.payment_status).toBe("pending");
    expect(counted.calls).toEqual(["order/new", "order/get"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("malformed JSON after the order was stored: recovered by reading it back", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "malformed", times: 1 });
    const counted = countingFetch();
    const input = order();
    const created = await client({}, counted.fetch).createOrder(input);
    expect(created.recovered).toBe(true);
    expect(counted.calls).toEqual(["order/new", "order/get"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("malformed answers everywhere: a bad-response error whose outcome is unknown", async () => {
    sandbox.controls.addFault({ endpoint: "any", mode: "malformed" });
    const counted = countingFetch();
    const input = order();
    const error = await client({ readBackAttempts: 2 }, counted.fetch).createOrder(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusResponseError);
    expect((error as OctopusResponseError).outcomeUnknown).toBe(true);
    expect((error as OctopusResponseError).merchantOrderId).toBe(input.merchant_order_id);
    expect(counted.calls).toEqual(["order/new", "order/get", "order/get"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("a hang before the order is stored: times out, finds nothing, sends it again", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "hang", times: 1 });
    const counted = countingFetch();
    const input = order();
    const created = await client({ timeoutMs: 300 }, counted.fetch).createOrder(input);
    expect(created.recovered).toBe(false);
    expect(counted.calls).toEqual(["order/new", "order/get", "order/new"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("a hang after the order is stored: times out and recovers it", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "commit_then_hang", times: 1 });
    const counted = countingFetch();
    const input = order();
    const created = await client({ timeoutMs: 300 }, counted.fetch).createOrder(input);
    expect(created.recovered).toBe(true);
    expect(counted.calls).toEqual(["order/new", "order/get"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("creates that keep timing out while order/get says 'not found': still unknown, since the last one may land", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "hang" });
    const counted = countingFetch();
    const input = order();
    const error = await client({ timeoutMs: 100, createAttempts: 2 }, counted.fetch).createOrder(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusTimeoutError);
    expect((error as OctopusTimeoutError).outcomeUnknown).toBe(true);
    expect(counted.calls).toEqual(["order/new", "order/get", "order/new", "order/get"]);
  });

  it("a gateway that hangs on everything: a timeout whose outcome is unknown", async () => {
    sandbox.controls.addFault({ endpoint: "any", mode: "hang" });
    const input = order();
    const error = await client({ timeoutMs: 150, readBackAttempts: 2 }).createOrder(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusTimeoutError);
    expect((error as OctopusTimeoutError).outcomeUnknown).toBe(true);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(0);
  });

  it("a create that lands late, after the read-back said 'not found': the re-send is refused as a duplicate and the order recovered", async () => {
    const counted = countingFetch();
    let delayed = false;
    const lateFetch: typeof fetch = (input, init) => {
      if (!delayed && String(input).endsWith("/order/new")) {
        delayed = true;
        // Reaches the gateway only after the client has given up on it and read back.
        setTimeout(() => void counted.fetch(input, { ...init, signal: null }).catch(() => undefined), 180);
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
      }
      return counted.fetch(input, init);
    };
    const input = order();
    const c = createOctopusClient(
      { baseUrl: gateway.url, apiKey: SANDBOX.apiKey, apiSecret: SANDBOX.apiSecret, merchantUid: SANDBOX.merchantUid, timeoutMs: 100, retryDelayMs: 400 },
      { fetch: lateFetch },
    );
    const created = await c.createOrder(input);
    expect(created.recovered).toBe(true);
    expect(counted.calls).toEqual(["order/get", "order/new", "order/new", "order/get"]);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("a create that lands late while every re-send fails with a 500: outcome unknown, since the unanswered one may still land (late landings seen under load by the reliability suite)", async () => {
    sandbox.controls.addFault({ endpoint: "new", mode: "error500", times: 2 });
    const counted = countingFetch();
    let delayed = false;
    const lateFetch: typeof fetch = (input, init) => {
      if (!delayed && String(input).endsWith("/order/new")) {
        delayed = true;
        // Reaches the gateway only after the client has given up on the whole create.
        setTimeout(() => void counted.fetch(input, { ...init, signal: null }).catch(() => undefined), 400);
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
      }
      return counted.fetch(input, init);
    };
    const input = order();
    const c = createOctopusClient(
      { baseUrl: gateway.url, apiKey: SANDBOX.apiKey, apiSecret: SANDBOX.apiSecret, merchantUid: SANDBOX.merchantUid, timeoutMs: 100, retryDelayMs: 1, createAttempts: 3 },
      { fetch: lateFetch },
    );
    const error = await c.createOrder(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusServerError);
    // Not "the gateway has no such order": the first send was never answered.
    expect((error as OctopusServerError).outcomeUnknown).toBe(true);
    expect(counted.calls).toEqual(["order/get", "order/new", "order/get", "order/new", "order/get"]);
    await sleep(600);
    expect(ordersAtGateway(input.merchant_order_id)).toBe(1);
  });

  it("latency under the timeout is fine; over it is a timeout", async () => {
    sandbox.controls.setLatency(100);
    expect((await client({ timeoutMs: 1_000 }).createOrder(order())).recovered).toBe(false);
    sandbox.controls.setLatency(400);
    await expect(client({ timeoutMs: 150, createAttempts: 1, readBackAttempts: 1 }).getOrder("anything")).rejects.toBeInstanceOf(OctopusTimeoutError);
  });

  it("a gateway nobody answers at: a network error, outcome unknown", async () => {
    const closed = await serve({ fetch: () => new Response("") });
    await closed.close();
    const c = createOctopusClient({ baseUrl: closed.url, apiKey: "k", apiSecret: "s", merchantUid: "m", retryDelayMs: 1, readBackAttempts: 1 });
    const error = await c.createOrder(order()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OctopusNetworkError);
    expect((error as OctopusNetworkError).outcomeUnknown).toBe(true);
  });

  it("a 500 on order/get is a server error; a wrong base URL is a bad response", async () => {
    sandbox.controls.addFault({ endpoint: "get", mode: "error500", times: 1 });
    await expect(client().getOrder("anything")).rejects.toBeInstanceOf(OctopusServerError);
    const wrongPath = createOctopusClient({ baseUrl: `${gateway.url}/nowhere`, apiKey: "k", apiSecret: "s", merchantUid: "m" });
    await expect(wrongPath.getOrder("anything")).rejects.toBeInstanceOf(OctopusResponseError);
  });
});

describe("errors are immutable", () => {
  it("marking an error outcome-unknown makes a new error of the same class with the original as its cause", () => {
    const original = new OctopusTimeoutError("No answer", { merchantOrderId: "m-1", status: undefined, cause: new Error("socket") });
    const marked = original.withOutcomeUnknown();
    expect(marked).not.toBe(original);
    expect(marked).toBeInstanceOf(OctopusTimeoutError);
    expect(marked.kind).toBe("timeout");
    expect(marked.message).toBe("No answer");
    expect(marked.merchantOrderId).toBe("m-1");
    expect(marked.outcomeUnknown).toBe(true);
    expect(marked.cause).toBe(original);
    expect(original.outcomeUnknown).toBe(false);
    expect(marked.withOutcomeUnknown()).toBe(marked);
  });
});
