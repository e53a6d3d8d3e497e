/**
 * The demo's pages embed the widget exactly as their snippets show it, from the server's public URL
 * (CHECKOUT_PUBLIC_URL, `http://localhost:8787` by default), under `script-src 'self'`. Opened at
 * another name for the same server (`http://127.0.0.1:8787/`), 'self' is another origin: the
 * browser blocks widget.js and the page shows no pay button at all. So a page asked for under
 * another host is sent to the same path at the public URL, where everything it shows works.
 */
import type { MiddlewareHandler } from "hono";

export function canonicalHost(publicUrl: string): MiddlewareHandler {
  const canonical = new URL(publicUrl);
  return async (c, next) => {
    const method = c.req.method;
    const host = c.req.header("host");
    if ((method !== "GET" && method !== "HEAD") || !host || host.toLowerCase() === canonical.host) return next();
    const url = new URL(c.req.url);
    // Only the host changes: the path and query are the page the visitor asked for.
    return c.redirect(`${canonical.origin}${url.pathname}${url.search}`, 302);
  };
}
