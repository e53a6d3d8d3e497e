/** The order API over HTTP: authentication, every field rule, and the shapes a seed-built client reads. */
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { OrderDetails, PaymentInfo } from "../../server/gateway/schemas.ts";
import { serve } from "../support/serve.ts";
import { call, loopbackFetch, createOrder, getOrder, incomeFields, MERCHANT, OTHER, startSandbox, thaiFields, uniqueId, type Running } from "../support/sandbox.ts";
import { JAVA_SAMPLE, JAVA_SAMPLE_SIGNATURE } from "../support/java-sample.ts";

let running: Running;
let url: string;

beforeAll(async () => {
  running = await startSandbox({
    merchants: [MERCHANT, { ...OTHER, methods: ["maya"] }, { apiKey: "API_KEY", apiSecret: "API_SECRET", merchantUid: "Merchant_UID", merchantName: "Java Sample Shop" }],
  });
  url = running.url;
});
afterAll(() => running.stop());

const invalid = (details: string) => ({ result: "error", data: { error: "Invalid parameters", details } });

describe("authentication", () => {
  it("accepts the gateway document's Java sample byte for byte (its published signature)", async () => {
    const fields = { ...JAVA_SAMPLE };
    const result = await call(url, "new", fields, {
      key: "API_KEY",
      signature: JAVA_SAMPLE_SIGNATURE,
    });
    expect(result.status).toBe(200);
    expect(result.json.result).toBe("success");
    expect(result.json.data.payment.payment_status).toBe("pending");
  });

  it("refuses an unknown or missing OC-Key with 401", async () => {
    for (const key of ["nobody", ""]) {
      const result = await call(url, "new", incomeFields(), { key });
      expect(result.status).toBe(401);
      expect(result.json).toEqual({ result: "error", data: { error: "Unauthorized", details: "Unknown OC-Key." } });
    }
  });

  it("refuses a wrong, missing or other merchant's signature with 401", async () => {
    const fields = incomeFields();
    const refused = { result: "error", data: { error: "Unauthorized", details: "Invalid OC-Signature." } };
    for (const options of [{ signature: "0".repeat(64) }, { signature: null }, { signature: "not-hex" }, { secret: OTHER.apiSecret }]) {
      const result = await call(url, "new", fields, options);
      expect(result.status).toBe(401);
      expect(result.json).toEqual(refused);
    }
    // A signature over other values does not carry over: change one field after signing.
    const signed = await call(url, "get", { merchant_order_id: "x" });
    expect(signed.status).toBe(404);
    const tampered = await call(url, "get", { merchant_order_id: "y" }, { signature: "d5acd67441c6d2f1b5f843f203d3c0a699051a2cd0a0ed26195b0bcbe3f9bee9" });
    expect(tampered.status).toBe(401);
  });

  it("accepts the gateway document's order/get sample signature", async () => {
    const result = await call(url, "get", { merchant_order_id: "12345611" }, { key: "API_KEY", signature: "d5acd67441c6d2f1b5f843f203d3c0a699051a2cd0a0ed26195b0bcbe3f9bee9" });
    expect(result.status).toBe(404);
    expect(result.json).toEqual({ result: "error", data: { error: "Order not found", details: "No order with merchant_order_id '12345611'." } });
  });

  it("signs over extra fields too: they are accepted when signed and ignored", async () => {
    const fields = { ...incomeFields(), merchant_id: "member-1", extra_field: "kept out" };
    expect((await call(url, "new", fields)).status).toBe(200);
  });
});

describe("body shape", () => {
  it("wants a JSON object of strings, naming the first non-string field", async () => {
    expect((await call(url, "new", {}, { rawBody: "not json" })).json).toEqual(invalid("The request body must be a JSON object of string fields."));
    expect((await call(url, "new", {}, { rawBody: "[1,2]" })).json).toEqual(invalid("The request body must be a JSON object of string fields."));
    const numeric = await call(url, "new", { ...incomeFields(), amount: 100 });
    expect(numeric.status).toBe(400);
    expect(numeric.json).toEqual(invalid("The 'amount' field must be a string."));
    const nested = await call(url, "new", { ...incomeFields(), from: { account: "1" } });
    expect(nested.json).toEqual(invalid("The 'from' field must be a string."));
  });

  it("wants Content-Type: application/json", async () => {
    const result = await call(url, "new", incomeFields(), { contentType: "text/plain" });
    expect(result.status).toBe(400);
    expect(result.json.data.error).toBe("Invalid parameters");
    expect((await call(url, "new", incomeFields(), { contentType: "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("refuses a huge body", async () => {
    const result = await call(url, "new", { ...incomeFields(), from_name: "x".repeat(70 * 1024) });
    expect(result.status).toBe(400);
    expect(result.json).toEqual(invalid("The request body is too large."));
  });
});

describe("field rules of order/new", () => {
  const required = ["transaction_type", "amount", "merchant_order_id", "merchant_uid", "currency", "payment", "response_type", "country"];
  for (const field of required) {
    it(`requires ${field}`, async () => {
      for (const value of [undefined, ""]) {
        const result = await call(url, "new", incomeFields({ [field]: value }));
        expect(result.status).toBe(400);
        expect(result.json).toEqual(invalid(`The '${field}' field is required.`));
      }
    });
  }

  const cases: [string, Record<string, string>, string][] = [
    ["an unknown transaction_type", { transaction_type: "transfer" }, `The 'transaction_type' field must be "income" or "expense".`],
    ["an unknown currency", { currency: "eur" }, `The 'currency' field must be "twd", "cny", "usd", "thb", "vnd", "php", "sgd", "idr" or "bdt".`],
    ["an upper-case currency", { currency: "PHP" }, `The 'currency' field must be "twd", "cny", "usd", "thb", "vnd", "php", "sgd", "idr" or "bdt".`],
    ["a response_type other than json", { response_type: "html" }, `The 'response_type' field must be "json".`],
    ["an expense accounting_type on income", { accounting_type: "pay" }, `The 'accounting_type' field must be "recharge" or "receive" for income orders.`],
    ["a three-letter country", { country: "PHL" }, `The 'country' field must be a two-letter ISO country code such as "PH".`],
    ["a merchant_order_id with spaces", { merchant_order_id: "a b" }, `The 'merchant_order_id' field must be 1 to 64 letters, digits, '.', '_', ':' or '-'.`],
    ["a non-http redirect_url", { redirect_url: "javascript:alert(1)" }, "The 'redirect_url' field must be an absolute http(s) URL."],
    ["a relative notify_url", { notify_url: "/notify" }, "The 'notify_url' field must be an absolute http(s) URL."],
    ["an empty optional field", { from_name: "" }, "The 'from_name' field must not be empty."],
    ["another merchant's merchant_uid", { merchant_uid: OTHER.merchantUid }, "The 'merchant_uid' field does not belong to this OC-Key."],
    ["an unknown payment method", { payment: "paypal" }, expect.stringMatching(/^The 'payment' field must be a payment method enabled for this merchant: gcash, maya, /)],
    ["a method of another currency", { payment: "card" }, "The 'currency' field must be usd for payment 'card'."],
    ["a method of another country", { country: "SG" }, "The 'country' field must be PH for payment 'gcash'."],
    ["thailand as the country of a non-Thai method", { country: "thailand" }, "The 'country' field must be PH for payment 'gcash'."],
  ];
  for (const [name, patch, details] of cases) {
    it(`refuses ${name}`, async () => {
      const result = await call(url, "new", incomeFields(patch));
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ result: "error", data: { error: "Invalid parameters", details } });
    });
  }

  it("accepts the country in any case", async () => {
    for (const country of ["ph", "Ph", "PH"]) expect((await call(url, "new", incomeFields({ country }))).status).toBe(200);
  });

  it("only offers a merchant the methods enabled for it", async () => {
    const fields = incomeFields({ merchant_uid: OTHER.merchantUid });
    const refused = await call(url, "new", fields, { key: OTHER.apiKey, secret: OTHER.apiSecret });
    expect(refused.json).toEqual(invalid("The 'payment' field must be a payment method enabled for this merchant: maya."));
    const accepted = await call(url, "new", { ...fields, payment: "maya" }, { key: OTHER.apiKey, secret: OTHER.apiSecret });
    expect(accepted.status).toBe(200);
  });
});

describe("amounts", () => {
  const amountCases: [string, Record<string, string>, string][] = [
    ["more decimals than php has", { amount: "100.001" }, `The 'amount' field has more decimals than php allows: use a decimal string with at most 2 decimals such as "100.00".`],
    ["an exponent", { amount: "1e3" }, `The 'amount' field must be a decimal string with at most 2 decimals such as "100.00" (no sign, exponent, spaces or leading zeros).`],
    ["a negative amount", { amount: "-5.00" }, `The 'amount' field must be a decimal string with at most 2 decimals such as "100.00" (no sign, exponent, spaces or leading zeros).`],
    ["zero", { amount: "0.00" }, "The 'amount' field must be greater than zero."],
    ["less than the method's minimum", { amount: "0.99" }, "The 'amount' field must be between 1.00 and 50000.00 php for payment 'gcash'."],
    ["more than the method's maximum", { amount: "50000.01" }, "The 'amount' field must be between 1.00 and 50000.00 php for payment 'gcash'."],
    ["decimals in a zero-decimal currency", { amount: "50000.50", currency: "vnd", payment: "momo", country: "VN" }, `The 'amount' field has more decimals than vnd allows: use a whole number such as "50000".`],
    ["a vnd amount under the minimum", { amount: "9999", currency: "vnd", payment: "momo", country: "VN" }, "The 'amount' field must be between 10000 and 50000000 vnd for payment 'momo'."],
  ];
  for (const [name, patch, details] of amountCases) {
    it(`refuses ${name}`, async () => {
      const result = await call(url, "new", incomeFields(patch));
      expect(result.status).toBe(400);
      expect(result.json).toEqual(invalid(details));
    });
  }

  it("accepts the limits themselves and normalises the amount's form", async () => {
    for (const amount of ["1.00", "50000.00", "1", "7.5"]) expect((await call(url, "new", incomeFields({ amount }))).status).toBe(200);
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id, amount: "7.5" }));
    expect((await getOrder(url, id)).json.data.amount).toBe("7.50");
    const vnd = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: vnd, amount: "50000.00", currency: "vnd", payment: "momo", country: "VN" }));
    expect((await getOrder(url, vnd)).json.data.amount).toBe("50000");
  });
});

describe("order/new answers", () => {
  it("answers an income order with the documented payment object and an unguessable payment_url", async () => {
    const id = uniqueId();
    const data = await createOrder(url, incomeFields({ merchant_order_id: id, from_name: "member-42" }));
    expect(Object.keys(data).sort()).toEqual(["payment", "payment_url"]);
    expect(Object.keys(data.payment).sort()).toEqual(
      [
        "from", "from_name", "from_bank_name", "to", "to_name", "to_bank_name", "payment_status", "payment_fail_reason",
        "final_amount", "currency", "transaction_type", "payment_uid", "channel",
      ].sort(),
    );
    expect(data.payment).toMatchObject({ from: "", from_name: "member-42", payment_status: "pending", final_amount: "100.00", currency: "php", transaction_type: "income", channel: "" });
    expect(data.payment.payment_uid).toMatch(/^SBX[0-9A-F]{20}$/);
    expect(data.payment_url).toMatch(new RegExp(`^${url}/octopus/pay/[A-Za-z0-9_-]{32}$`));
    expect(data.payment_url).not.toContain(id);
    // The project's own schemas read it.
    expect(PaymentInfo.safeParse(data.payment).success).toBe(true);
  });

  it("answers an expense order with the payment object only", async () => {
    const data = await createOrder(url, incomeFields({ transaction_type: "expense", accounting_type: "pay", to: "09171234567", to_name: "Jane Doe", to_bank_name: "gcash" }));
    expect(Object.keys(data)).toEqual(["payment"]);
    expect(data.payment).toMatchObject({ transaction_type: "expense", to: "09171234567", to_name: "Jane Doe", payment_status: "pending" });
  });

  it("gives a Thailand order a floating amount of 1 to 99 satang more, and starts it as preparing", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const data = await createOrder(url, thaiFields({ amount: "500.00" }));
      const floating = data.payment.floating_amount as string;
      expect(floating).toMatch(/^500\.(0[1-9]|[1-9][0-9])$/);
      expect(data.payment.payment_status).toBe("preparing");
      expect(data.payment.final_amount).toBe("500.00");
      expect(data.payment.channel).toBe("promptpay");
      seen.add(floating);
    }
    // Open orders with the same amount do not share a floating amount (while that is possible).
    expect(seen.size).toBe(20);
  });

  it("applies the Thailand rules: channel required and one of the method's, country TH or thailand", async () => {
    expect((await call(url, "new", thaiFields({ channel: undefined }))).json).toEqual(invalid("The 'channel' field is required for thb (Thailand) orders."));
    expect((await call(url, "new", thaiFields({ channel: "cash" }))).json).toEqual(invalid(`The 'channel' field must be "promptpay" or "bank_transfer" for payment 'thailand'.`));
    expect((await call(url, "new", thaiFields({ country: "thailand" }))).status).toBe(200);
    expect((await call(url, "new", thaiFields({ country: "th" }))).status).toBe(200);
    expect((await call(url, "new", thaiFields({ country: "PH" }))).json).toEqual(invalid("The 'country' field must be TH for payment 'thailand'."));
    expect((await call(url, "new", thaiFields({ to_name: "Jane" }))).json).toEqual(invalid("The 'to_name' field is for payouts only in Thailand."));
  });

  it("refuses a duplicate merchant_order_id per merchant, and leaves the first order alone", async () => {
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id, amount: "10.00" }));
    const again = await call(url, "new", incomeFields({ merchant_order_id: id, amount: "20.00" }));
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ result: "error", data: { error: "Duplicate order", details: `The merchant_order_id '${id}' already exists.` } });
    expect((await getOrder(url, id)).json.data.amount).toBe("10.00");
    // Another merchant may use the same id.
    const other = await call(url, "new", incomeFields({ merchant_order_id: id, merchant_uid: OTHER.merchantUid, payment: "maya" }), { key: OTHER.apiKey, secret: OTHER.apiSecret });
    expect(other.status).toBe(200);
  });

  it("builds payment_url from the publicUrl option when given", async () => {
    const other = await startSandbox({ publicUrl: "https://pay.example.test/base/", allowedHosts: ["127.0.0.1"] });
    try {
      const data = await createOrder(other.url, incomeFields());
      expect(data.payment_url).toMatch(/^https:\/\/pay\.example\.test\/base\/octopus\/pay\/[A-Za-z0-9_-]{32}$/);
    } finally {
      await other.stop();
    }
  });
});

describe("order/get", () => {
  it("returns every documented field, including the server-only ones, and no payment_url", async () => {
    const id = uniqueId();
    await createOrder(
      url,
      incomeFields({ merchant_order_id: id, accounting_type: "recharge", notify_url: "http://127.0.0.1:9/notify", redirect_url: "https://shop.example/back", from_name: "member-1" }),
    );
    const result = await getOrder(url, id);
    expect(result.status).toBe(200);
    expect(result.json.result).toBe("success");
    const data = result.json.data;
    expect(Object.keys(data).sort()).toEqual(
      [
        "from", "from_name", "from_bank_name", "to", "to_name", "to_bank_name", "amount", "final_amount", "currency", "country",
        "transaction_type", "accounting_type", "merchant_order_id", "merchant_uid", "merchant_name", "channel", "payment_status",
        "payment_fail_reason", "payment", "response_type", "ip", "user_agent", "distribute_rules", "payment_uid", "redirect_url",
        "notify_url", "notify_status", "notify_fail_reason", "accounting_status", "accounting_fail_reason", "signature_key",
      ].sort(),
    );
    expect(data).toMatchObject({
      amount: "100.00",
      final_amount: "100.00",
      currency: "php",
      country: "PH",
      transaction_type: "income",
      accounting_type: "recharge",
      merchant_order_id: id,
      merchant_uid: MERCHANT.merchantUid,
      merchant_name: MERCHANT.merchantName,
      payment_status: "pending",
      payment: "gcash",
      response_type: "json",
      ip: "127.0.0.1",
      user_agent: "node",
      redirect_url: "https://shop.example/back",
      notify_url: "http://127.0.0.1:9/notify",
      notify_status: "none",
      accounting_status: "none",
    });
    expect(data.signature_key).toMatch(/^[0-9a-f]{32}$/);
    expect(data.distribute_rules).not.toBe("");
    expect(OrderDetails.safeParse(data).success).toBe(true);
  });

  it("gives each order its own signature_key and payment_uid", async () => {
    const a = uniqueId();
    const b = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: a }));
    await createOrder(url, incomeFields({ merchant_order_id: b }));
    const [first, second] = [(await getOrder(url, a)).json.data, (await getOrder(url, b)).json.data];
    expect(first.signature_key).not.toBe(second.signature_key);
    expect(first.payment_uid).not.toBe(second.payment_uid);
  });

  it("includes floating_amount for Thailand orders only", async () => {
    const thai = uniqueId();
    await createOrder(url, thaiFields({ merchant_order_id: thai }));
    expect((await getOrder(url, thai)).json.data.floating_amount).toMatch(/^500\.\d\d$/);
    const php = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: php }));
    expect((await getOrder(url, php)).json.data).not.toHaveProperty("floating_amount");
  });

  it("checks merchant_order_id and does not show one merchant another's order", async () => {
    expect((await call(url, "get", {})).json).toEqual(invalid("The 'merchant_order_id' field is required."));
    expect((await call(url, "get", { merchant_order_id: "a/b" })).json).toEqual(invalid(`The 'merchant_order_id' field must be 1 to 64 letters, digits, '.', '_', ':' or '-'.`));
    const id = uniqueId();
    await createOrder(url, incomeFields({ merchant_order_id: id }));
    const foreign = await getOrder(url, id, { key: OTHER.apiKey, secret: OTHER.apiSecret });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ result: "error", data: { error: "Order not found", details: `No order with merchant_order_id '${id}'.` } });
  });
});

describe("mounting", () => {
  it("works inside another Hono app with parent.route('/', sandbox.app), leaving the parent's routes alone", async () => {
    const sandbox = createSandboxGateway({ fetch: loopbackFetch });
    const parent = new Hono();
    parent.get("/", (c) => c.text("parent home"));
    parent.route("/", sandbox.app);
    const served = await serve(parent);
    try {
      const data = await createOrder(served.url, incomeFields());
      expect(data.payment_url.startsWith(`${served.url}/octopus/pay/`)).toBe(true);
      expect((await fetch(data.payment_url)).status).toBe(200);
      expect(await (await fetch(`${served.url}/`)).text()).toBe("parent home");
      const home = await fetch(`${served.url}/`);
      expect(home.headers.get("content-security-policy")).toBeNull();
      expect((await fetch(`${served.url}/sandbox/api/state`)).status).toBe(200);
    } finally {
      sandbox.close();
      await served.close();
    }
  });

  it("can leave the control routes out", async () => {
    const other = await startSandbox({ controlRoutes: false });
    try {
      expect((await fetch(`${other.url}/sandbox/api/state`)).status).toBe(404);
      expect((await call(other.url, "get", { merchant_order_id: "x" })).status).toBe(404);
    } finally {
      await other.stop();
    }
  });
});
