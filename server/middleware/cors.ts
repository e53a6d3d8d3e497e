/**
 * CORS for /api/*: the same headers Hono's `cors` middleware sends with our options, set the cheap
 * way. Hono's sets them on `c.res` before the handler (creating a Response for every request) and
 * adds `Vary` after it (copying the finished response into a new one); on the Node adapter that
 * turns every answer into a full web-standard Response. Here every header goes into the context's
 * prepared headers before the handler runs, which the handler's, onError's and notFound's
 * responses all start from.
 */
import type { MiddlewareHandler } from "hono";

export interface CorsOptions {
  /** Exact origins; a prefix or suffix match would let shop.example.com.evil.test in. */
  allowedOrigins: ReadonlySet<string>;
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

export function cors(options: CorsOptions): MiddlewareHandler {
  const allowMethods = options.allowMethods.join(",");
  const allowHeaders = options.allowHeaders.join(",");
  const exposeHeaders = options.exposeHeaders.join(",");
  const maxAge = String(options.maxAgeSeconds);
  return async function cors(c, next) {
    const origin = c.req.header("origin");
    if (origin !== undefined && options.allowedOrigins.has(origin)) c.header("Access-Control-Allow-Origin", origin);
    if (exposeHeaders) c.header("Access-Control-Expose-Headers", exposeHeaders);
    c.header("Vary", "Origin", { append: true });
    if (c.req.method === "OPTIONS") {
      c.header("Access-Control-Max-Age", maxAge);
      c.header("Access-Control-Allow-Methods", allowMethods);
      if (allowHeaders) {
        c.header("Access-Control-Allow-Headers", allowHeaders);
        c.header("Vary", "Access-Control-Request-Headers", { append: true });
      }
      return c.body(null, 204);
    }
    await next();
  };
}
