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

export function readCheckoutMessage(
  message: { origin: string; source: unknown; data: unknown },
  expected: { origin: string; source: unknown },
): CheckoutMessage | null {
  const m =
    message.origin === expected.origin && expected.source != null && message.source === expected.source && (message.data as { octopusCheckout?: Partial<CheckoutMessage> } | null)?.octopusCheckout;
  // Checkout ids are opaque, URL-safe and short; anything else is not one of ours.
  return m && m.v === PROTOCOL_VERSION && MESSAGE_EVENTS.includes(m.event!) && typeof m.id == "string" && /^[\w-]{8,64}$/.test(m.id) ? { v: m.v, event: m.event!, id: m.id! } : null;
}
