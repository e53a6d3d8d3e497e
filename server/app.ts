/**
 * createCheckoutServer: the whole server as a Hono app, with its order service, webhook dispatcher
 * and sweep beside it, for `npm start` or for a merchant's own process. Everything it needs comes in
 * through options; nothing is read from the environment here.
 */
import { Hono } from "hono";
import type { CheckoutConfig } from "./checkout-config.ts";
import type { OctopusClient } from "./gateway/client.ts";
import { createLogger, type Logger } from "./log.ts";
import { bodyLimit } from "./middleware/body-limit.ts";
import { clientAddressOf } from "./middleware/client-address.ts";
import { cors } from "./middleware/cors.ts";
import { asAsync, createRateLimiter } from "./middleware/rate-limit.ts";
import { createSharedRateLimiter } from "./middleware/shared-rate-limit.ts";
import { envelope } from "./middleware/envelope.ts";
import { checkoutRoutes } from "./http/checkout-routes.ts";
import { errorAnswer } from "./http/error-answer.ts";
import { healthRoute } from "./http/health-route.ts";
import type { AppEnv } from "./http/app-env.ts";
import { notifyRoute } from "./http/notify-route.ts";
import { optionsRoute } from "./http/options-route.ts";
import { payPage } from "./http/pay-page.ts";
import { returnPage } from "./http/return-page.ts";
import { widgetAssets, type WidgetBundle } from "./http/widget-assets.ts";
import { widgetSupport } from "./http/widget-support.ts";
import { createNotifyHints } from "./orders/notify-hints.ts";
import { createOrderService, type OrderService } from "./orders/service.ts";
import { merchantRoutes } from "./merchant/routes.ts";
import { createSessionService, type SessionService } from "./merchant/sessions.ts";
import { createPayoutService } from "./payouts/service.ts";
import type { PayoutLimits } from "./checkout-config.ts";
import type { Currency } from "./gateway/schemas.ts";
import { secretKeyAuth } from "./middleware/secret-key.ts";
import type { OrderStore } from "./store/types.ts";
import { createWebhookDispatcher, HOOK_ENDPOINT, type EventHook, type WebhookDispatcher } from "./webhooks/dispatcher.ts";
import type { WebhookEndpoint } from "./webhooks/endpoints.ts";

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
  /** Payout limits per currency (config "payouts"; sandbox mode's defaults). A currency not listed cannot be paid out. */
  payouts?: Partial<Record<Currency, PayoutLimits>>;
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
  /** Addresses or CIDR ranges of your reverse proxies, whose X-Forwarded-For may be believed. */
  trustedProxies?: readonly string[];
  /**
   * Creates per client address. Default: `config.createRateLimitPerMinute` per minute. Counted in
   * the store when it is PostgreSQL (shared by every instance, in real time whatever `now` says),
   * in memory on SQLite.
   */
  rateLimit?: { windowMs: number; max: number };
  /** Refused requests (Origin, Content-Type, body) per client address. Default: 300 per minute. */
  refusedRateLimit?: { windowMs: number; max: number };
  /** The shortest time between two order/get reads of one order caused by notifications. Default 1000 ms. */
  notifyMinIntervalMs?: number;
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

/** What createCheckoutServer builds: the Hono app to serve or mount, and the handles around it. */
export interface CheckoutServer {
  /** Serve `app.fetch`, or mount it in your own Hono app; add routes of your own beside ours. */
  app: Hono<AppEnv>;
  service: OrderService;
  sessions: SessionService;
  dispatcher: WebhookDispatcher;
  allowedOrigins: ReadonlySet<string>;
  sweepOnce(): Promise<{ claimed: number; failed: number }>;
  /** Orders with a notification-caused read in flight or queued (0 when idle). */
  readonly notifyHintsPending: number;
  /** Stops the sweep and the webhook dispatcher (waiting for sends under way). The store is the caller's to close. */
  close(): Promise<void>;
}

export function createCheckoutServer(options: CheckoutServerOptions): CheckoutServer {
  const { config, store, gateway } = options;
  const logger = options.logger ?? createLogger();
  const publicUrl = new URL(options.publicUrl);
  const allowedOrigins: ReadonlySet<string> = new Set([publicUrl.origin, ...config.allowedOrigins, ...(options.extraOrigins ?? [])]);
  const clientAddress = clientAddressOf({ trustProxy: options.trustProxy ?? 0, trustedProxies: options.trustedProxies ?? [], logger, behindProxy: publicUrl.protocol === "https:" });

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

  const hints = createNotifyHints({
    store,
    read: (order) => service.refreshFromGateway(order, "notify"),
    now: options.now ?? Date.now,
    minIntervalMs: options.notifyMinIntervalMs ?? 1_000,
    logger,
  });

  const app = new Hono<AppEnv>();
  // The request id, the log line, the security headers, and CORS's headers for every answer.
  app.use(envelope({ logger, https: publicUrl.protocol === "https:" }));
  // Only the widget's routes: the merchant API (/api/v1/) is server to server, and a secret key
  // never belongs in a browser, so no page may call it.
  const widgetCors = cors({
    allowedOrigins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Content-Type", "Idempotency-Key"],
    exposeHeaders: ["Idempotent-Replayed", "Retry-After", "X-Request-Id"],
    maxAgeSeconds: 600,
  });
  app.use("/api/checkout", widgetCors);
  app.use("/api/checkout/*", widgetCors);
  const maxBody = options.bodyLimitBytes ?? 16 * 1024;
  app.use("/api/*", bodyLimit(maxBody));

  const now = options.now ? { now: options.now } : {};
  const createLimit = options.rateLimit ?? { windowMs: 60_000, max: config.createRateLimitPerMinute };
  const createInMemory = createRateLimiter({ ...createLimit, ...now });
  const limits = {
    // Shared through the store when it has a table for it (PostgreSQL), so that N instances behind
    // a load balancer allow one limit per client, not N.
    create: store.limitTable ? createSharedRateLimiter({ ...createLimit, name: "create", table: store.limitTable, fallback: createInMemory, logger }) : asAsync(createInMemory),
    // Each instance's own: these requests cost nothing but their refusal, and sharing the count
    // would make each of them a database write. N instances allow N times as many, all refused.
    refused: createRateLimiter({ ...(options.refusedRateLimit ?? { windowMs: 60_000, max: 300 }), ...now }),
  };

  app.route("/", healthRoute({ store, logger, mode: options.sandbox ? "sandbox" : "live" }));
  app.route("/", optionsRoute(config, { sandbox: Boolean(options.sandbox), allowedOrigins }));
  app.route("/", checkoutRoutes({ service, store, merchantName: config.merchantName, config, allowedOrigins, clientAddress, limits, ...now }));
  const sessions = createSessionService({ store, config, allowedOrigins, ...now });
  app.route(
    "/api/v1",
    merchantRoutes({
      store,
      orders: service,
      sessions,
      payouts: createPayoutService({ store, orders: service, config, limits: options.payouts ?? config.payouts ?? {}, publicUrl: publicUrl.origin, logger, ...(options.now ? { now: options.now } : {}) }),
      publicUrl: publicUrl.origin,
      auth: secretKeyAuth({ keys: options.secretKeys ?? [], address: clientAddress }),
      onRedeliver: dispatcher.kick,
      endpoints: () => [...(options.webhooks ?? []).map((endpoint) => endpoint.name), ...(options.onOrderUpdate ? [HOOK_ENDPOINT] : [])],
      ...now,
    }),
  );
  app.route("/", returnPage({ store, allowedOrigins, logger, refresh: (id) => service.status(id, { fresh: true }) }));
  // A session's payment link (its `url`): on this origin, which is always an allowed one.
  app.route("/", payPage({ store, merchantName: config.merchantName, sandbox: Boolean(options.sandbox), logger, ...(options.now ? { now: options.now } : {}) }));
  // Its own error handler: the gateway reads our answers in its envelope.
  app.route("/", notifyRoute({ hints, gateway, logger, store: store.kind, maxBodyBytes: maxBody }));
  app.route("/", widgetAssets(options.widget ?? null));
  app.route("/", widgetSupport({ store, translations: options.translations ?? {} }));
  if (options.sandbox) app.route("/", options.sandbox.app);

  app.notFound((c) => c.json({ error: { code: "not_found", message: `Nothing at ${c.req.method} ${c.req.path}.` } }, 404));
  app.onError((error, c) => {
    const failure = errorAnswer(error, c, { logger, store: store.kind });
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

  return {
    app,
    service,
    sessions,
    dispatcher,
    allowedOrigins,
    sweepOnce,
    get notifyHintsPending() {
      return hints.pending;
    },
    async close() {
      if (timer) clearInterval(timer);
      await dispatcher.stop();
    },
  };
}
