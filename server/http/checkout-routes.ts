/** POST /api/checkout and GET /api/checkout/:id: the widget's two calls. */
import { Hono, type MiddlewareHandler } from "hono";
import { checkoutError } from "../errors.ts";
import { CHECKOUT_ID, SESSION_ID } from "../ids.ts";
import type { OrderService } from "../orders/service.ts";
import { toPublicOrder, toPublicSession } from "../orders/public-view.ts";
import type { OrderStore } from "../store/types.ts";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

export function checkoutRoutes(options: {
  service: OrderService;
  store: OrderStore;
  merchantName: string;
  allowedOrigins: ReadonlySet<string>;
  createLimit: MiddlewareHandler;
  now?: () => number;
}) {
  const { service, allowedOrigins } = options;
  const now = options.now ?? Date.now;
  return new Hono()
    .post("/api/checkout", options.createLimit, async (c) => {
      const origin = c.req.header("origin") ?? null;
      // CORS only stops a foreign page from reading the answer; this stops it from making orders.
      if (origin !== null && !allowedOrigins.has(origin)) {
        throw checkoutError("origin_not_allowed", `Checkouts from ${origin} are not allowed. Add it to allowedOrigins or CHECKOUT_ALLOWED_ORIGINS.`);
      }
      if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
        throw checkoutError("invalid_request", 'The body must be JSON with "Content-Type: application/json".', "Content-Type");
      }
      const key = c.req.header("idempotency-key") ?? null;
      if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
        throw checkoutError("invalid_request", '"Idempotency-Key" must be 8 to 128 letters, digits or _ . : -', "Idempotency-Key");
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw checkoutError("invalid_json", "The body is not valid JSON.");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw checkoutError("invalid_request", "The body must be a JSON object.", "body");
      }
      const { order, replayed } = await service.create({ body: body as Record<string, unknown>, origin, idempotencyKey: key });
      if (replayed) c.header("Idempotent-Replayed", "true");
      c.header("Cache-Control", "no-store");
      return c.json(toPublicOrder(order), replayed ? 200 : 201);
    })
    // A checkout session as the widget shows it (data-session, the payment link page).
    .get("/api/checkout/sessions/:id", async (c) => {
      const id = c.req.param("id");
      const session = SESSION_ID.test(id) ? await options.store.getSession(id) : null;
      if (!session) throw checkoutError("not_found", "No checkout session with this id.");
      c.header("Cache-Control", "no-store");
      return c.json(toPublicSession(session, { merchantName: options.merchantName, now: now() }));
    })
    .get("/api/checkout/:id", async (c) => {
      const id = c.req.param("id");
      if (!CHECKOUT_ID.test(id)) throw checkoutError("not_found", "No checkout with this id.");
      const order = await service.status(id);
      c.header("Cache-Control", "no-store");
      return c.json(toPublicOrder(order));
    });
}
