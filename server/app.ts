/**
 * createCheckoutServer: the whole server as a Hono app, for `npm start` or for a merchant's own
 * process. Everything it needs comes in through options; nothing is read from the environment here.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { CheckoutConfig } from "./checkout-config.ts";
import { CheckoutError, checkoutError } from "./errors.ts";
import type { OctopusClient } from "./gateway/client.ts";
import { createLogger, type Logger } from "./log.ts";
import { clientAddress } from "./middleware/client-address.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestLog } from "./middleware/request-log.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { checkoutRoutes } from "./http/checkout-routes.ts";
import { healthRoute } from "./http/health-route.ts";
import { NOTIFY_PATH, notifyRoute } from "./http/notify-route.ts";
import { optionsRoute } from "./http/options-route.ts";
import { returnPage } from "./http/return-page.ts";
import { widgetAssets, type WidgetBundle } from "./http/widget-assets.ts";
import { widgetSupport } from "./http/widget-support.ts";
import { createOrderService, type OrderService } from "./orders/service.ts";
import { merchantRoutes } from "./merchant/routes.ts";
import { createSessionService, type SessionService } from "./merchant/sessions.ts";
import { secretKeyAuth } from "./middleware/secret-key.ts";
import type { OrderStore } from "./store/types.ts";
import { createWebhookDispatcher, HOOK_ENDPOINT, type EventHook, type WebhookDispatcher } from "./webhooks/dispatcher.ts";
import type { WebhookEndpoint } from "./webhooks/endpoints.ts";
import { HTTPException } from "hono/http-exception";

export interface CheckoutServerOptions {
  config: CheckoutConfig;
  store: OrderStore;
  gateway: OctopusClient;
  /** This server's public URL (scheme, host, port): what the gateway redirects and notifies to. */
  publicUrl: string;
  /** Added to `config.allowedOrigins` (CHECKOUT_ALLOWED_ORIGINS). The server's own origin is always allowed. */
  extraOrigins?: readonly string[];
  /**
   * Called with every event (order.created, order.paid, …), fed from the same durable outbox as the
   * webhooks: at least once, in order per order, retried on the webhook schedule when it throws.
   * Use `event.id` to drop a repeat.
   */
  onOrderUpdate?: EventHook;
  /** Secret keys of the merchant API (CHECKOUT_SECRET_KEYS). None: /api/v1/ answers that it is off. */
  secretKeys?: readonly string[];
  /** Where events are sent, signed (Standard Webhooks). */
  webhooks?: readonly WebhookEndpoint[];
  /** Private and loopback webhook addresses are refused unless this is set (config: allowPrivateWebhookUrls). */
  allowPrivateWebhookUrls?: boolean;
  /**
   * The webhook dispatcher's knobs, mostly for tests; `start: false` leaves it to `dispatchOnce`.
   * `leaseMs` (CHECKOUT_WEBHOOK_LEASE_SECONDS): how soon a crashed instance's claims go out again.
   */
  dispatcher?: { start?: boolean; pollMs?: number; fetch?: typeof fetch; random?: () => number; timeoutMs?: number; leaseMs?: number };
  logger?: Logger;
  /** How many reverse proxies of yours stand in front, whose X-Forwarded-For may be believed. */
  trustProxy?: number;
  rateLimit?: { windowMs: number; max: number };
  bodyLimitBytes?: number;
  widget?: WidgetBundle | null;
  /** The widget's translations by locale ("th" → JSON text), served to browsers that need them. */
  translations?: Record<string, string>;
  /** Runs inside the server in sandbox mode: the sandbox gateway's routes, mounted beside ours. */
  sandbox?: { app: Hono } | null;
  /** Starts the periodic sweep. Default true; tests call `sweepOnce` themselves. */
  sweep?: boolean;
  now?: () => number;
  idempotencyWaitMs?: number;
}

export interface CheckoutServer extends Hono {
  checkout: {
    service: OrderService;
    sessions: SessionService;
    dispatcher: WebhookDispatcher;
    allowedOrigins: ReadonlySet<string>;
    sweepOnce(): Promise<{ claimed: number; failed: number }>;
    /** Stops the sweep and the webhook dispatcher (waiting for sends under way). The store is the caller's to close. */
    close(): Promise<void>;
  };
}

export function createCheckoutServer(options: CheckoutServerOptions): CheckoutServer {
  const { config, store, gateway } = options;
  const logger = options.logger ?? createLogger();
  const publicUrl = new URL(options.publicUrl);
  const allowedOrigins: ReadonlySet<string> = new Set([publicUrl.origin, ...config.allowedOrigins, ...(options.extraOrigins ?? [])]);
  const trustProxy = options.trustProxy ?? 0;
  if (!Number.isInteger(trustProxy) || trustProxy < 0) throw new TypeError("trustProxy must be a whole number of proxies");

  const dispatcher = createWebhookDispatcher({
    store,
    endpoints: options.webhooks ?? [],
    hook: options.onOrderUpdate,
    logger,
    send: {
      allowPrivate: options.allowPrivateWebhookUrls ?? false,
      sandbox: Boolean(options.sandbox),
      ...(options.dispatcher?.fetch ? { fetch: options.dispatcher.fetch } : {}),
      ...(options.dispatcher?.timeoutMs ? { timeoutMs: options.dispatcher.timeoutMs } : {}),
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.dispatcher?.random ? { random: options.dispatcher.random } : {}),
    ...(options.dispatcher?.pollMs ? { pollMs: options.dispatcher.pollMs } : {}),
    ...(options.dispatcher?.leaseMs ? { leaseMs: options.dispatcher.leaseMs } : {}),
  });
  // Events written from now on get a delivery per endpoint (and for the hook), in their transaction.
  store.setSubscriptions(dispatcher.subscriptions);

  const service = createOrderService({
    store,
    gateway,
    config,
    publicUrl: publicUrl.origin,
    allowedOrigins,
    logger,
    onChange: dispatcher.kick,
    ...(options.now ? { now: options.now } : {}),
    ...(options.idempotencyWaitMs !== undefined ? { idempotencyWaitMs: options.idempotencyWaitMs } : {}),
  });

  const app = new Hono() as unknown as CheckoutServer;
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(securityHeaders({ https: publicUrl.protocol === "https:" }));
  // Only the widget's routes: the merchant API (/api/v1/) is server to server, and a secret key
  // never belongs in a browser, so no page may call it.
  const widgetCors = cors({
      // Exact match only: a prefix or suffix match would let shop.example.com.evil.test in.
      origin: (origin) => (allowedOrigins.has(origin) ? origin : null),
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: ["Content-Type", "Idempotency-Key"],
      exposeHeaders: ["Idempotent-Replayed", "Retry-After", "X-Request-Id"],
      maxAge: 600,
    });
  app.use("/api/checkout", widgetCors);
  app.use("/api/checkout/*", widgetCors);
  const maxBody = options.bodyLimitBytes ?? 16 * 1024;
  const limitBody = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw checkoutError("payload_too_large", `The body must be at most ${maxBody} bytes.`);
    },
  });
  app.use("/api/*", limitBody);
  app.use(NOTIFY_PATH, limitBody);

  const limits = options.rateLimit ?? { windowMs: 60_000, max: 30 };
  const createLimit = rateLimit({ ...limits, key: (c) => clientAddress(c, trustProxy), ...(options.now ? { now: options.now } : {}) });

  app.route("/", healthRoute({ store, mode: options.sandbox ? "sandbox" : "live" }));
  app.route("/", optionsRoute(config, { sandbox: Boolean(options.sandbox) }));
  app.route("/", checkoutRoutes({ service, store, merchantName: config.merchantName, allowedOrigins, createLimit, ...(options.now ? { now: options.now } : {}) }));
  const sessions = createSessionService({ store, config, allowedOrigins, ...(options.now ? { now: options.now } : {}) });
  app.route(
    "/api/v1",
    merchantRoutes({
      store,
      orders: service,
      sessions,
      publicUrl: publicUrl.origin,
      auth: secretKeyAuth({ keys: options.secretKeys ?? [], address: (c) => clientAddress(c, trustProxy) }),
      onRedeliver: dispatcher.kick,
      endpoints: () => [...(options.webhooks ?? []).map((endpoint) => endpoint.name), ...(options.onOrderUpdate ? [HOOK_ENDPOINT] : [])],
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  app.route("/", returnPage({ store, allowedOrigins, refresh: (id) => service.status(id, { fresh: true }) }));
  app.route("/", notifyRoute({ service, gateway, logger }));
  app.route("/", widgetAssets(options.widget ?? null));
  app.route("/", widgetSupport({ store, translations: options.translations ?? {} }));
  if (options.sandbox) app.route("/", options.sandbox.app);

  app.notFound((c) => c.json({ error: { code: "not_found", message: `Nothing at ${c.req.method} ${c.req.path}.` } }, 404));
  app.onError((error, c) => {
    // A body the validators could not parse as JSON reaches here as hono's plain 400.
    const known = error instanceof CheckoutError ? error : error instanceof HTTPException && error.status === 400 ? checkoutError("invalid_json", "The body is not valid JSON.") : null;
    if (!known) logger.error("unhandled error", { request_id: c.get("requestId" as never), path: c.req.path, error });
    const failure = known ?? checkoutError("internal_error", "Something went wrong on our side. Please try again.");
    for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
    // The gateway reads our answers in its own envelope.
    if (c.req.path === NOTIFY_PATH) {
      return c.json({ result: "error", data: { error: failure.code, details: failure.message } }, failure.status);
    }
    return c.json(failure.toBody(), failure.status);
  });

  const owner = `sweep-${crypto.randomUUID()}`;
  const sweepOnce = () => service.sweepOnce(owner);
  let timer: ReturnType<typeof setInterval> | undefined;
  if (options.sweep ?? true) {
    let running = false;
    timer = setInterval(() => {
      if (running) return;
      running = true;
      sweepOnce()
        .catch((error: unknown) => logger.error("sweep failed", { error }))
        .finally(() => {
          running = false;
        });
    }, config.sweepIntervalSeconds * 1000);
    timer.unref?.();
  }

  if (options.dispatcher?.start ?? true) dispatcher.start();

  app.checkout = {
    service,
    sessions,
    dispatcher,
    allowedOrigins,
    sweepOnce,
    async close() {
      if (timer) clearInterval(timer);
      await dispatcher.stop();
    },
  };
  return app;
}
