/**
 * The hosted payment page behind `payment_url`: opening it starts the payment, its buttons end it.
 * Its headers let it run under its own strict CSP and, when a tester asks, refuse to be framed
 * (the widget must then fall back to a popup or a redirect).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { isFinalStatus } from "../../server/gateway/schemas.ts";
import type { Lifecycle, OrderAction } from "./lifecycle.ts";
import type { MethodCatalog } from "./methods.ts";
import type { OrderBook, SandboxOrder } from "./order-book.ts";
import { PAGE_CSS } from "./page-style.ts";
import { renderMessagePage, renderPaymentPage } from "./payment-page.ts";

export interface PageDeps {
  book: OrderBook;
  lifecycle: Lifecycle;
  methods: MethodCatalog;
  now: () => number;
  refuseFraming: () => boolean;
}

const BUTTONS: Readonly<Record<string, OrderAction>> = { pay: "complete", fail: "fail", reject: "reject" };

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a POST comes from another site's page (a form on attacker.example posting to a payment
 * page whose URL it learnt). Browsers say so in Sec-Fetch-Site; older ones only in Origin, compared
 * by host with the URL the request came to (already checked by the host guard), since a TLS proxy in
 * front may turn https into http. A request with neither header is not from a browser: no site to forge.
 */
function isCrossOrigin(c: Context): boolean {
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const origin = c.req.header("Origin");
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== new URL(c.req.url).host;
  } catch {
    // "null" (a sandboxed frame, a data: URL) or garbage: not this page.
    return true;
  }
}

function securePage(c: Context, refuseFraming: boolean, order?: SandboxOrder): void {
  // Browsers apply form-action to the redirect after a POST too, so the shop's origin is allowed.
  const redirectOrigin = originOf(order?.redirectUrl);
  const policy = ["default-src 'none'", "style-src 'self'", "img-src 'self' data:", `form-action 'self'${redirectOrigin ? ` ${redirectOrigin}` : ""}`, "base-uri 'none'"];
  if (refuseFraming) {
    policy.push("frame-ancestors 'none'");
    c.header("X-Frame-Options", "DENY");
  }
  c.header("Content-Security-Policy", policy.join("; "));
  // The URL is the page's only key: never leak it in a Referer.
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Cache-Control", "no-store");
}

export function createPageRoutes(deps: PageDeps): Hono {
  const app = new Hono();

  app.get("/octopus/pay/assets/page.css", (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=300");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body(PAGE_CSS);
  });

  function notFound(c: Context) {
    securePage(c, deps.refuseFraming());
    return c.html(renderMessagePage("Payment not found", "This payment link is not valid. Start again from the shop."), 404);
  }

  app.get("/octopus/pay/:token", (c) => {
    deps.lifecycle.sweep();
    const order = deps.book.findByToken(c.req.param("token"));
    if (!order) return notFound(c);
    // A HEAD (link checkers, previews) is not a shopper opening the page.
    if (c.req.method === "GET") deps.lifecycle.open(order);
    securePage(c, deps.refuseFraming(), order);
    return c.html(renderPaymentPage(order, deps.methods.find(order.payment)?.method, deps.now()));
  });

  app.post(
    "/octopus/pay/:token",
    bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text("Request too large", 413) }),
    async (c) => {
      deps.lifecycle.sweep();
      const order = deps.book.findByToken(c.req.param("token"));
      if (!order) return notFound(c);
      if (isCrossOrigin(c)) {
        securePage(c, deps.refuseFraming(), order);
        return c.html(renderMessagePage("Not from this page", "Use the buttons on the payment page itself."), 403);
      }
      const form = await c.req.parseBody();
      const action = typeof form.action === "string" ? BUTTONS[form.action] : undefined;
      if (!action) {
        securePage(c, deps.refuseFraming(), order);
        return c.html(renderMessagePage("Unknown action", "Use the Pay, Fail or Reject button on the payment page."), 400);
      }
      const self = new URL(c.req.url).pathname;
      // A second click, a stale tab or an expired order: nothing to do but show where it stands.
      if (isFinalStatus(order.status)) return c.redirect(self, 303);
      deps.lifecycle.open(order);
      deps.lifecycle.act(order, action, "page");
      c.header("Referrer-Policy", "no-referrer");
      return c.redirect(order.redirectUrl ?? self, 303);
    },
  );

  app.onError((error, c) => {
    console.error("sandbox payment page:", error);
    securePage(c, deps.refuseFraming());
    return c.html(renderMessagePage("Something went wrong", "The sandbox could not handle this request."), 500);
  });

  return app;
}
