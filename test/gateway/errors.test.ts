/**
 * How a `{"result": "error"}` answer becomes a typed error: the documented shapes without guessing,
 * every guess named, and every guess written down in docs/gateway.md.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_GUESSES, recogniseRefusal, type ErrorGuess, type Refusal } from "../../server/gateway/errors.ts";

const recognise = (path: Refusal["path"], status: number, data: Refusal["data"]) => {
  const { error, guess } = recogniseRefusal({ path, status, data, merchantOrderId: "m-1" });
  return { kind: error.kind, guess };
};

describe("recogniseRefusal", () => {
  it("takes the documents' {error, details} as a refusal of the request, without a guess, whatever the HTTP status", () => {
    for (const status of [200, 400, 422]) {
      expect(recognise("order/new", status, { error: "Invalid parameters", details: "The 'amount' field is required." })).toEqual({ kind: "gateway_refused", guess: null });
    }
  });

  it("goes by HTTP status before wording", () => {
    // A 404 whose words say "duplicate" is still "not found" for order/get.
    expect(recognise("order/get", 404, { error: "Duplicate order" })).toEqual({ kind: "order_not_found", guess: "status-404-get" });
    expect(recognise("order/new", 503, { error: "Duplicate order" })).toEqual({ kind: "server_error", guess: "status-5xx" });
    expect(recognise("order/new", 401, { error: "Invalid parameters" })).toEqual({ kind: "authentication", guess: "status-401-403" });
  });

  it("reads words only for the call they can be about", () => {
    expect(recognise("order/new", 400, { error: "Duplicate order", details: "already exists" })).toEqual({ kind: "duplicate_order", guess: "words-duplicate-new" });
    // "not found" in a create's refusal (a payment method, a bank) says nothing about an order.
    expect(recognise("order/new", 400, { error: "Invalid parameters", details: "payment method not found" })).toEqual({ kind: "gateway_refused", guess: null });
    expect(recognise("order/get", 400, { error: "Order not found" })).toEqual({ kind: "order_not_found", guess: "words-not-found-get" });
    expect(recognise("order/get", 400, { error: "Duplicate order" })).toEqual({ kind: "gateway_refused", guess: null });
    expect(recognise("order/get", 400, { error: "Unauthorized", details: "Invalid OC-Signature." })).toEqual({ kind: "authentication", guess: "words-auth" });
  });

  it("takes a bare string as the gateway's own failure", () => {
    expect(recognise("order/new", 200, "An error occurred processing your request")).toEqual({ kind: "server_error", guess: "string-is-failure" });
    expect(recognise("order/get", 403, "Forbidden")).toEqual({ kind: "authentication", guess: "status-401-403" });
  });

  it("has every guess listed in docs/gateway.md, by id", () => {
    const doc = readFileSync(new URL("../../docs/gateway.md", import.meta.url), "utf8");
    for (const guess of Object.keys(ERROR_GUESSES) as ErrorGuess[]) expect(doc, guess).toContain(`\`${guess}\``);
  });
});
