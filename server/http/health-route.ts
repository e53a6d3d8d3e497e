/** GET /healthz: liveness and store readiness, for load balancers and operators. */
import { Hono } from "hono";
import type { OrderStore } from "../store/types.ts";

export function healthRoute(options: { store: OrderStore; mode: "sandbox" | "live" }) {
  return new Hono().get("/healthz", async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      await options.store.ping();
      return c.json({ status: "ok", mode: options.mode, store: options.store.kind });
    } catch {
      return c.json({ status: "unavailable", mode: options.mode, store: options.store.kind }, 503);
    }
  });
}
