/**
 * Holes found by attacking the server as an outsider would (issue 12, "Hardening"), each over real
 * HTTP: what a foreign page can make a visitor's browser send, forwarded addresses, return URLs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../server/middleware/rate-limit.ts";
import { readServerSettings } from "../../server/config.ts";
import { createLogger } from "../../server/log.ts";
import { testServer } from "../support/test-server.ts";
import { readJson, type ErrorBody } from "../support/stack-requests.ts";
import { SHOP, TEST_CONFIG, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

const stacks: Stack[] = [];
async function stackWith(options: Parameters<typeof startStack>[0]) {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.close()));
});

const post = (stack: Stack, headers: Record<string, string>, body: string) => fetch(`${stack.url}/api/checkout`, { method: "POST", headers, body });

describe("requests refused for their Origin, Content-Type or body", () => {
  it("do not use up the create limit of the address they come from, and have a limit of their own", async () => {
    const stack = await stackWith({ server: { rateLimit: { windowMs: 60_000, max: 2 }, refusedRateLimit: { windowMs: 60_000, max: 8 } } });
    // What any web page can make a visitor's browser send, from the visitor's address.
    const refused = [
      () => post(stack, { "Content-Type": "application/json", Origin: "https://evil.test" }, JSON.stringify(gcash)),
      () => post(stack, { "Content-Type": "text/plain", Origin: "null" }, JSON.stringify(gcash)),
      () => post(stack, { "Content-Type": "text/plain" }, JSON.stringify(gcash)),
      () => post(stack, { "Content-Type": "application/json", Origin: SHOP }, "{"),
      () => post(stack, { "Content-Type": "application/json", Origin: SHOP }, JSON.stringify({ ...gcash, amount: "1e3" })),
      () => post(stack, { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": "short" }, JSON.stringify(gcash)),
    ];
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) for (const send of refused) statuses.push((await send()).status);
    // Refused as such until their own limit (8), then 429.
    expect(statuses.slice(0, 8).every((status) => status === 400 || status === 403)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429, 429, 429]);
    const limited = await refused[0]!();
    expect(limited.status).toBe(429);
    expect((await readJson<ErrorBody>(limited)).error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The visitor's own checkouts are untouched: both creates of the limit are still there.
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect((await createCheckout(stack, gcash)).status).toBe(429);
  });

  it("take the create limit from the config file when no rateLimit option is given", async () => {
    const stack = await stackWith({ config: { createRateLimitPerMinute: 2 } });
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect((await createCheckout(stack, gcash)).status).toBe(429);
  });
});

describe("CHECKOUT_CREATE_RATE_LIMIT", () => {
  const dir = mkdtempSync(join(tmpdir(), "checkout-limit-"));
  writeFileSync(join(dir, "checkout.config.json"), JSON.stringify(TEST_CONFIG));
  writeFileSync(join(dir, "limited.json"), JSON.stringify({ ...TEST_CONFIG, createRateLimitPerMinute: 12 }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (env: Record<string, string>) => readServerSettings(env, { cwd: dir });

  it("is 30 creates a minute by default, the config file's createRateLimitPerMinute, or the variable, which wins", () => {
    const settings = (env: Record<string, string>) => {
      const result = read(env);
      if (!result.ok) throw new Error(result.problems.join("\n"));
      return result.settings;
    };
    expect(settings({}).createRateLimitPerMinute).toBe(30);
    expect(settings({ CHECKOUT_CONFIG: "limited.json" }).createRateLimitPerMinute).toBe(12);
    expect(settings({ CHECKOUT_CREATE_RATE_LIMIT: "120" }).createRateLimitPerMinute).toBe(120);
    expect(settings({ CHECKOUT_CONFIG: "limited.json", CHECKOUT_CREATE_RATE_LIMIT: "5" }).createRateLimitPerMinute).toBe(5);
  });

  it("reads CHECKOUT_TRUSTED_PROXIES as a list of IPv4 and IPv6 ranges, naming one that is not", () => {
    const result = read({ CHECKOUT_TRUSTED_PROXIES: " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,," });
    expect(result.ok && result.settings.trustedProxies).toEqual(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
    const bad = read({ CHECKOUT_TRUSTED_PROXIES: "10.0.0.0/8, 10.0.0.0/33, proxy.internal" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems).toHaveLength(2);
      expect(bad.problems[0]).toMatch(/^CHECKOUT_TRUSTED_PROXIES: "10\.0\.0\.0\/33" must be an IP address or CIDR range/);
      expect(bad.problems[1]).toMatch(/"proxy\.internal"/);
    }
    const none = read({});
    expect(none.ok && none.settings.trustedProxies).toEqual([]);
  });

  it("names the variable when it is not a positive whole number", () => {
    for (const value of ["0", "-1", "ten", "2.5"]) {
      const result = read({ CHECKOUT_CREATE_RATE_LIMIT: value });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems).toEqual(["CHECKOUT_CREATE_RATE_LIMIT must be a whole number from 1 to 1000000"]);
    }
  });
});

describe("X-Forwarded-For", () => {
  it("is believed only from CHECKOUT_TRUSTED_PROXIES, read from the right, IPv4 and IPv6", async () => {
    // The test's requests come from 127.0.0.1: that is the proxy here.
    const stack = await stackWith({ server: { trustedProxies: ["127.0.0.1", "2001:db8:ffff::/48", "10.0.0.0/8"], rateLimit: { windowMs: 60_000, max: 1 } } });
    const via = (chain: string) => createCheckout(stack, gcash, { "X-Forwarded-For": chain });
    // The shopper's claim comes first; our proxies appended what they saw.
    expect((await via("1.1.1.1, 203.0.113.5")).status).toBe(201);
    expect((await via("2.2.2.2, 203.0.113.5")).status).toBe(429);
    expect((await via("203.0.113.5, 10.1.2.3")).status).toBe(429);
    expect((await via("203.0.113.6")).status).toBe(201);
    expect((await via("2001:db8:1:2::1, 2001:db8:ffff::7")).status).toBe(201);
    // The same IPv6 /64 is one client.
    expect((await via("2001:db8:1:2::99")).status).toBe(429);
    expect((await via("2001:db8:1:3::1")).status).toBe(201);
  });

  const forwardingLines = (stack: Stack) => stack.logs.filter((line) => line.includes("CHECKOUT_TRUSTED_PROXIES")).map((line) => JSON.parse(line) as { level: string; msg: string });

  it("is ignored when no proxy is trusted: said at start, and warned once when one arrives", async () => {
    const stack = await stackWith({ server: { rateLimit: { windowMs: 60_000, max: 1 } } });
    // At start, before any request: the operator reads in the first lines what will be ignored.
    const atStart = forwardingLines(stack);
    expect(atStart).toHaveLength(1);
    expect(atStart[0]!.level).toBe("info");
    expect(atStart[0]!.msg).toMatch(/X-Forwarded-For.*will be ignored.*CHECKOUT_TRUST_PROXY/);
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect(forwardingLines(stack)).toHaveLength(1);
    expect((await createCheckout(stack, gcash, { "X-Forwarded-For": "198.51.100.2" })).status).toBe(429);
    await createCheckout(stack, gcash, { "X-Forwarded-For": "198.51.100.3" });
    await createCheckout(stack, gcash, { Forwarded: "for=198.51.100.4" });
    const lines = forwardingLines(stack);
    expect(lines.map((line) => line.level)).toEqual(["info", "warn"]);
  });

  it("warns at start when the public URL is https (a TLS proxy stands in front) and no proxy is trusted", async () => {
    const untrusted = await stackWith({ server: { publicUrl: "https://pay.example" } });
    expect(forwardingLines(untrusted).map((line) => line.level)).toEqual(["warn"]);
    expect(forwardingLines(untrusted)[0]!.msg).toMatch(/public URL is https.*will be ignored/);
    // Trusted proxies, by range or by count: nothing to say, at start or later.
    for (const server of [{ trustedProxies: ["127.0.0.1"] }, { trustProxy: 1 }]) {
      const trusted = await stackWith({ server: { publicUrl: "https://pay.example", ...server } });
      await createCheckout(trusted, gcash, { "X-Forwarded-For": "198.51.100.5" });
      expect(forwardingLines(trusted)).toEqual([]);
    }
  });

  it("keeps CHECKOUT_TRUST_PROXY's hop count working beside the ranges", async () => {
    const stack = await stackWith({ server: { trustProxy: 1, trustedProxies: ["192.0.2.0/24"], rateLimit: { windowMs: 60_000, max: 1 } } });
    // One hop (the socket's peer) by count, then 192.0.2.9 by range: the client is 203.0.113.9.
    expect((await createCheckout(stack, gcash, { "X-Forwarded-For": "6.6.6.6, 203.0.113.9, 192.0.2.9" })).status).toBe(201);
    expect((await createCheckout(stack, gcash, { "X-Forwarded-For": "7.7.7.7, 203.0.113.9, 192.0.2.10" })).status).toBe(429);
  });
});

describe("a request without its connection's address", () => {
  it("is warned about once, naming the fix: every such request would share one create limit", async () => {
    const lines: string[] = [];
    const server = testServer({ logger: createLogger({ level: "info", write: (line) => lines.push(line) }) });
    // app.fetch(request) without Node's request, as a wrapper that drops fetch's second argument calls it.
    const send = () => server.app.fetch(new Request("http://127.0.0.1/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: "https://evil.test" }, body: "{}" }));
    expect((await send()).status).toBe(403);
    expect((await send()).status).toBe(403);
    const warned = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.msg.includes("without its connection's address"));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe("warn");
    expect(warned[0]!.msg).toMatch(/one client \("unknown"\) against the create limit.*serve\(\{ fetch: app\.fetch \}\)/);
  });

  it("is not warned about when served over HTTP as npm start serves it", async () => {
    const stack = await stackWith({});
    expect((await createCheckout(stack, gcash)).status).toBe(201);
    expect(stack.logs.filter((line) => line.includes("without its connection's address"))).toEqual([]);
  });
});

describe("the limiter's memory", () => {
  it("holds at most maxKeys addresses, however many come, and still limits the ones it holds", () => {
    let at = 0;
    const limiter = createRateLimiter({ windowMs: 60_000, max: 2, maxKeys: 1_000, now: () => at });
    for (let index = 0; index < 50_000; index++) limiter.hit(`addr-${index}`);
    expect(limiter.size).toBeLessThanOrEqual(1_000);
    expect(limiter.hit("addr-49999").allowed).toBe(true);
    expect(limiter.hit("addr-49999").allowed).toBe(false);
    // Expired windows go first, so that live ones are kept.
    at += 60_000;
    limiter.hit("fresh");
    expect(limiter.size).toBeLessThanOrEqual(1_000);
  });
});

describe("return_url", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await stackWith({ server: { rateLimit: { windowMs: 60_000, max: 10_000 } } });
  });

  it.each([
    ["javascript:", "javascript:alert(document.cookie)", /http\(s\)/],
    ["a data: URL", "data:text/html,<script>alert(1)</script>", /http\(s\)/],
    ["an ftp URL on the shop's host", "ftp://shop.example/back", /http\(s\)/],
    ["a user name and password", "https://user:secret@shop.example/back", /user name or password/],
    ["a user name alone", "https://shop.example@evil.test/back", /user name or password|own origin/],
    // The server's own origin is always allowed: still not the page that asked.
    ["another allowed origin than the requesting page's", "SERVER/back", /requesting page's own origin/],
    ["the shop's host on another port", "https://shop.example:8443/back", /requesting page's own origin/],
  ])("is refused with %s", async (_what, returnUrl, message) => {
    const response = await createCheckout(stack, { ...gcash, return_url: returnUrl.replace("SERVER", stack.url) });
    expect(response.status).toBe(400);
    const error = (await readJson<ErrorBody>(response)).error;
    expect(error.field).toBe("return_url");
    expect(error.message).toMatch(message);
  });

  it("is accepted on the requesting page's own origin", async () => {
    const response = await createCheckout(stack, { ...gcash, return_url: `${SHOP}/cart?step=3` });
    expect(response.status).toBe(201);
    expect((await stack.store.get((await readJson<{ id: string }>(response)).id))?.returnUrl).toBe(`${SHOP}/cart?step=3`);
  });
});
