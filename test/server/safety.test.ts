import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { widgetBundle } from "../../server/http/widget-assets.ts";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore } from "../../server/store/types.ts";
import { createdOrder, gatewayReader, readJson, signNotification, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { testServer } from "../support/test-server.ts";
import { manualClock } from "../support/time.ts";

const STACK_FRAME = /\bat .*(\.ts|\.js|node:)[^\n]*:\d+/;

describe("security headers", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ server: { widget: await widgetBundle("console.log(1)") } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("are on every response, including errors, preflights and the return page", async () => {
    const { view } = await createdOrder(stack);
    const requests: [string, RequestInit?][] = [
      ["/api/checkout/options"],
      ["/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: JSON.stringify(gcash) }],
      ["/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: "{" }],
      ["/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: "https://evil.test" }, body: "{}" }],
      ["/api/checkout", { method: "OPTIONS", headers: { Origin: SHOP, "Access-Control-Request-Method": "POST" } }],
      [`/api/checkout/${view.id}`],
      ["/api/checkout/ck_AAAAAAAAAAAAAAAAAAAAAA"],
      [`/checkout/return/${view.id}`],
      ["/checkout/return/nope"],
      ["/checkout/assets/return.js"],
      ["/octopus/notify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ merchant_order_id: "x" }) }],
      ["/healthz"],
      ["/widget.js"],
      ["/widget.manifest.json"],
      ["/no/such/route"],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${stack.url}${path}`, init);
      const where = `${init?.method ?? "GET"} ${path} (${response.status})`;
      expect(response.headers.get("x-content-type-options"), where).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), where).toBe("no-referrer");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, where).toMatch(/frame-ancestors [^;]+/);
      if (/frame-ancestors 'none'/.test(csp)) expect(response.headers.get("x-frame-options"), where).toBe("DENY");
      // Plain http here: no HSTS.
      expect(response.headers.get("strict-transport-security"), where).toBeNull();
    }
  });

  it("add HSTS when the server is public over https", async () => {
    const { app } = testServer({ store: stack.store, gateway: gatewayReader(stack), publicUrl: "https://pay.example" });
    const response = await app.request("/healthz");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d{7,}/);
  });
});

describe("rate limit on create", () => {
  const clock = manualClock();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ server: { now: clock.now, rateLimit: { windowMs: 60_000, max: 3 } } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("answers 429 rate_limited with Retry-After after max creates from one address, forged X-Forwarded-For or not", async () => {
    for (let index = 0; index < 3; index++) {
      expect((await createCheckout(stack, gcash, { "X-Forwarded-For": `198.51.100.${index}` })).status).toBe(201);
    }
    const calls = stack.gatewayCalls.length;
    for (const forged of ["203.0.113.9", "203.0.113.10, 203.0.113.11", ""]) {
      const response = await createCheckout(stack, gcash, forged ? { "X-Forwarded-For": forged, "X-Real-IP": forged } : {});
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = await readJson<ErrorBody>(response);
      expect(body.error.code).toBe("rate_limited");
      // The widget on the merchant's page must be able to read it.
      expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    }
    // Refused before anything reached the gateway.
    expect(stack.gatewayCalls.length).toBe(calls);
    // Status polls are not creates.
    expect((await fetch(`${stack.url}/api/checkout/options`)).status).toBe(200);

    clock.advance(60_000);
    expect((await createCheckout(stack, gcash)).status).toBe(201);
  });

  it("keys on the right-most X-Forwarded-For entry with trustProxy: 1", async () => {
    const proxied = await startStack({ server: { trustProxy: 1, rateLimit: { windowMs: 60_000, max: 2 } } });
    try {
      // What the shopper claims comes first; what our proxy saw is the last entry.
      const via = (claimed: string, seen: string) => createCheckout(proxied, gcash, { "X-Forwarded-For": `${claimed}, ${seen}` });
      expect((await via("1.1.1.1", "203.0.113.5")).status).toBe(201);
      expect((await via("2.2.2.2", "203.0.113.5")).status).toBe(201);
      expect((await via("3.3.3.3", "203.0.113.5")).status).toBe(429);
      // Another address behind the same proxy has its own budget.
      expect((await via("1.1.1.1", "203.0.113.6")).status).toBe(201);
      expect((await createCheckout(proxied, gcash, { "X-Forwarded-For": "203.0.113.7" })).status).toBe(201);
    } finally {
      await proxied.close();
    }
  });

  it("refuses a trustProxy that is not a whole number of proxies", () => {
    expect(() => testServer({ trustProxy: -1 })).toThrow(/trustProxy/);
    expect(() => testServer({ trustProxy: 1.5 })).toThrow(/trustProxy/);
  });
});

describe("errors", () => {
  it("never contain a stack trace or the internal message, and are logged once", async () => {
    const logs: string[] = [];
    const store = createSqliteStore({ filename: ":memory:" });
    await store.migrate();
    const broken: OrderStore = Object.assign(Object.create(store) as OrderStore, {
      kind: store.kind,
      insert: async () => {
        throw new Error("disk I/O error at /var/lib/secret-path/orders.db");
      },
      get: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'row')");
      },
    });
    const { app } = testServer({ store: broken, logger: createLogger({ write: (line) => logs.push(line) }) });
    const responses = [
      await app.request("/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: JSON.stringify(gcash) }),
      await app.request("/api/checkout/ck_AAAAAAAAAAAAAAAAAAAAAA"),
    ];
    for (const response of responses) {
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
      expect(text).not.toMatch(STACK_FRAME);
      expect(text).not.toContain("secret-path");
      expect(text).not.toContain("Cannot read");
    }
    const unhandled = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "unhandled error");
    expect(unhandled).toHaveLength(2);
    expect(logs.join("\n")).not.toMatch(STACK_FRAME);
    await store.close();
  });

  it("answer an unknown route with 404 JSON", async () => {
    const stack = await startStack();
    try {
      for (const [method, path] of [
        ["GET", "/nope"],
        ["GET", "/api/checkout"],
        ["PUT", "/api/checkout"],
        ["DELETE", "/api/checkout/ck_AAAAAAAAAAAAAAAAAAAAAA"],
        ["GET", "/octopus/notify"],
        ["GET", "/sandbox/api/state"],
      ] as const) {
        const response = await fetch(`${stack.url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(((await response.json()) as ErrorBody).error.code).toBe("not_found");
      }
      // And the error bodies of the ordinary failures carry no stack either.
      const failures = [
        await createCheckout(stack, { ...gcash, amount: "1e3" }),
        await fetch(`${stack.url}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: "{" }),
        await fetch(`${stack.url}/octopus/notify`, { method: "POST", ...(await signNotification({ merchant_order_id: "x" }, { secret: "wrong" })) }),
      ];
      for (const response of failures) expect(await response.text()).not.toMatch(STACK_FRAME);
    } finally {
      await stack.close();
    }
  });
});
