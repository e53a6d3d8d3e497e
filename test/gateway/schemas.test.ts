import { describe, expect, it } from "vitest";
import { CreateOrderInput, GetOrderResponse, NewOrderRequest, NewOrderResponse, OrderDetails } from "../../server/gateway/schemas.ts";

const income = {
  transaction_type: "income",
  amount: "100.00",
  currency: "php",
  payment: "gcash",
  merchant_order_id: "order-1",
  country: "PH",
} as const;

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
}

describe("order/new schema", () => {
  it("accepts a plain collection, a top-up, a payout and a settlement", () => {
    expect(CreateOrderInput.safeParse(income).success).toBe(true);
    expect(CreateOrderInput.safeParse({ ...income, accounting_type: "recharge" }).success).toBe(true);
    expect(
      CreateOrderInput.safeParse({ ...income, transaction_type: "expense", accounting_type: "pay", to: "6660006666987", to_name: "Jane Doe", to_bank_name: "BDO" }).success,
    ).toBe(true);
    expect(CreateOrderInput.safeParse({ ...income, transaction_type: "expense", accounting_type: "settle" }).success).toBe(true);
  });

  it("keeps accounting types with their transaction type", () => {
    expect(issues(CreateOrderInput.safeParse({ ...income, accounting_type: "pay" }))).toEqual([expect.stringMatching(/^accounting_type:/)]);
    expect(issues(CreateOrderInput.safeParse({ ...income, transaction_type: "expense", accounting_type: "recharge" }))).toEqual([
      expect.stringMatching(/^accounting_type:/),
    ]);
  });

  it("names the field for bad amounts, currencies and countries", () => {
    expect(issues(CreateOrderInput.safeParse({ ...income, amount: "1e3" }))).toEqual([expect.stringMatching(/^amount: must be a decimal string/)]);
    expect(issues(CreateOrderInput.safeParse({ ...income, amount: "100.001" }))).toEqual([expect.stringMatching(/^amount: has more decimals than php/)]);
    expect(issues(CreateOrderInput.safeParse({ ...income, amount: "0.00" }))).toEqual(["amount: must be greater than zero"]);
    expect(issues(CreateOrderInput.safeParse({ ...income, currency: "eur" }))).toEqual([expect.stringMatching(/^currency:/)]);
    expect(issues(CreateOrderInput.safeParse({ ...income, currency: "PHP" }))).toEqual([expect.stringMatching(/^currency:/)]);
    expect(issues(CreateOrderInput.safeParse({ ...income, country: "PHL" }))).toEqual([expect.stringMatching(/^country:/)]);
    expect(CreateOrderInput.safeParse({ ...income, country: "ph" }).success).toBe(true);
  });

  it("requires each required field", () => {
    for (const field of ["amount", "currency", "payment", "merchant_order_id", "country", "transaction_type"] as const) {
      const { [field]: _dropped, ...rest } = income;
      expect(CreateOrderInput.safeParse(rest).success, field).toBe(false);
    }
  });

  it("requires a channel for the Thailand variant and keeps its payer/payee fields on their side", () => {
    const thai = { ...income, currency: "thb", payment: "thailand", country: "TH" } as const;
    expect(issues(CreateOrderInput.safeParse(thai))).toEqual(["channel: is required for thb (Thailand) orders"]);
    expect(CreateOrderInput.safeParse({ ...thai, channel: "promptpay", merchant_id: "member-42", from_name: "member-42" }).success).toBe(true);
    expect(issues(CreateOrderInput.safeParse({ ...thai, channel: "promptpay", to_name: "Jane" }))).toEqual(["to_name: is for payouts only in Thailand"]);
    expect(issues(CreateOrderInput.safeParse({ ...thai, transaction_type: "expense", channel: "bank", from_bank_name: "KBANK" }))).toEqual([
      "from_bank_name: is for collections only in Thailand",
    ]);
  });

  it("sends Bangladesh payouts to bkash", () => {
    const bd = { ...income, transaction_type: "expense", currency: "bdt", payment: "bkash", country: "BD" } as const;
    expect(CreateOrderInput.safeParse({ ...bd, to_bank_name: "bkash" }).success).toBe(true);
    expect(issues(CreateOrderInput.safeParse({ ...bd, to_bank_name: "citibank" }))).toEqual([expect.stringMatching(/^to_bank_name:/)]);
  });

  it("checks URLs and the wire-only fields", () => {
    expect(issues(CreateOrderInput.safeParse({ ...income, notify_url: "javascript:alert(1)" }))).toEqual([expect.stringMatching(/^notify_url:/)]);
    expect(NewOrderRequest.safeParse({ ...income, merchant_uid: "m", response_type: "json" }).success).toBe(true);
    expect(issues(NewOrderRequest.safeParse({ ...income, merchant_uid: "m" }))).toEqual([expect.stringMatching(/^response_type:/)]);
  });
});

describe("response schemas", () => {
  it("reads both success shapes and both error shapes", () => {
    const created = NewOrderResponse.parse({ result: "success", data: { payment: { payment_status: "pending", final_amount: "100.00" }, payment_url: "https://gw.example/pay/1" } });
    expect(created.result === "success" && created.data.payment_url).toBe("https://gw.example/pay/1");
    const payout = NewOrderResponse.parse({ result: "success", data: { payment: { payment_status: "pending" } } });
    expect(payout.result === "success" && payout.data.payment_url).toBeUndefined();
    expect(NewOrderResponse.parse({ result: "error", data: "An error occurred processing your request" }).result).toBe("error");
    const detailed = NewOrderResponse.parse({ result: "error", data: { error: "Invalid parameters", details: "The 'amount' field is required." } });
    expect(detailed.result === "error" && typeof detailed.data === "object" && detailed.data.details).toBe("The 'amount' field is required.");
  });

  it("refuses an unknown status or an answer without result", () => {
    expect(NewOrderResponse.safeParse({ result: "success", data: { payment: { payment_status: "paid" } } }).success).toBe(false);
    expect(NewOrderResponse.safeParse({ data: {} }).success).toBe(false);
    expect(GetOrderResponse.safeParse({ result: "success", data: { payment_status: "pending" } }).success).toBe(false);
  });

  it("treats null and empty strings as unset, and never computes with numeric amounts", () => {
    const order = OrderDetails.parse({ merchant_order_id: "x", payment_status: "", amount: 100.5, final_amount: null, notify_status: "", from: "" });
    expect(order.payment_status).toBe("none");
    expect(order.notify_status).toBe("none");
    expect(order.amount).toBe("100.5");
    expect(order.final_amount).toBeUndefined();
    expect(order.from).toBeUndefined();
  });
});
