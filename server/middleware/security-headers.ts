/**
 * Headers every response gets unless its route set its own (the return page must be framable by the
 * merchant's origin; the sandbox gateway's page decides its own framing).
 */
import type { MiddlewareHandler } from "hono";

const LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders({ https }: { https: boolean }): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    const headers = c.res.headers;
    if (!headers.has("Content-Security-Policy")) {
      headers.set("Content-Security-Policy", LOCKED_DOWN_CSP);
    }
    if (!headers.has("X-Frame-Options") && /frame-ancestors 'none'/.test(headers.get("Content-Security-Policy") ?? "")) {
      headers.set("X-Frame-Options", "DENY");
    }
    if (!headers.has("X-Content-Type-Options")) headers.set("X-Content-Type-Options", "nosniff");
    if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", "no-referrer");
    if (https && !headers.has("Strict-Transport-Security")) headers.set("Strict-Transport-Security", "max-age=31536000");
  };
}
