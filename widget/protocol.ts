/**
 * The postMessage contract between the server's pages (return page, waiting page) and the widget:
 * `{octopusCheckout: {v: 1, event, id}}`. Like giscus's client, a message is checked in this order:
 * origin, then the window it came from, then its shape; anything else is ignored silently, because
 * any page in any frame can post anything to us.
 */

export const PROTOCOL_VERSION = 1;
export const MESSAGE_EVENTS = ["return", "ready", "close"] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

export interface CheckoutMessage {
  v: typeof PROTOCOL_VERSION;
  event: MessageEvent;
  id: string;
}

// Checkout ids are opaque, URL-safe and short; anything else is not one of ours.
const ID = /^[A-Za-z0-9_-]{8,64}$/;

export function readCheckoutMessage(
  message: { origin: string; source: unknown; data: unknown },
  expected: { origin: string; source: unknown },
): CheckoutMessage | null {
  if (message.origin !== expected.origin) return null;
  if (expected.source == null || message.source !== expected.source) return null;
  const data = message.data;
  if (typeof data !== "object" || data === null) return null;
  const envelope = (data as { octopusCheckout?: unknown }).octopusCheckout;
  if (typeof envelope !== "object" || envelope === null) return null;
  const { v, event, id } = envelope as Record<string, unknown>;
  if (v !== PROTOCOL_VERSION) return null;
  if (typeof event !== "string" || !(MESSAGE_EVENTS as readonly string[]).includes(event)) return null;
  if (typeof id !== "string" || !ID.test(id)) return null;
  return { v: PROTOCOL_VERSION, event: event as MessageEvent, id };
}
