import { describe, expect, it } from "vitest";
import { toPublicOrder } from "../../server/orders/public-view.ts";
import { storedOrder } from "../support/orders.ts";

// Waiting for its payment, with the fields a shopper must never see filled in.
const base = storedOrder({ gatewayState: "created", status: "pending", paymentUrl: "https://gw.example/pay/1", customer: "member-1", idempotencyKey: "k", requestHash: "h" });

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
