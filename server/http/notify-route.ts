/**
 * POST /octopus/notify: the gateway's server-to-server notification. The body only names an order;
 * its status is taken from a fresh `order/get`, never from the body, so a forged, replayed or stale
 * notification can at worst cause one extra read.
 */
import { Hono } from "hono";
import { checkoutError } from "../errors.ts";
import { NotificationBody, type OctopusClient } from "../gateway/index.ts";
import type { Logger } from "../log.ts";
import type { OrderService } from "../orders/service.ts";

export const NOTIFY_PATH = "/octopus/notify";

export function notifyRoute(options: { service: OrderService; gateway: OctopusClient; logger: Logger }) {
  const { service, gateway, logger } = options;
  return new Hono().post(NOTIFY_PATH, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw checkoutError("invalid_json", "The notification is not valid JSON.");
    }
    const parsed = NotificationBody.safeParse(body);
    if (!parsed.success) throw checkoutError("invalid_request", "The notification has no merchant_order_id.", "merchant_order_id");
    // Verified over the body as received: zod's copy drops a field named "__proto__", which the gateway signed.
    const signed = await gateway.verifyNotification(body as Record<string, unknown>, { key: c.req.header("oc-key"), signature: c.req.header("oc-signature") });
    if (!signed) {
      logger.warn("notification with a bad signature refused");
      throw checkoutError("invalid_signature", "Invalid OC-Key or OC-Signature.");
    }
    let known: boolean;
    try {
      known = await service.notified(parsed.data.merchant_order_id);
    } catch (error) {
      logger.warn("notification could not be checked with the gateway; it will retry", { error });
      throw checkoutError("gateway_unavailable", "Could not read the order back from the gateway; please retry.");
    }
    // Acknowledged even when unknown: retrying would not make us know it, and the sweep covers ours.
    if (!known) logger.warn("notification for an unknown order acknowledged");
    return c.json({ result: "success" });
  });
}
