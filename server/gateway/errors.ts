/**
 * Typed errors of the gateway client, one class per thing a caller must handle differently
 * (after stripe-node's error classes). `kind` is a stable string for logs and switch statements.
 */

export type OctopusErrorKind =
  | "invalid_request"
  | "gateway_refused"
  | "duplicate_order"
  | "order_not_found"
  | "authentication"
  | "server_error"
  | "timeout"
  | "network"
  | "bad_response";

interface ErrorOptions {
  cause?: unknown;
  /** For a create: the order may or may not exist at the gateway; look it up before doing anything else. */
  outcomeUnknown?: boolean;
  merchantOrderId?: string | undefined;
  status?: number | undefined;
}

export abstract class OctopusError extends Error {
  abstract readonly kind: OctopusErrorKind;
  readonly outcomeUnknown: boolean;
  readonly merchantOrderId: string | undefined;
  /** HTTP status of the gateway's answer, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.merchantOrderId = options.merchantOrderId;
    this.status = options.status;
  }

  /**
   * The same error (same class, message and fields), marked `outcomeUnknown`, with this one as its
   * `cause`. Errors are never changed after they are thrown: whoever already holds one keeps what it said.
   */
  withOutcomeUnknown(): this {
    if (this.outcomeUnknown) return this;
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperty(copy, "outcomeUnknown", { value: true, enumerable: true });
    Object.defineProperty(copy, "cause", { value: this, enumerable: false, configurable: true, writable: true });
    return copy;
  }
}

/** We refused to send it: a field fails the API's rules or cannot be signed. Nothing was sent. */
export class OctopusInvalidRequestError extends OctopusError {
  readonly kind = "invalid_request";
  constructor(
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid order field "${field}": ${reason}`, options);
  }
}

/** The gateway answered and said no, with its message and details. Retrying the same call will not help. */
export class OctopusGatewayError extends OctopusError {
  readonly kind: "gateway_refused" | "duplicate_order" | "order_not_found" = "gateway_refused";
  constructor(
    readonly gatewayMessage: string,
    readonly details: string | undefined,
    options?: ErrorOptions,
  ) {
    super(details ? `${gatewayMessage}: ${details}` : gatewayMessage, options);
  }
}

/** The gateway already has an order with this `merchant_order_id`. */
export class OctopusDuplicateOrderError extends OctopusGatewayError {
  override readonly kind = "duplicate_order";
}

/** `order/get` found no order with this `merchant_order_id`. */
export class OctopusOrderNotFoundError extends OctopusGatewayError {
  override readonly kind = "order_not_found";
}

/** Unknown `OC-Key`, wrong secret or a signature the gateway would not accept. A configuration problem. */
export class OctopusAuthenticationError extends OctopusError {
  readonly kind = "authentication";
  constructor(
    readonly gatewayMessage: string,
    readonly details: string | undefined,
    options?: ErrorOptions,
  ) {
    super(details ? `${gatewayMessage}: ${details}` : gatewayMessage, options);
  }
}

/** The gateway failed on its side (5xx). For a create, the order may have been stored anyway. */
export class OctopusServerError extends OctopusError {
  readonly kind = "server_error";
}

/** No answer within the configured timeout. */
export class OctopusTimeoutError extends OctopusError {
  readonly kind = "timeout";
}

/** The connection failed (refused, reset, DNS). */
export class OctopusNetworkError extends OctopusError {
  readonly kind = "network";
}

/** An answer that is not the documented shape: not JSON, or JSON that the schemas reject. */
export class OctopusResponseError extends OctopusError {
  readonly kind = "bad_response";
  constructor(
    message: string,
    readonly body: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Errors after which the outcome of a create is unknown: the request may have reached the gateway. */
export function isTransient(error: unknown): error is OctopusServerError | OctopusTimeoutError | OctopusNetworkError | OctopusResponseError {
  return (
    error instanceof OctopusServerError ||
    error instanceof OctopusTimeoutError ||
    error instanceof OctopusNetworkError ||
    error instanceof OctopusResponseError
  );
}

// ---------------------------------------------------------------------------------------------
// Recognising the gateway's refusals. The documents give two shapes of `{"result": "error"}` and
// nothing else: `data` a bare string (their example: "An error occurred processing your request")
// or `{error, details}` (their example: "Invalid parameters" / "The 'amount' field is required.").
// No HTTP statuses, no error codes. So the shape decides first; anything finer is a guess, HTTP
// status before wording, wording only as the last resort. Every guess has an id here and a line in
// docs/gateway.md ("Errors: what is documented, what is guessed").

/** Every place where the client goes beyond the documents to classify an error. */
export const ERROR_GUESSES = {
  "string-is-failure": "A bare string in `data` is the gateway's own failure (its catch-all), not a refusal of our request: retried like a 5xx.",
  "status-5xx": "HTTP 500 or more is the gateway's own failure, whatever the body says.",
  "status-401-403": "HTTP 401 or 403 means the gateway did not accept our OC-Key or OC-Signature.",
  "status-404-get": "HTTP 404 from order/get means the gateway has no order with that merchant_order_id.",
  "words-auth": 'Wording: "unauthorized", "forbidden", "signature", "oc-key", "api key" or "credential" in the error means the credentials were refused.',
  "words-duplicate-new": 'Wording: "duplicate" or "already exists" in an order/new refusal means the merchant_order_id is taken.',
  "words-not-found-get": 'Wording: "not found", "no such order" or "does not exist" in an order/get refusal means there is no such order.',
} as const;
export type ErrorGuess = keyof typeof ERROR_GUESSES;

const AUTH_WORDS = /unauthori[sz]ed|forbidden|signature|oc-key|api key|credential/i;
const DUPLICATE_WORDS = /duplicate|already exists/i;
const NOT_FOUND_WORDS = /not found|no such order|does not exist/i;

export interface Refusal {
  path: "order/new" | "order/get";
  /** HTTP status of the answer. */
  status: number;
  /** The envelope's `data` of a `{"result": "error"}` answer. */
  data: string | { error: string; details?: string | null | undefined };
  merchantOrderId: string;
}

/** The typed error for a `{"result": "error"}` answer, and the guess it rests on (none for the documented shapes). */
export function recogniseRefusal({ path, status, data, merchantOrderId }: Refusal): { error: OctopusError; guess: ErrorGuess | null } {
  const options = { status, merchantOrderId };
  if (typeof data === "string") {
    if (status === 401 || status === 403) return { error: new OctopusAuthenticationError(data, undefined, options), guess: "status-401-403" };
    if (AUTH_WORDS.test(data)) return { error: new OctopusAuthenticationError(data, undefined, options), guess: "words-auth" };
    return { error: new OctopusServerError(`The gateway failed: ${data}`, options), guess: "string-is-failure" };
  }
  const details = data.details ?? undefined;
  const all = `${data.error} ${details ?? ""}`;
  if (status >= 500) return { error: new OctopusServerError(`The gateway failed: ${all.trim()}`, options), guess: "status-5xx" };
  if (status === 401 || status === 403) return { error: new OctopusAuthenticationError(data.error, details, options), guess: "status-401-403" };
  if (path === "order/get" && status === 404) return { error: new OctopusOrderNotFoundError(data.error, details, options), guess: "status-404-get" };
  if (AUTH_WORDS.test(data.error)) return { error: new OctopusAuthenticationError(data.error, details, options), guess: "words-auth" };
  if (path === "order/new" && DUPLICATE_WORDS.test(all)) return { error: new OctopusDuplicateOrderError(data.error, details, options), guess: "words-duplicate-new" };
  if (path === "order/get" && NOT_FOUND_WORDS.test(all)) return { error: new OctopusOrderNotFoundError(data.error, details, options), guess: "words-not-found-get" };
  // The documented shape: the gateway refused this request and said why.
  return { error: new OctopusGatewayError(data.error, details, options), guess: null };
}
