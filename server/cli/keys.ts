/**
 * `keys new`: a fresh merchant API key and webhook signing secret, from the OS's random source,
 * printed as lines for an env file with where each one goes. Needs no settings: it is how an
 * operator makes the settings in the first place.
 */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { SECRET_KEY } from "../middleware/secret-key.ts";
import { webhookSecretProblem } from "../webhooks/endpoints.ts";
import type { CliContext } from "./context.ts";
import { withJson } from "./options.ts";

/** `sk_live_` + 43 url-safe characters (256 random bits). */
function newSecretKey(): string {
  return `sk_live_${randomBytes(32).toString("base64url")}`;
}

/** Standard Webhooks' form: `whsec_` + base64 of 32 random bytes. */
function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function registerKeys(program: Command, context: CliContext): void {
  const keys = program.command("keys").description("make secrets for the merchant API and webhooks");
  withJson(keys.command("new").description("print a new secret key (sk_…) and webhook signing secret (whsec_…)")).action((options: { json?: boolean }) => {
    const secretKey = newSecretKey();
    const webhookSecret = newWebhookSecret();
    // Made by the same rules the server checks them with: a key this prints is one it accepts.
    if (!SECRET_KEY.test(secretKey) || webhookSecretProblem(webhookSecret)) throw new Error("generated a secret the server would refuse");
    if (options.json) return context.printJson({ secret_key: secretKey, webhook_secret: webhookSecret });
    context.print(
      [
        "# Merchant API key: on the server in CHECKOUT_SECRET_KEYS (comma-separated, to rotate), in your backend as Authorization: Bearer <key>",
        `CHECKOUT_SECRET_KEYS=${secretKey}`,
        "# Webhook signing secret: on the server in CHECKOUT_WEBHOOK_SECRET, in your endpoint to verify with the standardwebhooks package",
        `CHECKOUT_WEBHOOK_SECRET=${webhookSecret}`,
      ].join("\n"),
    );
  });
}
