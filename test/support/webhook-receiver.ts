/**
 * A merchant's webhook endpoint on 127.0.0.1 for tests: verifies every delivery with the
 * `standardwebhooks` package (as a merchant would), records it, and answers what the test says.
 */
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";
import { serve, type Served } from "./serve.ts";

export const TEST_WEBHOOK_SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC1vZi0zMi1ieXRlcyE=";

export interface Received {
  id: string;
  timestamp: string;
  type: string;
  data: Record<string, unknown>;
  verified: boolean;
  at: number;
}

export interface Receiver extends Served {
  received: Received[];
  /** What to answer next: a status (and headers), or "hang" for no answer. */
  answer: (received: Received) => { status: number; headers?: Record<string, string> } | "hang";
}

export async function startReceiver(secret = TEST_WEBHOOK_SECRET): Promise<Receiver> {
  const verifier = new Webhook(secret);
  const receiver = { received: [] as Received[], answer: (() => ({ status: 204 })) as Receiver["answer"] };
  const app = new Hono().post("/hooks", async (c) => {
    const body = await c.req.text();
    const headers = { "webhook-id": c.req.header("webhook-id") ?? "", "webhook-timestamp": c.req.header("webhook-timestamp") ?? "", "webhook-signature": c.req.header("webhook-signature") ?? "" };
    let verified = true;
    let payload: { type: string; data: Record<string, unknown> };
    try {
      payload = verifier.verify(body, headers) as typeof payload;
    } catch {
      verified = false;
      payload = JSON.parse(body) as typeof payload;
    }
    const entry: Received = { id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], type: payload.type, data: payload.data, verified, at: Date.now() };
    receiver.received.push(entry);
    const answer = receiver.answer(entry);
    if (answer === "hang") return new Promise<Response>(() => {});
    return c.body(null, answer.status as 204, answer.headers ?? {});
  });
  const served = await serve(app);
  return Object.assign(receiver, served, { url: `${served.url}/hooks` });
}
