/** Identifiers. Checkout ids are what URLs carry, so they are unguessable: 128 random bits. */

function randomBase64Url(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let binary = "";
  for (const byte of buffer) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${prefix}-${now.toString(36)}-${random}`;
}

export const SESSION_ID = /^cs_[A-Za-z0-9_-]{22}$/;
export const EVENT_ID = /^evt_[A-Za-z0-9_-]{22}$/;
export const PAYOUT_ID = /^po_[A-Za-z0-9_-]{22}$/;

export const newSessionId = () => `cs_${randomBase64Url(16)}`;
export const newEventId = () => `evt_${randomBase64Url(16)}`;
export const newPayoutId = () => `po_${randomBase64Url(16)}`;
