/**
 * Identifiers that must be unguessable (the payment page's token is the only thing that protects
 * it), so they come from the CSPRNG and never from the injectable `random` used for test data.
 */

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function randomHex(bytes: number): string {
  let hex = "";
  for (const byte of randomBytes(bytes)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** 192 bits, URL-safe: the path segment of a payment page. */
export function pageToken(): string {
  return Buffer.from(randomBytes(24)).toString("base64url");
}

export function paymentUid(): string {
  return `SBX${randomHex(10).toUpperCase()}`;
}

export function signatureKey(): string {
  return randomHex(16);
}
