/**
 * What every command group gets: the server's own settings (read once, only when a command needs
 * them, so `keys new` works while the settings are still being written), the store (opened once,
 * migrated, closed at the end), and where to print. Commands never touch process.env or exit.
 */
import { existsSync } from "node:fs";
import { readServerSettings, type Env, type ServerSettings } from "../config.ts";
import type { OrderStore } from "../store/types.ts";
import { confirm, type PromptIo } from "./confirm.ts";
import { storeOpenProblem } from "../store/open-problem.ts";
import { CliError } from "./errors.ts";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliContext {
  now(): number;
  /** Prints lines for a person. */
  print(text: string): void;
  /** Prints a value for a script: the merchant API's shapes, as JSON. */
  printJson(value: unknown): void;
  /** A warning that is not the result (stderr), so `--json` output stays parseable. */
  warn(text: string): void;
  settings(): ServerSettings;
  store(): Promise<OrderStore>;
  /** For what cannot be undone (payouts): true on "y" at the terminal or with `yes` (--yes). */
  confirm(question: string, options?: { yes?: boolean | undefined }): Promise<boolean>;
  /** A command that ran but whose result is a failure (a webhook test that got a 500) sets 1. */
  exitCode: number;
  close(): Promise<void>;
}

async function openStore(settings: ServerSettings): Promise<OrderStore> {
  // A typo in CHECKOUT_SQLITE_FILE would otherwise make a new, empty store and show "no orders".
  if (!settings.databaseUrl && settings.sqliteFile !== ":memory:" && !existsSync(settings.sqliteFile)) {
    throw new CliError(`no store at ${settings.sqliteFile}: start the server once (npm start), or set CHECKOUT_SQLITE_FILE or DATABASE_URL as the server has them`);
  }
  let store: OrderStore | undefined;
  try {
    // Loaded when a command needs it: `keys new` and `--help` start without the database drivers.
    const { createStore } = await import("../store/index.ts");
    store = createStore({ databaseUrl: settings.databaseUrl, sqliteFile: settings.sqliteFile });
    await store.migrate();
  } catch (error) {
    await store?.close().catch(() => {});
    throw new CliError(storeOpenProblem(error, settings));
  }
  // Events this CLI writes (orders refresh) get a delivery per endpoint, as the server's would;
  // the running server's dispatcher sends them.
  store.setSubscriptions(settings.webhooks.map((endpoint) => ({ endpoint: endpoint.name, types: endpoint.types })));
  return store;
}

export function createCliContext(io: CliIo, options: { env?: Env; now?: () => number; prompt?: PromptIo } = {}): CliContext {
  let settings: ServerSettings | undefined;
  let opening: Promise<OrderStore> | undefined;
  const context: CliContext = {
    now: options.now ?? Date.now,
    print: (text) => io.stdout(`${text}\n`),
    printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    warn: (text) => io.stderr(`${text}\n`),
    settings() {
      if (settings) return settings;
      const read = readServerSettings(options.env);
      if (!read.ok) throw new CliError(`the server's settings are not valid: ${read.problems.join("; ")}`);
      return (settings = read.settings);
    },
    store() {
      return (opening ??= openStore(context.settings()));
    },
    confirm: (question, { yes } = {}) => confirm(question, { yes, io: options.prompt ?? { input: process.stdin, output: process.stderr } }),
    exitCode: 0,
    async close() {
      if (!opening) return;
      const store = await opening.catch(() => undefined);
      await store?.close().catch(() => {});
    },
  };
  return context;
}
