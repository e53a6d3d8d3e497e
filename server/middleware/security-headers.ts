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

/**
 * Adds to a finished response's headers each of `values` (securityHeaderValues) its route did not
 * set. X-Frame-Options: DENY only where the page's CSP forbids framing too: a route whose own
 * policy lets the shop frame it (the return page) must not be undone by it.
 */
export function addSecurityHeaders(headers: Headers, values: Readonly<Record<string, string>>): void {
  const csp = headers.get("Content-Security-Policy");
  for (const name in values) {
    if (headers.has(name)) continue;
    if (name === "X-Frame-Options" && csp !== null && !FRAMING_NONE.test(csp)) continue;
    headers.set(name, values[name]!);
  }
}
