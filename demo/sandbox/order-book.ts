/**
 * The sandbox's orders, in memory: one record per (merchant, merchant_order_id), each with the
 * history of its statuses and of the notifications sent about it.
 */
import type { AccountingStatus, AccountingType, Currency, NotifyStatus, PaymentStatus, TransactionType } from "../../server/gateway/schemas.ts";
import { isFinalStatus } from "../../server/gateway/schemas.ts";

/**
 * Who moved the order: the create call, the shopper on the payment page, a tester, the clock (expiry),
 * or the gateway itself (a payout going through after its delay).
 */
export type StatusSource = "api" | "page" | "control" | "expiry" | "gateway";

export interface StatusChange {
  status: PaymentStatus;
  /** Sandbox clock, ms since the epoch. */
  at: number;
  source: StatusSource;
}

export type NotificationOutcome = "acknowledged" | "not_acknowledged" | "error" | "dropped";

export interface NotificationAttempt {
  /** Sandbox clock when the attempt ended (or was dropped). */
  at: number;
  /** The `payment_status` the notification carried. */
  status: PaymentStatus;
  /** 1 for the first try, then one more per retry; 0 for a dropped notification. */
  attempt: number;
  outcome: NotificationOutcome;
  httpStatus?: number;
  /** Why it did not count as acknowledged. */
  error?: string;
  /** True for the extra copy sent by the "duplicate" notification fault. */
  duplicate?: boolean;
}

export interface SandboxOrder {
  readonly merchantUid: string;
  readonly merchantName: string;
  readonly merchantOrderId: string;
  readonly transactionType: TransactionType;
  readonly accountingType: AccountingType | undefined;
  /** Canonical decimal string of what the merchant asked for. */
  readonly amount: string;
  /** thb only: amount plus random satang, what the payer must transfer. */
  readonly floatingAmount: string | undefined;
  readonly currency: Currency;
  /** As the merchant sent it. */
  readonly country: string;
  readonly payment: string;
  readonly channel: string | undefined;
  readonly redirectUrl: string | undefined;
  readonly notifyUrl: string | undefined;
  readonly from: string | undefined;
  readonly fromName: string | undefined;
  readonly fromBankName: string | undefined;
  readonly to: string | undefined;
  readonly toName: string | undefined;
  readonly toBankName: string | undefined;
  readonly merchantId: string | undefined;
  readonly responseType: string;
  readonly paymentUid: string;
  readonly signatureKey: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly distributeRules: string;
  /** Income only: the secret path segment of the hosted payment page. */
  readonly pageToken: string | undefined;
  readonly paymentUrl: string | undefined;
  readonly createdAt: number;
  /** Income only: when an unpaid order goes overdue. Payouts do not expire. */
  readonly expiresAt: number | undefined;
  /** Expense only, when the sandbox settles payouts by itself: when it moves to processing, then ends. */
  readonly payoutSchedule: { processingAt: number; settleAt: number } | undefined;
  status: PaymentStatus;
  failReason: string | undefined;
  finalAmount: string;
  accountingStatus: AccountingStatus;
  notifyStatus: NotifyStatus;
  notifyFailReason: string | undefined;
  readonly history: StatusChange[];
  readonly notifications: NotificationAttempt[];
}

export interface OrderBook {
  /** False when the merchant already has an order with this id. */
  add(order: SandboxOrder): boolean;
  find(merchantUid: string, merchantOrderId: string): SandboxOrder | undefined;
  findByToken(token: string): SandboxOrder | undefined;
  /** Every merchant's order with this id (testers address orders by id alone). */
  findById(merchantOrderId: string): SandboxOrder[];
  /** Newest first. */
  list(): SandboxOrder[];
  /** Whether an open (not final) order already asks the payer to transfer this floating amount. */
  floatingInUse(floatingAmount: string): boolean;
  /** Records a status change in the order and its history. */
  setStatus(order: SandboxOrder, status: PaymentStatus, at: number, source: StatusSource, failReason?: string): void;
  clear(): void;
}

const keyOf = (merchantUid: string, merchantOrderId: string) => `${merchantUid}\u0000${merchantOrderId}`;

export function createOrderBook(): OrderBook {
  // Insertion order is creation order: a Map keeps it, so listing needs no sort.
  const byKey = new Map<string, SandboxOrder>();
  const byToken = new Map<string, SandboxOrder>();
  // Open orders per floating amount, kept as orders open and close, so a create need not scan them all.
  const openFloating = new Map<string, number>();

  function releaseFloating(order: SandboxOrder): void {
    if (order.floatingAmount === undefined || order.transactionType !== "income") return;
    const count = (openFloating.get(order.floatingAmount) ?? 0) - 1;
    if (count > 0) openFloating.set(order.floatingAmount, count);
    else openFloating.delete(order.floatingAmount);
  }

  return {
    add(order) {
      const key = keyOf(order.merchantUid, order.merchantOrderId);
      if (byKey.has(key)) return false;
      byKey.set(key, order);
      if (order.pageToken) byToken.set(order.pageToken, order);
      if (order.floatingAmount !== undefined && order.transactionType === "income" && !isFinalStatus(order.status)) {
        openFloating.set(order.floatingAmount, (openFloating.get(order.floatingAmount) ?? 0) + 1);
      }
      return true;
    },
    find: (merchantUid, merchantOrderId) => byKey.get(keyOf(merchantUid, merchantOrderId)),
    findByToken: (token) => byToken.get(token),
    findById: (merchantOrderId) => [...byKey.values()].filter((order) => order.merchantOrderId === merchantOrderId),
    list: () => [...byKey.values()].reverse(),
    floatingInUse: (floatingAmount) => openFloating.has(floatingAmount),
    setStatus(order, status, at, source, failReason) {
      if (!isFinalStatus(order.status) && isFinalStatus(status)) releaseFloating(order);
      order.status = status;
      order.failReason = failReason;
      order.history.push({ status, at, source });
    },
    clear() {
      byKey.clear();
      byToken.clear();
      openFloating.clear();
    },
  };
}
