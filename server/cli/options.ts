/**
 * Options shared by command groups, checked as the merchant API checks the same query parameters:
 * a bad value is refused by commander with one line naming the option and what is allowed.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { CHECKOUT_ID, EVENT_ID, PAYOUT_ID } from "../ids.ts";
import { CliError } from "./errors.ts";
import { printable } from "./format.ts";

export function limitOption(): Option {
  return new Option("--limit <n>", "how many, 1 to 100").default(20).argParser((value: string) => {
    if (!/^[0-9]{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100) throw new InvalidArgumentError("It must be a whole number from 1 to 100.");
    return Number(value);
  });
}

const jsonOption = () => new Option("--json", "print JSON for scripts (the merchant API's shapes)");

/** Adds `--json` to a command: every command that prints a result has it. */
export function withJson(command: Command): Command {
  return command.addOption(jsonOption());
}

const ID_KINDS = {
  order: { pattern: CHECKOUT_ID, shape: "ck_ followed by 22 characters" },
  event: { pattern: EVENT_ID, shape: "evt_ followed by 22 characters" },
  payout: { pattern: PAYOUT_ID, shape: "po_ followed by 22 characters" },
} as const;

/** Refuses an id of the wrong kind before asking the store, so a typo says what an id looks like. */
export function checkId(kind: keyof typeof ID_KINDS, id: string): string {
  const { pattern, shape } = ID_KINDS[kind];
  if (!pattern.test(id)) throw new CliError(`"${printable(id.slice(0, 40))}" is not ${kind === "order" || kind === "event" ? "an" : "a"} ${kind} id (${shape})`);
  return id;
}
