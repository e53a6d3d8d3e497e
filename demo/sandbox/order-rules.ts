/**
 * What the gateway checks before it accepts a request, in the order a client meets the problems:
 * body shape, required fields, each field's rules (the shared zod schemas, so client and sandbox
 * cannot disagree), a payout's payee (payee-rules.ts), then what only the gateway knows: the
 * merchant, its methods and their limits.
 */
import type * as z from "zod";
import { parseAmount } from "../../server/gateway/amount.ts";
import { GetOrderRequest, NewOrderRequest } from "../../server/gateway/schemas.ts";
import type { MerchantRegistry, SandboxMerchant } from "./merchants.ts";
import { acceptsCountry, type MethodCatalog, type MethodEntry } from "./methods.ts";
import { describeIssue, quoteList } from "./issues.ts";
import { checkPayee } from "./payee-rules.ts";
import { fieldMessage } from "./responses.ts";

export type FlatFields = Record<string, string>;
export type Checked<T> = ({ ok: true } & T) | { ok: false; details: string };

const BODY_NOT_OBJECT = "The request body must be a JSON object of string fields.";

/** The gateway's documents' bodies are flat objects of strings; anything else cannot even be signed. */
export function readFlatFields(text: string): Checked<{ fields: FlatFields }> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, details: BODY_NOT_OBJECT };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, details: BODY_NOT_OBJECT };
  const fields: FlatFields = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== "string") return { ok: false, details: fieldMessage(key, "must be a string") };
    fields[key] = value;
  }
  return { ok: true, fields };
}

function missing(fields: FlatFields, required: readonly string[]): string | undefined {
  // An empty string is what a form-minded client sends for "nothing": it is as good as absent.
  const absent = required.find((field) => !fields[field]);
  return absent === undefined ? undefined : fieldMessage(absent, "is required");
}

/** The first zod issue as the gateway phrases it, with the two cases a client meets most worded for it. */
function describeOrderIssue(issue: z.core.$ZodIssue, fields: FlatFields): string {
  const field = String(issue.path[0] ?? "body");
  if (issue.code === "invalid_value" && field === "accounting_type" && fields.transaction_type) {
    return fieldMessage(field, `must be ${quoteList(issue.values)} for ${fields.transaction_type} orders`);
  }
  if (issue.code === "invalid_union" && field === "transaction_type") return fieldMessage(field, 'must be "income" or "expense"');
  return describeIssue(issue, fields);
}

const NEW_ORDER_REQUIRED = ["transaction_type", "amount", "merchant_order_id", "merchant_uid", "currency", "payment", "response_type", "country"] as const;

export interface AcceptedNewOrder {
  request: NewOrderRequest;
  method: MethodEntry;
  amountMinor: number;
}

export function checkNewOrder(fields: FlatFields, merchant: SandboxMerchant, merchants: MerchantRegistry, methods: MethodCatalog): Checked<AcceptedNewOrder> {
  const absent = missing(fields, NEW_ORDER_REQUIRED);
  if (absent) return { ok: false, details: absent };

  const parsed = NewOrderRequest.safeParse(fields);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, details: first ? describeOrderIssue(first, fields) : fieldMessage("body", "is invalid") };
  }
  const request = parsed.data;
  const payee = checkPayee(request);
  if (payee) return { ok: false, details: payee };

  if (request.merchant_uid !== merchant.merchantUid) return { ok: false, details: fieldMessage("merchant_uid", "does not belong to this OC-Key") };

  const entry = methods.find(request.payment);
  if (!entry || !merchants.allows(merchant, request.payment)) {
    const enabled = methods.all().filter((method) => merchants.allows(merchant, method.payment));
    return { ok: false, details: fieldMessage("payment", `must be a payment method enabled for this merchant: ${enabled.map((method) => method.payment).join(", ")}`) };
  }
  const { method } = entry;
  const forMethod = `for payment '${method.payment}'`;
  if (request.currency !== method.currency) return { ok: false, details: fieldMessage("currency", `must be ${method.currency} ${forMethod}`) };
  if (!acceptsCountry(method, request.country)) return { ok: false, details: fieldMessage("country", `must be ${method.country} ${forMethod}`) };
  if (method.channels) {
    if (!request.channel) return { ok: false, details: fieldMessage("channel", "is required") };
    if (!method.channels.includes(request.channel)) {
      return { ok: false, details: fieldMessage("channel", `must be ${quoteList(method.channels)} ${forMethod}`) };
    }
  }

  const amount = parseAmount(request.amount, request.currency);
  // The schema has already refused amounts that do not parse; this only narrows the type.
  if (!amount.ok) return { ok: false, details: fieldMessage("amount", "is invalid") };
  if (amount.minor < entry.minMinor || amount.minor > entry.maxMinor) {
    return { ok: false, details: fieldMessage("amount", `must be between ${method.minAmount} and ${method.maxAmount} ${method.currency} ${forMethod}`) };
  }
  return { ok: true, request, method: entry, amountMinor: amount.minor };
}

export function checkGetOrder(fields: FlatFields): Checked<{ request: GetOrderRequest }> {
  const absent = missing(fields, ["merchant_order_id"]);
  if (absent) return { ok: false, details: absent };
  const parsed = GetOrderRequest.safeParse(fields);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, details: first ? describeOrderIssue(first, fields) : fieldMessage("merchant_order_id", "is invalid") };
  }
  return { ok: true, request: parsed.data };
}
