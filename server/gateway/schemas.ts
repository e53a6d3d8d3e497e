/**
 * The Octopus order API as zod schemas: the single source of truth for every type at the gateway
 * boundary. Field meanings are in docs/gateway.md; decisions where the documents are silent
 * are marked "Decision".
 */
import * as z from "zod";
import { CURRENCIES, describeAmountProblem, parseAmount } from "./amount.ts";

// ---------------------------------------------------------------------------------------------
// Enumerations

export const TransactionType = z.enum(["income", "expense"]);
export const AccountingType = z.enum(["recharge", "receive", "pay", "settle"]);
export const Currency = z.enum(CURRENCIES);
export const PaymentStatus = z.enum(["none", "pending", "preparing", "processing", "completed", "failed", "reject", "refund", "overdue"]);
export const NotifyStatus = z.enum(["none", "delivered", "completed", "failed"]);
export const AccountingStatus = z.enum(["none", "delivered", "accounted", "failed"]);

export type TransactionType = z.infer<typeof TransactionType>;
export type AccountingType = z.infer<typeof AccountingType>;
export type Currency = z.infer<typeof Currency>;
export type PaymentStatus = z.infer<typeof PaymentStatus>;
export type NotifyStatus = z.infer<typeof NotifyStatus>;
export type AccountingStatus = z.infer<typeof AccountingStatus>;

/** Terminal statuses: nothing moves an order out of these except a refund of a paid order. */
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set(["completed", "failed", "reject", "refund", "overdue"]);
export const isFinalStatus = (status: PaymentStatus): boolean => FINAL_STATUSES.has(status);

// ---------------------------------------------------------------------------------------------
// order/new request

const text = (max = 255) => z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** Decision: our own ids stay within a conservative alphabet; the gateway documents none. */
export const MerchantOrderId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_', ':' or '-'");

/** ISO 3166-1 alpha-2 in any case (the documents' sample sends "ph"); the Thailand doc shows "thailand". */
export const Country = z.string().regex(/^(?:[A-Za-z]{2}|thailand)$/i, 'must be a two-letter ISO country code such as "PH"');

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" });

const orderFields = {
  amount: z.string(),
  merchant_order_id: MerchantOrderId,
  currency: Currency,
  payment: text(64),
  country: Country,
  redirect_url: httpUrl.optional(),
  notify_url: httpUrl.optional(),
  from: text().optional(),
  from_name: text().optional(),
  from_bank_name: text().optional(),
  to: text().optional(),
  to_name: text().optional(),
  to_bank_name: text().optional(),
  /** Thailand variant: required there, values not documented. */
  channel: text(64).optional(),
  /** Thailand variant: the member (end-user) id. */
  merchant_id: text(128).optional(),
};

const wireFields = {
  merchant_uid: text(128),
  response_type: z.literal("json"),
};

interface OrderRuleInput {
  transaction_type: TransactionType;
  amount: string;
  currency: Currency;
  channel?: string | undefined;
  from?: string | undefined;
  from_bank_name?: string | undefined;
  to_name?: string | undefined;
  to_bank_name?: string | undefined;
}

/** Rules that span fields: precision by currency, and what the Thailand and Bangladesh docs add. */
function orderRules(order: OrderRuleInput, ctx: z.RefinementCtx): void {
  const parsed = parseAmount(order.amount, order.currency);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", path: ["amount"], message: describeAmountProblem(parsed.problem, order.currency) });
  } else if (parsed.minor === 0) {
    ctx.addIssue({ code: "custom", path: ["amount"], message: "must be greater than zero" });
  }
  // Decision: the Thailand variant is the one for `thb`; its doc makes `channel` required.
  if (order.currency === "thb") {
    if (!order.channel) ctx.addIssue({ code: "custom", path: ["channel"], message: "is required for thb (Thailand) orders" });
    if (order.transaction_type === "expense" && order.from_bank_name) {
      ctx.addIssue({ code: "custom", path: ["from_bank_name"], message: "is for collections only in Thailand" });
    }
    if (order.transaction_type === "income" && order.to_name) {
      ctx.addIssue({ code: "custom", path: ["to_name"], message: "is for payouts only in Thailand" });
    }
  }
  if (order.currency === "bdt" && order.transaction_type === "expense" && order.to_bank_name && order.to_bank_name !== "bkash") {
    ctx.addIssue({ code: "custom", path: ["to_bank_name"], message: 'must be "bkash" for Bangladesh payouts' });
  }
}

const IncomeOrder = z.object({
  transaction_type: z.literal("income"),
  /** Top-up (recharge) or collection (receive). */
  accounting_type: z.enum(["recharge", "receive"]).optional(),
  ...orderFields,
});

const ExpenseOrder = z.object({
  transaction_type: z.literal("expense"),
  /** Payout (pay) or settlement (settle). */
  accounting_type: z.enum(["pay", "settle"]).optional(),
  ...orderFields,
});

/** What a caller gives `createOrder`: the client adds `merchant_uid` and `response_type`. */
export const CreateOrderInput = z.discriminatedUnion("transaction_type", [IncomeOrder, ExpenseOrder]).superRefine(orderRules);
export type CreateOrderInput = z.input<typeof CreateOrderInput>;

/** The exact body of `POST /octopus/api/order/new`. */
export const NewOrderRequest = z
  .discriminatedUnion("transaction_type", [IncomeOrder.extend(wireFields), ExpenseOrder.extend(wireFields)])
  .superRefine(orderRules);
export type NewOrderRequest = z.infer<typeof NewOrderRequest>;

export const GetOrderRequest = z.object({ merchant_order_id: MerchantOrderId });
export type GetOrderRequest = z.infer<typeof GetOrderRequest>;

// ---------------------------------------------------------------------------------------------
// Responses. Lenient where a real gateway plausibly differs (null for unset, numbers for amounts,
// extra fields), strict where we act on the value (status, ids, payment_url).

const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value) => (value === null || value === "" ? undefined : value));

/** Amounts should be strings; a number is turned into its shortest exact decimal, never computed with. */
const optionalMoney = z
  .union([z.string(), z.number().finite().nonnegative(), z.null()])
  .optional()
  .transform((value) => (value === null || value === "" || value === undefined ? undefined : String(value)));

// An unset enum arrives as "" from some gateways: it means `none`.
const status = <T extends z.ZodEnum>(schema: T) => z.preprocess((value) => (value === "" || value === null ? "none" : value), schema);

export const PaymentInfo = z.looseObject({
  from: optionalText,
  from_name: optionalText,
  from_bank_name: optionalText,
  to: optionalText,
  to_name: optionalText,
  to_bank_name: optionalText,
  payment_status: status(PaymentStatus),
  payment_fail_reason: optionalText,
  final_amount: optionalMoney,
  /** Thailand: what the payer must actually transfer (random satang lets a bank transfer be matched). */
  floating_amount: optionalMoney,
  currency: optionalText,
  transaction_type: TransactionType.optional(),
  payment_uid: optionalText,
  channel: optionalText,
});
export type PaymentInfo = z.infer<typeof PaymentInfo>;

/** Everything `order/get` returns. Holds fields that must never reach a browser: see SENSITIVE_ORDER_FIELDS. */
export const OrderDetails = z.looseObject({
  from: optionalText,
  from_name: optionalText,
  from_bank_name: optionalText,
  to: optionalText,
  to_name: optionalText,
  to_bank_name: optionalText,
  amount: optionalMoney,
  floating_amount: optionalMoney,
  final_amount: optionalMoney,
  currency: optionalText,
  country: optionalText,
  transaction_type: TransactionType.optional(),
  accounting_type: z.preprocess((value) => (value === "" || value === null ? undefined : value), AccountingType.optional()),
  merchant_order_id: z.string().min(1),
  merchant_uid: optionalText,
  merchant_name: optionalText,
  channel: optionalText,
  payment_status: status(PaymentStatus),
  payment_fail_reason: optionalText,
  payment: optionalText,
  response_type: optionalText,
  ip: optionalText,
  user_agent: optionalText,
  distribute_rules: z.unknown().optional(),
  payment_uid: optionalText,
  redirect_url: optionalText,
  notify_url: optionalText,
  notify_status: status(NotifyStatus).optional(),
  notify_fail_reason: optionalText,
  accounting_status: status(AccountingStatus).optional(),
  accounting_fail_reason: optionalText,
  signature_key: optionalText,
});
export type OrderDetails = z.infer<typeof OrderDetails>;

export { PARTY_FIELDS, SENSITIVE_GATEWAY_FIELDS, SENSITIVE_ORDER_FIELDS } from "./sensitive-fields.ts";

export const GatewayErrorData = z.union([
  z.string(),
  z.looseObject({ error: z.string(), details: z.union([z.string(), z.null()]).optional() }),
]);
export type GatewayErrorData = z.infer<typeof GatewayErrorData>;

const ErrorEnvelope = z.object({ result: z.literal("error"), data: GatewayErrorData });

export const CreatedOrderData = z.looseObject({
  payment: PaymentInfo,
  /** Present for income orders: the gateway's hosted payment page. */
  payment_url: httpUrl.optional(),
});
export type CreatedOrderData = z.infer<typeof CreatedOrderData>;

export const NewOrderResponse = z.discriminatedUnion("result", [
  z.object({ result: z.literal("success"), data: CreatedOrderData }),
  ErrorEnvelope,
]);
export type NewOrderResponse = z.infer<typeof NewOrderResponse>;

/** Decision: the documents do not show `order/get`'s envelope; we assume the same `{result, data}`. */
export const GetOrderResponse = z.discriminatedUnion("result", [z.object({ result: z.literal("success"), data: OrderDetails }), ErrorEnvelope]);
export type GetOrderResponse = z.infer<typeof GetOrderResponse>;

/**
 * Decision: the notification to `notify_url` is undocumented. We take a JSON object of the order's
 * fields as flat strings, signed like a request; only `merchant_order_id` is needed, because the
 * server re-reads the order with `order/get` before believing anything in it.
 */
export const NotificationBody = z.looseObject({ merchant_order_id: z.string().min(1) });
export type NotificationBody = z.infer<typeof NotificationBody>;
