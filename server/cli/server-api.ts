/**
 * Asks the running checkout server's merchant API, as the merchant's backend would: for the one thing
 * the CLI cannot do on its own in sandbox mode (the sandbox gateway lives inside the server process).
 */
import type { ServerSettings } from "../config.ts";
import { CliError, oneLine } from "./errors.ts";

export async function callServer(
  settings: ServerSettings,
  method: "GET" | "POST",
  path: string,
  options: { fetch?: typeof fetch; timeoutMs?: number; body?: unknown; idempotencyKey?: string } = {},
): Promise<unknown> {
  const url = `${settings.publicUrl}/api/v1${path}`;
  const key = settings.secretKeys[0];
  if (!key) throw new CliError("the merchant API is off (no CHECKOUT_SECRET_KEYS): the CLI cannot ask the server");
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? oneLine(error);
    throw new CliError(`no server answers at ${settings.publicUrl} (${cause}): start it with npm start, or set CHECKOUT_PUBLIC_URL to where it runs`);
  }
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok) {
    const message = body?.error?.message ?? `HTTP ${response.status}`;
    throw new CliError(`the server at ${settings.publicUrl} answered ${response.status}: ${message}`);
  }
  if (body === null) throw new CliError(`the server at ${settings.publicUrl} did not answer JSON`);
  return body;
}
