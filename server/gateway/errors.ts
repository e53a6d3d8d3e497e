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
  /** Mutable so that the client can mark an error it rethrows after a failed read-back. */
  outcomeUnknown: boolean;
  merchantOrderId: string | undefined;
  /** HTTP status of the gateway's answer, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.merchantOrderId = options.merchantOrderId;
    this.status = options.status;
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
