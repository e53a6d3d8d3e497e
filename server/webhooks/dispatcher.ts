/**
 * Delivers the outbox: claims due deliveries from the store (leased, so several instances share the
 * work and a crashed one's claims come back), sends each, and records the attempt and what follows
 * (done, retry on the schedule, give up, or disable an endpoint that answered 410). At least once:
 * a crash between sending and recording sends again, with the same webhook-id.
 *
 * It runs on its own after `start()`, and `kick()` wakes it at once when this instance has written
 * an event, so a payment reaches the merchant's endpoint in milliseconds, not at the next poll.
 */
import type { Logger } from "../log.ts";
import { webhookBody } from "../merchant/views.ts";
import type { ClaimedDelivery, EventRecord, OrderStore, Subscription } from "../store/types.ts";
import type { WebhookEndpoint } from "./endpoints.ts";
import { nextAttemptAt } from "./schedule.ts";
import { sendWebhook, type SendOptions, type SendOutcome } from "./send.ts";

/** The library's in-process hook, delivered through the same outbox under this endpoint name. */
export const HOOK_ENDPOINT = "hook";

export interface OutboxEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export type EventHook = (event: OutboxEvent) => void | Promise<void>;

export interface DispatcherOptions {
  store: OrderStore;
  endpoints: readonly WebhookEndpoint[];
  hook?: EventHook | undefined;
  logger: Logger;
  send: Omit<SendOptions, "now">;
  now?: () => number;
  random?: () => number;
  /** How often to look for due deliveries when nothing kicks. */
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  owner?: string;
}

export function createWebhookDispatcher(options: DispatcherOptions) {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 1_000;
  const batch = options.batch ?? 25;
  // Longer than a send can take (15 s timeout), so a lease never runs out under a live sender.
  const leaseMs = options.leaseMs ?? 60_000;
  const owner = options.owner ?? `dispatch-${crypto.randomUUID()}`;
  const byName = new Map(options.endpoints.map((endpoint) => [endpoint.name, endpoint]));

  const subscriptions: Subscription[] = [
    ...options.endpoints.map((endpoint) => ({ endpoint: endpoint.name, types: endpoint.types })),
    ...(options.hook ? [{ endpoint: HOOK_ENDPOINT, types: null }] : []),
  ];

  async function enabledEndpoints(): Promise<string[]> {
    const disabled = await store.disabledEndpoints();
    // Disabled for the URL that answered 410: a new URL in the config is a new chance.
    const off = new Set(disabled.filter((entry) => byName.get(entry.name)?.url === entry.url).map((entry) => entry.name));
    return subscriptions.map((subscription) => subscription.endpoint).filter((name) => !off.has(name));
  }

  async function callHook(event: EventRecord): Promise<SendOutcome> {
    const started = now();
    try {
      await options.hook!({ id: event.id, type: event.type, createdAt: new Date(event.createdAt).toISOString(), data: event.data });
      return { ok: true, statusCode: null, error: null, durationMs: now() - started, retryAfterMs: null, gone: false };
    } catch (error) {
      logger.error("onOrderUpdate threw; it will be called again", { event_id: event.id, type: event.type, error });
      return { ok: false, statusCode: null, error: `hook threw: ${(error as Error)?.message ?? String(error)}`, durationMs: now() - started, retryAfterMs: null, gone: false };
    }
  }

  async function deliver(claim: ClaimedDelivery): Promise<boolean> {
    const endpoint = byName.get(claim.endpoint);
    let outcome: SendOutcome;
    if (claim.endpoint === HOOK_ENDPOINT && options.hook) outcome = await callHook(claim.event);
    else if (!endpoint) outcome = { ok: false, statusCode: null, error: `endpoint "${claim.endpoint}" is not configured`, durationMs: 0, retryAfterMs: null, gone: false };
    else outcome = await sendWebhook(endpoint, { id: claim.event.id, body: webhookBody(claim.event) }, { ...options.send, now });

    const attemptsMade = claim.attemptCount + 1;
    const at = now();
    const retryAt = outcome.ok || outcome.gone ? null : nextAttemptAt(attemptsMade, at, random, outcome.retryAfterMs);
    const result = outcome.ok ? "delivered" : retryAt === null ? "failed" : "retry";
    const recorded = await store.recordAttempt({
      deliveryId: claim.id,
      owner,
      attempt: { at, statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.durationMs },
      outcome: result,
      ...(retryAt === null ? {} : { nextAttemptAt: retryAt }),
    });
    if (outcome.gone && endpoint) {
      await store.disableEndpoint({ name: endpoint.name, url: endpoint.url, reason: "answered 410 Gone", at });
      logger.warn("webhook endpoint answered 410 Gone: disabled until its URL changes", { endpoint: endpoint.name });
    }
    const fields = { event_id: claim.event.id, type: claim.event.type, endpoint: claim.endpoint, attempt: attemptsMade, status_code: outcome.statusCode, duration_ms: outcome.durationMs };
    if (result === "delivered") logger.debug("webhook delivered", fields);
    else if (result === "retry") logger.info("webhook attempt failed; will retry", { ...fields, error: outcome.error, next_attempt_at: new Date(retryAt!).toISOString() });
    else logger.warn("webhook delivery failed for good", { ...fields, error: outcome.error });
    return recorded && outcome.ok;
  }

  /** Claims and delivers one batch. Returns how many were claimed. */
  async function runOnce(): Promise<{ claimed: number; delivered: number }> {
    const endpoints = await enabledEndpoints();
    const claims = await store.claimDeliveries({ now: now(), limit: batch, leaseMs, owner, endpoints });
    // Each claim is the head of its own (endpoint, object) queue: sending them together keeps order.
    const results = await Promise.all(claims.map((claim) => deliver(claim).catch((error: unknown) => (logger.error("webhook delivery crashed", { error }), false))));
    return { claimed: claims.length, delivered: results.filter(Boolean).length };
  }

  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let kicked = false;

  function kick(): void {
    kicked = true;
    wake?.();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      kicked = false;
      let claimed = 0;
      try {
        ({ claimed } = await runOnce());
      } catch (error) {
        logger.error("webhook dispatcher could not read the outbox", { error });
      }
      // A full batch means more are due: go on at once. Otherwise wait for a kick or the poll.
      if (running && claimed < batch && !kicked) await sleep(pollMs);
    }
  }

  return {
    subscriptions,
    kick,
    runOnce,
    start(): void {
      // Nothing subscribed, nothing to deliver: no loop asking the store every second for nothing.
      if (running || subscriptions.length === 0) return;
      running = true;
      loop = run();
    },
    /** Stops taking new work and waits for the sends under way. */
    async stop(): Promise<void> {
      running = false;
      wake?.();
      await loop;
      loop = null;
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
