/**
 * Sends one signed webhook (Standard Webhooks v1, signed by the `standardwebhooks` package) and
 * reports what the endpoint answered. Redirects are not followed (a 3xx is a failed attempt: an
 * endpoint that moved must be reconfigured, not guessed), the answer's body is never read beyond
 * its status, and the address the host resolves to is checked again before sending.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Webhook } from "standardwebhooks";
import { isPrivateAddress, type WebhookEndpoint } from "./endpoints.ts";
import { parseRetryAfter } from "./schedule.ts";

export interface WebhookMessage {
  /** The event id: the same on every retry, so the receiver can drop duplicates. */
  id: string;
  body: string;
}

export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The endpoint's Retry-After, in ms from now. */
  retryAfterMs: number | null;
  /** 410 Gone: the endpoint asks to be disabled. */
  gone: boolean;
}

export interface SendOptions {
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Private and loopback addresses are refused unless allowed (config) or in sandbox mode to loopback. */
  allowPrivate: boolean;
  sandbox: boolean;
  lookup?: (host: string) => Promise<string[]>;
}

const defaultLookup = async (host: string) => (await dnsLookup(host, { all: true })).map((entry) => entry.address);

async function addressProblem(url: URL, options: SendOptions): Promise<string | null> {
  if (options.allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopbackName = host === "localhost" || host.endsWith(".localhost");
  if (options.sandbox && (loopbackName || host === "127.0.0.1" || host === "::1")) return null;
  const addresses = isIP(host) ? [host] : await (options.lookup ?? defaultLookup)(host);
  return addresses.some(isPrivateAddress) ? `${url.hostname} resolves to a private or loopback address` : null;
}

export async function sendWebhook(endpoint: WebhookEndpoint, message: WebhookMessage, options: SendOptions): Promise<SendOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const took = () => Math.max(0, Math.round(now() - started));
  const failure = (error: string): SendOutcome => ({ ok: false, statusCode: null, error, durationMs: took(), retryAfterMs: null, gone: false });
  const url = new URL(endpoint.url);
  try {
    const problem = await addressProblem(url, options);
    if (problem) return failure(problem);
  } catch {
    return failure(`could not resolve ${url.hostname}`);
  }
  const sentAt = new Date(now());
  const signature = new Webhook(endpoint.secret).sign(message.id, sentAt, message.body);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/json",
        "user-agent": "octopus-checkout-webhooks/1",
        "webhook-id": message.id,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: message.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const name = (error as Error)?.name;
    // fetch says only "fetch failed"; the operator needs the cause (ECONNREFUSED, ENOTFOUND, a TLS error).
    const cause = (error as Error & { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (error as Error)?.message ?? "unknown";
    return failure(name === "TimeoutError" || name === "AbortError" ? `no answer within ${Math.round((options.timeoutMs ?? 15_000) / 1000)} s` : `connection failed (${why})`);
  }
  // The body is not ours to read; dropping it frees the connection.
  await response.body?.cancel().catch(() => {});
  const ok = response.status >= 200 && response.status < 300;
  return {
    ok,
    statusCode: response.status,
    error: ok ? null : response.status >= 300 && response.status < 400 ? "redirects are not followed" : null,
    durationMs: took(),
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
    gone: response.status === 410,
  };
}
