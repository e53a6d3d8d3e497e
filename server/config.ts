/**
 * Configuration read from the environment: the only module of the server that touches `process.env`,
 * so that everything else receives its settings as plain values (and tests never depend on the shell).
 * The standalone sandbox reads its own in demo/sandbox/settings.ts, so as not to import the server.
 * Problems are reported all at once, one line each, so a misconfigured deploy is fixed in one go.
 */
import { parseServerSettings } from "./server-settings.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Settings of the checkout server (`npm start`): the gateway (or sandbox mode), port, public URL,
 * origins, store, and the config file it names. `{ok: false}` lists every problem, one line each.
 */
export function readServerSettings(env: Env = process.env) {
  return parseServerSettings(env);
}
