import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutServer } from "../../server/app.ts";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { silentLogger } from "../../server/log.ts";
import { gatewayReader, readJson, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, TEST_CONFIG, startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

const options = (origin?: string) => stack.app.request("/api/checkout/options", { headers: origin ? { Origin: origin } : {} });

describe("GET /api/checkout/options", () => {
  it("lists every method with its limits and presets, the products and the merchant name", async () => {
    const response = await options(SHOP);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await readJson(response);
    expect(body).toEqual({
      merchant_name: "Test Shop",
      sandbox: false,
      countries: ["PH", "TH", "VN"],
      currencies: [
        { code: "php", decimals: 2 },
        { code: "thb", decimals: 2 },
        { code: "vnd", decimals: 0 },
      ],
      methods: [
        { country: "PH", currency: "php", payment: "gcash", label: "GCash", min: "20.00", max: "50000.00", presets: ["100.00", "500.00"] },
        { country: "PH", currency: "php", payment: "maya", label: "Maya", min: "20.00", max: "50000.00" },
        { country: "TH", currency: "thb", payment: "thailand", label: "PromptPay", min: "100.00", max: "200000.00" },
        { country: "VN", currency: "vnd", payment: "momo", label: "MoMo", min: "10000", max: "50000000" },
      ],
      products: [{ id: "starter-pack", name: "Starter pack", price: "199.00", currency: "php" }],
      origin_allowed: true,
    });
    // The Thai channel is the server's business: the widget never chooses it.
    expect(JSON.stringify(body)).not.toContain("promptpay");
  });

  it("says sandbox: true when the server runs with the sandbox mounted", async () => {
    const parsed = parseCheckoutConfig(TEST_CONFIG, "test");
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    const { app } = createCheckoutServer({
      config: parsed.config,
      store: stack.store,
      gateway: gatewayReader(stack),
      publicUrl: "http://127.0.0.1:9",
      logger: silentLogger,
      sandbox: { app: new Hono() },
      sweep: false,
    });
    const body = await readJson(await app.request("/api/checkout/options"));
    expect(body.sandbox).toBe(true);
    expect(await readJson(await app.request("/healthz"))).toMatchObject({ mode: "sandbox" });
  });

  it("may be cached by browsers and CDNs, varying by Origin", async () => {
    const response = await options(SHOP);
    expect(response.headers.get("cache-control")).toMatch(/\bpublic\b/);
    expect(response.headers.get("cache-control")).toMatch(/max-age=[1-9]/);
    expect(response.headers.get("vary") ?? "").toMatch(/\bOrigin\b/);
  });

  it("lets an allowed origin read it: Access-Control-Allow-Origin is that origin, never *", async () => {
    const response = await options(SHOP);
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    const viaHttp = await fetch(`${stack.url}/api/checkout/options`, { headers: { Origin: SHOP } });
    expect(viaHttp.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(viaHttp.headers.get("vary") ?? "").toMatch(/\bOrigin\b/);
  });

  it("names Origin once in Vary, not once per layer that depends on it", async () => {
    const viaHttp = await fetch(`${stack.url}/api/checkout/options`, { headers: { Origin: SHOP } });
    const varies = (viaHttp.headers.get("vary") ?? "").split(/\s*,\s*/).map((name) => name.toLowerCase());
    expect(varies.filter((name) => name === "origin")).toHaveLength(1);
  });

  it("lets the server's own origin read it", async () => {
    const response = await options(stack.url);
    expect(response.headers.get("access-control-allow-origin")).toBe(stack.url);
  });

  it.each([
    "https://shop.example.evil.test",
    "http://shop.example",
    "https://shop.example:8443",
    "https://evil.shop.example",
    "https://shop.exampl",
    "https://shop.example.",
    "https://evil.test",
    "null",
    "https://SHOP.example ",
  ])("tells a disallowed origin (%s) that it is not allowed, readably, and lets it do nothing else", async (origin) => {
    const response = await options(origin);
    expect(response.status).toBe(200);
    // Public, credential-free data: readable from anywhere, so that the widget can say what is wrong.
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary") ?? "").toMatch(/\bOrigin\b/);
    expect((await readJson(response)).origin_allowed).toBe(false);
    // Every other /api route still refuses it.
    const create = await stack.app.request("/api/checkout", { method: "POST", headers: { Origin: origin, "Content-Type": "application/json" }, body: "{}" });
    expect(create.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("says origin_allowed: true to an allowed origin, its own origin, and a request with no Origin", async () => {
    for (const origin of [SHOP, stack.url, undefined]) expect((await readJson(await options(origin))).origin_allowed, String(origin)).toBe(true);
  });

  it("answers a preflight from an allowed origin with POST and Idempotency-Key allowed", async () => {
    const response = await fetch(`${stack.url}/api/checkout`, {
      method: "OPTIONS",
      headers: { Origin: SHOP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, idempotency-key" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(response.headers.get("access-control-allow-methods")).toMatch(/\bPOST\b/);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toContain("idempotency-key");
    expect(allowed).toContain("content-type");
    expect(response.headers.get("vary") ?? "").toMatch(/\bOrigin\b/);
  });

  it("answers a preflight from a disallowed origin without allowing it", async () => {
    const response = await fetch(`${stack.url}/api/checkout`, {
      method: "OPTIONS",
      headers: { Origin: "https://shop.example.evil.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "idempotency-key" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes the headers a widget reads, and lets an allowed origin read an error", async () => {
    const response = await stack.app.request("/api/checkout", {
      method: "POST",
      headers: { Origin: SHOP, "Content-Type": "application/json" },
      body: JSON.stringify({ amount: "1e3", currency: "php", country: "PH", payment: "gcash" }),
    });
    expect(response.status).toBe(400);
    // Without this the widget could not show the message that names the field.
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    expect(exposed).toContain("idempotent-replayed");
    expect(exposed).toContain("retry-after");
    expect((await readJson<ErrorBody>(response)).error.field).toBe("amount");
  });
});
