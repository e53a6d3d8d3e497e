/**
 * Our CORS and body-limit middleware replace Hono's to spare the Node adapter full web-standard
 * objects on every request; they must answer exactly as Hono's did: every header, every status,
 * the same 413 body, for successes, errors, preflights and unknown routes.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { cors as honoCors } from "hono/cors";
import { requestId } from "hono/request-id";
import { describe, expect, it } from "vitest";
import { CheckoutError, checkoutError } from "../../server/errors.ts";
import { bodyLimit } from "../../server/middleware/body-limit.ts";
import { cors } from "../../server/middleware/cors.ts";
import { envelope, jsonAnswer } from "../../server/middleware/envelope.ts";
import { addSecurityHeaders, securityHeaderValues } from "../../server/middleware/security-headers.ts";
import { silentLogger } from "../../server/log.ts";

const ALLOWED = new Set(["https://shop.example"]);
const OPTIONS = { allowMethods: ["GET", "POST", "OPTIONS"], allowHeaders: ["Content-Type", "Idempotency-Key"], exposeHeaders: ["Idempotent-Replayed", "Retry-After", "X-Request-Id"] };
const MAX = 64;

function appWith(corsMiddleware: MiddlewareHandler, limit: MiddlewareHandler, outer: MiddlewareHandler[] = []) {
  const app = new Hono();
  for (const middleware of outer) app.use(middleware);
  app.use("/api/*", corsMiddleware);
  app.use("/api/*", limit);
  app.get("/api/ok", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ ok: true });
  });
  // As the widget's routes answer: whole, from plain objects, inside the envelope (c.json without it).
  app.get("/api/whole", (c) => jsonAnswer(c as never, { ok: true }, 200, { "Cache-Control": "no-store" }));
  app.post("/api/echo", async (c) => c.json({ length: (await c.req.text()).length }, 201));
  app.get("/api/fail", () => {
    throw checkoutError("rate_limited", "Too many.", undefined, { "Retry-After": "7" });
  });
  app.notFound((c) => c.json({ error: { code: "not_found" } }, 404));
  app.onError((error, c) => {
    const failure = error instanceof CheckoutError ? error : checkoutError("internal_error", "x");
    for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
    return c.json(failure.toBody(), failure.status);
  });
  return app;
}

const honoMiddleware = (): [MiddlewareHandler, MiddlewareHandler] => [
  honoCors({ origin: (origin) => (ALLOWED.has(origin) ? origin : null), ...OPTIONS, maxAge: 600 }),
  honoBodyLimit({
    maxSize: MAX,
    onError: () => {
      throw checkoutError("payload_too_large", `The body must be at most ${MAX} bytes.`);
    },
  }),
];
const theirs = appWith(...honoMiddleware());
const ours = appWith(cors({ allowedOrigins: ALLOWED, ...OPTIONS, maxAgeSeconds: 600 }), bodyLimit(MAX));

/** What the app used before the envelope: hono's requestId, then security headers added to each finished response. */
const securityAfter: MiddlewareHandler = async (c, next) => {
  await next();
  addSecurityHeaders(c.res.headers, securityHeaderValues({ https: true }));
};
const theirsEnveloped = appWith(...honoMiddleware(), [requestId(), securityAfter]);
const oursEnveloped = appWith(cors({ allowedOrigins: ALLOWED, ...OPTIONS, maxAgeSeconds: 600 }), bodyLimit(MAX), [envelope({ logger: silentLogger, https: true }) as MiddlewareHandler]);

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += 10) controller.enqueue(bytes.slice(offset, offset + 10));
      controller.close();
    },
  });
}

const REQUESTS: [string, () => [string, RequestInit]][] = [
  ["a whole answer (jsonAnswer)", () => ["/api/whole", { headers: { Origin: "https://shop.example", "X-Request-Id": "given-id-1" } }]],
  ["GET from an allowed origin", () => ["/api/ok", { headers: { Origin: "https://shop.example" } }]],
  ["GET from another origin", () => ["/api/ok", { headers: { Origin: "https://evil.test" } }]],
  ["GET without an origin", () => ["/api/ok", {}]],
  ["an error with its own header", () => ["/api/fail", { headers: { Origin: "https://shop.example" } }]],
  ["an unknown route", () => ["/api/nothing", { headers: { Origin: "https://shop.example" } }]],
  ["a preflight", () => ["/api/echo", { method: "OPTIONS", headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" } }]],
  ["a preflight from another origin", () => ["/api/echo", { method: "OPTIONS", headers: { Origin: "https://evil.test", "Access-Control-Request-Method": "POST" } }]],
  ["a small body", () => ["/api/echo", { method: "POST", headers: { Origin: "https://shop.example", "Content-Type": "application/json", "Content-Length": "10" }, body: "0123456789" }]],
  ["a body over the limit, with its length", () => ["/api/echo", { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": "100" }, body: "x".repeat(100) }]],
  ["a small chunked body", () => ["/api/echo", { method: "POST", body: chunked("x".repeat(30)), duplex: "half" } as RequestInit]],
  ["a chunked body over the limit", () => ["/api/echo", { method: "POST", body: chunked("x".repeat(100)), duplex: "half" } as RequestInit]],
];

async function answer(app: Hono, make: () => [string, RequestInit]) {
  const [path, init] = make();
  const response = await app.request(`http://checkout.test${path}`, init);
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

describe("cheaper CORS and body limit", () => {
  it.each(REQUESTS)("answer %s exactly as Hono's middleware did", async (_name, make) => {
    const expected = await answer(theirs, make);
    const actual = await answer(ours, make);
    expect(actual).toEqual(expected);
  });

  it.each(REQUESTS)("answer %s inside the envelope as hono's requestId, CORS and the security headers after did", async (_name, make) => {
    const expected = await answer(theirsEnveloped, make);
    const actual = await answer(oursEnveloped, make);
    expect(actual.headers["x-request-id"]).toEqual(expect.any(String));
    if (expected.headers["x-request-id"] === "given-id-1") expect(actual.headers["x-request-id"]).toBe("given-id-1");
    expect({ ...actual, headers: { ...actual.headers, "x-request-id": "" } }).toEqual({ ...expected, headers: { ...expected.headers, "x-request-id": "" } });
  });
});
