/** The variables our middleware puts on Hono's context, typed once for every route and middleware. */
import type { RequestIdVariables } from "hono/request-id";

export interface AppEnv {
  Variables: RequestIdVariables;
}
