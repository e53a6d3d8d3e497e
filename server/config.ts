/**
 * The server's settings: the only module of the server that reads the environment and the config
 * file it names, so that everything else receives its settings as plain values (and tests hand
 * `readServerSettings` an environment and a working directory of their own, never the shell's).
 * Everything is checked at once, so a misconfigured deploy prints every problem, one line each, and
 * is fixed in one go. The standalone sandbox reads its own in demo/sandbox/settings.ts, so as not to
 * import the server.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as z from "zod";
import { OriginString, parseCheckoutConfig, type CheckoutConfig, type PayoutLimits } from "./checkout-config.ts";
import type { Currency } from "./gateway/schemas.ts";
import { sandboxPayoutLimits } from "./payouts/rules.ts";
import type { LogLevel } from "./log.ts";
import { parseIpRange } from "./middleware/ip-ranges.ts";
import { SECRET_KEY } from "./middleware/secret-key.ts";
import { DEFAULT_ENDPOINT_NAME, webhookSecretProblem, webhookUrlProblem, type WebhookEndpoint } from "./webhooks/endpoints.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface GatewaySettings {
  mode: "live" | "sandbox";
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  merchantUid: string;
  timeoutMs: number;
}

export interface ServerSettings {
  port: number;
  host: string;
  /** What the gateway and shoppers' browsers reach this server at. */
  publicUrl: string;
  gateway: GatewaySettings;
  extraOrigins: string[];
  config: CheckoutConfig;
  configFile: string;
  databaseUrl: string | undefined;
  sqliteFile: string;
  trustProxy: number;
  /** Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  /** Checkouts one client address may create per minute. */
  createRateLimitPerMinute: number;
  logLevel: LogLevel;
  /** Merchant API keys (CHECKOUT_SECRET_KEYS); in sandbox mode the sandbox key when none is set. */
  secretKeys: string[];
  /** True when the secret key is the sandbox's public one: said at start, never with a live gateway. */
  sandboxSecretKey: boolean;
  webhooks: WebhookEndpoint[];
  /** Payout limits per currency: the config file's, or in sandbox mode sandbox limits when it has none. */
  payouts: Partial<Record<Currency, PayoutLimits>>;
  /**
   * How long a claimed delivery stays with the instance that claimed it (CHECKOUT_WEBHOOK_LEASE_SECONDS):
   * after a crash, its deliveries in flight go out again this long after. Longer than a send can take.
   */
  webhookLeaseMs: number;
  /** What the server should say at start but may start with (an unknown CHECKOUT_* variable). */
  warnings: string[];
}

const GATEWAY_VARS = ["OCTOPUS_API_URL", "OCTOPUS_API_KEY", "OCTOPUS_API_SECRET", "OCTOPUS_MERCHANT_UID"] as const;

/** Every variable of ours that this module reads: any other OCTOPUS_* or CHECKOUT_* name is a slip. */
const KNOWN_VARS: ReadonlySet<string> = new Set([
  ...GATEWAY_VARS,
  "OCTOPUS_TIMEOUT_MS",
  "CHECKOUT_ALLOWED_ORIGINS",
  "CHECKOUT_CONFIG",
  "CHECKOUT_CREATE_RATE_LIMIT",
  "CHECKOUT_PUBLIC_URL",
  "CHECKOUT_SECRET_KEYS",
  "CHECKOUT_SQLITE_FILE",
  "CHECKOUT_TRUSTED_PROXIES",
  "CHECKOUT_TRUST_PROXY",
  "CHECKOUT_WEBHOOK_LEASE_SECONDS",
  "CHECKOUT_WEBHOOK_SECRET",
  "CHECKOUT_WEBHOOK_URL",
]);

/**
 * Names with our prefixes that nothing reads. In sandbox mode a misspelt gateway variable
 * (OCTOPUS_KEY) is refused outright: with none of the four read, the server would take real
 * shoppers' orders on a test page. Any other slip is said at start and the server runs as
 * configured otherwise; the config file's webhook secrets are named by the merchant.
 */
function unknownVariables(env: Env, sandbox: boolean, secretEnvs: readonly string[], problems: string[], warnings: string[]): void {
  const ours = (prefix: string) => [...KNOWN_VARS].filter((known) => known.startsWith(prefix)).join(", ");
  for (const name of Object.keys(env).sort()) {
    if (KNOWN_VARS.has(name) || secretEnvs.includes(name) || blank(env[name]) === undefined) continue;
    if (name.startsWith("OCTOPUS_") && sandbox) {
      problems.push(`${name} is not a setting of the server, which would start in sandbox mode: the gateway's are ${ours("OCTOPUS_")}`);
    } else if (name.startsWith("OCTOPUS_") || name.startsWith("CHECKOUT_")) {
      warnings.push(`${name} is not a setting of the server and is ignored; it reads ${ours(name.slice(0, name.indexOf("_") + 1))}`);
    }
  }
}

// The sandbox's own test credentials: public values, only ever valid against the built-in sandbox.
const SANDBOX_CREDENTIALS = { apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant" };

/**
 * The merchant API key and webhook secret of sandbox mode when none are set: public, printed at start
 * and in the README, so a first try needs no setup. Never accepted with a live gateway.
 */
export const SANDBOX_SECRET_KEY = "sk_sandbox_0000000000000000000000000000000000";
export const SANDBOX_WEBHOOK_SECRET = "whsec_c2FuZGJveC13ZWJob29rLXNlY3JldC0wMDAwMDAwMA==";
/** Sandbox mode's default endpoint: the demo's "your backend" page receives and verifies them. */
export const SANDBOX_WEBHOOK_PATH = "/demo/backend/webhooks";

const blank = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value.trim());

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  const given = blank(value);
  if (given === undefined) return fallback;
  if (!/^[0-9]+$/.test(given) || Number(given) < min || Number(given) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return Number(given);
}

/**
 * Settings of the checkout server (`npm start`, the CLI): the gateway (or sandbox mode), port, public
 * URL, origins, store, and the config file it names (read from `cwd`). `{ok: false}` lists every
 * problem, one line each.
 */
export function readServerSettings(env: Env = process.env, { cwd = process.cwd() }: { cwd?: string } = {}): { ok: true; settings: ServerSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const port = wholeNumber("PORT", env.PORT, 8787, 1, 65535, problems);
  const trustProxy = wholeNumber("CHECKOUT_TRUST_PROXY", env.CHECKOUT_TRUST_PROXY, 0, 0, 10, problems);
  const timeoutMs = wholeNumber("OCTOPUS_TIMEOUT_MS", env.OCTOPUS_TIMEOUT_MS, 15_000, 100, 120_000, problems);
  const trustedProxies = (blank(env.CHECKOUT_TRUSTED_PROXIES) ?? "")
    .split(",")
    .map((range) => range.trim())
    .filter(Boolean);
  for (const range of trustedProxies) {
    if (!parseIpRange(range)) problems.push(`CHECKOUT_TRUSTED_PROXIES: "${range}" must be an IP address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32`);
  }
  // At least 20 s: a webhook send may take up to 15 s, and a lease must outlast a live sender's send.
  const webhookLeaseSeconds = wholeNumber("CHECKOUT_WEBHOOK_LEASE_SECONDS", env.CHECKOUT_WEBHOOK_LEASE_SECONDS, 60, 20, 3600, problems);

  const given = GATEWAY_VARS.filter((name) => blank(env[name]) !== undefined);
  let gateway: GatewaySettings;
  if (given.length === 0) {
    gateway = { mode: "sandbox", apiUrl: "", ...SANDBOX_CREDENTIALS, timeoutMs };
  } else {
    for (const name of GATEWAY_VARS) if (!given.includes(name)) problems.push(`${name} is missing: set all four OCTOPUS_* variables, or none for sandbox mode`);
    const apiUrl = blank(env.OCTOPUS_API_URL) ?? "";
    if (apiUrl && !z.url({ protocol: /^https?$/ }).safeParse(apiUrl).success) {
      problems.push("OCTOPUS_API_URL must be an absolute http(s) URL such as https://gateway.example.com");
    } else if (apiUrl && new URL(apiUrl).protocol !== "https:" && !["localhost", "127.0.0.1", "[::1]"].includes(new URL(apiUrl).hostname)) {
      // order/get answers are not signed: over plain http anyone on the path could answer "completed".
      problems.push("OCTOPUS_API_URL must be https:// (plain http only to this machine): the gateway's answers decide what is paid");
    }
    for (const name of ["OCTOPUS_API_KEY", "OCTOPUS_MERCHANT_UID"] as const) {
      const value = blank(env[name]);
      if (value && /[&=\s]/.test(value)) problems.push(`${name} must not contain spaces, '&' or '='`);
    }
    gateway = {
      mode: "live",
      apiUrl,
      apiKey: blank(env.OCTOPUS_API_KEY) ?? "",
      apiSecret: env.OCTOPUS_API_SECRET?.trim() ?? "",
      merchantUid: blank(env.OCTOPUS_MERCHANT_UID) ?? "",
      timeoutMs,
    };
  }

  const publicUrlRaw = blank(env.CHECKOUT_PUBLIC_URL) ?? `http://localhost:${port}`;
  let publicUrl = publicUrlRaw;
  try {
    const url = new URL(publicUrlRaw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    publicUrl = url.origin;
    if (gateway.mode === "live" && url.protocol !== "https:" && !["localhost", "127.0.0.1"].includes(url.hostname)) {
      problems.push("CHECKOUT_PUBLIC_URL must be https:// with a live gateway (it receives payment notifications)");
    }
  } catch {
    problems.push("CHECKOUT_PUBLIC_URL must be an absolute http(s) URL such as https://pay.example.com");
  }

  const extraOrigins = (blank(env.CHECKOUT_ALLOWED_ORIGINS) ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of extraOrigins) {
    if (!OriginString.safeParse(origin).success) problems.push(`CHECKOUT_ALLOWED_ORIGINS: "${origin}" must be an exact origin such as https://shop.example.com (no path, no trailing slash)`);
  }

  const databaseUrl = blank(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push("DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for SQLite)");

  const logLevel = (blank(env.LOG_LEVEL) ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) problems.push("LOG_LEVEL must be one of debug, info, warn, error");

  const configFile = resolve(cwd, blank(env.CHECKOUT_CONFIG) ?? "checkout.config.json");
  let config: CheckoutConfig | undefined;
  let raw: string | undefined;
  try {
    raw = readFileSync(configFile, "utf8");
  } catch {
    problems.push(`CHECKOUT_CONFIG: cannot read ${configFile}`);
  }
  if (raw !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push(`${configFile}: not valid JSON (${(error as Error).message})`);
    }
    if (json !== undefined) {
      const parsed = parseCheckoutConfig(json, configFile);
      if (parsed.ok) config = parsed.config;
      else problems.push(...parsed.problems);
    }
  }

  // The environment overrides the config file's createRateLimitPerMinute.
  const createRateLimitPerMinute = wholeNumber("CHECKOUT_CREATE_RATE_LIMIT", env.CHECKOUT_CREATE_RATE_LIMIT, config?.createRateLimitPerMinute ?? 30, 1, 1_000_000, problems);

  const sandbox = gateway.mode === "sandbox";
  const secretKeys = (blank(env.CHECKOUT_SECRET_KEYS) ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  secretKeys.forEach((key, index) => {
    // Never echo a key: say which one by position.
    if (!SECRET_KEY.test(key)) problems.push(`CHECKOUT_SECRET_KEYS: key ${index + 1} must be sk_ followed by at least 32 of A-Z a-z 0-9 _ -`);
    if (!sandbox && key === SANDBOX_SECRET_KEY) problems.push(`CHECKOUT_SECRET_KEYS: key ${index + 1} is the public sandbox key; make your own with npx octopus-checkout keys new`);
  });
  const sandboxSecretKey = sandbox && secretKeys.length === 0;
  if (sandboxSecretKey) secretKeys.push(SANDBOX_SECRET_KEY);

  const webhooks: WebhookEndpoint[] = [];
  const allowPrivate = config?.allowPrivateWebhookUrls ?? false;
  const addEndpoint = (name: string, url: string, secret: string | undefined, secretName: string, types: readonly string[] | null) => {
    const urlProblem = webhookUrlProblem(url, { sandbox, allowPrivate });
    if (urlProblem) problems.push(`webhook "${name}": url ${urlProblem}`);
    if (secret === undefined) problems.push(`webhook "${name}": ${secretName} is not set`);
    else {
      const secretProblem = webhookSecretProblem(secret);
      if (secretProblem) problems.push(`${secretName} ${secretProblem}`);
    }
    if (!urlProblem && secret !== undefined) webhooks.push({ name, url, secret, types });
  };
  const webhookUrl = blank(env.CHECKOUT_WEBHOOK_URL);
  if (webhookUrl) addEndpoint(DEFAULT_ENDPOINT_NAME, webhookUrl, blank(env.CHECKOUT_WEBHOOK_SECRET), "CHECKOUT_WEBHOOK_SECRET", null);
  else if (blank(env.CHECKOUT_WEBHOOK_SECRET)) problems.push("CHECKOUT_WEBHOOK_SECRET is set but CHECKOUT_WEBHOOK_URL is not");
  else if (sandbox) webhooks.push({ name: DEFAULT_ENDPOINT_NAME, url: `${publicUrl}${SANDBOX_WEBHOOK_PATH}`, secret: SANDBOX_WEBHOOK_SECRET, types: null });
  for (const endpoint of config?.webhooks ?? []) {
    if (endpoint.name === DEFAULT_ENDPOINT_NAME || endpoint.name === "hook") problems.push(`webhooks: the name "${endpoint.name}" is reserved`);
    else if (webhooks.some((other) => other.name === endpoint.name)) problems.push(`webhooks: "${endpoint.name}" is listed twice`);
    else addEndpoint(endpoint.name, endpoint.url, blank(env[endpoint.secretEnv]), endpoint.secretEnv, endpoint.types ?? null);
  }

  const warnings: string[] = [];
  unknownVariables(env, sandbox, (config?.webhooks ?? []).map((endpoint) => endpoint.secretEnv), problems, warnings);

  if (problems.length > 0 || !config) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      port,
      // The sandbox has unauthenticated test controls: it listens on loopback unless told otherwise.
      host: blank(env.HOST) ?? (gateway.mode === "sandbox" ? "127.0.0.1" : "0.0.0.0"),
      publicUrl,
      gateway,
      extraOrigins,
      config,
      configFile,
      databaseUrl,
      sqliteFile: resolve(cwd, blank(env.CHECKOUT_SQLITE_FILE) ?? "data/checkout.db"),
      trustProxy,
      trustedProxies,
      createRateLimitPerMinute,
      logLevel,
      secretKeys,
      sandboxSecretKey,
      webhooks,
      payouts: config.payouts ?? (sandbox ? sandboxPayoutLimits(config) : {}),
      webhookLeaseMs: webhookLeaseSeconds * 1000,
      warnings,
    },
  };
}
