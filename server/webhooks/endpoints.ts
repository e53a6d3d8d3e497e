/**
 * Webhook endpoints: where events go, with what secret, and which URLs are acceptable. An endpoint
 * URL is chosen by whoever edits the config, but a checkout server sits inside a network: an
 * endpoint on a private or loopback address would let a config typo (or a config injection) make
 * the server probe its own network, so those need `allowPrivateWebhookUrls` (sandbox mode allows
 * loopback, so that the whole flow runs on one machine).
 */
import { isIP } from "node:net";
import * as z from "zod";
import { EVENT_TYPES } from "../merchant/schemas.ts";

export interface WebhookEndpoint {
  /** Stable name: deliveries are recorded per endpoint name. */
  name: string;
  url: string;
  /** `whsec_` + base64 of the signing key. */
  secret: string;
  /** null: every event type. */
  types: readonly string[] | null;
}

/** Standard Webhooks' secret format: whsec_ + base64 of at least 24 random bytes. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

export function webhookSecretProblem(secret: string): string | null {
  if (!WEBHOOK_SECRET.test(secret)) return "must be whsec_ followed by the base64 of at least 24 random bytes (npx octopus-checkout keys new makes one)";
  const bytes = Buffer.from(secret.slice("whsec_".length), "base64");
  return bytes.length >= 24 ? null : "must carry at least 24 random bytes after whsec_";
}

/** An endpoint as the config file lists it: the secret itself stays in the environment. */
export const WebhookEndpointConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and '-' (at most 40)"),
  url: z.string().max(2000),
  /** The environment variable that holds this endpoint's whsec_ secret. */
  secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be the name of an environment variable, such as WEBHOOK_SECRET_ERP"),
  types: z.array(z.enum(EVENT_TYPES)).min(1).optional(),
});
export type WebhookEndpointConfig = z.infer<typeof WebhookEndpointConfig>;

/** The environment's endpoint (CHECKOUT_WEBHOOK_URL) is named this. */
export const DEFAULT_ENDPOINT_NAME = "default";

function ipv4Private(address: string): boolean {
  const [a, b] = address.split(".").map(Number) as [number, number];
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

/** Loopback, private, link-local, CGNAT, multicast and unspecified addresses, v4 and v6. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(bare) === 4) return ipv4Private(bare);
  if (isIP(bare) !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return ipv4Private(mapped[1]!);
  return bare === "::1" || bare === "::" || /^f[cd]/.test(bare) || /^fe[89ab]/.test(bare) || /^ff/.test(bare);
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why a webhook URL is refused, or null. Checks the URL as written; the sender checks the address it resolves to. */
export function webhookUrlProblem(raw: string, options: { sandbox: boolean; allowPrivate: boolean }): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL such as https://shop.example.com/webhooks/octopus";
  }
  if (url.username || url.password) return "must not carry a user name or password";
  const loopback = LOOPBACK_NAMES.has(url.hostname) || url.hostname.endsWith(".localhost");
  if (options.sandbox && loopback && (url.protocol === "http:" || url.protocol === "https:")) return null;
  if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:")) return "must be https:// (plain http only in sandbox mode, to this machine)";
  if (!options.allowPrivate && (loopback || isPrivateAddress(url.hostname))) {
    return "must not point at a private or loopback address (set allowPrivateWebhookUrls in the config file to allow it)";
  }
  return null;
}
