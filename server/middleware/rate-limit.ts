/**
 * A fixed-window limiter per key, in memory. Enough for one instance; behind a load balancer each
 * instance limits on its own, which still bounds what one address can do to the gateway.
 */
import type { MiddlewareHandler } from "hono";
import { checkoutError } from "../errors.ts";

export interface RateLimitOptions {
  windowMs: number;
  max: number;
  key: (c: Parameters<MiddlewareHandler>[0]) => string;
  now?: () => number;
}

export function rateLimit({ windowMs, max, key, now = Date.now }: RateLimitOptions): MiddlewareHandler {
  if (!(windowMs > 0) || !(max > 0)) throw new TypeError("rateLimit needs a positive windowMs and max");
  const windows = new Map<string, { start: number; count: number }>();
  return async function rateLimit(c, next) {
    const at = now();
    const id = key(c);
    let window = windows.get(id);
    if (!window || at - window.start >= windowMs) {
      if (windows.size > 10_000) for (const [k, w] of windows) if (at - w.start >= windowMs) windows.delete(k);
      window = { start: at, count: 0 };
      windows.set(id, window);
    }
    window.count++;
    if (window.count > max) {
      const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - at) / 1000));
      throw checkoutError("rate_limited", `Too many checkout attempts. Try again in ${retryAfter} s.`, undefined, { "Retry-After": String(retryAfter) });
    }
    await next();
  };
}
