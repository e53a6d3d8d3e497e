/**
 * `webhooks test`: sends one signed event (Standard Webhooks, through the same `sendWebhook` as the
 * dispatcher, with the same address rules) and prints what each endpoint answered. Exits 1 when an
 * endpoint did not answer 2xx, so a deploy script can check its webhooks.
 */
import { Option, type Command } from "commander";
import { sendWebhook } from "../webhooks/send.ts";
import { webhookSecretProblem, webhookUrlProblem, type WebhookEndpoint } from "../webhooks/endpoints.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";
import { table, truncate } from "./format.ts";
import { withJson } from "./options.ts";
import { TEST_EVENT_TYPE, TEST_EVENT_TYPES, testMessage, type TestEventType } from "./test-event.ts";

interface TestOptions {
  endpoint?: string;
  url?: string;
  secret?: string;
  type: TestEventType;
  json?: boolean;
}

/** A URL as printed: no query string or credentials, which some endpoints use for tokens. */
function shownUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
}

function targets(context: CliContext, options: TestOptions): WebhookEndpoint[] {
  const settings = context.settings();
  if (options.url !== undefined || options.secret !== undefined) {
    if (options.endpoint !== undefined) throw new CliError("give --endpoint, or --url with --secret, not both");
    if (options.url === undefined) throw new CliError("--secret goes with --url: the endpoint to send to");
    if (options.secret === undefined) throw new CliError("--url needs --secret: the endpoint's whsec_ signing secret");
    const urlProblem = webhookUrlProblem(options.url, { sandbox: settings.gateway.mode === "sandbox", allowPrivate: settings.config.allowPrivateWebhookUrls });
    if (urlProblem) throw new CliError(`--url ${urlProblem}`);
    const secretProblem = webhookSecretProblem(options.secret);
    if (secretProblem) throw new CliError(`--secret ${secretProblem}`);
    return [{ name: "(--url)", url: options.url, secret: options.secret, types: null }];
  }
  const configured = settings.webhooks;
  if (options.endpoint !== undefined) {
    const endpoint = configured.find((candidate) => candidate.name === options.endpoint);
    if (!endpoint) throw new CliError(`--endpoint "${options.endpoint}" is not configured; configured: ${configured.map((candidate) => candidate.name).join(", ") || "none"}`);
    return [endpoint];
  }
  if (configured.length === 0) throw new CliError("no webhook endpoint is configured (CHECKOUT_WEBHOOK_URL, or webhooks in the config file): configure one, or give --url and --secret");
  return [...configured];
}

export function registerWebhooks(program: Command, context: CliContext): void {
  const webhooks = program.command("webhooks").description("check webhook endpoints");

  withJson(
    webhooks
      .command("test")
      .description("send a signed test event to the configured endpoints (or one) and print what each answered")
      .option("--endpoint <name>", "only this configured endpoint")
      .option("--url <url>", "an endpoint that is not configured (with --secret)")
      .option("--secret <whsec>", "the signing secret for --url")
      .addOption(
        new Option("--type <type>", `${TEST_EVENT_TYPE} (a ping), or an order event type to send a sample order`).choices(TEST_EVENT_TYPES).default(TEST_EVENT_TYPE),
      ),
  ).action(async (options: TestOptions) => {
    const endpoints = targets(context, options);
    const settings = context.settings();
    const message = testMessage(options.type, settings.config, context.now());
    const send = { allowPrivate: settings.config.allowPrivateWebhookUrls, sandbox: settings.gateway.mode === "sandbox" };
    const results = await Promise.all(endpoints.map(async (endpoint) => ({ endpoint, outcome: await sendWebhook(endpoint, message, send) })));
    if (results.some(({ outcome }) => !outcome.ok)) context.exitCode = 1;

    if (options.json) {
      return context.printJson({
        type: message.type,
        event_id: message.id,
        results: results.map(({ endpoint, outcome }) => ({
          endpoint: endpoint.name,
          url: shownUrl(endpoint.url),
          ok: outcome.ok,
          status_code: outcome.statusCode,
          duration_ms: outcome.durationMs,
          error: outcome.error,
        })),
      });
    }
    context.print(`Sent ${message.type} ${message.id}, signed with each endpoint's secret:\n`);
    context.print(
      table(
        [{ title: "endpoint" }, { title: "url" }, { title: "result" }, { title: "answer", align: "right" }, { title: "time", align: "right" }, { title: "error" }],
        results.map(({ endpoint, outcome }) => [
          endpoint.name,
          shownUrl(endpoint.url),
          outcome.ok ? "ok" : "FAILED",
          outcome.statusCode === null ? "-" : String(outcome.statusCode),
          `${outcome.durationMs} ms`,
          outcome.error ? truncate(outcome.error, 80) : outcome.ok ? "" : "not a 2xx answer",
        ]),
      ),
    );
  });
}
