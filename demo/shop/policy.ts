/**
 * The demo's Content-Security-Policies. Every page is served under a strict one, so the demo proves
 * what it claims: the widget needs no inline script or style and no third-party origin.
 */

/**
 * The policy the CSP page sends and shows, word for word. The demo is on the checkout server's own
 * origin, so 'self' covers the widget's script, its API calls and the framed payment page; a merchant
 * on another origin names the checkout server instead.
 */
export const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

/** Every other demo page: the same, and nobody may frame it (clickjacking a checkout is the classic). */
export const PAGE_CSP = `${STRICT_CSP}; frame-ancestors 'none'`;

/** The phone shop, which the phone page frames at 360 px: framable by this origin only. */
export const FRAMED_CSP = `${STRICT_CSP}; frame-ancestors 'self'`;
