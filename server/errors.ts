/**
 * The server's one error path: handlers throw `checkoutError(...)` (an HTTPException carrying a
 * code), and `app.onError` turns it, or anything unexpected, into `{"error": {code, message, field?}}`.
 * The codes are part of the public contract (docs/integration.md).
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const ERROR_CODES = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  origin_not_allowed: 403,
  not_found: 404,
  idempotency_key_in_use: 409,
  checkout_failed: 409,
  session_completed: 409,
  session_expired: 410,
  payouts_disabled: 403,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  gateway_refused: 502,
  gateway_unavailable: 503,
  store_unavailable: 503,
  invalid_signature: 401,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export class CheckoutError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(ERROR_CODES[code], { message });
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export function checkoutError(code: ErrorCode, message: string, field?: string, headers?: Record<string, string>): CheckoutError {
  return new CheckoutError(code, message, field, headers);
}

/**
 * The order store cannot be reached (server/store/unavailable.ts): an outage, not a bug, and the same
 * request may succeed in a few seconds, on this instance or another. Most often nothing was done; a
 * create cut off after its insert is left "creating" and settled by the sweep, as after a crash.
 */
export function storeUnavailableError(): CheckoutError {
  return checkoutError("store_unavailable", "The checkout is unavailable for a moment. Please try again in a few seconds.", undefined, { "Retry-After": "5" });
}
