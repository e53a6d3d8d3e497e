/**
 * `POST /octopus/api/order/new` and `/order/get`, as the seeds and docs/gateway.md describe them,
 * wrapped in the tester's latency and faults.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { verifyFields } from "../../server/gateway/signing.ts";
import type { FaultPlan } from "./faults.ts";
import type { Holds } from "./holds.ts";
import type { Lifecycle, PayoutSettings } from "./lifecycle.ts";
import type { MerchantRegistry, SandboxMerchant } from "./merchants.ts";
import type { MethodCatalog } from "./methods.ts";
import { buildOrder } from "./new-order.ts";
import type { OrderBook } from "./order-book.ts";
import { orderDetails, paymentObject } from "./order-fields.ts";
import { checkGetOrder, checkNewOrder, readFlatFields, type FlatFields } from "./order-rules.ts";
import {
  duplicateOrder,
  fieldMessage,
  type GatewayReply,
  invalidParameters,
  invalidSignature,
  orderNotFound,
  serverError,
  success,
  unknownKey,
} from "./responses.ts";

export interface ApiDeps {
  merchants: MerchantRegistry;
  methods: MethodCatalog;
  book: OrderBook;
  lifecycle: Lifecycle;
  faults: FaultPlan;
  holds: Holds;
  latencyMs: () => number;
  now: () => number;
  random: () => number;
  orderTtlMs: number;
  /** Base of payment_url; the request's own origin when undefined. */
  publicUrl: string | undefined;
  /** notify_url and redirect_url must be under it when set (mounted in the checkout server). */
  callbackBaseUrl: string | undefined;
  payouts: () => PayoutSettings;
}

const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

type Authenticated = { ok: true; merchant: SandboxMerchant; fields: FlatFields } | { ok: false; reply: GatewayReply };

function send(c: Context, reply: GatewayReply): Response {
  return c.json(reply.body, reply.status);
}

function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "";
  } catch {
    // Not served by @hono/node-server (app.request in a test, another runtime): unknown.
    return "";
  }
}

/** Key first (who is asking), then the body (what to verify), then the signature over it. */
async function authenticate(c: Context, merchants: MerchantRegistry): Promise<Authenticated> {
  const key = c.req.header("OC-Key");
  const merchant = key ? merchants.byKey(key) : undefined;
  if (!merchant) return { ok: false, reply: unknownKey() };
  if (!JSON_TYPE.test(c.req.header("Content-Type") ?? "")) {
    return { ok: false, reply: invalidParameters("The request body must be JSON, sent with Content-Type: application/json.") };
  }
  const body = readFlatFields(await c.req.text());
  if (!body.ok) return { ok: false, reply: invalidParameters(body.details) };
  if (!(await verifyFields(merchant.apiSecret, body.fields, c.req.header("OC-Signature")))) return { ok: false, reply: invalidSignature() };
  return { ok: true, merchant, fields: body.fields };
}

/** Whether `url` is `base` or below it: same origin, and a path under base's path. */
function isUnder(url: string, base: URL): boolean {
  const parsed = new URL(url);
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  return parsed.origin === base.origin && (parsed.pathname === base.pathname || parsed.pathname.startsWith(prefix));
}

export function createApiRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  const callbackBase = deps.callbackBaseUrl === undefined ? undefined : new URL(deps.callbackBaseUrl);

  async function createOrder(c: Context): Promise<GatewayReply> {
    const auth = await authenticate(c, deps.merchants);
    if (!auth.ok) return auth.reply;
    const checked = checkNewOrder(auth.fields, auth.merchant, deps.merchants, deps.methods);
    if (!checked.ok) return invalidParameters(checked.details);
    const { merchant } = auth;
    if (callbackBase) {
      // Mounted in the checkout server, the sandbox must not become a way to make it post to, or send
      // a shopper to, anywhere else: the server only ever sends its own URLs.
      for (const field of ["notify_url", "redirect_url"] as const) {
        const value = checked.request[field];
        if (value !== undefined && !isUnder(value, callbackBase)) return invalidParameters(fieldMessage(field, `must be under ${callbackBase.href.replace(/\/$/, "")} in this sandbox`));
      }
    }
    if (deps.book.find(merchant.merchantUid, checked.request.merchant_order_id)) return duplicateOrder(checked.request.merchant_order_id);
    const order = buildOrder(checked, {
      merchant,
      now: deps.now(),
      ttlMs: deps.orderTtlMs,
      publicUrl: (deps.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, ""),
      ip: clientIp(c),
      userAgent: c.req.header("User-Agent") ?? "",
      random: deps.random,
      book: deps.book,
      payouts: deps.payouts(),
    });
    deps.book.add(order);
    deps.lifecycle.track(order);
    const payment = paymentObject(order);
    return success(order.paymentUrl === undefined ? { payment } : { payment, payment_url: order.paymentUrl });
  }

  async function getOrder(c: Context): Promise<GatewayReply> {
    const auth = await authenticate(c, deps.merchants);
    if (!auth.ok) return auth.reply;
    const checked = checkGetOrder(auth.fields);
    if (!checked.ok) return invalidParameters(checked.details);
    const id = checked.request.merchant_order_id;
    const order = deps.book.find(auth.merchant.merchantUid, id);
    return order ? success(orderDetails(order)) : orderNotFound(id);
  }

  /** The tester's latency and faults around the real work. */
  async function answer(c: Context, endpoint: "new" | "get", work: (c: Context) => Promise<GatewayReply>): Promise<Response> {
    const signal = c.req.raw.signal;
    c.header("Cache-Control", "no-store");
    deps.lifecycle.sweep();
    await deps.holds.delay(deps.latencyMs(), signal);
    const mode = deps.faults.take(endpoint);
    if (mode === "error500") return send(c, serverError());
    if (mode === "hang") {
      await deps.holds.hang(signal);
      // Only reached once the client has gone or the sandbox is closing: nobody reads this.
      return send(c, serverError());
    }
    const reply = await work(c);
    switch (mode) {
      case "commit_then_hang":
        await deps.holds.hang(signal);
        return send(c, serverError());
      case "commit_then_fail":
        return send(c, serverError());
      case "malformed": {
        // The gateway did the work; the answer is cut off mid-way.
        const text = JSON.stringify(reply.body);
        return c.body(text.slice(0, Math.max(1, Math.floor(text.length / 2))), 200, { "Content-Type": "application/json" });
      }
      default:
        return send(c, reply);
    }
  }

  app.use(
    "/octopus/api/*",
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => send(c, invalidParameters("The request body is too large.")) }),
  );
  app.post("/octopus/api/order/new", (c) => answer(c, "new", createOrder));
  app.post("/octopus/api/order/get", (c) => answer(c, "get", getOrder));
  // A bug in the sandbox still answers like the gateway does when it fails.
  app.onError((error, c) => {
    console.error("sandbox API:", error);
    return send(c, serverError());
  });
  return app;
}
