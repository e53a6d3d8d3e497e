/**
 * What `webhooks test` sends. By default a `webhook.test` ping: a receiver verifies its signature
 * like any event, and a receiver written to ignore types it does not know (as Standard Webhooks
 * asks) changes nothing. `--type order.paid` (or another order type) sends a sample order in the
 * real event's shape instead, to try the code that handles it: clearly marked, with an order id
 * that no store holds, so a receiver that looks the order up finds nothing to ship.
 */
import type { CheckoutConfig } from "../checkout-config.ts";
import type { PaymentStatus } from "../gateway/schemas.ts";
import { newCheckoutId, newEventId } from "../ids.ts";
import { ORDER_EVENT_TYPES, type MerchantOrder } from "../merchant/schemas.ts";
import { webhookBody } from "../merchant/views.ts";

export const TEST_EVENT_TYPE = "webhook.test";
export const TEST_EVENT_TYPES = [TEST_EVENT_TYPE, ...ORDER_EVENT_TYPES] as const;
export type TestEventType = (typeof TEST_EVENT_TYPES)[number];

/** The statuses an order passes through to reach each event, for a believable history. */
const PATHS: Record<(typeof ORDER_EVENT_TYPES)[number], PaymentStatus[]> = {
  "order.created": ["pending"],
  "order.processing": ["pending", "processing"],
  "order.paid": ["pending", "completed"],
  "order.failed": ["pending", "failed"],
  "order.expired": ["pending", "overdue"],
  "order.refunded": ["pending", "completed", "refund"],
};

export const SAMPLE_DESCRIPTION = "Test event from octopus-checkout webhooks test: not a real order";

function sampleOrder(type: (typeof ORDER_EVENT_TYPES)[number], config: CheckoutConfig, now: number): MerchantOrder {
  const method = config.methods[0]!;
  const amount = method.presets?.[0] ?? method.min;
  const path = PATHS[type];
  const status = path.at(-1)!;
  const at = new Date(now).toISOString();
  return {
    id: newCheckoutId(),
    object: "order",
    merchant_order_id: `${config.orderIdPrefix}-test-${now.toString(36)}`,
    session_id: null,
    status,
    amount,
    final_amount: status === "completed" || status === "refund" ? amount : null,
    final_amount_differs: false,
    floating_amount: null,
    currency: method.currency,
    country: method.country,
    payment: method.payment,
    product: null,
    customer: null,
    description: SAMPLE_DESCRIPTION,
    metadata: { octopus_checkout_test: "true" },
    payment_uid: null,
    payment_fail_reason: status === "failed" ? "test" : null,
    history: path.map((to, index) => ({ from: index === 0 ? "none" : path[index - 1]!, to, source: "notify", at })),
    created_at: at,
    updated_at: at,
  };
}

export interface TestMessage {
  id: string;
  type: TestEventType;
  body: string;
}

export function testMessage(type: TestEventType, config: CheckoutConfig, now: number): TestMessage {
  const id = newEventId();
  const data: Record<string, unknown> =
    type === TEST_EVENT_TYPE
      ? { object: "test", message: "A test from octopus-checkout webhooks test: verify the signature, answer 2xx, change nothing." }
      : sampleOrder(type, config, now);
  return { id, type, body: webhookBody({ id, seq: 0, type, objectId: typeof data.id === "string" ? data.id : id, data, createdAt: now }) };
}
