/**
 * The merchant API's shapes (`/api/v1/`): the zod schemas that validate its requests are the same
 * ones its OpenAPI document is generated from, so the document cannot drift from the code.
 * `z` comes from @hono/zod-openapi: zod itself, with `.openapi()` for names and examples.
 */
import { z } from "@hono/zod-openapi";
import { Currency, PaymentStatus } from "../gateway/schemas.ts";
import { moneyTypeError } from "../gateway/amount.ts";

// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

export const Metadata = z
  .record(
    z.string().min(1, "keys must not be empty").max(40, "keys must be at most 40 characters"),
    z.string().max(500, "values must be at most 500 characters").regex(NO_CONTROL, "values must not contain control characters"),
  )
  .refine((value) => Object.keys(value).length <= 20, "must have at most 20 keys")
  .openapi("Metadata", {
    description: "Your own labels: up to 20 string values (keys up to 40 characters, values up to 500), echoed on the order and in every event.",
    example: { cart_id: "c_8812", channel: "line" },
  });

export const Money = z.string({ error: moneyTypeError }).openapi({ description: "A decimal string in the currency's units, never a float.", example: "250.00" });

const Timestamp = z.string().openapi({ description: "ISO 8601, UTC.", example: "2026-12-02T09:30:00.000Z" });

export const Customer = z
  .string()
  .regex(/^[A-Za-z0-9._@:-]{1,64}$/, "must be 1 to 64 letters, digits or . _ @ : -")
  .openapi({ description: "A stable member id of yours (for the gateway's blacklist); never a name the shopper typed.", example: "member-1042" });

export const Description = z
  .string()
  .min(1)
  .max(140, "must be at most 140 characters")
  .regex(NO_CONTROL, "must not contain control characters")
  .openapi({ description: "What is bought, shown to the shopper.", example: "2 × Iced coffee" });

/** Any case in, lower case out: "PHP" and "php" are one currency. */
const CurrencyField = z.preprocess((value) => (typeof value === "string" ? value.toLowerCase() : value), Currency).openapi({ example: "php" });

const CountryField = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as "PH"')
  .transform((value) => value.toUpperCase())
  .openapi({ example: "PH" });

// ---------------------------------------------------------------------------------------------
// Sessions

export const CreateSessionBody = z
  .strictObject({
    amount: Money,
    currency: CurrencyField,
    country: CountryField.optional().openapi({ description: "Limit the session to one country's methods.", example: "PH" }),
    payment: z.string().min(1).max(64).optional().openapi({ description: "Limit the session to one payment method.", example: "gcash" }),
    customer: Customer.optional(),
    description: Description.optional(),
    metadata: Metadata.optional(),
    return_url: z.string().max(2000).optional().openapi({ description: "Where a redirect comes back to; on one of the shop's allowed origins.", example: "https://shop.example/thanks" }),
    expires_in: z
      .number()
      .int("must be a whole number of seconds")
      .min(60, "must be at least 60 seconds")
      .max(30 * 24 * 3600, "must be at most 30 days (2592000 seconds)")
      .optional()
      .openapi({ description: "Seconds until the session expires (60 to 2592000; default 86400).", example: 3600 }),
  })
  .openapi("CreateSession");
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const SessionStatus = z.enum(["open", "completed", "expired"]);

export const Session = z
  .object({
    id: z.string().openapi({ example: "cs_3kTMd9Ff6lKjv2uYbVh1Qw" }),
    object: z.literal("session"),
    status: SessionStatus,
    url: z.string().openapi({ description: "The payment link: a page of this server that pays the session.", example: "https://pay.example.com/pay/cs_3kTMd9Ff6lKjv2uYbVh1Qw" }),
    amount: Money,
    currency: z.string(),
    country: z.string().nullable(),
    payment: z.string().nullable(),
    customer: z.string().nullable(),
    description: z.string().nullable(),
    metadata: Metadata,
    return_url: z.string().nullable(),
    order_id: z.string().nullable().openapi({ description: "The order that paid the session." }),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .openapi("Session");
export type Session = z.infer<typeof Session>;

// ---------------------------------------------------------------------------------------------
// Orders

export const HistoryEntry = z.object({
  from: PaymentStatus,
  to: PaymentStatus,
  source: z.enum(["create", "poll", "notify", "sweep", "refresh"]),
  at: Timestamp,
});

export const MerchantOrder = z
  .object({
    id: z.string().openapi({ example: "ck_Yb2mS0xq9rW4nQk3T1aZcA" }),
    object: z.literal("order"),
    merchant_order_id: z.string().openapi({ description: "Our id for the order at the gateway (its back office shows it)." }),
    session_id: z.string().nullable(),
    status: PaymentStatus,
    amount: Money,
    final_amount: z.string().nullable().openapi({ description: "What the gateway reports as paid." }),
    final_amount_differs: z.boolean().openapi({ description: "True when the gateway reported a final_amount other than amount. Not interpreted: yours to decide." }),
    floating_amount: z.string().nullable().openapi({ description: "Thailand: the exact amount the payer was asked to transfer." }),
    currency: z.string(),
    country: z.string(),
    payment: z.string(),
    product: z.string().nullable(),
    customer: z.string().nullable(),
    description: z.string().nullable(),
    metadata: Metadata,
    payment_uid: z.string().nullable(),
    payment_fail_reason: z.string().nullable(),
    history: z.array(HistoryEntry),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Order");
export type MerchantOrder = z.infer<typeof MerchantOrder>;

// ---------------------------------------------------------------------------------------------
// Payouts

const Account = z
  .string()
  .min(4, "must be at least 4 characters")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9._@+-]+$/, "must be letters, digits or . _ @ + -");

export const CreatePayoutBody = z
  .strictObject({
    amount: Money,
    currency: CurrencyField,
    country: CountryField,
    payment: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be the gateway's method name").openapi({ example: "gcash" }),
    to: Account.openapi({ description: "The payee's account (shown masked everywhere after this request).", example: "09171234567" }),
    to_name: z.string().min(1).max(100).regex(NO_CONTROL, "must not contain control characters").openapi({ example: "Juan Dela Cruz" }),
    to_bank_name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{2,32}$/, "must be the gateway's bank code")
      .optional()
      .openapi({ description: "The gateway's bank code. Required in Thailand (a Thai bank code) and Bangladesh (bkash).", example: "KBANK" }),
    accounting_type: z.enum(["pay", "settle"]).optional().openapi({ description: "pay (a payout, the default) or settle (a settlement)." }),
    description: Description.optional(),
    metadata: Metadata.optional(),
  })
  .openapi("CreatePayout");
export type CreatePayoutBody = z.infer<typeof CreatePayoutBody>;

export const Payout = z
  .object({
    id: z.string().openapi({ example: "po_8sQw1ZxYk2LmN3bV4cR5tA" }),
    object: z.literal("payout"),
    merchant_order_id: z.string(),
    status: PaymentStatus,
    amount: Money,
    final_amount: z.string().nullable(),
    currency: z.string(),
    country: z.string(),
    payment: z.string(),
    to: z.string().openapi({ description: "The account, all but its last 4 characters masked.", example: "*******4567" }),
    to_name: z.string(),
    to_bank_name: z.string().nullable(),
    accounting_type: z.enum(["pay", "settle"]),
    description: z.string().nullable(),
    metadata: Metadata,
    payment_uid: z.string().nullable(),
    failure_reason: z.string().nullable(),
    requested_by: z.string().nullable().openapi({ description: "The secret key that asked for it, by its last four characters.", example: "sk_…x9Qa" }),
    history: z.array(HistoryEntry),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Payout");
export type Payout = z.infer<typeof Payout>;

export const ORDER_EVENT_TYPES = ["order.created", "order.processing", "order.paid", "order.failed", "order.expired", "order.refunded"] as const;
const PAYOUT_EVENT_TYPES = ["payout.created", "payout.processing", "payout.paid", "payout.failed"] as const;
export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...PAYOUT_EVENT_TYPES] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const Delivery = z.object({
  endpoint: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  next_attempt_at: Timestamp.nullable(),
  attempts: z.array(z.object({ at: Timestamp, status_code: z.number().int().nullable(), error: z.string().nullable(), duration_ms: z.number().int() })),
});

export const Event = z
  .object({
    id: z.string().openapi({ example: "evt_0mHcT1s9Qy2LkVw8XbR4aA" }),
    object: z.literal("event"),
    type: EventType,
    object_id: z.string(),
    created_at: Timestamp,
    data: z.record(z.string(), z.unknown()).openapi({ description: "The object as GET /api/v1/… shows it, at the moment of the change." }),
    deliveries: z.array(Delivery),
  })
  .openapi("Event");
export type MerchantEvent = z.infer<typeof Event>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: '"amount" must be between 20.00 PHP and 50000.00 PHP for GCash' }),
      field: z.string().optional().openapi({ example: "amount" }),
    }),
  })
  .openapi("Error");

export const ListQuery = {
  limit: z.coerce
    .number({ error: "must be a whole number from 1 to 100" })
    .int("must be a whole number from 1 to 100")
    .min(1, "must be a whole number from 1 to 100")
    .max(100, "must be a whole number from 1 to 100")
    .optional()
    .openapi({ description: "1 to 100, default 20." }),
  starting_after: z.string().max(64).optional().openapi({ description: "The id of the last item of the previous page; an id that is not an item of this list is refused (400)." }),
};

export const list = <T extends z.ZodType>(item: T, name: string) => z.object({ data: z.array(item), has_more: z.boolean() }).openapi(name);
