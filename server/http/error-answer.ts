/**
 * What `app.onError` (and the notify route's and the shopper pages', each in its own shape) answers for an error: a
 * `CheckoutError` as thrown, an order store that cannot be reached as 503 `store_unavailable`, and
 * anything else as 500 `internal_error`. What is not the client's doing is logged here, once, without
 * a stack trace; an outage of the store is logged by its code only ("ECONNREFUSED", "SQLITE_BUSY"),
 * a warning rather than an error, since it is not a bug and passes by itself. The error's own headers
 * (Retry-After) are set here on the answer, so that no handler can forget them.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { CheckoutError, checkoutError, storeUnavailableError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { storeUnavailableCode } from "../store/unavailable.ts";
import type { AppEnv } from "./app-env.ts";

export function errorAnswer(error: unknown, c: Context<AppEnv>, options: { logger: Logger; store: string }): CheckoutError {
  const failure = decide(error, c, options);
  // Its own headers (Retry-After) on the answer, whatever shape the caller gives the body.
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return failure;
}

function decide(error: unknown, c: Context<AppEnv>, options: { logger: Logger; store: string }): CheckoutError {
  if (error instanceof CheckoutError) return error;
  // A body the validators could not parse as JSON reaches here as hono's plain 400.
  if (error instanceof HTTPException && error.status === 400) return checkoutError("invalid_json", "The body is not valid JSON.");
  const where = { request_id: c.get("requestId"), path: c.req.path };
  const code = storeUnavailableCode(error);
  if (code) {
    options.logger.warn("store unavailable", { ...where, store: options.store, code });
    return storeUnavailableError();
  }
  options.logger.error("unhandled error", { ...where, error });
  return checkoutError("internal_error", "Something went wrong on our side. Please try again.");
}
