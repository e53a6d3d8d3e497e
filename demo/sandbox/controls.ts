/**
 * What testers and the demo can do to the sandbox, as plain functions (the HTTP control routes are a
 * thin layer over these). Nothing here ever returns a merchant's API secret.
 */
import type { SandboxClock } from "./clock.ts";
import type { ActiveFault, FaultPlan, FaultSpec } from "./faults.ts";
import type { Holds } from "./holds.ts";
import type { Lifecycle, OrderAction, PayoutSettings } from "./lifecycle.ts";
import type { MerchantRegistry } from "./merchants.ts";
import type { MethodCatalog, PaymentMethod } from "./methods.ts";
import { NO_NOTIFY_FAULTS, type Notifier, type NotifyFaults } from "./notifier.ts";
import type { NotificationAttempt, OrderBook, SandboxOrder, StatusChange } from "./order-book.ts";
import { orderDetails, type OrderGetFields } from "./order-fields.ts";

export type SandboxControlErrorCode = "not_found" | "ambiguous" | "conflict" | "invalid";

export class SandboxControlError extends Error {
  override readonly name = "SandboxControlError";
  constructor(
    readonly code: SandboxControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An order as testers see it: the `order/get` fields (without `signature_key`: the control routes
 * have no auth), plus what only the sandbox knows. A copy, safe to serialise.
 */
export type SandboxOrderView = Omit<OrderGetFields, "signature_key"> & {
  payment_url?: string;
  /** Sandbox clock, ms since the epoch. */
  created_at: number;
  /** Income: when it goes overdue unpaid. Null for payouts, which do not expire. */
  expires_at: number | null;
  /** Payouts the sandbox settles by itself: when it moves to processing, and when it ends. */
  payout_schedule?: { processing_at: number; settle_at: number };
  history: StatusChange[];
  notifications: NotificationAttempt[];
};

export interface SandboxState {
  now: number;
  latencyMs: number;
  refuseFraming: boolean;
  payouts: PayoutSettings;
  faults: ActiveFault[];
  notifyFaults: NotifyFaults;
  hangingRequests: number;
  pendingNotifications: number;
  merchants: { apiKey: string; merchantUid: string; merchantName: string }[];
  methods: readonly PaymentMethod[];
}

export interface SandboxControls {
  now(): number;
  /** Moves the sandbox clock forward (expiring orders past their time) and returns the new time. */
  advanceClock(ms: number): number;
  /** Delay added to every API call. */
  setLatency(ms: number): void;
  addFault(fault: FaultSpec): ActiveFault;
  clearFaults(): void;
  listFaults(): ActiveFault[];
  /** Changes only the fields given; returns the resulting settings. */
  setNotifyFaults(faults: Partial<NotifyFaults>): NotifyFaults;
  setRefuseFraming(refuse: boolean): void;
  /** Changes only the fields given, for payouts created from now on; returns the resulting settings. */
  setPayoutSettings(update: Partial<PayoutSettings>): PayoutSettings;
  /** Order actions by merchant_order_id; `merchantUid` is needed only when two merchants share the id. */
  complete(merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  fail(merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  reject(merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  expire(merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  refund(merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  act(action: OrderAction, merchantOrderId: string, merchantUid?: string): SandboxOrderView;
  /** Newest first. */
  listOrders(): SandboxOrderView[];
  getOrder(merchantOrderId: string, merchantUid?: string): SandboxOrderView | undefined;
  state(): SandboxState;
  /** Forgets every order, fault and setting, cancels pending notifications, releases hanging requests. */
  reset(): void;
  /** Resolves when no notification delivery or retry is pending. */
  idle(): Promise<void>;
}

export interface ControlDeps {
  clock: SandboxClock;
  book: OrderBook;
  lifecycle: Lifecycle;
  notifier: Notifier;
  faults: FaultPlan;
  holds: Holds;
  merchants: MerchantRegistry;
  methods: MethodCatalog;
  /** `payouts` is shared with the lifecycle: changed in place. */
  settings: { latencyMs: number; refuseFraming: boolean; payouts: PayoutSettings };
  /** What reset() goes back to. */
  initialPayouts: PayoutSettings;
  /** Refuses settings that cannot work (gateway.ts's check). */
  checkPayouts(payouts: PayoutSettings): PayoutSettings;
}

function viewOf(order: SandboxOrder): SandboxOrderView {
  const { signature_key: _secret, ...fields } = orderDetails(order);
  return {
    ...fields,
    ...(order.paymentUrl === undefined ? {} : { payment_url: order.paymentUrl }),
    created_at: order.createdAt,
    expires_at: order.expiresAt ?? null,
    ...(order.payoutSchedule ? { payout_schedule: { processing_at: order.payoutSchedule.processingAt, settle_at: order.payoutSchedule.settleAt } } : {}),
    history: order.history.map((change) => ({ ...change })),
    notifications: order.notifications.map((attempt) => ({ ...attempt })),
  };
}

const MAX_LATENCY_MS = 10 * 60_000;

export function createControls(deps: ControlDeps): SandboxControls {
  const { clock, book, lifecycle, notifier, faults, holds, settings } = deps;

  function locate(merchantOrderId: string, merchantUid?: string): SandboxOrder | undefined {
    if (merchantUid !== undefined) return book.find(merchantUid, merchantOrderId);
    const found = book.findById(merchantOrderId);
    if (found.length > 1) {
      throw new SandboxControlError("ambiguous", `Several merchants have an order '${merchantOrderId}': say which merchant_uid.`);
    }
    return found[0];
  }

  function act(action: OrderAction, merchantOrderId: string, merchantUid?: string): SandboxOrderView {
    lifecycle.sweep();
    const order = locate(merchantOrderId, merchantUid);
    if (!order) throw new SandboxControlError("not_found", `No order with merchant_order_id '${merchantOrderId}'.`);
    const result = lifecycle.act(order, action, "control");
    if (!result.ok) throw new SandboxControlError("conflict", result.reason);
    return viewOf(order);
  }

  return {
    now: () => clock.now(),
    advanceClock(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new SandboxControlError("invalid", `The clock only moves forward by a number of milliseconds, not ${ms}.`);
      const now = clock.advance(ms);
      lifecycle.sweep();
      return now;
    },
    setLatency(ms) {
      if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) throw new SandboxControlError("invalid", `Latency must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}.`);
      settings.latencyMs = ms;
    },
    addFault(fault) {
      try {
        return faults.add(fault);
      } catch (error) {
        throw new SandboxControlError("invalid", `Invalid fault: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    clearFaults: () => faults.clear(),
    listFaults: () => faults.list(),
    setNotifyFaults(update) {
      for (const key of ["drop", "duplicate"] as const) {
        const value = update[key];
        if (value !== undefined && !(value >= 0 && value <= 1)) throw new SandboxControlError("invalid", `${key} must be a probability from 0 to 1.`);
      }
      if (update.reorderWindowMs !== undefined && !(Number.isInteger(update.reorderWindowMs) && update.reorderWindowMs >= 0)) {
        throw new SandboxControlError("invalid", "reorderWindowMs must be a whole number of milliseconds.");
      }
      return notifier.setFaults(update);
    },
    setRefuseFraming(refuse) {
      settings.refuseFraming = refuse;
    },
    setPayoutSettings(update) {
      const defined = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
      try {
        Object.assign(settings.payouts, deps.checkPayouts({ ...settings.payouts, ...defined }));
      } catch (error) {
        throw new SandboxControlError("invalid", error instanceof Error ? error.message : String(error));
      }
      return { ...settings.payouts };
    },
    complete: (id, uid) => act("complete", id, uid),
    fail: (id, uid) => act("fail", id, uid),
    reject: (id, uid) => act("reject", id, uid),
    expire: (id, uid) => act("expire", id, uid),
    refund: (id, uid) => act("refund", id, uid),
    act,
    listOrders() {
      lifecycle.sweep();
      return book.list().map(viewOf);
    },
    getOrder(merchantOrderId, merchantUid) {
      lifecycle.sweep();
      const order = locate(merchantOrderId, merchantUid);
      return order ? viewOf(order) : undefined;
    },
    state: () => ({
      now: clock.now(),
      latencyMs: settings.latencyMs,
      refuseFraming: settings.refuseFraming,
      payouts: { ...settings.payouts },
      faults: faults.list(),
      notifyFaults: notifier.faults(),
      hangingRequests: holds.hanging(),
      pendingNotifications: notifier.pending(),
      merchants: deps.merchants.all().map(({ apiKey, merchantUid, merchantName }) => ({ apiKey, merchantUid, merchantName })),
      methods: deps.methods.all(),
    }),
    reset() {
      notifier.cancelAll();
      notifier.setFaults(NO_NOTIFY_FAULTS);
      faults.clear();
      holds.releaseAll();
      book.clear();
      lifecycle.clear();
      clock.reset();
      settings.latencyMs = 0;
      settings.refuseFraming = false;
      Object.assign(settings.payouts, deps.initialPayouts);
    },
    idle: () => notifier.idle(),
  };
}
