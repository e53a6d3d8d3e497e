/**
 * The Octopus gateway client: one object per configuration (after stripe-node), `fetch` and
 * signing.ts only (node:crypto where there is one, else Web Crypto), so that it runs wherever Hono runs.
 */
import * as z from "zod";
import {
  OctopusDuplicateOrderError,
  OctopusError,
  OctopusInvalidRequestError,
  OctopusNetworkError,
  OctopusOrderNotFoundError,
  OctopusResponseError,
  OctopusServerError,
  OctopusTimeoutError,
  isTransient,
  recogniseRefusal,
} from "./errors.ts";
import {
  CreateOrderInput,
  GetOrderRequest,
  GetOrderResponse,
  NewOrderResponse,
  type GatewayErrorData,
  type OrderDetails,
  type PaymentInfo,
} from "./schemas.ts";
import { UnsignableFieldError, canonicalString, hmacSha256Hex, signFields, verifyFields } from "./signing.ts";

export const OctopusClientConfig = z.object({
  /** Where the API lives, e.g. `https://pay.example.com`; requests go to `<baseUrl>/octopus/api/...`. */
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" }),
  apiKey: z.string().min(1, "is required"),
  apiSecret: z.string().min(1, "is required"),
  merchantUid: z.string().min(1, "is required"),
  /** Per request, including reading the answer. */
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
  /** How many times a create may be sent in all (always under the same merchant_order_id). */
  createAttempts: z.number().int().min(1).max(5).default(3),
  /** How many `order/get` calls may settle an unknown outcome before giving up on knowing. */
  readBackAttempts: z.number().int().min(1).max(10).default(3),
  /** Pause before each retry, growing with each attempt. */
  retryDelayMs: z.number().int().nonnegative().max(60_000).default(250),
});
export type OctopusClientConfig = z.input<typeof OctopusClientConfig>;

export interface OctopusClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export type CreateOrderResult =
  | {
      merchantOrderId: string;
      /** The gateway answered the create. */
      recovered: false;
      payment: PaymentInfo;
      /** The hosted payment page (income orders). */
      paymentUrl: string | undefined;
    }
  | {
      merchantOrderId: string;
      /**
       * The create's answer was lost, but `order/get` shows the gateway made the order. `order/get`
       * has no `payment_url`, so the caller cannot send a shopper to it.
       */
      recovered: true;
      order: OrderDetails;
      paymentUrl: undefined;
    };

export interface OctopusClient {
  createOrder(input: CreateOrderInput): Promise<CreateOrderResult>;
  getOrder(merchantOrderId: string): Promise<OrderDetails>;
  /** Checks a notification's `OC-Key` and `OC-Signature` against this configuration. */
  verifyNotification(fields: Record<string, unknown>, headers: { key: string | null | undefined; signature: string | null | undefined }): Promise<boolean>;
}

const API_PATH = "/octopus/api/";

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: issue?.path.join(".") || "(body)", message: issue?.message ?? "is invalid" };
}

export function createOctopusClient(config: OctopusClientConfig, deps: OctopusClientDeps = {}): OctopusClient {
  const parsed = OctopusClientConfig.safeParse(config);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new TypeError(`Octopus client config "${field}" ${message}`);
  }
  const settings = parsed.data;
  const fetchImpl = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = settings.baseUrl.replace(/\/+$/, "");

  /** One POST with `body` signed as `signature`; turns every way it can go wrong into a typed error. */
  async function call(path: "order/new" | "order/get", body: Record<string, string>, signature: string, merchantOrderId: string): Promise<{ status: number; json: unknown }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetchImpl(`${base}${API_PATH}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "OC-Key": settings.apiKey, "OC-Signature": signature },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      status = response.status;
      // Reading the body stays under the same timer: a gateway can hang half-way through an answer too.
      text = await response.text();
    } catch (error) {
      if (controller.signal.aborted) {
        throw new OctopusTimeoutError(`No answer from the gateway's ${path} within ${settings.timeoutMs} ms`, { cause: error, merchantOrderId });
      }
      throw new OctopusNetworkError(`Could not reach the gateway's ${path}: ${(error as Error).message}`, { cause: error, merchantOrderId });
    } finally {
      clearTimeout(timer);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      if (status >= 500) throw new OctopusServerError(`The gateway failed with HTTP ${status}`, { cause: error, status, merchantOrderId });
      throw new OctopusResponseError(`The gateway's ${path} answer is not JSON (HTTP ${status})`, text.slice(0, 500), { cause: error, status, merchantOrderId });
    }
    return { status, json };
  }

  function refusal(path: "order/new" | "order/get", data: GatewayErrorData, status: number, merchantOrderId: string): OctopusError {
    return recogniseRefusal({ path, status, data, merchantOrderId }).error;
  }

  function unexpected(path: string, status: number, json: unknown, error: z.ZodError, merchantOrderId: string): OctopusError {
    if (status >= 500) return new OctopusServerError(`The gateway failed with HTTP ${status}`, { status, merchantOrderId });
    const { field, message } = firstIssue(error);
    return new OctopusResponseError(`The gateway's ${path} answer is not the documented shape: "${field}" ${message}`, JSON.stringify(json).slice(0, 500), {
      status,
      merchantOrderId,
    });
  }

  async function sendNew(body: Record<string, string>, signature: string, merchantOrderId: string, income: boolean) {
    const { status, json } = await call("order/new", body, signature, merchantOrderId);
    const envelope = NewOrderResponse.safeParse(json);
    if (!envelope.success) throw unexpected("order/new", status, json, envelope.error, merchantOrderId);
    if (envelope.data.result === "error") throw refusal("order/new", envelope.data.data, status, merchantOrderId);
    const data = envelope.data.data;
    if (income && !data.payment_url) {
      // Documented for income orders; without it the shopper has nowhere to pay. The order exists, though.
      throw new OctopusResponseError("The gateway created an income order but sent no payment_url", JSON.stringify(json).slice(0, 500), { status, merchantOrderId });
    }
    return data;
  }

  async function getOrder(merchantOrderId: string): Promise<OrderDetails> {
    const request = GetOrderRequest.safeParse({ merchant_order_id: merchantOrderId });
    if (!request.success) {
      const { field, message } = firstIssue(request.error);
      throw new OctopusInvalidRequestError(field, message, { merchantOrderId });
    }
    const { status, json } = await call("order/get", request.data, await signFields(settings.apiSecret, request.data), merchantOrderId);
    const envelope = GetOrderResponse.safeParse(json);
    if (!envelope.success) throw unexpected("order/get", status, json, envelope.error, merchantOrderId);
    if (envelope.data.result === "error") throw refusal("order/get", envelope.data.data, status, merchantOrderId);
    if (envelope.data.data.merchant_order_id !== merchantOrderId) {
      throw new OctopusResponseError("The gateway's order/get answered for another order", "", { status, merchantOrderId });
    }
    return envelope.data.data;
  }

  /**
   * After a create whose outcome is unknown: the order as the gateway has it, `null` when the gateway
   * definitely has no such order, or the create's own error marked `outcomeUnknown` when we cannot tell.
   */
  async function readBack(merchantOrderId: string, createError: OctopusError): Promise<OrderDetails | null> {
    for (let attempt = 1; attempt <= settings.readBackAttempts; attempt++) {
      try {
        return await getOrder(merchantOrderId);
      } catch (error) {
        if (error instanceof OctopusOrderNotFoundError) return null;
        if (!isTransient(error)) throw error;
        if (attempt < settings.readBackAttempts) await sleep(settings.retryDelayMs * attempt);
      }
    }
    throw createError.withOutcomeUnknown();
  }

  async function createOrder(input: CreateOrderInput): Promise<CreateOrderResult> {
    const checked = CreateOrderInput.safeParse(input);
    if (!checked.success) {
      const { field, message } = firstIssue(checked.error);
      throw new OctopusInvalidRequestError(field, message, { merchantOrderId: input?.merchant_order_id });
    }
    const order = checked.data;
    const merchantOrderId = order.merchant_order_id;
    // The signed fields are exactly the fields sent: absent and empty optional fields are left out of both.
    const body: Record<string, string> = { merchant_uid: settings.merchantUid, response_type: "json" };
    for (const [key, value] of Object.entries(order)) if (typeof value === "string" && value !== "") body[key] = value;
    // Signed once: every attempt sends the same body.
    let canonical: string;
    try {
      canonical = canonicalString(body);
    } catch (error) {
      if (error instanceof UnsignableFieldError) throw new OctopusInvalidRequestError(error.field, error.message.replace(/^Field "[^"]*" /, ""), { merchantOrderId });
      throw error;
    }
    const signature = await hmacSha256Hex(settings.apiSecret, canonical);

    let lastError: OctopusError | undefined;
    // Whether any send went unanswered (timeout, connection lost): such a send may still land later.
    let unanswered = false;
    for (let attempt = 1; attempt <= settings.createAttempts; attempt++) {
      if (attempt > 1) await sleep(settings.retryDelayMs * (attempt - 1));
      try {
        const data = await sendNew(body, signature, merchantOrderId, order.transaction_type === "income");
        return { merchantOrderId, recovered: false, payment: data.payment, paymentUrl: data.payment_url };
      } catch (error) {
        // A duplicate on a re-send means an earlier attempt landed after all: read it back below.
        const earlierLanded = attempt > 1 && error instanceof OctopusDuplicateOrderError;
        if (!earlierLanded && !isTransient(error)) throw error;
        lastError = error as OctopusError;
        if (error instanceof OctopusTimeoutError || error instanceof OctopusNetworkError) unanswered = true;
        const found = await readBack(merchantOrderId, lastError);
        if (found) return { merchantOrderId, recovered: true, order: found, paymentUrl: undefined };
        if (earlierLanded) {
          // The gateway says "duplicate" and also "not found": it contradicts itself, so we cannot know.
          throw lastError.withOutcomeUnknown();
        }
        // The gateway definitely has no such order: sending it again cannot make a second one,
        // and it goes under the same merchant_order_id so the gateway's duplicate check guards a race.
      }
    }
    // A send that went unanswered, the last one or an earlier one, may still be on its way after the
    // read-backs said "not found": only a sweep reading it back later can tell. When every send was
    // answered (a 5xx or garbled answer means the gateway did answer), none is left to land.
    throw unanswered ? lastError!.withOutcomeUnknown() : lastError!;
  }

  return {
    createOrder,
    getOrder,
    async verifyNotification(fields, headers) {
      if (headers.key !== settings.apiKey) return false;
      // No prototype: a field named "__proto__" stays a field, so the copy is exactly what was signed.
      const flat = Object.create(null) as Record<string, string>;
      for (const [key, value] of Object.entries(fields)) {
        if (typeof value !== "string") return false;
        flat[key] = value;
      }
      return verifyFields(settings.apiSecret, flat, headers.signature);
    },
  };
}
