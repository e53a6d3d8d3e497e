/**
 * The outbox's decisions, shared by both stores: which change makes which event, what the event
 * carries, and which endpoints get it. The stores write what these return inside the transaction
 * that makes the change, so an event exists if and only if its change was committed.
 */
import type { PaymentStatus } from "../gateway/schemas.ts";
import { newEventId } from "../ids.ts";
import { merchantOrderView } from "../merchant/views.ts";
import type { EventType } from "../merchant/schemas.ts";
import type { EventRecord, GatewayState, OrderRecord, StatusChange, Subscription } from "./types.ts";

/** pending and preparing are not news: `order.created` already said the order is waiting. */
const ORDER_EVENT_BY_STATUS: Partial<Record<PaymentStatus, EventType>> = {
  processing: "order.processing",
  completed: "order.paid",
  failed: "order.failed",
  reject: "order.failed",
  overdue: "order.expired",
  refund: "order.refunded",
};

export function orderEventType(change: StatusChange): EventType | null {
  return ORDER_EVENT_BY_STATUS[change.to] ?? null;
}

/** The gateway has the order from now on (with or without a payment page): `order.created`, once. */
export function createsOrderEvent(before: GatewayState, after: GatewayState): boolean {
  return (before === "creating" || before === "unknown") && (after === "created" || after === "orphaned");
}

/** An event about an order, its data the order as the merchant API shows it at this moment. */
export function orderEvent(type: EventType, order: OrderRecord, history: readonly StatusChange[], at: number): Omit<EventRecord, "seq"> {
  return { id: newEventId(), type, objectId: order.id, data: merchantOrderView(order, history), createdAt: at };
}

export function subscribers(subscriptions: readonly Subscription[], type: string): string[] {
  return subscriptions.filter((subscription) => subscription.types === null || subscription.types.includes(type)).map((subscription) => subscription.endpoint);
}

export interface OutboxConfig {
  /** Which endpoints get which events: one delivery row each, written with the event. */
  subscriptions?: readonly Subscription[];
}
