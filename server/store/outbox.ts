/**
 * The outbox's decisions, shared by both stores: which change makes which event, what the event
 * carries, and which endpoints get it. The stores write what these return inside the transaction
 * that makes the change, so an event exists if and only if its change was committed.
 */
import type { PaymentStatus } from "../gateway/schemas.ts";
import { newEventId } from "../ids.ts";
import { merchantOrderView, payoutView } from "../merchant/views.ts";
import type { EventType } from "../merchant/schemas.ts";
import type { EventRecord, GatewayState, OrderKind, OrderRecord, StatusChange, Subscription } from "./types.ts";

/** pending and preparing are not news: `order.created` already said the order is waiting. */
const EVENT_BY_STATUS: Record<OrderKind, Partial<Record<PaymentStatus, EventType>>> = {
  checkout: {
    processing: "order.processing",
    completed: "order.paid",
    failed: "order.failed",
    reject: "order.failed",
    overdue: "order.expired",
    refund: "order.refunded",
  },
  // A payout that did not arrive is failed, whatever the gateway calls it (a reversed one too).
  payout: {
    processing: "payout.processing",
    completed: "payout.paid",
    failed: "payout.failed",
    reject: "payout.failed",
    overdue: "payout.failed",
    refund: "payout.failed",
  },
};

export function orderEventType(kind: OrderKind, change: StatusChange): EventType | null {
  return EVENT_BY_STATUS[kind][change.to] ?? null;
}

/** The gateway has the order from now on (with or without a payment page): `order.created` or `payout.created`, once. */
export function createdEventType(order: OrderRecord, before: GatewayState): EventType | null {
  const made = (before === "creating" || before === "unknown") && (order.gatewayState === "created" || order.gatewayState === "orphaned");
  if (!made) return null;
  return order.kind === "payout" ? "payout.created" : "order.created";
}

/** An event about an order or payout, its data the object as the merchant API shows it at this moment. */
export function orderEvent(type: EventType, order: OrderRecord, history: readonly StatusChange[], at: number): Omit<EventRecord, "seq"> {
  const data = order.kind === "payout" ? payoutView(order, history) : merchantOrderView(order, history);
  return { id: newEventId(), type, objectId: order.id, data, createdAt: at };
}

export function subscribers(subscriptions: readonly Subscription[], type: string): string[] {
  return subscriptions.filter((subscription) => subscription.types === null || subscription.types.includes(type)).map((subscription) => subscription.endpoint);
}

export interface OutboxConfig {
  /** Which endpoints get which events: one delivery row each, written with the event. */
  subscriptions?: readonly Subscription[];
}
