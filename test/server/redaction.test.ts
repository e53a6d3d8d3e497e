/**
 * The log's redaction, tested directly: an order carrying every field the gateway's documents make
 * sensitive, and header bags in every casing, logged nested and inside arrays. The lists here are
 * written out from the documents on purpose, not imported: dropping a field from the server's list,
 * or matching keys case-sensitively, must fail this test.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../server/log.ts";

// From the order/get field list: credentials, the shopper's device, the merchant's account, the parties.
const SENSITIVE = {
  signature_key: "sk-value-7f3a",
  ip: "203.0.113.201",
  user_agent: "UA-value-Phone/9.1",
  distribute_rules: { rule: "distribute-value-x1", weights: ["distribute-weight-y2"] },
  merchant_uid: "muid-value-0042",
  merchant_name: "merchant-name-value-Acme",
  from: "from-account-6660006666789",
  from_name: "from-name-John-Doe",
  from_bank_name: "from-bank-Example",
  to: "to-account-6660006666987",
  to_name: "to-name-Jane-Doe",
  to_bank_name: "to-bank-bkash-x",
};

const HEADERS = {
  "OC-Key": "oc-key-value-k1",
  "oc-signature": "ocsig-value-0123abcd",
  Authorization: "Bearer auth-value-zz9",
  COOKIE: "session=cookie-value-c00k",
  "User-Agent": "header-UA-value-Browser/1",
  "X-Forwarded-For": "198.51.100.77, 10.0.0.1",
  "x-REAL-ip": "198.51.100.78",
};

const ORDINARY = { merchant_order_id: "test-ordinary-id-1", payment_status: "completed", amount: "100.00" };

function logged(fields: Record<string, unknown>): string {
  const lines: string[] = [];
  createLogger({ write: (line) => lines.push(line) }).info("order read", fields);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

function leaks(line: string, values: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") {
      if (line.includes(value)) found.push(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(values);
  return found;
}

/** The same keys in upper, lower and mixed case. */
function casings(bag: Record<string, unknown>): Record<string, unknown>[] {
  const map = (change: (key: string) => string) => Object.fromEntries(Object.entries(bag).map(([key, value]) => [change(key), value]));
  return [bag, map((key) => key.toUpperCase()), map((key) => key.toLowerCase()), map((key) => key.replace(/^./, (first) => first.toUpperCase()))];
}

describe("log redaction", () => {
  it("keeps every sensitive gateway field and header value out of the line, nested and in arrays, in any casing", () => {
    const order = { ...ORDINARY, ...SENSITIVE };
    for (const orderCase of casings(order)) {
      for (const headerCase of casings(HEADERS)) {
        const line = logged({
          order: orderCase,
          headers: headerCase,
          deeper: { notification: { body: orderCase, headers: [headerCase] } },
          batch: [orderCase, [headerCase, { inner: orderCase }]],
          error: Object.assign(new Error("gateway said no"), { cause: { response: orderCase } }),
        });
        expect(leaks(line, SENSITIVE), line).toEqual([]);
        expect(leaks(line, HEADERS), line).toEqual([]);
      }
    }
  });

  it("still logs what is not sensitive, so the test above can tell redaction from silence", () => {
    const line = logged({ order: { ...ORDINARY, ...SENSITIVE }, headers: { ...HEADERS, "Content-Type": "application/json" } });
    for (const value of Object.values(ORDINARY)) expect(line).toContain(value);
    expect(line).toContain("application/json");
    expect(JSON.parse(line).order.signature_key).toBe("[redacted]");
  });
});
