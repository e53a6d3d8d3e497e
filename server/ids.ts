/** Identifiers. Checkout ids are what URLs carry, so they are unguessable: 128 random bits. */

/**
 * Random bytes are drawn from the CSPRNG a pool at a time, each byte handed out once. A call for
 * a few bytes costs as much as one for 4 KiB (an object and a system call per call, in Node), and a
 * create needs three ids: the cost profile of issue 12 had those calls at ~1.5% of a create's CPU.
 * Node's own `crypto.randomUUID` batches its entropy the same way.
 */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let used = 0;

function randomBytes(count: number): Uint8Array {
  if (used + count > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  const bytes = pool.subarray(used, used + count);
  used += count;
  return bytes;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Base64url without padding, by table: btoa needs a binary string built first, then three replaces. */
function randomBase64Url(count: number): string {
  const bytes = randomBytes(count);
  let text = "";
  let i = 0;
  for (; i + 3 <= count; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    text += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]! + BASE64URL[n & 63]!;
  }
  const left = count - i;
  if (left === 1) {
    const n = bytes[i]!;
    text += BASE64URL[n >> 2]! + BASE64URL[(n & 3) << 4]!;
  } else if (left === 2) {
    const n = (bytes[i]! << 8) | bytes[i + 1]!;
    text += BASE64URL[n >> 10]! + BASE64URL[(n >> 4) & 63]! + BASE64URL[(n & 15) << 2]!;
  }
  return text;
}

export const CHECKOUT_ID = /^ck_[A-Za-z0-9_-]{22}$/;

export function newCheckoutId(): string {
  return `ck_${randomBase64Url(16)}`;
}

/**
 * Our id at the gateway: the merchant's prefix, the time (so ids sort and read well in the gateway's
 * back office) and 64 random bits (so two instances never collide).
 */
export function newMerchantOrderId(prefix: string, now: number): string {
  let random = "";
  for (const byte of randomBytes(8)) random += HEX[byte]!;
  return `${prefix}-${now.toString(36)}-${random}`;
}

export const SESSION_ID = /^cs_[A-Za-z0-9_-]{22}$/;
export const EVENT_ID = /^evt_[A-Za-z0-9_-]{22}$/;
export const PAYOUT_ID = /^po_[A-Za-z0-9_-]{22}$/;

export const newSessionId = () => `cs_${randomBase64Url(16)}`;
export const newEventId = () => `evt_${randomBase64Url(16)}`;
export const newPayoutId = () => `po_${randomBase64Url(16)}`;
