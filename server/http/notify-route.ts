/**
 * POST /octopus/notify. The gateway's documents give a notify_url and say nothing of what arrives
 * there, so every POST is a hint to re-read the order with order/get (server/orders/notify-hints.ts),
 * signed or not: the body only names the order and is never believed. A signature that is present
 * must be right (401 otherwise), so that a misconfigured secret shows up rather than hiding behind
 * hints. Answers are in the gateway's own envelope, errors included: this sub-app has its own onError.
 */
import { Hono, type Context } from "hono";
import { checkoutError } from "../errors.ts";
import type { OctopusClient } from "../gateway/index.ts";
import type { Logger } from "../log.ts";
import { bodyLimit } from "../middleware/body-limit.ts";
import type { NotifyHints } from "../orders/notify-hints.ts";
import { storeUnavailableCode } from "../store/unavailable.ts";
import { errorAnswer } from "./error-answer.ts";
import type { AppEnv } from "./app-env.ts";

const NOTIFY_PATH = "/octopus/notify";

const FORM = /^application\/x-www-form-urlencoded\b/i;

/** The fields of a notification as sent: a JSON object, or a form (the documents name neither). */
async function readFields(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  if (FORM.test(c.req.header("content-type") ?? "")) {
    // No prototype: a field named "__proto__" stays a field, so a signature over it verifies.
    const fields = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of new URLSearchParams(await c.req.text())) fields[key] = value;
    return fields;
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw checkoutError("invalid_json", "The notification is neither JSON nor a form.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw checkoutError("invalid_request", "The notification must be a JSON object.", "body");
  return body as Record<string, unknown>;
}

export function notifyRoute(options: { hints: NotifyHints; gateway: OctopusClient; logger: Logger; store: string; maxBodyBytes: number }) {
  const { hints, gateway, logger } = options;
  const app = new Hono<AppEnv>();
  app.onError((error, c) => {
    const failure = errorAnswer(error, c, { logger, store: options.store });
    // The gateway reads our answers in its own envelope.
    return c.json({ result: "error", data: { error: failure.code, details: failure.message } }, failure.status);
  });
  app.post(NOTIFY_PATH, bodyLimit(options.maxBodyBytes), async (c) => {
    const fields = await readFields(c);
    const merchantOrderId = fields.merchant_order_id;
    if (typeof merchantOrderId !== "string" || merchantOrderId === "") {
      throw checkoutError("invalid_request", "The notification has no merchant_order_id.", "merchant_order_id");
    }
    const signature = c.req.header("oc-signature");
    const signed = signature !== undefined;
    // Verified over the fields as received: zod's copy would drop a field named "__proto__", which the gateway signed.
    if (signed && !(await gateway.verifyNotification(fields, { key: c.req.header("oc-key"), signature }))) {
      logger.warn("notification with a bad signature refused");
      throw checkoutError("invalid_signature", "Invalid OC-Key or OC-Signature.");
    }
    let outcome;
    try {
      outcome = await hints.hint(merchantOrderId);
    } catch (error) {
      // Our own store, not the gateway: onError answers 503 store_unavailable (the gateway retries too).
      if (storeUnavailableCode(error)) throw error;
      logger.warn("notification could not be checked with the gateway; it will retry", { error });
      throw checkoutError("gateway_unavailable", "Could not read the order back from the gateway; please retry.");
    }
    // Acknowledged even when unknown: retrying would not make us know it, and the sweep covers ours.
    if (outcome === "unknown_order") logger.info("notification for an unknown order acknowledged", { signed });
    return c.json({ result: "success" });
  });
  return app;
}
