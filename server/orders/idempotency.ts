/**
 * Idempotency keys are scoped by the origin that sent them: two shops (or a shop and a page that
 * is not one) can never meet on one key, and a key cannot be probed from another origin. What is
 * stored in the order's idempotency_key column is a hash of origin and key, so the scope needs no
 * schema change and the column holds no key a client chose. Versioned ("k1:") so that a change of
 * scheme can never match an old row by accident.
 */
import { sha256Hex } from "../gateway/signing.ts";

export async function scopedIdempotencyKey(origin: string | null, key: string): Promise<string> {
  // A newline cannot occur in an origin or in a key (IDEMPOTENCY_KEY), so the pair is unambiguous.
  return `k1:${await sha256Hex(`${origin ?? ""}\n${key}`)}`;
}
