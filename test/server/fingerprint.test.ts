/**
 * The idempotency fingerprint, field by field: a reused Idempotency-Key with a body that differs in
 * any one fingerprinted field is refused with 422, never answered with the old order. Dropping a
 * field from requestFingerprint must fail this test (it once could: only some fields were tested).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, TEST_CONFIG, createCheckout, startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    config: {
      // One method more per axis, so that currency and country can each change alone.
      methods: [
        ...TEST_CONFIG.methods!,
        { country: "PH", currency: "usd", payment: "gcash", label: "GCash USD", min: "1.00", max: "5000.00" },
        { country: "SG", currency: "php", payment: "gcash", label: "GCash SG", min: "20.00", max: "50000.00" },
      ],
    },
    server: { rateLimit: { windowMs: 60_000, max: 10_000 } },
  });
});
afterAll(async () => {
  await stack.close();
});

let keys = 0;
const newKey = () => `fingerprint-${process.pid}-${Date.now().toString(36)}-${keys++}`;
const creates = () => stack.gatewayCalls.filter((path) => path === "order/new").length;

const BASE = {
  amount: "199.00",
  currency: "php",
  country: "PH",
  payment: "gcash",
  customer: "member-7",
  description: "Order 7",
  locale: "en",
  return_url: `${SHOP}/back`,
};

// Each differs from BASE in exactly one fingerprinted field, and each is a valid order on its own.
const VARIANTS: [string, Record<string, unknown>][] = [
  ["amount", { ...BASE, amount: "200.00" }],
  ["currency", { ...BASE, currency: "usd" }],
  ["country", { ...BASE, country: "SG" }],
  ["payment", { ...BASE, payment: "maya" }],
  // The product's price is the same 199.00: only the product itself differs.
  ["product (against a free amount at the same price)", (({ amount: _amount, ...rest }) => ({ ...rest, product: "starter-pack" }))(BASE)],
  ["customer", { ...BASE, customer: "member-8" }],
  ["customer (left out)", (({ customer: _customer, ...rest }) => rest)(BASE)],
  ["description", { ...BASE, description: "Order 8" }],
  ["description (left out)", (({ description: _description, ...rest }) => rest)(BASE)],
  ["locale", { ...BASE, locale: "th" }],
  ["return_url", { ...BASE, return_url: `${SHOP}/elsewhere` }],
  ["return_url (left out)", (({ return_url: _returnUrl, ...rest }) => rest)(BASE)],
];

describe("the idempotency fingerprint", () => {
  it("passes every variant through this server's own checks (so a 422 below is about the key)", async () => {
    // 201, or 502 where the sandbox has no such method (gcash in usd): either way it went to the gateway.
    for (const [field, body] of VARIANTS) expect([201, 502], field).toContain((await createCheckout(stack, body)).status);
  });

  it.each(VARIANTS)("refuses a reused key whose body differs in %s: 422, no new gateway order", async (_field, variant) => {
    const key = newKey();
    expect((await createCheckout(stack, BASE, { "Idempotency-Key": key })).status).toBe(201);
    const before = creates();
    const response = await createCheckout(stack, variant, { "Idempotency-Key": key });
    expect(response.status).toBe(422);
    expect((await readJson<ErrorBody>(response)).error).toMatchObject({ code: "idempotency_key_reused", field: "Idempotency-Key" });
    expect(creates()).toBe(before);
    // And the original body still replays.
    expect((await createCheckout(stack, BASE, { "Idempotency-Key": key })).status).toBe(200);
  });

  it("treats a product and its price written out as different requests in both directions", async () => {
    const key = newKey();
    const product = { currency: "php", country: "PH", payment: "gcash", product: "starter-pack" };
    expect((await createCheckout(stack, product, { "Idempotency-Key": key })).status).toBe(201);
    expect((await createCheckout(stack, { currency: "php", country: "PH", payment: "gcash", amount: "199.00" }, { "Idempotency-Key": key })).status).toBe(422);
  });
});
