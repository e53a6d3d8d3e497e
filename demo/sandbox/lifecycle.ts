/**
 * The only place an order changes status after creation (docs/gateway.md "Statuses in the sandbox"):
 * pending/preparing → processing → completed | failed | reject | overdue, and completed → refund.
 * Every change is recorded in the order's history and notified.
 */
import type { PaymentStatus } from "../../server/gateway/schemas.ts";
import { isFinalStatus } from "../../server/gateway/schemas.ts";
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

export type ActionResult = { ok: true; order: SandboxOrder } | { ok: false; reason: string };

export interface Lifecycle {
  /** The shopper opened the payment page: the payment is now in progress. */
  open(order: SandboxOrder): void;
  act(order: SandboxOrder, action: OrderAction, source: StatusSource): ActionResult;
  /** Marks every unfinished order past its expiry as overdue; returns how many. */
  sweep(): number;
}

export function createLifecycle(deps: { book: OrderBook; notifier: Notifier; now: () => number }): Lifecycle {
  const { book, notifier, now } = deps;

  function change(order: SandboxOrder, status: PaymentStatus, source: StatusSource): void {
    book.setStatus(order, status, now(), source, FAIL_REASON[status]);
    // Money only moves for a completed order; a refund reverses it but stays accounted.
    if (status === "completed") order.accountingStatus = "accounted";
    notifier.notify(order);
  }

  return {
    open(order) {
      if (order.status === "pending" || order.status === "preparing") change(order, "processing", "page");
    },
    act(order, action, source) {
      if (action === "refund") {
        if (order.status !== "completed") return { ok: false, reason: `Only a completed order can be refunded; '${order.merchantOrderId}' is ${order.status}.` };
      } else if (isFinalStatus(order.status)) {
        return { ok: false, reason: `The order '${order.merchantOrderId}' is already ${order.status}.` };
      }
      change(order, TARGET[action], source);
      return { ok: true, order };
    },
    sweep() {
      const at = now();
      let expired = 0;
      for (const order of book.open()) {
        if (order.expiresAt <= at) {
          change(order, "overdue", "expiry");
          expired++;
        }
      }
      return expired;
    },
  };
}
