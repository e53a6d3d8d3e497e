/**
 * Shared pieces of the sandbox tests: a seeded random, signed calls as a client written from the
 * seeds would make them, and a tiny notification receiver. Everything talks to 127.0.0.1 only.
 */
import { loopbackFetch } from "./loopback-fetch.ts";
import { Hono } from "hono";
import { createSandboxGateway, type SandboxGateway, type SandboxGatewayOptions } from "../../demo/sandbox/gateway.ts";
import { canonicalString, hmacSha256Hex } from "../../server/gateway/signing.ts";
import { serve, type Served } from "./serve.ts";

export const MERCHANT = { apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", merchantName: "Sandbox Shop" };
export const OTHER = { apiKey: "other-key", apiSecret: "other-secret", merchantUid: "other-merchant", merchantName: "Other Shop" };

/** mulberry32: small, seeded, good enough to make every run the same. */
export function seededRandom(seed = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Running {
  sandbox: SandboxGateway;
  served: Served;
  url: string;
  stop(): Promise<void>;
}

/** The tests talk to 127.0.0.1 only: a notify_url elsewhere (the gateway document's example.com) is never contacted. */
export { loopbackFetch };

export async function startSandbox(options: SandboxGatewayOptions = {}): Promise<Running> {
  const sandbox = createSandboxGateway({ random: seededRandom(7), notifyRetryDelaysMs: [10, 20], fetch: loopbackFetch, ...options });
  const served = await serve(sandbox.app);
  return {
    sandbox,
    served,
    url: served.url,
    async stop() {
      sandbox.close();
      await served.close();
    },
  };
}

let counter = 0;
export const uniqueId = (prefix = "o") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function incomeFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    transaction_type: "income",
    amount: "100.00",
    merchant_order_id: uniqueId(),
    merchant_uid: MERCHANT.merchantUid,
    currency: "php",
    payment: "gcash",
    response_type: "json",
    country: "PH",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function thaiFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  return incomeFields({ currency: "thb", payment: "thailand", country: "TH", channel: "promptpay", amount: "500.00", ...overrides });
}

/** A payout (expense order) to a GCash wallet, with the payee the sandbox requires. */
export function payoutFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  return incomeFields({ transaction_type: "expense", accounting_type: "pay", to: "09171234567", to_name: "Jane Doe", ...overrides });
}

export interface CallOptions {
  key?: string;
  secret?: string;
  /** Replaces the computed signature; null leaves the header out. */
  signature?: string | null;
  contentType?: string | null;
  /** Sent as is instead of JSON.stringify(fields). */
  rawBody?: string;
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A signed POST to the order API, exactly as the gateway document's Java samples make it. */
export async function call(baseUrl: string, path: "new" | "get", fields: Record<string, unknown>, options: CallOptions = {}): Promise<CallResult> {
  const secret = options.secret ?? MERCHANT.apiSecret;
  // Non-string values (refused before the signature is looked at) are signed as their text.
  const asText = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
  const signature = options.signature === undefined ? await hmacSha256Hex(secret, canonicalString(asText, { strict: false })) : options.signature;
  const headers: Record<string, string> = { "OC-Key": options.key ?? MERCHANT.apiKey };
  if (options.contentType !== null) headers["Content-Type"] = options.contentType ?? "application/json";
  if (signature !== null) headers["OC-Signature"] = signature;
  const response = await fetch(`${baseUrl}/octopus/api/order/${path}`, {
    method: "POST",
    headers,
    body: options.rawBody ?? JSON.stringify(fields),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Creates an order and returns the response's data; fails the test on anything but success. */
export async function createOrder(baseUrl: string, fields: Record<string, string>, options: CallOptions = {}): Promise<any> {
  const result = await call(baseUrl, "new", fields, options);
  if (result.status !== 200 || result.json?.result !== "success") throw new Error(`create failed: ${result.status} ${result.text}`);
  return result.json.data;
}

export async function getOrder(baseUrl: string, merchantOrderId: string, options: CallOptions = {}): Promise<CallResult> {
  return call(baseUrl, "get", { merchant_order_id: merchantOrderId }, options);
}

export interface ReceivedNotification {
  headers: Headers;
  body: Record<string, string>;
  raw: string;
}

export interface Receiver {
  url: string;
  received: ReceivedNotification[];
  /** Decides the answer to each notification; default 200 {"result":"success"}. */
  respond: (notification: ReceivedNotification, index: number) => Response | Promise<Response>;
  close(): Promise<void>;
}

/** A merchant's notify_url, served on 127.0.0.1. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    received: [],
    respond: () => Response.json({ result: "success" }),
    close: async () => undefined,
  };
  const app = new Hono();
  app.post("/notify", async (c) => {
    const raw = await c.req.text();
    const notification = { headers: c.req.raw.headers, body: JSON.parse(raw) as Record<string, string>, raw };
    const index = receiver.received.push(notification) - 1;
    return receiver.respond(notification, index);
  });
  const served = await serve(app);
  receiver.url = `${served.url}/notify`;
  receiver.close = () => served.close();
  return receiver;
}

/** Fetches a page without following redirects, so tests can see each hop. */
export function fetchManual(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, redirect: "manual" });
}

export function postForm(url: string, action: string): Promise<Response> {
  return fetchManual(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action }).toString(),
  });
}

