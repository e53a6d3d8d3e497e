/**
 * The one builder of stored orders for tests that put orders straight into a store (the store
 * contracts, the sweep, the CLI, webhooks): a valid order in the shape the server inserts before
 * order/new; `overrides` say what the test is about.
 */
import { newOrderToRow, rowToOrder } from "../../server/store/rows.ts";
import type { NewOrder, OrderRecord } from "../../server/store/types.ts";

/** A fixed clock: every time in these tests is T plus something, so failures replay exactly. */
export const T = 1_700_000_000_000;

let serial = 0;

/** Checkout ids in the server's format (ck_ and 22 characters) that sort in the order they were made. */
function nextSuffix(): string {
  serial += 1;
  return `${Date.now().toString(36)}${serial.toString(36).padStart(4, "0")}`.padStart(22, "0");
}

export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  const suffix = nextSuffix();
  const createdAt = overrides.createdAt ?? T;
  return {
    id: `ck_${suffix}`,
    merchantOrderId: `mo-${suffix}`,
    gatewayState: "creating",
    status: "none",
    amount: "100.50",
    currency: "php",
    country: "PH",
    payment: "gcash",
    channel: null,
    finalAmount: null,
    floatingAmount: null,
    paymentUrl: null,
    product: "T-shirt",
    customer: null,
    description: null,
    locale: "en",
    origin: "https://shop.example",
    returnUrl: "https://shop.example/thanks",
    idempotencyKey: null,
    requestHash: null,
    errorCode: null,
    createdAt,
    expiresAt: createdAt + 30 * 60_000,
    ...overrides,
  };
}

/** newOrder(overrides) as the store gives it back once inserted: through the stores' own row mapping. */
export function storedOrder(overrides: Partial<NewOrder> = {}): OrderRecord {
  return rowToOrder(newOrderToRow(newOrder(overrides)));
}
