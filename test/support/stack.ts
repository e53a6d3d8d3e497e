/**
 * A whole stack on 127.0.0.1 for server tests: the sandbox gateway and the checkout server, each on
 * its own port, talking real HTTP to each other (orders one way, notifications the other).
 */
import { parseCheckoutConfig, type CheckoutConfigInput } from "../../server/checkout-config.ts";
import { createCheckoutServer, type CheckoutServer, type CheckoutServerOptions } from "../../server/app.ts";
import { createOctopusClient, type OctopusClientConfig } from "../../server/gateway/index.ts";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderRecord, OrderStore, StatusChange } from "../../server/store/types.ts";
import { createSandboxGateway, type SandboxGatewayOptions } from "../../demo/sandbox/gateway.ts";
import { loopbackFetch } from "./loopback-fetch.ts";
import { recordChanges } from "./recording-store.ts";
import { serve, type Served } from "./serve.ts";

export const SHOP = "https://shop.example";

export const TEST_CONFIG: CheckoutConfigInput = {
  merchantName: "Test Shop",
  allowedOrigins: [SHOP],
  orderIdPrefix: "test",
  pendingTimeoutMinutes: 15,
  refreshAfterSeconds: 1,
  sweepIntervalSeconds: 30,
  methods: [
    { country: "PH", currency: "php", payment: "gcash", label: "GCash", min: "20.00", max: "50000.00", presets: ["100.00", "500.00"] },
    { country: "PH", currency: "php", payment: "maya", label: "Maya", min: "20.00", max: "50000.00" },
    { country: "TH", currency: "thb", payment: "thailand", channel: "promptpay", label: "PromptPay", min: "100.00", max: "200000.00" },
    { country: "VN", currency: "vnd", payment: "momo", label: "MoMo", min: "10000", max: "50000000" },
  ],
  products: [{ id: "starter-pack", name: "Starter pack", price: "199.00", currency: "php" }],
};

export function seededRandom(seed = 7) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

export interface Stack {
  /** The server's Hono app (`stack.app.request(…)` skips HTTP). */
  app: CheckoutServer["app"];
  /** Its service, dispatcher, sweep: what createCheckoutServer returned. */
  checkout: CheckoutServer;
  server: Served;
  gatewayServed: Served;
  sandbox: ReturnType<typeof createSandboxGateway>;
  store: OrderStore;
  /** Every status change the store committed, in order. */
  updates: { order: OrderRecord; change: StatusChange }[];
  /** Every log line the server wrote. */
  logs: string[];
  /** Calls the server made to the gateway, by path ("order/new", "order/get"). */
  gatewayCalls: string[];
  /** The same calls with the fields the server sent (signed, flat strings). */
  gatewayRequests: { path: string; body: Record<string, string> }[];
  /** The most order/get calls for one merchant_order_id that were ever in flight at once. */
  maxConcurrentReads: Map<string, number>;
  url: string;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    config?: Partial<CheckoutConfigInput>;
    sandbox?: SandboxGatewayOptions;
    client?: Partial<OctopusClientConfig>;
    server?: Partial<CheckoutServerOptions>;
    store?: OrderStore;
    /** How the server's gateway client reaches the sandbox (default: loopbackFetch); its calls are recorded either way. */
    gatewayFetch?: typeof fetch;
    /** Sees every response the server sends, with its request, before the client does. */
    onResponse?: (request: Request, response: Response) => void | Promise<void>;
  } = {},
): Promise<Stack> {
  const gatewayFetch = options.gatewayFetch ?? loopbackFetch;
  const sandbox = createSandboxGateway({ random: seededRandom(), notifyRetryDelaysMs: [20, 40, 80, 160], fetch: loopbackFetch, ...options.sandbox });
  const gatewayServed = await serve(sandbox.app);
  const parsed = parseCheckoutConfig({ ...TEST_CONFIG, ...options.config }, "test config");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const updates: Stack["updates"] = [];
  const store = recordChanges(options.store ?? createSqliteStore({ filename: ":memory:" }), updates);
  await store.migrate();
  const gatewayCalls: string[] = [];
  const gatewayRequests: Stack["gatewayRequests"] = [];
  const readsInFlight = new Map<string, number>();
  const maxConcurrentReads = new Map<string, number>();
  const gateway = createOctopusClient(
    { baseUrl: gatewayServed.url, apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", timeoutMs: 1_000, retryDelayMs: 5, ...options.client },
    {
      fetch: (input, init) => {
        const path = new URL(String(input)).pathname.replace("/octopus/api/", "");
        gatewayCalls.push(path);
        const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, string>) : {};
        gatewayRequests.push({ path, body });
        if (path !== "order/get") return gatewayFetch(input, init);
        const id = body.merchant_order_id ?? "";
        readsInFlight.set(id, (readsInFlight.get(id) ?? 0) + 1);
        maxConcurrentReads.set(id, Math.max(maxConcurrentReads.get(id) ?? 0, readsInFlight.get(id)!));
        return gatewayFetch(input, init).finally(() => readsInFlight.set(id, readsInFlight.get(id)! - 1));
      },
    },
  );
  const logs: string[] = [];
  let checkout: CheckoutServer | undefined;
  // The server must know its own URL (for notify_url) before it exists: bind first, build second.
  const server = await serve({
    fetch: async (request, env) => {
      const response = await checkout!.app.fetch(request, env);
      await options.onResponse?.(request, response);
      return response;
    },
  });
  checkout = createCheckoutServer({
    config: parsed.config,
    store,
    gateway,
    publicUrl: server.url,
    logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    sweep: false,
    // Notifications read the order at once, as one read in flight per order; the interval between
    // reads has tests of its own (notify-hints.test.ts) rather than slowing every suite down.
    notifyMinIntervalMs: 0,
    ...options.server,
  });
  return {
    app: checkout.app,
    checkout,
    server,
    gatewayServed,
    sandbox,
    store,
    updates,
    logs,
    gatewayCalls,
    gatewayRequests,
    maxConcurrentReads,
    url: server.url,
    async close() {
      await checkout.close();
      sandbox.close();
      await server.close();
      await gatewayServed.close();
      await store.close();
    },
  };
}

/** POST /api/checkout as the merchant page at SHOP would. */
export function createCheckout(stack: Stack, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/api/checkout`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: SHOP, ...headers },
    body: JSON.stringify(body),
  });
}

export const gcash = { amount: "100.00", currency: "php", country: "PH", payment: "gcash" };

/** Presses a button on the sandbox's hosted payment page, as a shopper would, without following the redirect. */
export async function actOnPaymentPage(paymentUrl: string, action: "pay" | "fail" | "reject"): Promise<Response> {
  const page = await (await fetch(paymentUrl)).text();
  if (!page.includes(`value="${action}"`)) throw new Error(`No ${action} button on the payment page`);
  return fetch(paymentUrl, {
    method: "POST",
    body: new URLSearchParams({ action }),
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
}

