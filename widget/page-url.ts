/** This page's address, as the widget shows it back and as it sends it to the server. */

/**
 * This page's URL without our own query parameter: what the address bar shows once a redirect is
 * back. The fragment stays in the address bar.
 */
export function cleanUrl(href: string): string {
  const url = new URL(href);
  url.searchParams.delete("octopus_checkout");
  return url.href;
}

/**
 * Where a redirect comes back to: the page's origin and path only. Its query string and fragment
 * may hold tokens (a magic link, an OAuth grant, a coupon) that are none of the checkout server's
 * business, and the server keeps what it is sent. A merchant who needs a query sets data-return-url.
 */
export function returnUrlOf(href: string): string {
  const url = new URL(href);
  return url.origin + url.pathname;
}
