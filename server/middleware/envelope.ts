/**
 * What every answer carries, in one middleware: the request id (X-Request-Id, taken from the request
 * when it sends a sane one, as hono's requestId does), the headers other middleware adds for the
 * request (CORS), the security headers, and one JSON log line per request.
 *
 * Why not hono's requestId and c.header: each c.header call before the handler goes into a
 * web-standard Headers object, which every response then carries, and which the Node adapter must
 * walk (sorted) to write it. The profile of issue 12 had Headers' work at ~15% of a widget read's CPU.
 * Here the headers wait in a plain object: a hot route answers through `jsonAnswer`, which builds
 * its whole response from plain objects (the adapter's fast path, written as is); any other answer
 * gets them added once it is finished, each only where the route did not set its own, which is how
 * the route's own headers won before too.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../http/app-env.ts";
import type { Logger } from "../log.ts";
import { addSecurityHeaders, securityHeaderValues } from "./security-headers.ts";

export interface Envelope {
  /** Headers for this request's answer, whatever it turns out to be (X-Request-Id, CORS). */
  headers: Record<string, string>;
  /** The security headers for an answer built whole. */
  security: Readonly<Record<string, string>>;
}

const SANE_REQUEST_ID = /^[\w\-=]{1,255}$/;

/** Answers built whole by `jsonAnswer`: they carry everything already. */
const complete = new WeakSet<Response>();

export function envelope(options: { logger: Logger; https: boolean }): MiddlewareHandler<AppEnv> {
  const { logger } = options;
  const security = securityHeaderValues(options);
  return async function envelope(c, next) {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    const headers: Record<string, string> = { "X-Request-Id": requestId };
    c.set("requestId", requestId);
    c.set("envelope", { headers, security });
    await next();
    const res = c.res;
    if (!complete.has(res)) {
      const finished = res.headers;
      for (const name in headers) if (!finished.has(name)) finished.set(name, headers[name]!);
      addSecurityHeaders(finished, security);
    }
    // Paths only, never query strings or headers: they are where tokens and addresses hide.
    logger.info("request", {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/**
 * A JSON answer with every header it needs in one plain object: the envelope's, the security
 * headers, and `extra` (the route's own). What c.json answers, without a Headers object.
 */
export function jsonAnswer(c: Context<AppEnv>, body: unknown, status: number, extra: Readonly<Record<string, string>>): Response {
  const envelope = c.get("envelope") as Envelope | undefined;
  if (!envelope) {
    // Routes mounted without the envelope (a merchant's own app): Hono's way.
    for (const name in extra) c.header(name, extra[name]);
    return c.json(body, status as ContentfulStatusCode);
  }
  const { headers, security } = envelope;
  const response = new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...security, ...extra, ...headers } });
  complete.add(response);
  return response;
}
