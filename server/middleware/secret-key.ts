/**
 * `Authorization: Bearer sk_…` for the merchant API. Every configured key is compared (so a key can
 * be rotated by listing old and new together), each in constant time over SHA-256 digests of equal
 * length, and without stopping at the first match, so timing tells nothing of which key or how much
 * of one matched. Failed attempts are limited per client address: guessing is slow and loud.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { checkoutError } from "../errors.ts";

export type SecretKeyVariables = {
  /** The last four characters of the key that authenticated: who asked, without the key itself. */
  keyId: string;
};

/** The shape a secret key must have: sk_ and at least 32 of [A-Za-z0-9_-]. */
export const SECRET_KEY = /^sk_[A-Za-z0-9_-]{32,}$/;

export interface SecretKeyOptions {
  keys: readonly string[];
  /** Who is failing: the client address as the server trusts it. */
  address: (c: Context) => string;
  /** Failed attempts allowed per address per minute. */
  maxFailures?: number;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function secretKeyAuth(options: SecretKeyOptions): MiddlewareHandler<{ Variables: SecretKeyVariables }> {
  const keys = options.keys.map((key) => ({ digest: digest(key), id: key.slice(-4) }));
  // Each instance's own count, also on PostgreSQL: `keys new` makes 256 random bits (any key is at
  // least 32 characters), so N instances allowing N × 20 guesses a minute change nothing, while a
  // shared count would make every unauthenticated request a database write.
  const failures = new RateLimiterMemory({ points: options.maxFailures ?? 20, duration: 60 });

  const limited = (res: RateLimiterRes) => {
    const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return checkoutError("rate_limited", `Too many requests with a wrong secret key. Try again in ${retryAfter} s.`, undefined, { "Retry-After": String(retryAfter) });
  };

  return async function secretKey(c, next) {
    if (keys.length === 0) {
      throw checkoutError(
        "unauthorized",
        "The merchant API is off: no secret keys are configured. Set CHECKOUT_SECRET_KEYS to one or more sk_… keys (npx octopus-checkout keys new makes one).",
      );
    }
    const address = options.address(c);
    const blocked = await failures.get(address);
    if (blocked && blocked.remainingPoints <= 0) throw limited(blocked);

    const header = c.req.header("authorization") ?? "";
    const presented = /^Bearer (.+)$/.exec(header)?.[1]?.trim() ?? "";
    const presentedDigest = digest(presented);
    let match: string | null = null;
    for (const key of keys) if (timingSafeEqual(key.digest, presentedDigest) && match === null) match = key.id;

    if (match === null) {
      try {
        await failures.consume(address);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw limited(error);
        throw error;
      }
      const why = header === "" ? "Missing Authorization header." : presented.startsWith("sk_") ? "This secret key is not valid." : 'Authorization must be "Bearer sk_…".';
      throw checkoutError("unauthorized", `${why} The merchant API takes a secret key from CHECKOUT_SECRET_KEYS.`, undefined, { "WWW-Authenticate": 'Bearer realm="octopus-checkout"' });
    }
    c.set("keyId", match);
    await next();
  };
}
