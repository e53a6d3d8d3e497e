/**
 * The merchant API, `/api/v1/`: server to server, with a secret key, never from a browser (no CORS).
 * Every route is declared with its zod schemas (`createRoute`), which both validate the request and
 * make `GET /api/v1/openapi.json`, so the document and the code cannot disagree.
 */
import { createRoute, OpenAPIHono, z, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { checkoutError } from "../errors.ts";
import { PaymentStatus } from "../gateway/schemas.ts";
import { CHECKOUT_ID, EVENT_ID, PAYOUT_ID, SESSION_ID } from "../ids.ts";
import type { PayoutService } from "../payouts/service.ts";
import type { OrderService } from "../orders/service.ts";
import { describeIssue } from "../orders/pricing.ts";
import type { SecretKeyVariables } from "../middleware/secret-key.ts";
import type { OrderStore, EventRecord } from "../store/types.ts";
import { isListItem, type PagedList } from "./cursor.ts";
import { CreatePayoutBody, CreateSessionBody, ErrorBody, Event, EventType, list, ListQuery, MerchantOrder, Payout, Session } from "./schemas.ts";
import type { SessionService } from "./sessions.ts";
import { merchantEventView, merchantOrderView, payoutView, sessionView } from "./views.ts";

export type MerchantEnv = { Variables: SecretKeyVariables };

export interface MerchantRoutesOptions {
  store: OrderStore;
  orders: OrderService;
  sessions: SessionService;
  payouts: PayoutService;
  publicUrl: string;
  auth: MiddlewareHandler<MerchantEnv>;
  /** Wakes the webhook dispatcher after a redelivery. */
  onRedeliver?: () => void;
  /** Names of the configured endpoints, for redelivery to one of them. */
  endpoints: () => readonly string[];
  now?: () => number;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

// Every route reads or writes the store, so every one may answer 503 while it cannot be reached.
const errors = (...statuses: number[]): RouteConfig["responses"] =>
  Object.fromEntries([...new Set([...statuses, 503])].map((status) => [status, { description: ERROR_TEXT[status] ?? "Error", content: { "application/json": { schema: ErrorBody } } }]));
const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: the error names the field",
  401: "Missing or wrong secret key",
  403: "Payouts are off for this currency",
  404: "No such object",
  409: "The Idempotency-Key is in use by a request still running",
  422: "The Idempotency-Key was used with a different body",
  429: "Too many failed authentications",
  503: "The order store or the gateway is not answering: retry after Retry-After",
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const idParam = (pattern: RegExp, example: string) => z.object({ id: z.string().regex(pattern, "is not an id of this kind").openapi({ param: { name: "id", in: "path" }, example }) });
const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .regex(IDEMPOTENCY_KEY, "must be 8 to 128 letters, digits or _ . : -")
    .optional()
    .openapi({ description: "A random key of yours: the same key with the same body gives the same object, never a second one." }),
});

const security = [{ secretKey: [] }];

const routes = {
  createSession: createRoute({
    method: "post",
    path: "/sessions",
    summary: "Create a checkout session (and its payment link)",
    security,
    request: { headers: IdempotencyHeader, body: { required: true, content: { "application/json": { schema: CreateSessionBody } } } },
    responses: { 201: json(Session, "Created"), 200: json(Session, "The same Idempotency-Key and body: the session made before"), ...errors(400, 401, 422, 429) },
  }),
  getSession: createRoute({
    method: "get",
    path: "/sessions/{id}",
    summary: "Retrieve a checkout session",
    security,
    request: { params: idParam(SESSION_ID, "cs_3kTMd9Ff6lKjv2uYbVh1Qw") },
    responses: { 200: json(Session, "The session"), ...errors(401, 404, 429) },
  }),
  getOrder: createRoute({
    method: "get",
    path: "/orders/{id}",
    summary: "Retrieve an order",
    security,
    request: { params: idParam(CHECKOUT_ID, "ck_Yb2mS0xq9rW4nQk3T1aZcA") },
    responses: { 200: json(MerchantOrder, "The order"), ...errors(401, 404, 429) },
  }),
  listOrders: createRoute({
    method: "get",
    path: "/orders",
    summary: "List orders, newest first",
    security,
    request: {
      query: z.object({
        status: PaymentStatus.optional(),
        customer: z.string().max(64).optional(),
        session: z.string().max(64).optional(),
        ...ListQuery,
      }),
    },
    responses: { 200: json(list(MerchantOrder, "OrderList"), "A page of orders"), ...errors(400, 401, 429) },
  }),
  refreshOrder: createRoute({
    method: "post",
    path: "/orders/{id}/refresh",
    summary: "Re-read an order from the gateway now",
    security,
    request: { params: idParam(CHECKOUT_ID, "ck_Yb2mS0xq9rW4nQk3T1aZcA") },
    responses: { 200: json(MerchantOrder, "The order as the gateway reports it now"), ...errors(401, 404, 429) },
  }),
  createPayout: createRoute({
    method: "post",
    path: "/payouts",
    summary: "Send a payout (the gateway's expense order)",
    description: "Idempotency-Key is required: a payout is created at the gateway exactly once, and a retried request returns it.",
    security,
    request: {
      headers: z.object({ "idempotency-key": z.string().regex(IDEMPOTENCY_KEY, "must be 8 to 128 letters, digits or _ . : -").openapi({ description: "Required. A random key of yours per payout." }) }),
      body: { required: true, content: { "application/json": { schema: CreatePayoutBody } } },
    },
    responses: { 201: json(Payout, "Stored and sent to the gateway; a refusal shows as status failed with failure_reason"), 200: json(Payout, "The same Idempotency-Key and body: the payout made before"), ...errors(400, 401, 403, 409, 422, 429) },
  }),
  getPayout: createRoute({
    method: "get",
    path: "/payouts/{id}",
    summary: "Retrieve a payout",
    security,
    request: { params: idParam(PAYOUT_ID, "po_8sQw1ZxYk2LmN3bV4cR5tA") },
    responses: { 200: json(Payout, "The payout"), ...errors(401, 404, 429) },
  }),
  listPayouts: createRoute({
    method: "get",
    path: "/payouts",
    summary: "List payouts, newest first",
    security,
    request: { query: z.object({ status: PaymentStatus.optional(), ...ListQuery }) },
    responses: { 200: json(list(Payout, "PayoutList"), "A page of payouts"), ...errors(400, 401, 429) },
  }),
  listEvents: createRoute({
    method: "get",
    path: "/events",
    summary: "List events with their delivery attempts, newest first",
    security,
    request: { query: z.object({ object_id: z.string().max(64).optional(), type: EventType.optional(), ...ListQuery }) },
    responses: { 200: json(list(Event, "EventList"), "A page of events"), ...errors(400, 401, 429) },
  }),
  getEvent: createRoute({
    method: "get",
    path: "/events/{id}",
    summary: "Retrieve an event with its delivery attempts",
    security,
    request: { params: idParam(EVENT_ID, "evt_0mHcT1s9Qy2LkVw8XbR4aA") },
    responses: { 200: json(Event, "The event"), ...errors(401, 404, 429) },
  }),
  redeliver: createRoute({
    method: "post",
    path: "/events/{id}/redeliver",
    summary: "Send an event again (to every endpoint it went to, or to the ones named)",
    security,
    request: {
      params: idParam(EVENT_ID, "evt_0mHcT1s9Qy2LkVw8XbR4aA"),
      body: { required: false, content: { "application/json": { schema: z.strictObject({ endpoints: z.array(z.string().max(40)).min(1).optional() }) } } },
    },
    responses: { 200: json(Event, "The event, its deliveries queued again"), ...errors(400, 401, 404, 429) },
  }),
};

export function merchantRoutes(options: MerchantRoutesOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;

  const app = new OpenAPIHono<MerchantEnv>({
    // A request that does not match its schema gets the API's one error shape, naming the field.
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0]!;
      const { field, message } = describeIssue(issue);
      throw checkoutError("invalid_request", message, result.target === "header" ? "Idempotency-Key" : field);
    },
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "secretKey", {
    type: "http",
    scheme: "bearer",
    description: "A secret key (sk_…) from CHECKOUT_SECRET_KEYS. Server to server only: never put it in a page.",
  });

  // The document is public (it holds no secret) so that tools can read it without a key.
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "octopus-checkout merchant API",
      version: "1",
      description: "Checkout sessions, orders and events of a self-hosted octopus-checkout server. Webhooks follow Standard Webhooks v1.",
    },
    servers: [{ url: `${options.publicUrl}/api/v1` }],
  });

  app.use("*", async (c, next) => {
    if (c.req.path.endsWith("/openapi.json")) return next();
    return options.auth(c, next);
  });
  app.use("*", async (c, next) => {
    c.header("Cache-Control", "no-store");
    // Only JSON bodies: a form post from a browser is not a merchant's backend.
    if (c.req.method === "POST" && c.req.header("content-length") !== "0" && c.req.header("content-type") !== undefined && !/^application\/json\b/i.test(c.req.header("content-type")!)) {
      throw checkoutError("invalid_request", 'The body must be JSON with "Content-Type: application/json".', "Content-Type");
    }
    await next();
  });

  const orderView = async (id: string) => {
    const order = await store.get(id);
    if (!order || order.kind !== "checkout") throw checkoutError("not_found", "No order with this id.");
    return merchantOrderView(order, await store.history(id));
  };

  /** A cursor that names nothing of its list is said, naming the field (see isListItem). */
  const cursorExists = async (id: string | undefined, kind: PagedList) => {
    if (id !== undefined && !(await isListItem(store, kind, id))) throw checkoutError("invalid_request", `"starting_after" must be the id of a${kind === "event" ? "n event" : kind === "payout" ? " payout" : "n order"} of this list (the last one of the previous page)`, "starting_after");
  };

  const eventView = async (event: EventRecord) => merchantEventView(event, await store.deliveries(event.id));

  const sessionOut = (session: Parameters<typeof sessionView>[0]) => sessionView(session, { publicUrl: options.publicUrl, now: now() });

  return app
    .openapi(routes.createSession, async (c) => {
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"] ?? crypto.randomUUID();
      const { session, replayed } = await options.sessions.create({ body, idempotencyKey: key, keyId: c.get("keyId") });
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(sessionOut(session), replayed ? 200 : 201);
    })
    .openapi(routes.getSession, async (c) => c.json(sessionOut(await options.sessions.get(c.req.valid("param").id)), 200))
    .openapi(routes.getOrder, async (c) => c.json(await orderView(c.req.valid("param").id), 200))
    .openapi(routes.listOrders, async (c) => {
      const query = c.req.valid("query");
      await cursorExists(query.starting_after, "checkout");
      const page = await store.listOrders({ status: query.status, customer: query.customer, session: query.session, limit: query.limit ?? 20, startingAfter: query.starting_after });
      const data = await Promise.all(page.data.map(async (order) => merchantOrderView(order, await store.history(order.id))));
      return c.json({ data, has_more: page.hasMore }, 200);
    })
    .openapi(routes.refreshOrder, async (c) => {
      const { id } = c.req.valid("param");
      await options.orders.refresh(id);
      return c.json(await orderView(id), 200);
    })
    .openapi(routes.createPayout, async (c) => {
      const { payout, replayed } = await options.payouts.create({ body: c.req.valid("json"), idempotencyKey: c.req.valid("header")["idempotency-key"], keyId: c.get("keyId") });
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(payoutView(payout, await store.history(payout.id)), replayed ? 200 : 201);
    })
    .openapi(routes.getPayout, async (c) => {
      const payout = await options.payouts.get(c.req.valid("param").id);
      return c.json(payoutView(payout, await store.history(payout.id)), 200);
    })
    .openapi(routes.listPayouts, async (c) => {
      const query = c.req.valid("query");
      await cursorExists(query.starting_after, "payout");
      const page = await store.listOrders({ kind: "payout", status: query.status, limit: query.limit ?? 20, startingAfter: query.starting_after });
      const data = await Promise.all(page.data.map(async (payout) => payoutView(payout, await store.history(payout.id))));
      return c.json({ data, has_more: page.hasMore }, 200);
    })
    .openapi(routes.listEvents, async (c) => {
      const query = c.req.valid("query");
      await cursorExists(query.starting_after, "event");
      const page = await store.listEvents({ objectId: query.object_id, type: query.type, limit: query.limit ?? 20, startingAfter: query.starting_after });
      return c.json({ data: await Promise.all(page.data.map(eventView)), has_more: page.hasMore }, 200);
    })
    .openapi(routes.getEvent, async (c) => {
      const event = await store.getEvent(c.req.valid("param").id);
      if (!event) throw checkoutError("not_found", "No event with this id.");
      return c.json(await eventView(event), 200);
    })
    .openapi(routes.redeliver, async (c) => {
      const { id } = c.req.valid("param");
      const body = (c.req.header("content-length") ?? "0") === "0" ? {} : c.req.valid("json");
      const event = await store.getEvent(id);
      if (!event) throw checkoutError("not_found", "No event with this id.");
      const configured = options.endpoints();
      const unknown = body.endpoints?.find((name) => !configured.includes(name));
      if (unknown) throw checkoutError("invalid_request", `"endpoints" names "${unknown}", which is not configured; configured: ${configured.join(", ") || "none"}`, "endpoints");
      await store.redeliver(id, { at: now(), ...(body.endpoints ? { endpoints: body.endpoints } : {}) });
      options.onRedeliver?.();
      return c.json(await eventView(event), 200);
    });
}
