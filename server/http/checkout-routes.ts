/** POST /api/checkout and GET /api/checkout/:id: the widget's two calls. */
import { Hono, type Context } from "hono";
import type { CheckoutConfig } from "../checkout-config.ts";
import { CheckoutError, checkoutError } from "../errors.ts";
import { CHECKOUT_ID, SESSION_ID } from "../ids.ts";
import { jsonAnswer } from "../middleware/envelope.ts";
import { rateLimitKey } from "../middleware/ip-ranges.ts";
import { rateLimitedError, type AsyncRateLimiter, type RateLimiter } from "../middleware/rate-limit.ts";
import type { SharedRateLimiter } from "../middleware/shared-rate-limit.ts";
import { scopedIdempotencyKey } from "../orders/idempotency.ts";
import { priceOrder, type PricedOrder } from "../orders/pricing.ts";
import type { OrderService } from "../orders/service.ts";
import { toPublicOrder, toPublicSession } from "../orders/public-view.ts";
import type { OrderStore } from "../store/types.ts";
import type { AppEnv } from "./app-env.ts";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const NO_STORE = { "Cache-Control": "no-store" } as const;
const REPLAYED = { ...NO_STORE, "Idempotent-Replayed": "true" } as const;

export interface CheckoutRouteOptions {
  service: OrderService;
  store: OrderStore;
  merchantName: string;
  config: CheckoutConfig;
  allowedOrigins: ReadonlySet<string>;
  clientAddress: (c: Context) => string;
  /**
   * `create` counts only requests that could make an order. Any web page can make a visitor's
   * browser send requests that are refused for their Origin, Content-Type or body: those count
   * against `refused` instead, so that they cannot use up the visitor's creates. `create` is shared
   * by the instances on a PostgreSQL store; `refused` is each instance's own (a shared count would
   * turn every refused request into a database write).
   */
  limits: { create: AsyncRateLimiter | SharedRateLimiter; refused: RateLimiter };
  now?: () => number;
}

export function checkoutRoutes(options: CheckoutRouteOptions) {
  const { service, config, allowedOrigins, limits } = options;
  const now = options.now ?? Date.now;
  return new Hono<AppEnv>()
    .post("/api/checkout", async (c) => {
      const client = rateLimitKey(options.clientAddress(c));
      const refuse = (error: CheckoutError): never => {
        const hit = limits.refused.hit(client);
        if (!hit.allowed) throw rateLimitedError(hit.retryAfterSeconds, "refused requests");
        throw error;
      };
      const origin = c.req.header("origin") ?? null;
      // CORS only stops a foreign page from reading the answer; this stops it from making orders.
      if (origin !== null && !allowedOrigins.has(origin)) {
        refuse(checkoutError("origin_not_allowed", `Checkouts from ${origin} are not allowed. Add it to allowedOrigins or CHECKOUT_ALLOWED_ORIGINS.`));
      }
      if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
        refuse(checkoutError("invalid_request", 'The body must be JSON with "Content-Type: application/json".', "Content-Type"));
      }
      const key = c.req.header("idempotency-key") ?? null;
      if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
        refuse(checkoutError("invalid_request", '"Idempotency-Key" must be 8 to 128 letters, digits or _ . : -', "Idempotency-Key"));
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        refuse(checkoutError("invalid_json", "The body is not valid JSON."));
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        refuse(checkoutError("invalid_request", "The body must be a JSON object.", "body"));
      }
      const fields = body as Record<string, unknown>;
      // A body without a session is priced here, so that a bad one is refused before it counts as a
      // create; a session's body needs the store, and is checked by the service.
      let priced: PricedOrder | undefined;
      if (!("session" in fields)) {
        try {
          priced = priceOrder(fields, config, allowedOrigins, origin);
        } catch (error) {
          if (error instanceof CheckoutError) refuse(error);
          throw error;
        }
      }
      // Shared through PostgreSQL, the create is counted by the statement that inserts its order
      // (no transaction or round trip of its own), or alone if the request ends before that insert.
      const deferred = "defer" in limits.create ? limits.create.defer(client) : null;
      const hit = deferred ?? (await limits.create.hit(client));
      if (!hit.allowed) throw rateLimitedError(hit.retryAfterSeconds);
      try {
        const idempotencyKey = key === null ? null : await scopedIdempotencyKey(origin, key);
        const { order, replayed } = await service.create({ body: fields, origin, idempotencyKey, ...(priced ? { priced } : {}), ...(deferred?.allowed ? { insert: deferred.insert } : {}) });
        return jsonAnswer(c, toPublicOrder(order), replayed ? 200 : 201, replayed ? REPLAYED : NO_STORE);
      } finally {
        if (deferred?.allowed) await deferred.finish();
      }
    })
    // A checkout session as the widget shows it (data-session, the payment link page).
    .get("/api/checkout/sessions/:id", async (c) => {
      const id = c.req.param("id");
      const session = SESSION_ID.test(id) ? await options.store.getSession(id) : null;
      if (!session) throw checkoutError("not_found", "No checkout session with this id.");
      return jsonAnswer(c, toPublicSession(session, { merchantName: options.merchantName, now: now() }), 200, NO_STORE);
    })
    .get("/api/checkout/:id", async (c) => {
      const id = c.req.param("id");
      if (!CHECKOUT_ID.test(id)) throw checkoutError("not_found", "No checkout with this id.");
      const order = await service.status(id);
      return jsonAnswer(c, toPublicOrder(order), 200, NO_STORE);
    });
}
