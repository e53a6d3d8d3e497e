/**
 * JSON routes under /sandbox/api/ over the programmatic controls, for the demo panel and for
 * testers using curl. No auth (a local test tool), but no secrets either, and every POST must be
 * `Content-Type: application/json`, which a cross-site form cannot send: a page the tester happens
 * to visit cannot drive the sandbox.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod";
import { SandboxControlError, type SandboxControls } from "./controls.ts";
import { FaultSpec } from "./faults.ts";
import { describeIssue } from "./issues.ts";
import { ORDER_ACTIONS, type OrderAction } from "./lifecycle.ts";

const milliseconds = (max: number) =>
  z.number().int("must be a whole number of milliseconds").min(0, `must be from 0 to ${max}`).max(max, `must be from 0 to ${max}`);
const probability = z.number().min(0, "must be a probability from 0 to 1").max(1, "must be a probability from 0 to 1");

const Advance = z.strictObject({ ms: milliseconds(366 * 24 * 3600_000) });
const Latency = z.strictObject({ ms: milliseconds(10 * 60_000) });
const NotifyFaultsBody = z.strictObject({
  drop: probability.optional(),
  duplicate: probability.optional(),
  reorder: z.boolean().optional(),
  reorderWindowMs: milliseconds(60_000).optional(),
});
const Framing = z.strictObject({ refuse: z.boolean() });
const PayoutSettingsBody = z.strictObject({
  auto: z.boolean().optional(),
  processingMs: milliseconds(24 * 3600_000).optional(),
  settleMs: milliseconds(24 * 3600_000).optional(),
  failRate: probability.optional(),
});

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

function refusal(c: Context, status: 400 | 404 | 409 | 415, error: string, details: string): Response {
  return c.json({ error, details }, status);
}

async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  if (!JSON_TYPE.test(c.req.header("Content-Type") ?? "")) {
    return { ok: false, response: refusal(c, 415, "Unsupported media type", "Send the body as JSON with Content-Type: application/json.") };
  }
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, response: refusal(c, 400, "Invalid parameters", "The body must be a JSON object.") };
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, response: refusal(c, 400, "Invalid parameters", "The body must be a JSON object.") };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, response: refusal(c, 400, "Invalid parameters", first ? describeIssue(first, body) : "The body is invalid.") };
  }
  return { ok: true, value: parsed.data };
}

function controlFailure(c: Context, error: unknown): Response {
  if (!(error instanceof SandboxControlError)) throw error;
  switch (error.code) {
    case "not_found":
      return refusal(c, 404, "Order not found", error.message);
    case "conflict":
      return refusal(c, 409, "Invalid transition", error.message);
    default:
      return refusal(c, 400, "Invalid parameters", error.message);
  }
}

export function createControlRoutes(controls: SandboxControls): Hono {
  const app = new Hono();
  app.use("/sandbox/api/*", async (c, next) => {
    c.header("Cache-Control", "no-store");
    await next();
  });
  app.use("/sandbox/api/*", bodyLimit({ maxSize: 16 * 1024, onError: (c) => refusal(c, 400, "Invalid parameters", "The body is too large.") }));

  app.get("/sandbox/api/state", (c) => c.json(controls.state()));

  app.post("/sandbox/api/reset", async (c) => {
    const body = await readJson(c, z.strictObject({}));
    if (!body.ok) return body.response;
    controls.reset();
    return c.json(controls.state());
  });

  // Long-polls until notifications have settled: a test driving the sandbox over HTTP awaits this.
  app.get("/sandbox/api/idle", async (c) => {
    await controls.idle();
    return c.json({ idle: true });
  });

  app.get("/sandbox/api/clock", (c) => c.json({ now: controls.now() }));
  app.post("/sandbox/api/clock/advance", async (c) => {
    const body = await readJson(c, Advance);
    if (!body.ok) return body.response;
    return c.json({ now: controls.advanceClock(body.value.ms) });
  });

  app.post("/sandbox/api/latency", async (c) => {
    const body = await readJson(c, Latency);
    if (!body.ok) return body.response;
    controls.setLatency(body.value.ms);
    return c.json({ latencyMs: body.value.ms });
  });

  app.get("/sandbox/api/faults", (c) => c.json({ faults: controls.listFaults() }));
  app.post("/sandbox/api/faults", async (c) => {
    const body = await readJson(c, FaultSpec);
    if (!body.ok) return body.response;
    return c.json({ fault: controls.addFault(body.value) }, 201);
  });
  app.delete("/sandbox/api/faults", (c) => {
    controls.clearFaults();
    return c.json({ faults: [] });
  });

  app.post("/sandbox/api/notify-faults", async (c) => {
    const body = await readJson(c, NotifyFaultsBody);
    if (!body.ok) return body.response;
    return c.json({ notifyFaults: controls.setNotifyFaults(body.value) });
  });

  app.post("/sandbox/api/framing", async (c) => {
    const body = await readJson(c, Framing);
    if (!body.ok) return body.response;
    controls.setRefuseFraming(body.value.refuse);
    return c.json({ refuseFraming: body.value.refuse });
  });

  app.get("/sandbox/api/payouts/settings", (c) => c.json({ payouts: controls.state().payouts }));
  app.post("/sandbox/api/payouts/settings", async (c) => {
    const body = await readJson(c, PayoutSettingsBody);
    if (!body.ok) return body.response;
    try {
      return c.json({ payouts: controls.setPayoutSettings(body.value) });
    } catch (error) {
      return controlFailure(c, error);
    }
  });

  app.get("/sandbox/api/orders", (c) => {
    const type = c.req.query("transaction_type");
    if (type !== undefined && type !== "income" && type !== "expense") {
      return refusal(c, 400, "Invalid parameters", "transaction_type must be income or expense.");
    }
    const orders = controls.listOrders();
    return c.json({ orders: type === undefined ? orders : orders.filter((order) => order.transaction_type === type) });
  });

  app.get("/sandbox/api/orders/:id", (c) => {
    const id = c.req.param("id");
    try {
      const order = controls.getOrder(id, c.req.query("merchant_uid"));
      return order ? c.json({ order }) : refusal(c, 404, "Order not found", `No order with merchant_order_id '${id}'.`);
    } catch (error) {
      return controlFailure(c, error);
    }
  });

  app.post("/sandbox/api/orders/:id/:action", async (c) => {
    const action = c.req.param("action");
    if (!(ORDER_ACTIONS as readonly string[]).includes(action)) {
      return refusal(c, 404, "Unknown action", `Order actions are ${ORDER_ACTIONS.join(", ")}.`);
    }
    const body = await readJson(c, z.strictObject({}));
    if (!body.ok) return body.response;
    try {
      return c.json({ order: controls.act(action as OrderAction, c.req.param("id"), c.req.query("merchant_uid")) });
    } catch (error) {
      return controlFailure(c, error);
    }
  });

  return app;
}
