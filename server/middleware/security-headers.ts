/**
 * Headers every response gets unless its route set its own (the return page must be framable by the
 * merchant's origin; the sandbox gateway's page decides its own framing).
 */

const LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const FRAMING_NONE = /frame-ancestors 'none'/;

/** What a response that set none of them gets: for answers built whole (envelope.ts's `jsonAnswer`). */
export function securityHeaderValues({ https }: { https: boolean }): Readonly<Record<string, string>> {
  return Object.freeze({
    "Content-Security-Policy": LOCKED_DOWN_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  });
}

/** Adds to a finished response's headers each one its route did not set. */
export function addSecurityHeaders(headers: Headers, { https }: { https: boolean }): void {
  const csp = headers.get("Content-Security-Policy");
  if (csp === null) headers.set("Content-Security-Policy", LOCKED_DOWN_CSP);
  if (!headers.has("X-Frame-Options") && (csp === null || FRAMING_NONE.test(csp))) headers.set("X-Frame-Options", "DENY");
  if (!headers.has("X-Content-Type-Options")) headers.set("X-Content-Type-Options", "nosniff");
  if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", "no-referrer");
  if (https && !headers.has("Strict-Transport-Security")) headers.set("Strict-Transport-Security", "max-age=31536000");
}
