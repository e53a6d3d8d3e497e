/**
 * `npx octopus-checkout …`: the operator's commands, on the server's own settings and store.
 * Each command group is one module with a `register(program, context)`; adding one (payouts) is a
 * new file and one line in COMMAND_GROUPS (a command that cannot be undone asks `context.confirm`,
 * with a `--yes` option). Every failure ends here as one line and exit code 1.
 */
import { Command, CommanderError } from "commander";
import { createCliContext, type CliContext, type CliIo } from "./context.ts";
import { oneLine } from "./errors.ts";
import { registerEvents } from "./events.ts";
import { registerKeys } from "./keys.ts";
import { registerOrders } from "./orders.ts";
import { registerPayouts } from "./payouts.ts";
import { registerWebhooks } from "./webhooks.ts";

export type RegisterCommands = (program: Command, context: CliContext) => void;

/** In the order `--help` lists them. */
const COMMAND_GROUPS: readonly RegisterCommands[] = [registerKeys, registerOrders, registerPayouts, registerEvents, registerWebhooks];

const NAME = "octopus-checkout";
const EXAMPLES = `
Examples:
  $ npx ${NAME} keys new
  $ npx ${NAME} orders list --status completed --limit 10
  $ npx ${NAME} orders show ck_Yb2mS0xq9rW4nQk3T1aZcA --json
  $ npx ${NAME} payouts create --amount 1500.00 --currency php --country PH --payment gcash --to 09171234567 --to-name "Juan Dela Cruz"
  $ npx ${NAME} payouts list --status completed
  $ npx ${NAME} events list --order ck_Yb2mS0xq9rW4nQk3T1aZcA
  $ npx ${NAME} webhooks test --endpoint default

It reads the same environment and config file as npm start (run it where the server runs).`;

/** Commander's own messages ("error: unknown option …\\n(Did you mean …?)") as our one line. */
const commanderLine = (text: string) => `${NAME}: ${text.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim()}\n`;

function buildProgram(context: CliContext, io: CliIo): Command {
  const program = new Command(NAME)
    .description("Operator commands for an octopus-checkout server: keys, orders, payouts, events and webhooks.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(commanderLine(text)) })
    .showSuggestionAfterError(true)
    .addHelpText("after", EXAMPLES);
  for (const register of COMMAND_GROUPS) register(program, context);
  return program;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs the CLI on `argv` (as process.argv: node, script, …) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const context = createCliContext(io);
  try {
    await buildProgram(context, io).parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    // Commander has already printed its line (or the help it was asked for).
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`${NAME}: ${oneLine(error)}\n`);
    return 1;
  } finally {
    await context.close();
  }
}
