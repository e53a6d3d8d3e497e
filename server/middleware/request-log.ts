/** One JSON line per request, tagged with the request id (hono's requestId middleware sets it). */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import type { Logger } from "../log.ts";

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    // Paths only, never query strings or headers: they are where tokens and addresses hide.
    logger.info("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
