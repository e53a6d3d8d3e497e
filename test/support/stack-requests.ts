/**
 * Small pieces the server suites share on top of stack.ts: signed notifications as the gateway would
 * send them, a reader of the sandbox's orders, created orders, error bodies.
 */
import { canonicalString, createOctopusClient, hmacSha256Hex, type OctopusClient, type OrderDetails } from "../../server/gateway/index.ts";
import type { OrderRecord } from "../../server/store/types.ts";
import { loopbackFetch } from "./loopback-fetch.ts";
import { createCheckout, type Stack } from "./stack.ts";

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export async function readJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A client with the sandbox merchant's credentials that the server's gatewayCalls do not count. */
export function gatewayReader(stack: Stack): OctopusClient {
  return createOctopusClient(
    { baseUrl: stack.gatewayServed.url, apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant", timeoutMs: 2_000 },
    { fetch: loopbackFetch },
  );
}

/** The body and headers of a notification about `fields`, signed as the gateway signs one. */
export async function signNotification(fields: Record<string, string>, { key = "sandbox-key", secret = "sandbox-secret" } = {}) {
  const signature = await hmacSha256Hex(secret, canonicalString(fields, { strict: false }));
  return { body: JSON.stringify(fields), headers: { "Content-Type": "application/json", "OC-Key": key, "OC-Signature": signature } };
}

/** A notification exactly like the gateway's: the order/get fields, empty ones left out. */
export function notificationFieldsOf(details: OrderDetails): Record<string, string> {
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
}

export function postNotification(stack: Stack, notification: { body: string; headers: Record<string, string> }): Promise<Response> {
  return fetch(`${stack.url}/octopus/notify`, { method: "POST", headers: notification.headers, body: notification.body });
}

/** Creates a gcash order over HTTP and returns its public view and its stored record. */
export async function createdOrder(stack: Stack, body: Record<string, unknown> = { amount: "100.00", currency: "php", country: "PH", payment: "gcash" }, headers: Record<string, string> = {}) {
  const response = await createCheckout(stack, body, headers);
  if (response.status !== 201) throw new Error(`create answered ${response.status}: ${await response.text()}`);
  const view = await readJson<Record<string, string>>(response);
  const record = (await stack.store.get(view.id!)) as OrderRecord;
  return { view, record, merchantOrderId: record.merchantOrderId };
}

export function updatesOf(stack: Stack, orderId: string) {
  return stack.updates.filter((update) => update.order.id === orderId).map((update) => update.change);
}

