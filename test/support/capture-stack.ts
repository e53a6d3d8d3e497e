/**
 * The stack of test/support/stack.ts (sandbox gateway + checkout server on 127.0.0.1, SQLite in
 * memory), for the secrets suite: with credentials of the test's choosing, a gateway client that
 * calls from its own loopback address with its own User-Agent (so that what the gateway records
 * about the caller is distinctive), the widget bundle and translations served, and EVERY response
 * the server sends (status, headers, body) and every log line it writes captured.
 */
import { recordChanges } from "./recording-store.ts";
import http from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { createCheckoutServer, type CheckoutServer } from "../../server/app.ts";
import { createOctopusClient, type OctopusClient } from "../../server/gateway/index.ts";
import { readWidgetBuild } from "../../server/http/widget-assets.ts";
import { createLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { OrderRecord, OrderStore, StatusChange } from "../../server/store/types.ts";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { loopbackFetch } from "./loopback-fetch.ts";
import { serve, type Served } from "./serve.ts";
import { TEST_CONFIG, seededRandom } from "./stack.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WIDGET_FILE = `${ROOT}dist/widget/widget.js`;
export const I18N_DIR = `${ROOT}widget/i18n/`;

/** The built widget, loader and dialog file one after the other; builds it (npx vite build) when it is missing. */
export function widgetCode(): string {
  if (!existsSync(WIDGET_FILE)) execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
  const dir = `${ROOT}dist/widget/`;
  return readdirSync(dir)
    .filter((file) => file.endsWith(".js"))
    .map((file) => readFileSync(dir + file, "utf8"))
    .join("\n");
}

/** The widget's translations as the server serves them: locale → JSON text. */
export function translationFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(I18N_DIR)
      .filter((file) => file.endsWith(".json"))
      .map((file) => [file.replace(/\.json$/, ""), readFileSync(`${I18N_DIR}${file}`, "utf8")]),
  );
}

/**
 * A fetch over node:http that connects from `localAddress` (any 127.x.y.z is this machine on Linux)
 * and sends `userAgent`. Only to 127.0.0.1, like every fetch in the tests.
 */
function fetchFrom(localAddress: string, userAgent: string): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname !== "127.0.0.1") return reject(new TypeError(`test fetch refuses ${url.origin}: tests talk to 127.0.0.1 only`));
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers = Object.fromEntries(new Headers(init?.headers));
      headers["user-agent"] = userAgent;
      const request = http.request(
        { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: init?.method ?? "GET", headers, localAddress, agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
            }
            resolve(new Response(new Uint8Array(Buffer.concat(chunks)), { status: response.statusCode ?? 500, headers: responseHeaders }));
          });
        },
      );
      request.on("error", reject);
      signal?.addEventListener(
        "abort",
        () => {
          request.destroy();
          reject(signal.reason);
        },
        { once: true },
      );
      if (typeof init?.body === "string") request.write(init.body);
      request.end();
    });
}

export interface CapturedResponse {
  request: string;
  status: number;
  headers: [string, string][];
  body: string;
}

export interface CaptureStack {
  app: CheckoutServer["app"];
  checkout: CheckoutServer;
  sandbox: ReturnType<typeof createSandboxGateway>;
  store: OrderStore;
  url: string;
  gatewayUrl: string;
  /** A gateway client with the merchant's credentials (for reading orders as the server would). */
  reader: OctopusClient;
  responses: CapturedResponse[];
  logs: string[];
  updates: { order: OrderRecord; change: StatusChange }[];
  close(): Promise<void>;
}

export interface CaptureOptions {
  apiKey: string;
  apiSecret: string;
  merchantUid: string;
  /** The merchant's name at the gateway (order/get's merchant_name), not the shop's own name. */
  merchantName: string;
  /** Where the server's gateway client connects from, and what it calls itself. */
  localAddress: string;
  userAgent: string;
  /** The server's clock (the sweep only takes orders a second old). */
  now?: () => number;
}

export async function startCaptureStack(options: CaptureOptions): Promise<CaptureStack> {
  // Maya is in the shop's config but not enabled at the gateway: a checkout with it is refused (502).
  const merchant = { apiKey: options.apiKey, apiSecret: options.apiSecret, merchantUid: options.merchantUid, merchantName: options.merchantName, methods: ["gcash", "thailand", "momo"] };
  const sandbox = createSandboxGateway({ merchants: [merchant], random: seededRandom(99), notifyRetryDelaysMs: [20, 40, 80, 160], fetch: loopbackFetch });
  const gatewayServed: Served = await serve(sandbox.app);
  const parsed = parseCheckoutConfig(TEST_CONFIG, "test config");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const updates: CaptureStack["updates"] = [];
  const store = recordChanges(createSqliteStore({ filename: ":memory:" }), updates);
  await store.migrate();
  const credentials = { baseUrl: gatewayServed.url, apiKey: options.apiKey, apiSecret: options.apiSecret, merchantUid: options.merchantUid };
  const gateway = createOctopusClient({ ...credentials, timeoutMs: 400, retryDelayMs: 5 }, { fetch: fetchFrom(options.localAddress, options.userAgent) });
  const reader = createOctopusClient({ ...credentials, timeoutMs: 2_000 }, { fetch: loopbackFetch });

  const responses: CapturedResponse[] = [];
  const logs: string[] = [];
  let checkout: CheckoutServer | undefined;
  const server = await serve({
    fetch: async (request, env) => {
      const url = new URL(request.url);
      const response = await checkout!.app.fetch(request, env);
      const body = await response.clone().text();
      responses.push({ request: `${request.method} ${url.pathname}${url.search}`, status: response.status, headers: [...response.headers], body });
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
    ...(options.now ? { now: options.now } : {}),
    rateLimit: { windowMs: 60_000, max: 100_000 },
    widget: (widgetCode(), await readWidgetBuild(new URL("dist/widget/", `file://${ROOT}`))),
    translations: translationFiles(),
  });
  return {
    app: checkout.app,
    checkout,
    sandbox,
    store,
    url: server.url,
    gatewayUrl: gatewayServed.url,
    reader,
    responses,
    logs,
    updates,
    async close() {
      await checkout.close();
      sandbox.close();
      await server.close();
      await gatewayServed.close();
      await store.close();
    },
  };
}
