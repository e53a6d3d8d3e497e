/** GET /healthz: liveness and store readiness, for load balancers and operators. */
import { Hono } from "hono";
import type { Logger } from "../log.ts";
import type { OrderStore } from "../store/types.ts";
import { storeUnavailableCode } from "../store/unavailable.ts";

export function healthRoute(options: { store: OrderStore; logger: Logger; mode: "sandbox" | "live" }) {
  return new Hono().get("/healthz", async (c) => {
    c.header("Cache-Control", "no-store");
    try {
      await options.store.ping();
      return c.json({ status: "ok", mode: options.mode, store: options.store.kind });
    } catch (error) {
      // Whatever failed, this instance cannot serve orders: a load balancer should take it out.
      // Logged by its code only (an error's message may name the database's address or user).
      const code = storeUnavailableCode(error) ?? (error instanceof Error ? error.name : "unknown");
      options.logger.warn("store unavailable", { path: "/healthz", store: options.store.kind, code });
      return c.json({ status: "unavailable", mode: options.mode, store: options.store.kind }, 503);
    }
  });
}
