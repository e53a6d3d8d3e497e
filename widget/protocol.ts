/**
 * The postMessage contract between the server's pages and the widget: `{octopusCheckout: {v: 1,
 * event, id}}`. Like giscus's client, a message is checked in this order: origin, then the window
 * it came from, then its shape; anything else is ignored silently, because any page in any frame
 * can post anything to us. Every message only means "look at this order again": the status always
 * comes from `GET /api/checkout/:id`, never from a message.
 */

export const PROTOCOL_VERSION = 1;
export const MESSAGE_EVENTS = ["return", "ready", "close"] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

interface MessageBase {
  v: typeof PROTOCOL_VERSION;
  /** The checkout id (`ck_…`) the message is about; one of another order is ignored. */
  id: string;
}

/**
 * From the return page (`/checkout/return/:id`, server/http/return-page.ts), loaded in the popup or
 * the frame when the gateway sends the shopper back: the payment page is done, look now.
 *
 * @example { octopusCheckout: { v: 1, event: "return", id: "ck_AAAAbbbbCCCCddddEEEE12" } }
 */
export interface ReturnMessage extends MessageBase {
  event: "return";
}

/**
 * Reserved for a payment page that can tell its window is ready (none of the server's pages sends
 * it yet); read like `return`.
 */
export interface ReadyMessage extends MessageBase {
  event: "ready";
}

/** Reserved for a page about to close its own window (none of the server's pages sends it yet); read like `return`. */
export interface CloseMessage extends MessageBase {
  event: "close";
}

/** Every message the widget accepts, told apart by `event`. */
export type CheckoutMessage = ReturnMessage | ReadyMessage | CloseMessage;

/**
 * The message, when it is one of ours from the expected window; null otherwise.
 *
 * @example
 *   window.addEventListener("message", (event) => {
 *     const message = readCheckoutMessage(event, { origin: "https://pay.example.com", source: popup });
 *     if (message?.event === "return") lookAgain(message.id);
 *   });
 */
export function readCheckoutMessage(
  message: { origin: string; source: unknown; data: unknown },
  expected: { origin: string; source: unknown },
): CheckoutMessage | null {
  const m =
    message.origin === expected.origin && expected.source != null && message.source === expected.source && (message.data as { octopusCheckout?: Partial<CheckoutMessage> } | null)?.octopusCheckout;
  // Checkout ids are opaque, URL-safe and short; anything else is not one of ours.
  return m && m.v === PROTOCOL_VERSION && MESSAGE_EVENTS.includes(m.event!) && typeof m.id == "string" && /^[\w-]{8,64}$/.test(m.id) ? ({ v: m.v, event: m.event!, id: m.id! } as CheckoutMessage) : null;
}
