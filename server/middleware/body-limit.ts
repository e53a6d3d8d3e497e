/**
 * Refuses request bodies over `maxBytes` with 413 payload_too_large. Hono's `bodyLimit` reads
 * `c.req.raw.body`, which on the Node adapter turns every request, GETs included, into a full
 * web-standard Request with a stream. Most bodies declare their length: that is checked from the
 * header alone, and only a body without one (chunked) goes through Hono's counting reader.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { checkoutError } from "../errors.ts";

export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    throw checkoutError("payload_too_large", `The body must be at most ${maxBytes} bytes.`);
  };
  const counting = honoBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function bodyLimit(c, next) {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > maxBytes ? tooLarge() : next();
    }
    return counting(c, next);
  };
}
