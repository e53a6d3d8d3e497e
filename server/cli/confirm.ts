/**
 * Asks before a command does what cannot be undone (a payout sends money): "[y/N]" on the terminal,
 * `--yes` to skip the question in scripts. With no terminal to ask and no `--yes` it refuses, so a
 * cron job never waits on a question nobody reads, and never takes silence for a yes.
 */
import { createInterface } from "node:readline/promises";
import { CliError } from "./errors.ts";

export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The question goes to stderr in the CLI, so stdout stays the result (and `--json` stays JSON). */
  output: NodeJS.WritableStream;
}

export async function confirm(question: string, options: { yes?: boolean | undefined; io: PromptIo }): Promise<boolean> {
  if (options.yes) return true;
  if (!options.io.input.isTTY) throw new CliError(`${question.replace(/\?$/, "")}: not confirmed (no terminal to ask); add --yes to confirm`);
  const prompt = createInterface({ input: options.io.input, output: options.io.output, terminal: false });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
