/**
 * `npm start`: the checkout server on Node. Sandbox mode (the sandbox gateway mounted inside, demo
 * shop at /) unless all four OCTOPUS_* variables are set.
 */
import { serve } from "@hono/node-server";
import { readdirSync, readFileSync } from "node:fs";
import { createCheckoutServer } from "./app.ts";
import { readServerSettings, SANDBOX_WEBHOOK_PATH, SANDBOX_WEBHOOK_SECRET } from "./config.ts";
import { createOctopusClient } from "./gateway/client.ts";
import { listenProblem } from "./http/listen-problem.ts";
import { readWidgetBuild } from "./http/widget-assets.ts";
import { createLogger } from "./log.ts";
import { createStore, type OrderStore } from "./store/index.ts";
import { storeOpenProblem } from "./store/open-problem.ts";

async function loadDemo() {
  const [{ createSandboxGateway }, { demoShop }] = await Promise.all([import("../demo/sandbox/gateway.ts"), import("../demo/shop/routes.ts")]);
  return { createSandboxGateway, demoShop };
}

async function main(): Promise<void> {
  const read = readServerSettings();
  if (!read.ok) {
    console.error(`octopus-checkout cannot start:\n${read.problems.map((problem) => `  - ${problem}`).join("\n")}`);
    process.exit(1);
  }
  const settings = read.settings;
  const logger = createLogger({ level: settings.logLevel });
  for (const warning of settings.warnings) logger.warn(warning);
  let store: OrderStore;
  try {
    store = createStore({ databaseUrl: settings.databaseUrl, sqliteFile: settings.sqliteFile });
    await store.migrate();
  } catch (error) {
    console.error(`octopus-checkout cannot start: ${storeOpenProblem(error, settings)}`);
    process.exit(1);
  }

  // The sandbox and the demo shop are loaded in sandbox mode only: a live deployment never loads demo code.
  const demo = settings.gateway.mode === "sandbox" ? await loadDemo() : null;
  // Its one merchant account is this server's, under the shop's own name: the gateway's payment
  // page says whom the shopper pays, and a name other than the one on the shop's dialog reads as a
  // redirect to someone else.
  const merchant = { apiKey: settings.gateway.apiKey, apiSecret: settings.gateway.apiSecret, merchantUid: settings.gateway.merchantUid, merchantName: settings.config.merchantName };
  const sandbox = demo ? demo.createSandboxGateway({ publicUrl: settings.publicUrl, callbackBaseUrl: settings.publicUrl, merchants: [merchant] }) : null;
  const gateway = createOctopusClient(
    {
      baseUrl: sandbox ? settings.publicUrl : settings.gateway.apiUrl,
      apiKey: settings.gateway.apiKey,
      apiSecret: settings.gateway.apiSecret,
      merchantUid: settings.gateway.merchantUid,
      timeoutMs: settings.gateway.timeoutMs,
    },
    // In sandbox mode the gateway lives in this process: call it without a network round trip.
    sandbox ? { fetch: (input, init) => Promise.resolve(sandbox.app.fetch(new Request(input, init))) } : {},
  );

  // The loader and its dialog file, as `vite build` wrote them.
  const widget = await readWidgetBuild(new URL("../dist/widget/", import.meta.url));
  if (!widget) logger.warn("widget bundle not found: run npm run build to serve /widget.js");
  else if (!widget.dialogs.size) logger.warn("widget dialog file not found in dist/widget/: run npm run build");

  const i18nDir = new URL("../widget/i18n/", import.meta.url);
  const translations = Object.fromEntries(
    readdirSync(i18nDir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => [file.replace(/\.json$/, ""), readFileSync(new URL(file, i18nDir), "utf8")]),
  );

  const checkout = createCheckoutServer({
    config: settings.config,
    store,
    gateway,
    publicUrl: settings.publicUrl,
    extraOrigins: settings.extraOrigins,
    logger,
    trustProxy: settings.trustProxy,
    trustedProxies: settings.trustedProxies,
    rateLimit: { windowMs: 60_000, max: settings.createRateLimitPerMinute },
    secretKeys: settings.secretKeys,
    webhooks: settings.webhooks,
    allowPrivateWebhookUrls: settings.config.allowPrivateWebhookUrls,
    payouts: settings.payouts,
    dispatcher: { leaseMs: settings.webhookLeaseMs },
    widget,
    translations,
    sandbox,
  });
  const { app } = checkout;
  // The store lets the demo's sandbox panel show what the server believes beside what the gateway says.
  // The demo shop takes payments for any amount with no customer: only ever beside the sandbox,
  // never on a merchant's live payment domain.
  if (demo) {
    // The demo's "your backend" page calls the merchant API as a merchant's server would, with a
    // key the server accepts, in process (the public URL may not be reachable from inside).
    const ownEndpoint = settings.webhooks.find((endpoint) => endpoint.url === `${settings.publicUrl}${SANDBOX_WEBHOOK_PATH}`);
    const backend = settings.secretKeys[0]
      ? {
          api: (path: string, init: RequestInit) => Promise.resolve(app.fetch(new Request(new URL(path, settings.publicUrl), init))),
          secretKey: settings.secretKeys[0],
          webhookSecret: ownEndpoint?.secret ?? SANDBOX_WEBHOOK_SECRET,
          publicUrl: settings.publicUrl,
          currencies: [...new Set(settings.config.methods.map((method) => method.currency))],
        }
      : null;
    app.route("/", demo.demoShop({ merchantName: settings.config.merchantName, publicUrl: settings.publicUrl, sandbox: true, store, products: settings.config.products, backend }));
  }

  const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, () => {
    const mode = sandbox ? "SANDBOX mode (no real money; set the four OCTOPUS_* variables for the real gateway)" : `live gateway ${new URL(settings.gateway.apiUrl).host}`;
    // The bound address too: behind a proxy every instance has the same public URL.
    console.log(`octopus-checkout listening on ${settings.host}:${settings.port} for ${settings.publicUrl}/  [${mode}; store: ${store.kind}]`);
    if (settings.sandboxSecretKey) console.log(`merchant API: ${settings.publicUrl}/api/v1/ with the sandbox key ${settings.secretKeys[0]} (set CHECKOUT_SECRET_KEYS for your own)`);
    else if (settings.secretKeys.length === 0) console.log("merchant API: off (set CHECKOUT_SECRET_KEYS to turn it on)");
    for (const endpoint of settings.webhooks) console.log(`webhooks "${endpoint.name}": ${endpoint.url}${endpoint.types ? ` (${endpoint.types.join(", ")})` : ""}`);
  });

  server.once("error", (error: NodeJS.ErrnoException) => {
    // Before listening it is the address (the usual case); after, the server itself failed.
    console.error(server.listening ? `octopus-checkout stopped: the HTTP server failed: ${error.message}` : `octopus-checkout cannot start: ${listenProblem(error, settings.host, settings.port, "npm start")}`);
    void checkout.close();
    sandbox?.close();
    void store.close().finally(() => process.exit(1));
  });

  // Long enough for a create that is waiting on the gateway to get its answer: cut off, the shopper
  // loses it and the order stays "creating" until the sweep settles it minutes later.
  const drainMs = settings.gateway.timeoutMs + 5_000;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping", { signal, drain_ms: drainMs });
    void checkout.close();
    sandbox?.close();
    // No new connections from now on (a load balancer tries another instance); those open finish.
    server.close(() => {
      void store.close().finally(() => {
        logger.info("stopped");
        process.exit(0);
      });
    });
    setTimeout(() => {
      logger.warn("stopped with requests still in flight", { drain_ms: drainMs });
      process.exit(0);
    }, drainMs).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
