/**
 * The error handler of the pages a shopper's browser opens by itself: the payment link (/pay/:id)
 * and the page the gateway sends the shopper back to (/checkout/return/:id). The decision is the
 * API's (errorAnswer: logged once, 503 `store_unavailable` with Retry-After while the order store is
 * down), but the answer is a page in the shopper's language with a link to try again: a shopper who
 * has just paid and lands on `{"error":…}` reads it as a lost payment.
 *
 * No automatic refresh (<meta http-equiv="refresh">): a page that reloads itself on a timer fails
 * WCAG 2.2.1, and the link is one tap away.
 */
import type { ErrorHandler } from "hono";
import type { Logger } from "../log.ts";
import type { AppEnv } from "./app-env.ts";
import { errorAnswer } from "./error-answer.ts";
import { PAY_PAGE_TEXT, payPageLocale, type Locale, type PayPageText } from "./pay-page-text.ts";

export interface ShopperErrorParts {
  locale: Locale;
  text: PayPageText;
  /** This request's own path and query: the same page again. */
  retry: string;
}

export function shopperPageErrors<Page extends string | Promise<string>>(options: {
  logger: Logger;
  store: string;
  render: (parts: ShopperErrorParts) => Page;
  /** Set on the answer beside the error's own headers (its CSP, above all: the route's may not be set yet). */
  headers?: Record<string, string>;
}): ErrorHandler<AppEnv> {
  return (error, c) => {
    for (const [name, value] of Object.entries(options.headers ?? {})) c.header(name, value);
    const failure = errorAnswer(error, c, options);
    const locale = payPageLocale(c.req.query("lang"), c.req.header("accept-language"));
    const url = new URL(c.req.url);
    c.header("Cache-Control", "no-store");
    c.header("Content-Language", locale);
    return c.html(options.render({ locale, text: PAY_PAGE_TEXT[locale], retry: url.pathname + url.search }), failure.status);
  };
}
