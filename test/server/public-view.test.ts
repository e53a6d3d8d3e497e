import { describe, expect, it } from "vitest";
import { toPublicOrder } from "../../server/orders/public-view.ts";
import type { OrderRecord } from "../../server/store/types.ts";

const base: OrderRecord = {
  id: "ck_AAAAAAAAAAAAAAAAAAAAAA",
  merchantOrderId: "test-1",
  gatewayState: "created",
  status: "pending",
  amount: "100.00",
  currency: "php",
  country: "PH",
  payment: "gcash",
  channel: null,
  finalAmount: null,
  floatingAmount: null,
  paymentUrl: "https://gw.example/pay/1",
  product: null,
  customer: "member-1",
  description: null,
  locale: null,
  origin: "https://shop.example",
  returnUrl: null,
  idempotencyKey: "k",
  requestHash: "h",
  errorCode: null,
  createdAt: 0,
  updatedAt: 0,
  expiresAt: 60_000,
  refreshedAt: null,
  sessionId: null,
  metadata: null,
  paymentUid: null,
  paymentFailReason: null,
  kind: "checkout",
  payeeAccount: null,
  payeeName: null,
  payeeBank: null,
  accountingType: null,
  createdBy: null,
};

describe("what a shopper's browser sees of an order", () => {
  it("shows the payment page only while the order can be paid", () => {
    expect(toPublicOrder(base).payment_url).toBe("https://gw.example/pay/1");
    expect(toPublicOrder({ ...base, status: "completed" })).not.toHaveProperty("payment_url");
  });

  it("shows an order the gateway refused as failed, not as a payment to wait for", () => {
    expect(toPublicOrder({ ...base, gatewayState: "rejected", status: "none", paymentUrl: null }).status).toBe("failed");
    expect(toPublicOrder({ ...base, gatewayState: "orphaned", status: "pending", paymentUrl: null }).status).toBe("pending");
  });

  it("never carries internal fields", () => {
    expect(Object.keys(toPublicOrder({ ...base, floatingAmount: "100.37", finalAmount: "100.00" })).sort()).toEqual(
      ["amount", "country", "currency", "expires_at", "final_amount", "floating_amount", "id", "payment", "payment_url", "status"].sort(),
    );
  });
});
