/**
 * Server-to-server notifications to `notify_url` (docs/gateway.md): one per status change, signed
 * like a request, retried with backoff until acknowledged by HTTP 200 + {"result":"success"}.
 * Testers can make them unreliable (drop, duplicate, reorder), because the real ones are.
 * Retries run on real timers, not the sandbox clock: they are about the receiver, not the order.
 */
import { canonicalString, hmacSha256Hex } from "../../server/gateway/signing.ts";
import type { PaymentStatus } from "../../server/gateway/schemas.ts";
import type { NotificationAttempt, SandboxOrder } from "./order-book.ts";
import { notificationFields } from "./order-fields.ts";

export interface NotifyFaults {
  /** Probability (0..1) that a notification is never sent. */
  drop: number;
  /** Probability (0..1) that a notification is sent twice. */
  duplicate: number;
  /** Deliver one order's notifications newest first: each is held for `reorderWindowMs`. */
  reorder: boolean;
  reorderWindowMs: number;
}

export const NO_NOTIFY_FAULTS: NotifyFaults = { drop: 0, duplicate: 0, reorder: false, reorderWindowMs: 200 };

export interface NotifierOptions {
  fetch: typeof fetch;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  random: () => number;
  /** Sandbox clock, for the log. */
  now: () => number;
  credentials(merchantUid: string): { apiKey: string; apiSecret: string } | undefined;
}

export interface Notifier {
  /** Notifies about the order's current status, if it has a `notify_url`. */
  notify(order: SandboxOrder): void;
  setFaults(faults: Partial<NotifyFaults>): NotifyFaults;
  faults(): NotifyFaults;
  /** Resolves once no delivery, retry or held notification is outstanding. */
  idle(): Promise<void>;
  pending(): number;
  /** Forgets every outstanding delivery (reset, close). */
  cancelAll(): void;
}

interface Delivery {
  order: SandboxOrder;
  url: string;
  /** Orders' notifications are numbered: only the newest one decides `notify_status`. */
  seq: number;
  status: PaymentStatus;
  fields: Record<string, string>;
  duplicate: boolean;
  attempt: number;
  generation: number;
}

type PostResult = { acknowledged: true; httpStatus: number } | { acknowledged: false; httpStatus?: number; error: string };

export function createNotifier(options: NotifierOptions): Notifier {
  let faults: NotifyFaults = { ...NO_NOTIFY_FAULTS };
  let pendingCount = 0;
  let waiters: (() => void)[] = [];
  // Bumped by cancelAll: a delivery from an older generation stops at its next step.
  let generation = 0;
  let seqCounter = 0;
  const latest = new WeakMap<SandboxOrder, number>();
  const held = new Map<SandboxOrder, Delivery[]>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const controllers = new Set<AbortController>();

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    // Best effort, like the real thing: a pending retry must not keep a process from exiting.
    timer.unref();
    timers.add(timer);
  }

  function finished(): void {
    pendingCount--;
    if (pendingCount === 0) {
      const resolved = waiters;
      waiters = [];
      for (const resolve of resolved) resolve();
    }
  }

  async function post(delivery: Delivery): Promise<PostResult> {
    const credentials = options.credentials(delivery.order.merchantUid);
    if (!credentials) return { acknowledged: false, error: "The merchant no longer exists" };
    const controller = new AbortController();
    controllers.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    timer.unref();
    try {
      // Not strict: a redirect_url with '&' is stored as given, and the receiver verifies what we sign.
      const signature = await hmacSha256Hex(credentials.apiSecret, canonicalString(delivery.fields, { strict: false }));
      const response = await options.fetch(delivery.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "OC-Key": credentials.apiKey, "OC-Signature": signature },
        body: JSON.stringify(delivery.fields),
        signal: controller.signal,
        // A redirect is not an acknowledgement, and following it could post the order elsewhere.
        redirect: "manual",
      });
      const text = await response.text();
      if (response.status !== 200) return { acknowledged: false, httpStatus: response.status, error: `HTTP ${response.status}` };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const ok = typeof body === "object" && body !== null && (body as { result?: unknown }).result === "success";
      return ok ? { acknowledged: true, httpStatus: 200 } : { acknowledged: false, httpStatus: 200, error: 'HTTP 200 without {"result":"success"}' };
    } catch (error) {
      if (timedOut) return { acknowledged: false, error: `No answer within ${options.timeoutMs} ms` };
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const code = (cause as { code?: unknown } | null)?.code;
      return { acknowledged: false, error: `Connection failed: ${typeof code === "string" ? code : cause instanceof Error ? cause.message : String(cause)}` };
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
  }

  /** One try; schedules the next one itself, so callers only wait for this try. */
  async function attempt(delivery: Delivery): Promise<void> {
    if (delivery.generation !== generation) return;
    delivery.attempt++;
    const result = await post(delivery);
    if (delivery.generation !== generation) return;
    const { order } = delivery;
    const entry: NotificationAttempt = { at: options.now(), status: delivery.status, attempt: delivery.attempt, outcome: result.acknowledged ? "acknowledged" : result.httpStatus === undefined ? "error" : "not_acknowledged" };
    if (result.httpStatus !== undefined) entry.httpStatus = result.httpStatus;
    if (!result.acknowledged) entry.error = result.error;
    if (delivery.duplicate) entry.duplicate = true;
    order.notifications.push(entry);

    const isLatest = latest.get(order) === delivery.seq;
    if (result.acknowledged) {
      if (isLatest) {
        order.notifyStatus = "completed";
        order.notifyFailReason = undefined;
      }
      finished();
      return;
    }
    const delay = options.retryDelaysMs[delivery.attempt - 1];
    if (delay !== undefined) {
      if (isLatest) order.notifyFailReason = result.error;
      later(delay, () => void attempt(delivery));
      return;
    }
    if (isLatest) {
      order.notifyStatus = "failed";
      order.notifyFailReason = `${result.error} (gave up after ${delivery.attempt} attempts)`;
    }
    finished();
  }

  async function sendNewestFirst(queue: Delivery[]): Promise<void> {
    // One at a time, so that the receiver really sees them in this order.
    for (const delivery of [...queue].reverse()) await attempt(delivery);
  }

  function hold(order: SandboxOrder, deliveries: Delivery[]): void {
    let queue = held.get(order);
    if (!queue) {
      const fresh: Delivery[] = [];
      queue = fresh;
      held.set(order, fresh);
      later(faults.reorderWindowMs, () => {
        held.delete(order);
        void sendNewestFirst(fresh);
      });
    }
    queue.push(...deliveries);
  }

  return {
    notify(order) {
      const url = order.notifyUrl;
      if (!url) return;
      const seq = ++seqCounter;
      latest.set(order, seq);
      order.notifyStatus = "delivered";
      order.notifyFailReason = undefined;
      const fields = notificationFields(order);
      // Draw only for faults that are on, so that switching none on leaves the seeded sequence alone.
      if (faults.drop > 0 && options.random() < faults.drop) {
        // Lost on the way: the gateway believes it sent it, so notify_status stays "delivered".
        order.notifications.push({ at: options.now(), status: order.status, attempt: 0, outcome: "dropped" });
        return;
      }
      const copies = faults.duplicate > 0 && options.random() < faults.duplicate ? 2 : 1;
      const deliveries: Delivery[] = [];
      for (let copy = 0; copy < copies; copy++) {
        deliveries.push({ order, url, seq, status: order.status, fields, duplicate: copy > 0, attempt: 0, generation });
        pendingCount++;
      }
      if (faults.reorder) hold(order, deliveries);
      else for (const delivery of deliveries) void attempt(delivery);
    },
    setFaults(update) {
      faults = { ...faults, ...Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) };
      return { ...faults };
    },
    faults: () => ({ ...faults }),
    idle() {
      if (pendingCount === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    pending: () => pendingCount,
    cancelAll() {
      generation++;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of controllers) controller.abort();
      controllers.clear();
      held.clear();
      pendingCount = 1;
      finished();
    },
  };
}
