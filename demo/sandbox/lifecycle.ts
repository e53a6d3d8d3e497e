/**
 * The only place an order changes status after creation (docs/gateway.md "Statuses in the sandbox"):
 * income: pending/preparing → processing → completed | failed | reject | overdue, and completed → refund;
 * expense (payouts): pending/preparing → processing → completed | failed | reject, by themselves after
 * a delay or by hand, never overdue. Every change is recorded in the order's history and notified.
 *
 * What is due later (an income order's expiry, a payout's next step) waits in a heap by time, so the
 * sweep that runs on every call costs a peek when nothing is due, however many orders are open.
 */
import type { PaymentStatus } from "../../server/gateway/schemas.ts";
import { isFinalStatus } from "../../server/gateway/schemas.ts";
import { createDueQueue } from "./due-queue.ts";
import type { Notifier } from "./notifier.ts";
import type { OrderBook, SandboxOrder, StatusSource } from "./order-book.ts";

export type OrderAction = "complete" | "fail" | "reject" | "expire" | "refund";
export const ORDER_ACTIONS: readonly OrderAction[] = ["complete", "fail", "reject", "expire", "refund"];

const TARGET: Record<OrderAction, PaymentStatus> = {
  complete: "completed",
  fail: "failed",
  reject: "reject",
  expire: "overdue",
  refund: "refund",
};

const FAIL_REASON: Partial<Record<PaymentStatus, string>> = {
  failed: "The payment failed.",
  reject: "The payment was rejected.",
  overdue: "The payment was not completed in time.",
};

// Decision: the seeds give no payout failure texts; these say what a merchant would need to know.
const PAYOUT_FAIL_REASON: Partial<Record<PaymentStatus, string>> = {
  failed: "The transfer to the payee failed.",
  reject: "The payout was rejected.",
};

/** How the sandbox settles payouts by itself. Changes apply to payouts created afterwards. */
export interface PayoutSettings {
  /** False: payouts wait in `pending` (Thailand: `preparing`) until settled by hand. */
  auto: boolean;
  /** From creation to `processing`. */
  processingMs: number;
  /** From `processing` to `completed` or `failed`. */
  settleMs: number;
  /** Chance (0..1) that a payout ends `failed` rather than `completed`. */
  failRate: number;
}

export const DEFAULT_PAYOUT_SETTINGS: PayoutSettings = { auto: true, processingMs: 1000, settleMs: 2000, failRate: 0 };

export type ActionResult = { ok: true; order: SandboxOrder } | { ok: false; reason: string };

export interface Lifecycle {
  /** A new order: schedules its expiry (income) or its progress (expense). */
  track(order: SandboxOrder): void;
  /** The shopper opened the payment page: the payment is now in progress. */
  open(order: SandboxOrder): void;
  act(order: SandboxOrder, action: OrderAction, source: StatusSource): ActionResult;
  /** Applies everything due by now: expiries (overdue) and payout steps. Returns how many orders moved. */
  sweep(): number;
  /** Forgets everything scheduled (the order book is being cleared). */
  clear(): void;
}

type Step = "expire" | "payout_processing" | "payout_settle";

export function createLifecycle(deps: { book: OrderBook; notifier: Notifier; now: () => number; random: () => number; payouts: PayoutSettings }): Lifecycle {
  const { book, notifier, now } = deps;
  const due = createDueQueue<{ order: SandboxOrder; step: Step }>();

  function change(order: SandboxOrder, status: PaymentStatus, source: StatusSource): void {
    const reasons = order.transactionType === "expense" ? PAYOUT_FAIL_REASON : FAIL_REASON;
    book.setStatus(order, status, now(), source, reasons[status]);
    // Money only moves for a completed order; a refund reverses it but stays accounted.
    if (status === "completed") order.accountingStatus = "accounted";
    notifier.notify(order);
  }

  const waiting = (order: SandboxOrder) => order.status === "pending" || order.status === "preparing";

  /** A payout always goes through `processing`, whoever ends it: the merchant sees both steps. */
  function startPayout(order: SandboxOrder, source: StatusSource): void {
    if (waiting(order)) change(order, "processing", source);
  }

  function apply(order: SandboxOrder, step: Step): boolean {
    // A reset forgets orders but may leave their entries behind; a final order has nothing left to do.
    if (book.find(order.merchantUid, order.merchantOrderId) !== order || isFinalStatus(order.status)) return false;
    switch (step) {
      case "expire":
        change(order, "overdue", "expiry");
        return true;
      case "payout_processing":
        if (!waiting(order)) return false;
        change(order, "processing", "gateway");
        return true;
      case "payout_settle":
        startPayout(order, "gateway");
        // Draw only when failures are on, so that a seeded run is unchanged by this feature.
        change(order, deps.payouts.failRate > 0 && deps.random() < deps.payouts.failRate ? "failed" : "completed", "gateway");
        return true;
    }
  }

  return {
    track(order) {
      if (order.expiresAt !== undefined) due.push(order.expiresAt, { order, step: "expire" });
      if (order.payoutSchedule) {
        due.push(order.payoutSchedule.processingAt, { order, step: "payout_processing" });
        due.push(order.payoutSchedule.settleAt, { order, step: "payout_settle" });
      }
    },
    open(order) {
      if (order.transactionType === "income" && waiting(order)) change(order, "processing", "page");
    },
    act(order, action, source) {
      if (action === "refund") {
        if (order.status !== "completed") return { ok: false, reason: `Only a completed order can be refunded; '${order.merchantOrderId}' is ${order.status}.` };
      } else if (isFinalStatus(order.status)) {
        return { ok: false, reason: `The order '${order.merchantOrderId}' is already ${order.status}.` };
      } else if (order.transactionType === "expense") {
        if (action === "expire") return { ok: false, reason: `'${order.merchantOrderId}' is a payout: payouts do not expire; complete, fail or reject it.` };
        startPayout(order, source);
      }
      change(order, TARGET[action], source);
      return { ok: true, order };
    },
    sweep() {
      let moved = 0;
      for (const { order, step } of due.takeDue(now())) if (apply(order, step)) moved++;
      return moved;
    },
    clear: () => due.clear(),
  };
}
