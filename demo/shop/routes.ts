/**
 * The demo shop served at `/` by `npm start`: an index of the ways into the checkout, one page per
 * way with the live widget beside the markup to copy, and in sandbox mode a panel to drive the
 * sandbox gateway. Pages are small Hono routes over hono/html templates:
 *
 *   pages.ts     the index and the way pages        snippets.ts  the markup each page runs and shows
 *   ways.ts      titles and "when to use it" lines  layout.ts    the shared page frame and code blocks
 *   panel.ts     the sandbox panel                  policy.ts    the Content-Security-Policies
 *   assets.ts    /demo/assets/: scripts and the one stylesheet
 *   backend.ts   "your backend": sessions through the merchant API, webhooks verified
 */
import { Hono } from "hono";
import type { OrderStore } from "../../server/store/types.ts";
import { demoAssets } from "./assets.ts";
import { demoBackend, type DemoBackendOptions } from "./backend.ts";
import { canonicalHost } from "./canonical-host.ts";
import { demoPages, type DemoProduct } from "./pages.ts";
import { sandboxPanel } from "./panel.ts";

export interface DemoShopOptions {
  merchantName: string;
  /** The checkout server's public origin (CHECKOUT_PUBLIC_URL): the snippets a merchant copies load widget.js from it. */
  publicUrl: string;
  /** Sandbox mode: the SANDBOX banner on every page, and the panel. */
  sandbox: boolean;
  /** The server's store, for the panel's view of what the shop believes about each order. */
  store?: OrderStore | null;
  /** The config's products, to show their names and prices beside the buttons that sell them. */
  products?: readonly DemoProduct[];
  /** The "your backend" page's key, webhook secret and way to the merchant API (sandbox mode only). */
  backend?: DemoBackendOptions | null;
}

export function demoShop(options: DemoShopOptions): Hono {
  const app = new Hono();
  if (options.sandbox) {
    // Pages only: the API and the widget's files answer under any name the server is reached by.
    const toPublicUrl = canonicalHost(options.publicUrl);
    app.use("/", toPublicUrl);
    app.use("/demo/*", toPublicUrl);
  }
  app.route("/", demoAssets());
  app.route("/", demoPages(options));
  // Not even mounted outside the sandbox: a live shop has no panel and no order list to leak.
  if (options.sandbox) app.route("/", sandboxPanel(options));
  // Holds a secret key: sandbox mode only, where the key is the public sandbox one or a test key.
  if (options.sandbox && options.backend) app.route("/", demoBackend({ merchantName: options.merchantName, sandbox: true }, options.backend));
  return app;
}
