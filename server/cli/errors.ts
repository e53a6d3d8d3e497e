/**
 * The CLI's one error path: anything that goes wrong becomes one line on stderr and a non-zero exit,
 * never a stack trace (an operator reads it in a terminal or a cron mail, a script reads the code).
 */

/** A failure whose message is already the line an operator should read. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/** One line from any thrown value: its message, with line breaks folded and no stack. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const folded = message.replace(/\s*\n\s*/g, "; ").trim();
  return folded || (error instanceof Error ? error.name : "unknown error");
}
