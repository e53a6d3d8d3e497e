/**
 * `payouts create|list|show`. Creating goes through the running server's merchant API, as the
 * merchant's backend would: one path for every payout, with the server's validation, day's cap,
 * gateway (the sandbox lives inside the server) and events. Listing and showing read the store.
 */
import { Option, type Command } from "commander";
import { describeAmountProblem, formatMinor, parseAmount } from "../gateway/amount.ts";
import { Currency, PaymentStatus } from "../gateway/schemas.ts";
import type { Payout } from "../merchant/schemas.ts";
import { payoutView } from "../merchant/views.ts";
import { isListItem } from "../merchant/cursor.ts";
import { storeLocation } from "../store/open-problem.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";
import { clean, fields, isoTime, money, table, when } from "./format.ts";
import { indent } from "./order-text.ts";
import { checkId, limitOption, withJson } from "./options.ts";
import { callServer } from "./server-api.ts";

interface CreateOptions {
  amount: string;
  currency: string;
  country: string;
  payment: string;
  to: string;
  toName: string;
  toBankName?: string;
  accountingType?: "pay" | "settle";
  description?: string;
  idempotencyKey?: string;
  yes?: boolean;
  json?: boolean;
}

function payoutTable(payouts: readonly Payout[]): string {
  return table(
    [{ title: "payout" }, { title: "status" }, { title: "amount", align: "right" }, { title: "payment" }, { title: "to" }, { title: "by" }, { title: "created" }],
    payouts.map((payout) => [payout.id, payout.status, money(payout.amount, payout.currency), `${payout.payment} (${payout.country})`, `${payout.to_name} ${payout.to}`, clean(payout.requested_by), isoTime(payout.created_at)]),
  );
}

function payoutPage(payout: Payout, now: number): string {
  const details = fields([
    ["merchant order id", payout.merchant_order_id],
    ["amount", money(payout.amount, payout.currency)],
    ["final amount", money(payout.final_amount, payout.currency)],
    ["payment", `${payout.payment} (${payout.country})`],
    ["payee", `${payout.to_name}, account ${payout.to}${payout.to_bank_name ? `, bank ${payout.to_bank_name}` : ""}`],
    ["accounting type", payout.accounting_type],
    ["description", clean(payout.description)],
    ["failure reason", clean(payout.failure_reason)],
    ["payment uid", clean(payout.payment_uid)],
    ["requested by", clean(payout.requested_by)],
    ["created", when(payout.created_at, now)],
    ["updated", when(payout.updated_at, now)],
  ]);
  const history =
    payout.history.length === 0
      ? "  (no status change yet)"
      : indent(table([{ title: "at" }, { title: "from" }, { title: "to" }, { title: "source" }], payout.history.map((change) => [isoTime(change.at), change.from, change.to, change.source])));
  return `Payout ${payout.id}  ${payout.status}\n${details}\n\nHistory\n${history}`;
}

/**
 * The amount as the payout will carry it ("1500" → "1500.00"), so that what is confirmed is what is
 * sent; one the server would refuse is refused before the question, not after a "yes". A currency
 * this does not know is left for the server to name.
 */
function amountToConfirm(amount: string, currency: string): string {
  const code = Currency.safeParse(currency.toLowerCase());
  if (!code.success) return amount;
  const parsed = parseAmount(amount, code.data);
  if (!parsed.ok) throw new CliError(`--amount ${JSON.stringify(amount)} ${describeAmountProblem(parsed.problem, code.data)}`);
  return formatMinor(parsed.minor, code.data);
}

export function registerPayouts(program: Command, context: CliContext): void {
  const payouts = program.command("payouts").description("send, list and show payouts (the gateway's expense orders)");

  withJson(
    payouts
      .command("create")
      .description("send a payout through the running server (asks for confirmation unless --yes)")
      .requiredOption("--amount <amount>", 'a decimal string, such as "1500.00"')
      .requiredOption("--currency <code>", "php, thb, vnd, …")
      .requiredOption("--country <code>", "two letters, such as PH")
      .requiredOption("--payment <method>", "the gateway's payout method")
      .requiredOption("--to <account>", "the payee's account")
      .requiredOption("--to-name <name>", "the payee's name")
      .option("--to-bank-name <code>", "the gateway's bank code (Thailand: required; Bangladesh: bkash)")
      .addOption(new Option("--accounting-type <type>", "pay (default) or settle").choices(["pay", "settle"]))
      .option("--description <text>", "a note kept with the payout")
      .option("--idempotency-key <key>", "retry a payout whose answer was lost: the same key never pays twice")
      .option("--yes", "do not ask for confirmation (scripts)"),
  ).action(async (options: CreateOptions) => {
    const settings = context.settings();
    const key = options.idempotencyKey ?? `cli-${crypto.randomUUID()}`;
    const masked = options.to.length > 4 ? `${"*".repeat(options.to.length - 4)}${options.to.slice(-4)}` : "****";
    const question = `Send ${amountToConfirm(options.amount, options.currency)} ${options.currency.toUpperCase()} to ${options.toName} (${masked}) by ${options.payment} (${options.country.toUpperCase()})?`;
    if (!(await context.confirm(question, { yes: options.yes }))) throw new CliError("not sent");
    const body = {
      amount: options.amount,
      currency: options.currency,
      country: options.country,
      payment: options.payment,
      to: options.to,
      to_name: options.toName,
      ...(options.toBankName ? { to_bank_name: options.toBankName } : {}),
      ...(options.accountingType ? { accounting_type: options.accountingType } : {}),
      ...(options.description ? { description: options.description } : {}),
    };
    const payout = (await callServer(settings, "POST", "/payouts", { body, idempotencyKey: key, timeoutMs: 60_000 })) as Payout;
    if (options.json) return context.printJson(payout);
    context.print(`${payoutPage(payout, context.now())}\n\nIdempotency-Key ${key}: run again with --idempotency-key ${key} to retry without paying twice.`);
  });

  withJson(
    payouts
      .command("list")
      .description("list payouts, newest first")
      .addOption(new Option("--status <status>", "only payouts with this status").choices(PaymentStatus.options))
      .addOption(limitOption())
      .option("--starting-after <id>", "the next page: the last payout id of the previous one"),
  ).action(async (options: { status?: PaymentStatus; limit: number; startingAfter?: string; json?: boolean }) => {
    if (options.startingAfter) checkId("payout", options.startingAfter);
    const store = await context.store();
    if (options.startingAfter && !(await isListItem(store, "payout", options.startingAfter))) throw new CliError(`no payout ${options.startingAfter}: --starting-after takes the last payout id of the previous page`);
    const page = await store.listOrders({ kind: "payout", status: options.status, limit: options.limit, startingAfter: options.startingAfter });
    const data = await Promise.all(page.data.map(async (payout) => payoutView(payout, await store.history(payout.id))));
    if (options.json) return context.printJson({ data, has_more: page.hasMore });
    if (data.length === 0) return context.print(options.startingAfter ? "No more payouts." : "No payouts.");
    context.print(payoutTable(data));
    if (page.hasMore) context.print(`\nMore: add --starting-after ${data.at(-1)!.id}`);
  });

  withJson(payouts.command("show").description("show one payout with its status history").argument("<id>", "the payout id (po_…)")).action(async (id: string, options: { json?: boolean }) => {
    checkId("payout", id);
    const store = await context.store();
    const payout = await store.get(id);
    if (!payout || payout.kind !== "payout") throw new CliError(`no payout ${id} in the store (${storeLocation(context.settings())})`);
    const view = payoutView(payout, await store.history(id));
    if (options.json) return context.printJson(view);
    context.print(payoutPage(view, context.now()));
  });
}
