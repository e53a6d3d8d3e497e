/**
 * The sandbox Octopus gateway: the order API, the hosted payment page, notifications, and the
 * controls testers use to make it misbehave. A client written from the gateway's documents should not be able to
 * tell it from the real thing (docs/gateway.md lists the decisions where the gateway's documents are silent).
 *
 * Everything is in memory and owned by the returned object: two sandboxes in one process share
 * nothing, and `close()` leaves no timer or request behind.
 */
import { Hono } from "hono";
import { createApiRoutes } from "./api-routes.ts";
import { createClock } from "./clock.ts";
import { createControlRoutes } from "./control-routes.ts";
import { createControls, type SandboxControls } from "./controls.ts";
import { createFaultPlan } from "./faults.ts";
import { createHolds } from "./holds.ts";
import { createHostGuard, hostsFor } from "./host-guard.ts";
import { createLifecycle, DEFAULT_PAYOUT_SETTINGS, type PayoutSettings } from "./lifecycle.ts";
import { createMerchantRegistry, DEFAULT_MERCHANT, type SandboxMerchant } from "./merchants.ts";
import { createMethodCatalog, DEFAULT_METHODS, type PaymentMethod } from "./methods.ts";
import { createNotifier } from "./notifier.ts";
import { createOrderBook } from "./order-book.ts";
import { createPageRoutes } from "./page-routes.ts";

export interface SandboxGatewayOptions {
  /** Default: one merchant, `sandbox-key` / `sandbox-secret` / `sandbox-merchant`, "Sandbox Shop". */
  merchants?: readonly SandboxMerchant[];
  /** Default: DEFAULT_METHODS (gcash, maya and one per documented currency). */
  methods?: readonly PaymentMethod[];
  /** Base clock; the sandbox adds its own advanceable offset. Default Date.now. */
  now?: () => number;
  /** For floating satang and fault probabilities; tests pass a seeded one. Default Math.random. */
  random?: () => number;
  /** Used to deliver notifications. Default the global fetch. */
  fetch?: typeof fetch;
  /** Lifetime of an unpaid order. Default 15 minutes. */
  orderTtlMs?: number;
  /** Waits between notification attempts; one retry per entry. Default 1, 2, 4, 8, 16, 32 s. */
  notifyRetryDelaysMs?: readonly number[];
  /** How long one notification attempt may take. Default 10 s. */
  notifyTimeoutMs?: number;
  /**
   * Base of payment_url (origin, optionally with a path prefix). Default: the API request's origin.
   * Also decides the host names the sandbox answers, unless `allowedHosts` says otherwise.
   */
  publicUrl?: string;
  /**
   * Host names the sandbox answers (ports are not compared); any other `Host` gets 421, so that a page
   * on a rebound DNS name cannot reach the unauthenticated control routes or the payment pages.
   * Default: publicUrl's host name when given (all three loopback names when it is one of them), else
   * the loopback names 127.0.0.1, localhost, [::1].
   */
  allowedHosts?: readonly string[];
  /**
   * When set, `notify_url` and `redirect_url` on order/new must be under this URL (the checkout
   * server mounting the sandbox passes its public URL). Unset: any http(s) URL, as the real gateway.
   */
  callbackBaseUrl?: string;
  /** How payouts (expense orders) settle by themselves. Default DEFAULT_PAYOUT_SETTINGS (1 s, then 2 s, never failing). */
  payouts?: Partial<PayoutSettings>;
  /** Serve the /sandbox/api/ control routes. Default true. */
  controlRoutes?: boolean;
  /** How often what is due (unpaid orders' expiry, payouts' next step) is applied in the background. Default 1 s. */
  expirySweepMs?: number;
}

/** Throws on a setting that could not work, naming it; the control route reuses it. */
function checkPayoutSettings(payouts: PayoutSettings): PayoutSettings {
  for (const key of ["processingMs", "settleMs"] as const) {
    if (!Number.isInteger(payouts[key]) || payouts[key] < 0) throw new RangeError(`payouts.${key} must be a whole number of milliseconds: ${payouts[key]}`);
  }
  if (!(payouts.failRate >= 0 && payouts.failRate <= 1)) throw new RangeError(`payouts.failRate must be a probability from 0 to 1: ${payouts.failRate}`);
  return payouts;
}

export interface SandboxGateway {
  app: Hono;
  controls: SandboxControls;
  /** Stops the expiry timer, cancels notifications and releases hanging requests. */
  close(): void;
}

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000, 32000];

export function createSandboxGateway(options: SandboxGatewayOptions = {}): SandboxGateway {
  const merchants = createMerchantRegistry(options.merchants ?? [DEFAULT_MERCHANT]);
  const methods = createMethodCatalog(options.methods ?? DEFAULT_METHODS);
  const random = options.random ?? Math.random;
  const clock = createClock(options.now ?? Date.now);
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const orderTtlMs = options.orderTtlMs ?? 15 * 60_000;
  if (!(orderTtlMs > 0)) throw new RangeError(`orderTtlMs must be positive: ${orderTtlMs}`);

  const initialPayouts = checkPayoutSettings({ ...DEFAULT_PAYOUT_SETTINGS, ...options.payouts });
  const settings = { latencyMs: 0, refuseFraming: false, payouts: { ...initialPayouts } };
  const book = createOrderBook();
  const holds = createHolds();
  const faults = createFaultPlan(random);
  const notifier = createNotifier({
    fetch: fetchImpl,
    retryDelaysMs: options.notifyRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.notifyTimeoutMs ?? 10_000,
    random,
    now: clock.now,
    credentials: (merchantUid) => merchants.byUid(merchantUid),
  });
  const lifecycle = createLifecycle({ book, notifier, now: clock.now, random, payouts: settings.payouts });
  const controls = createControls({ clock, book, lifecycle, notifier, faults, holds, merchants, methods, settings, initialPayouts, checkPayouts: checkPayoutSettings });

  const app = new Hono();
  // First, before any route: a request for another host is refused whatever it asks.
  const guard = createHostGuard(options.allowedHosts ?? (options.publicUrl ? hostsFor(options.publicUrl) : undefined));
  // Only the sandbox's own paths: mounted in the checkout server, the server's routes are its business.
  for (const path of ["/octopus/api/*", "/octopus/pay/*", "/sandbox/api/*"]) app.use(path, guard);
  app.route(
    "/",
    createApiRoutes({
      merchants,
      methods,
      book,
      lifecycle,
      faults,
      holds,
      latencyMs: () => settings.latencyMs,
      now: clock.now,
      random,
      orderTtlMs,
      publicUrl: options.publicUrl,
      callbackBaseUrl: options.callbackBaseUrl,
      payouts: () => settings.payouts,
    }),
  );
  app.route("/", createPageRoutes({ book, lifecycle, methods, now: clock.now, refuseFraming: () => settings.refuseFraming }));
  if (options.controlRoutes ?? true) app.route("/", createControlRoutes(controls));

  // Orders also expire with nobody asking, so that their "overdue" notification goes out on time.
  const sweepMs = options.expirySweepMs ?? 1000;
  if (!(sweepMs > 0)) throw new RangeError(`expirySweepMs must be positive: ${sweepMs}`);
  const sweeper = setInterval(() => lifecycle.sweep(), sweepMs);
  sweeper.unref();

  return {
    app,
    controls,
    close() {
      clearInterval(sweeper);
      notifier.cancelAll();
      holds.releaseAll();
    },
  };
}
