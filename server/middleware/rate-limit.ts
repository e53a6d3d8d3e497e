/**
 * A fixed-window limiter per key, in memory, with a bounded number of keys. Enough for one
 * instance, and for limits where each instance counting on its own is fine (requests refused before
 * they cost anything). The create limit on a PostgreSQL store is shared between instances instead
 * (shared-rate-limit.ts), and falls back to this one when its table fails.
 *
 * Memory: at most `maxKeys` windows. Windows are kept in the order they started, so expired ones
 * are dropped from the front in passing; when every window is still open, the oldest is dropped
 * (its key starts afresh), which an attacker can only cause with more than `maxKeys` addresses.
 */
import { checkoutError, type CheckoutError } from "../errors.ts";

export interface RateLimitOptions {
  windowMs: number;
  max: number;
  /** Most keys remembered at once. */
  maxKeys?: number;
  now?: () => number;
}

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request for `key`. */
  hit(key: string): RateLimitResult;
  /** Keys currently remembered. */
  readonly size: number;
}

export function createRateLimiter({ windowMs, max, maxKeys = 10_000, now = Date.now }: RateLimitOptions): RateLimiter {
  if (!(windowMs > 0) || !(max > 0) || !(maxKeys > 0)) throw new TypeError("a rate limit needs a positive windowMs, max and maxKeys");
  const windows = new Map<string, { start: number; count: number }>();

  function prune(at: number) {
    for (const [key, window] of windows) {
      if (at - window.start < windowMs && windows.size <= maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    hit(key) {
      const at = now();
      let window = windows.get(key);
      if (!window || at - window.start >= windowMs) {
        // Re-inserted, so that the map stays in order of window start.
        windows.delete(key);
        window = { start: at, count: 0 };
        windows.set(key, window);
        if (windows.size > maxKeys) prune(at);
      }
      window.count++;
      if (window.count <= max) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - at) / 1000)) };
    },
    get size() {
      return windows.size;
    },
  };
}

/** A limiter whose count may live elsewhere (a database shared by several instances). */
export interface AsyncRateLimiter {
  /** Counts one request for `key`. Never rejects: a failing store is the limiter's to handle. */
  hit(key: string): Promise<RateLimitResult>;
}

/** The in-memory limiter behind the asynchronous interface (a store without a shared table). */
export function asAsync(limiter: RateLimiter): AsyncRateLimiter {
  return { hit: async (key) => limiter.hit(key) };
}

/** The 429 for a refused hit, with Retry-After. */
export function rateLimitedError(retryAfterSeconds: number, what = "checkout attempts"): CheckoutError {
  return checkoutError("rate_limited", `Too many ${what}. Try again in ${retryAfterSeconds} s.`, undefined, { "Retry-After": String(retryAfterSeconds) });
}
