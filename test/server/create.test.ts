import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: { rateLimit: { windowMs: 60_000, max: 10_000 } } });
});
afterAll(async () => {
  await stack.close();
});

const vnd = { currency: "vnd", country: "VN", payment: "momo" };
const thai = { amount: "500.00", currency: "thb", country: "TH", payment: "thailand" };

/** POST /api/checkout through app.request, as the merchant page at SHOP. */
function post(body: unknown, headers: Record<string, string> = {}) {
  return stack.app.request("/api/checkout", {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: SHOP, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Runs `act` and asserts it reached neither the gateway nor the store. */
async function withoutOrders<T>(act: () => Promise<T>): Promise<T> {
  const calls = stack.gatewayCalls.length;
  const atGateway = stack.sandbox.controls.listOrders().length;
  const stored = (await stack.store.recent(1000)).length;
  const result = await act();
  expect(stack.gatewayCalls.length).toBe(calls);
  expect(stack.sandbox.controls.listOrders().length).toBe(atGateway);
  expect((await stack.store.recent(1000)).length).toBe(stored);
  return result;
}

async function refused(response: Response, field: string | undefined, status = 400, code = "invalid_request"): Promise<ErrorBody["error"]> {
  expect(response.status).toBe(status);
  const body = await readJson<ErrorBody>(response);
  expect(body.error.code).toBe(code);
  if (field !== undefined) expect(body.error.field).toBe(field);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error;
}

function gatewayOrder(merchantOrderId: string) {
  const order = stack.sandbox.controls.getOrder(merchantOrderId);
  if (!order) throw new Error(`the sandbox has no order ${merchantOrderId}`);
  return order;
}

async function merchantOrderIdOf(id: string): Promise<string> {
  return (await stack.store.get(id))!.merchantOrderId;
}

describe("POST /api/checkout: the amount", () => {
  it.each([["1e3"], ["-1"], ["100.001"], ["100.00 "], [" 100"], ["01"], [100], [""], ["100."], [".5"], ["1,000.00"], ["0x10"], [null], [["100.00"]]])(
    "refuses %j for php as 400 invalid_request naming amount",
    async (amount) => {
      const error = await withoutOrders(async () => refused(await post({ ...gcash, amount }), "amount"));
      expect(error.message).toMatch(/amount/);
    },
  );

  it("tells a page that sent the amount as a JSON number to send a string", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, amount: 100.5 }), "amount"));
    expect(error.message).toBe('"amount" must be a decimal string such as "100.00", not a number');
  });

  it.each([["50000.5"], ["50000.00"], ["50000.0"], ["5e4"]])("refuses %j for vnd, a currency without decimals", async (amount) => {
    const error = await withoutOrders(async () => refused(await post({ ...vnd, amount }), "amount"));
    expect(error.message).toMatch(/whole number/);
  });

  it("takes amounts in the currency's own precision and sends the canonical form", async () => {
    const tenth = await post({ ...gcash, amount: "100.5" });
    expect(tenth.status).toBe(201);
    expect((await readJson(tenth)).amount).toBe("100.50");
    const whole = await post({ ...vnd, amount: "50000" });
    expect(whole.status).toBe(201);
    const created = await readJson(whole);
    expect(created.amount).toBe("50000");
    expect(gatewayOrder(await merchantOrderIdOf(String(created.id))).amount).toBe("50000");
  });

  it("refuses an amount below the method's minimum or above its maximum, naming the range", async () => {
    for (const amount of ["19.99", "50000.01", "0.00", "0"]) {
      const error = await withoutOrders(async () => refused(await post({ ...gcash, amount }), "amount"));
      expect(error.message).toContain("20.00 PHP");
      expect(error.message).toContain("50000.00 PHP");
    }
    const vndError = await refused(await post({ ...vnd, amount: "9999" }), "amount");
    expect(vndError.message).toContain("10000 VND");
    expect(vndError.message).toContain("50000000 VND");
  });

  it("takes the limits themselves", async () => {
    expect((await post({ ...gcash, amount: "20.00" })).status).toBe(201);
    expect((await post({ ...gcash, amount: "50000.00" })).status).toBe(201);
  });

  it("requires an amount when no product is given", async () => {
    const { amount: _amount, ...withoutAmount } = gcash;
    await withoutOrders(async () => refused(await post(withoutAmount), "amount"));
  });
});

describe("POST /api/checkout: country, currency and method", () => {
  it("refuses a country the shop does not sell in, listing the ones it does", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, country: "SG" }), "country"));
    expect(error.message).toContain("PH, TH, VN");
  });

  it("refuses a currency not offered in the country, listing the ones that are", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, currency: "thb" }), "currency"));
    expect(error.message).toMatch(/allowed: php$/);
  });

  it("refuses a method not offered for the country and currency, listing the ones that are", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, payment: "momo" }), "payment"));
    expect(error.message).toContain("gcash, maya");
  });

  it("refuses a currency nobody takes, listing only the currencies this shop takes", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, currency: "eur" }), "currency"));
    expect(error.message).toMatch(/allowed: php, thb, vnd$/);
    // usd is a currency the gateway knows, but this shop does not take it.
    expect(error.message).not.toContain("usd");
  });

  it("refuses a currency the gateway knows but the shop does not take in that country", async () => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, currency: "usd" }), "currency"));
    expect(error.message).toMatch(/allowed: php$/);
  });

  it.each([["country", "PHL"], ["country", 1], ["currency", 5], ["payment", ""], ["customer", "Jane Doe <jane@example.com>"], ["description", "a\nb"], ["locale", "en_US!"]])(
    "refuses a malformed %s (%j)",
    async (field, value) => {
      await withoutOrders(async () => refused(await post({ ...gcash, [field]: value }), field));
    },
  );

  it("accepts country and currency in either case", async () => {
    const response = await post({ ...gcash, country: "ph", currency: "PHP" });
    expect(response.status).toBe(201);
    expect(await readJson(response)).toMatchObject({ country: "PH", currency: "php" });
  });
});

describe("POST /api/checkout: products", () => {
  it("charges the server's price and ignores any amount sent", async () => {
    const response = await post({ product: "starter-pack", amount: "1.00", currency: "php", country: "PH", payment: "gcash" });
    expect(response.status).toBe(201);
    const created = await readJson(response);
    expect(created.amount).toBe("199.00");
    const merchantOrderId = await merchantOrderIdOf(String(created.id));
    expect(gatewayOrder(merchantOrderId).amount).toBe("199.00");
    const sent = stack.gatewayRequests.find((request) => request.path === "order/new" && request.body.merchant_order_id === merchantOrderId);
    expect(sent?.body.amount).toBe("199.00");
  });

  it("refuses an unknown product", async () => {
    const error = await withoutOrders(async () => refused(await post({ product: "gold-pack", currency: "php", country: "PH", payment: "gcash" }), "product"));
    expect(error.message).toContain("gold-pack");
  });

  it("refuses a product in another currency than its own", async () => {
    const error = await withoutOrders(async () => refused(await post({ product: "starter-pack", currency: "thb", country: "TH", payment: "thailand" }), "currency"));
    expect(error.message).toContain("php");
  });
});

describe("POST /api/checkout: what the client may not decide", () => {
  it.each([
    ["redirect_url", "https://evil.test/return"],
    ["notify_url", "https://evil.test/notify"],
    ["merchant_order_id", "mine-1"],
    ["merchant_uid", "sandbox-merchant"],
    ["channel", "bank_transfer"],
    ["final_amount", "1.00"],
    ["status", "completed"],
    ["foo", "bar"],
    ["__proto__", { amount: "1.00" }],
    ["constructor", "x"],
  ])("refuses %s, naming it", async (field, value) => {
    const error = await withoutOrders(async () => refused(await post({ ...gcash, [field]: value }), field));
    expect(error.message).toContain(field);
  });

  it.each([["https://evil.test/back"], ["https://shop.example.evil.test/back"], ["http://shop.example/back"], ["javascript:alert(1)"], ["/relative/back"], ["//evil.test/x"], ["not a url"]])(
    "refuses return_url %s, off the allowed origins",
    async (returnUrl) => {
      await withoutOrders(async () => refused(await post({ ...gcash, return_url: returnUrl }), "return_url"));
    },
  );

  it("accepts a return_url on an allowed origin", async () => {
    const response = await post({ ...gcash, return_url: `${SHOP}/thanks?order=7` });
    expect(response.status).toBe(201);
    expect((await stack.store.get(String((await readJson(response)).id)))?.returnUrl).toBe(`${SHOP}/thanks?order=7`);
  });

  it("sets redirect_url and notify_url to this server whatever the request's host says", async () => {
    const response = await stack.app.request("http://evil.test/api/checkout", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: SHOP, "X-Forwarded-Host": "evil.test", "X-Forwarded-Proto": "https" },
      body: JSON.stringify({ ...gcash, return_url: `${SHOP}/back` }),
    });
    expect(response.status).toBe(201);
    const { id } = await readJson<{ id: string }>(response);
    const order = gatewayOrder(await merchantOrderIdOf(id));
    expect(order.redirect_url).toBe(`${stack.url}/checkout/return/${id}`);
    expect(order.notify_url).toBe(`${stack.url}/octopus/notify`);
  });
});

describe("POST /api/checkout: who may ask", () => {
  it("refuses a page whose origin is not allowed with 403 and makes no order", async () => {
    for (const origin of ["https://evil.test", "https://shop.example.evil.test", "http://shop.example", "null"]) {
      await withoutOrders(async () => {
        const response = await createCheckout(stack, gcash, { Origin: origin });
        await refused(response, undefined, 403, "origin_not_allowed");
      });
    }
  });

  it("makes no order at all for a disallowed origin, even on a fresh server", async () => {
    const fresh = await startStack();
    try {
      const response = await createCheckout(fresh, gcash, { Origin: "https://evil.test" });
      expect(response.status).toBe(403);
      expect(await fresh.store.recent(10)).toEqual([]);
      expect(fresh.sandbox.controls.listOrders()).toEqual([]);
      expect(fresh.gatewayCalls).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe("POST /api/checkout: the body", () => {
  it.each([["text/plain"], ["application/x-www-form-urlencoded"], ["multipart/form-data; boundary=x"], [""]])("refuses Content-Type %j", async (type) => {
    await withoutOrders(async () => {
      const response = await stack.app.request("/api/checkout", { method: "POST", headers: { Origin: SHOP, ...(type ? { "Content-Type": type } : {}) }, body: JSON.stringify(gcash) });
      await refused(response, "Content-Type");
    });
  });

  it("accepts application/json with a charset", async () => {
    const response = await stack.app.request("/api/checkout", { method: "POST", headers: { Origin: SHOP, "Content-Type": "application/json; charset=utf-8" }, body: JSON.stringify(gcash) });
    expect(response.status).toBe(201);
  });

  it.each([['{"amount": "100.00",'], ["{'amount': 1}"], [""], ["undefined"]])("answers invalid JSON %j with invalid_json", async (text) => {
    await withoutOrders(async () => refused(await post(text), undefined, 400, "invalid_json"));
  });

  it.each([["[]"], ["null"], ['"100.00"'], ["42"]])("refuses a JSON body that is not an object (%s)", async (text) => {
    await withoutOrders(async () => refused(await post(text), "body"));
  });

  it("refuses a body over 16 KiB with 413, whether its length is announced or streamed", async () => {
    const big = JSON.stringify({ ...gcash, description: "x".repeat(17 * 1024) });
    await withoutOrders(async () => {
      // fetch announces Content-Length.
      const announced = await createCheckout(stack, { ...gcash, description: "x".repeat(17 * 1024) });
      await refused(announced, undefined, 413, "payload_too_large");
      // A stream goes out chunked, with no length to check up front.
      const streamed = await fetch(`${stack.url}/api/checkout`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: SHOP },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(big));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      await refused(streamed, undefined, 413, "payload_too_large");
      await refused(await post(big), undefined, 413, "payload_too_large");
    });
  });

  it("takes a body just under the limit through to the checks", async () => {
    // A description over 140 characters is refused by the rules, not by the size limit.
    const response = await post({ ...gcash, description: "x".repeat(15 * 1024) });
    await refused(response, "description");
  });
});

describe("POST /api/checkout: what goes to the gateway and what comes back", () => {
  it("answers 201 with the public fields of the order", async () => {
    const response = await createCheckout(stack, { ...gcash, customer: "member-42", description: "Top-up", locale: "en" });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    const created = await readJson<Record<string, string>>(response);
    expect(Object.keys(created).sort()).toEqual(["amount", "country", "currency", "expires_at", "final_amount", "id", "payment", "payment_url", "status"]);
    expect(created).toMatchObject({ status: "pending", amount: "100.00", currency: "php", country: "PH", payment: "gcash" });
    expect(created.id).toMatch(/^ck_[A-Za-z0-9_-]{22}$/);
    expect(new Date(created.expires_at!).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const order = gatewayOrder(await merchantOrderIdOf(created.id!));
    expect(created.payment_url).toBe(order.payment_url);
  });

  it("sends the customer to the gateway as from_name (not merchant_id outside Thailand)", async () => {
    const response = await createCheckout(stack, { ...gcash, customer: "member-42" });
    const { id } = await readJson<{ id: string }>(response);
    const merchantOrderId = await merchantOrderIdOf(id);
    expect(gatewayOrder(merchantOrderId).from_name).toBe("member-42");
    const sent = stack.gatewayRequests.find((request) => request.path === "order/new" && request.body.merchant_order_id === merchantOrderId)!;
    expect(sent.body.from_name).toBe("member-42");
    expect(sent.body).not.toHaveProperty("merchant_id");
    expect(sent.body).toMatchObject({ transaction_type: "income", amount: "100.00", currency: "php", payment: "gcash", country: "PH" });
  });

  it("sends a Thai order with its channel, the customer as from_name and merchant_id, and answers its floating_amount", async () => {
    const response = await createCheckout(stack, { ...thai, customer: "member-77" });
    expect(response.status).toBe(201);
    const created = await readJson<Record<string, string>>(response);
    expect(Object.keys(created).sort()).toEqual(["amount", "country", "currency", "expires_at", "final_amount", "floating_amount", "id", "payment", "payment_url", "status"]);
    expect(created).toMatchObject({ status: "preparing", amount: "500.00", currency: "thb", country: "TH", payment: "thailand" });
    const satang = Math.round(Number(created.floating_amount) * 100) - 50_000;
    expect(satang).toBeGreaterThanOrEqual(1);
    expect(satang).toBeLessThanOrEqual(99);
    const merchantOrderId = await merchantOrderIdOf(created.id!);
    const order = gatewayOrder(merchantOrderId);
    expect(order.floating_amount).toBe(created.floating_amount);
    expect(order.from_name).toBe("member-77");
    const sent = stack.gatewayRequests.find((request) => request.path === "order/new" && request.body.merchant_order_id === merchantOrderId)!;
    expect(sent.body).toMatchObject({ channel: "promptpay", from_name: "member-77", merchant_id: "member-77" });
  });

  it("leaves the customer out when none is given", async () => {
    const { id } = await readJson<{ id: string }>(await createCheckout(stack, gcash));
    const merchantOrderId = await merchantOrderIdOf(id);
    const sent = stack.gatewayRequests.find((request) => request.path === "order/new" && request.body.merchant_order_id === merchantOrderId)!;
    expect(sent.body).not.toHaveProperty("from_name");
    expect(sent.body.merchant_order_id).toMatch(/^test-/);
  });

  it("records the page's origin with the order", async () => {
    const { id } = await readJson<{ id: string }>(await createCheckout(stack, gcash));
    expect((await stack.store.get(id))?.origin).toBe(SHOP);
  });
});

describe("POST /api/checkout: what the shop's config adds", () => {
  it("sends the config's accountingType, and refuses a product priced outside its method's limits", async () => {
    const shop = await startStack({
      config: {
        accountingType: "recharge",
        products: [
          { id: "starter-pack", name: "Starter pack", price: "199.00", currency: "php" },
          { id: "whale-pack", name: "Whale pack", price: "60000.00", currency: "php" },
        ],
      },
    });
    try {
      const response = await createCheckout(shop, { product: "starter-pack", currency: "php", country: "PH", payment: "gcash" });
      expect(response.status).toBe(201);
      expect(shop.gatewayRequests.find((request) => request.path === "order/new")?.body.accounting_type).toBe("recharge");

      const tooDear = await createCheckout(shop, { product: "whale-pack", currency: "php", country: "PH", payment: "gcash" });
      expect(tooDear.status).toBe(400);
      const error = (await readJson<ErrorBody>(tooDear)).error;
      expect(error).toMatchObject({ code: "invalid_request", field: "product" });
      expect(error.message).toContain("50000.00 PHP");
      expect(shop.gatewayCalls.filter((path) => path === "order/new")).toHaveLength(1);
    } finally {
      await shop.close();
    }
  });
});
