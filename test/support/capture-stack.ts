/**
 * The stack of test/support/stack.ts (sandbox gateway + checkout server on 127.0.0.1, SQLite in
 * memory), for the secrets suite: with credentials of the test's choosing, a gateway client that
 * calls from its own loopback address with its own User-Agent (so that what the gateway records
 * about the caller is distinctive), the widget bundle and translations served, and EVERY response
 * the server sends (status, headers, body) and every log line it writes captured.
 */
import http from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createOctopusClient, type OctopusClient } from "../../server/gateway/index.ts";
import { readWidgetBuild } from "../../server/http/widget-assets.ts";
import { loopbackFetch } from "./loopback-fetch.ts";
import { seededRandom, startStack, type Stack } from "./stack.ts";

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

export interface CaptureStack extends Stack {
  gatewayUrl: string;
  /** A gateway client with the merchant's credentials (for reading orders as the server would). */
  reader: OctopusClient;
  /** Every response the server sent, in order. */
  responses: CapturedResponse[];
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
  const credentials = { apiKey: options.apiKey, apiSecret: options.apiSecret, merchantUid: options.merchantUid };
  const responses: CapturedResponse[] = [];
  const stack = await startStack({
    sandbox: { merchants: [merchant], random: seededRandom(99) },
    client: { ...credentials, timeoutMs: 400 },
    gatewayFetch: fetchFrom(options.localAddress, options.userAgent),
    server: {
      // The server's own default, not the stack's 0: notifications here run as they do in production.
      notifyMinIntervalMs: 1_000,
      ...(options.now ? { now: options.now } : {}),
      rateLimit: { windowMs: 60_000, max: 100_000 },
      widget: (widgetCode(), await readWidgetBuild(new URL("dist/widget/", `file://${ROOT}`))),
      translations: translationFiles(),
    },
    async onResponse(request, response) {
      const url = new URL(request.url);
      responses.push({ request: `${request.method} ${url.pathname}${url.search}`, status: response.status, headers: [...response.headers], body: await response.clone().text() });
    },
  });
  const reader = createOctopusClient({ baseUrl: stack.gatewayServed.url, ...credentials, timeoutMs: 2_000 }, { fetch: loopbackFetch });
  return { ...stack, gatewayUrl: stack.gatewayServed.url, reader, responses };
}
