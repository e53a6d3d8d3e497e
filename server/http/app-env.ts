/** The variables our middleware puts on Hono's context, typed once for every route and middleware. */
import type { Envelope } from "../middleware/envelope.ts";

export interface AppEnv {
  Variables: { requestId: string; envelope: Envelope };
}
