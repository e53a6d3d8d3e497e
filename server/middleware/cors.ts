/**
 * CORS for /api/*: the same headers Hono's `cors` middleware sends with our options, set the cheap
 * way. Hono's sets them on `c.res` before the handler (creating a Response for every request) and
 * adds `Vary` after it (copying the finished response into a new one); on the Node adapter that
 * turns every answer into a full web-standard Response. Here every header goes into the context's
 * prepared headers before the handler runs, which the handler's, onError's and notFound's
 * responses all start from; or, in our app, into the envelope's plain headers (envelope.ts), which
 * every answer gets.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Envelope } from "./envelope.ts";

/** `set`, or `append` for a header that lists values (Vary). */
function headerSetter(c: Context): (name: string, value: string, append?: boolean) => void {
  const envelope = c.get("envelope") as Envelope | undefined;
  if (!envelope) return (name, value, append) => c.header(name, value, { append: append ?? false });
  const headers = envelope.headers;
  return (name, value, append) => {
    const before = headers[name];
    headers[name] = append && before !== undefined ? `${before}, ${value}` : value;
  };
}

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
    const header = headerSetter(c);
    const origin = c.req.header("origin");
    if (origin !== undefined && options.allowedOrigins.has(origin)) header("Access-Control-Allow-Origin", origin);
    if (exposeHeaders) header("Access-Control-Expose-Headers", exposeHeaders);
    header("Vary", "Origin", true);
    if (c.req.method === "OPTIONS") {
      header("Access-Control-Max-Age", maxAge);
      header("Access-Control-Allow-Methods", allowMethods);
      if (allowHeaders) {
        header("Access-Control-Allow-Headers", allowHeaders);
        header("Vary", "Access-Control-Request-Headers", true);
      }
      return c.body(null, 204);
    }
    await next();
  };
}
