/**
 * The app as `npm start` builds it in sandbox mode (checkout server, sandbox gateway mounted inside,
 * demo shop at /), all in process at ORIGIN with an in-memory store. `backend`: the demo's "your
 * backend" page as well, with the sandbox key and webhooks to the demo's own endpoint (plus one
 * endpoint that is not there, for failed attempts).
 */
import { readFileSync } from "node:fs";
import { createCheckoutServer, type CheckoutServer } from "../../server/app.ts";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { SANDBOX_SECRET_KEY, SANDBOX_WEBHOOK_PATH, SANDBOX_WEBHOOK_SECRET } from "../../server/config.ts";
import { createOctopusClient } from "../../server/gateway/client.ts";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderStore } from "../../server/store/types.ts";
import { createSandboxGateway, type SandboxGateway } from "../../demo/sandbox/gateway.ts";
import { demoShop } from "../../demo/shop/routes.ts";

export const ORIGIN = "http://localhost:8787";

export interface Demo {
  app: CheckoutServer["app"];
  store: OrderStore;
  sandbox: SandboxGateway;
  close(): Promise<void>;
}

export async function startDemo({ backend = false }: { backend?: boolean } = {}): Promise<Demo> {
  const parsed = parseCheckoutConfig(JSON.parse(readFileSync(new URL("../../checkout.config.json", import.meta.url), "utf8")), "checkout.config.json");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const config = parsed.config;
  const store = createSqliteStore({ filename: ":memory:" });
  await store.migrate();
  let checkout: CheckoutServer | undefined;
  // Notifications and webhooks go straight back into the app, as they would over HTTP.
  const inProcess = (input: RequestInfo | URL, init?: RequestInit) => Promise.resolve(checkout!.app.fetch(new Request(input, init)));
  const sandbox = createSandboxGateway({ publicUrl: ORIGIN, fetch: inProcess });
  const gateway = createOctopusClient(
    { baseUrl: ORIGIN, apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", timeoutMs: 2_000 },
    { fetch: (input, init) => Promise.resolve(sandbox.app.fetch(new Request(input, init))) },
  );
  checkout = createCheckoutServer({
    config,
    store,
    gateway,
    publicUrl: ORIGIN,
    sandbox,
    sweep: false,
    widget: null,
    logger: createLogger({ level: "error" }),
    ...(backend
      ? {
          secretKeys: [SANDBOX_SECRET_KEY],
          webhooks: [
            { name: "default", url: `${ORIGIN}${SANDBOX_WEBHOOK_PATH}`, secret: SANDBOX_WEBHOOK_SECRET, types: null },
            // An endpoint that is not there (the app's 404), for the panel's failed attempts.
            { name: "broken", url: `${ORIGIN}/demo/nowhere`, secret: SANDBOX_WEBHOOK_SECRET, types: ["order.refunded"] },
          ],
          dispatcher: { fetch: inProcess as typeof fetch, pollMs: 20 },
        }
      : {}),
  });
  const { app } = checkout;
  const backendOptions = backend
    ? {
        api: (path: string, init: RequestInit) => Promise.resolve(app.fetch(new Request(new URL(path, ORIGIN), init))),
        secretKey: SANDBOX_SECRET_KEY,
        webhookSecret: SANDBOX_WEBHOOK_SECRET,
        publicUrl: ORIGIN,
        currencies: [...new Set(config.methods.map((method) => method.currency))],
      }
    : null;
  app.route("/", demoShop({ merchantName: config.merchantName, publicUrl: ORIGIN, sandbox: true, store, products: config.products, ...(backendOptions ? { backend: backendOptions } : {}) }));
  return {
    app,
    store,
    sandbox,
    async close() {
      await checkout!.close();
      sandbox.close();
      await store.close();
    },
  };
}
