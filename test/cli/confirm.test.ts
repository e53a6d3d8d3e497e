/**
 * The confirmation that commands which cannot be undone ask (payouts): only "y"/"yes" on a terminal
 * or `--yes` go ahead; no terminal and no --yes is a refusal, never a hang or a silent yes.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { confirm } from "../../server/cli/confirm.ts";
import { CliError } from "../../server/cli/errors.ts";

function terminal(typed: string | null, isTTY = true) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let asked = "";
  output.on("data", (chunk: Buffer) => (asked += chunk.toString()));
  if (typed !== null) input.end(typed);
  return { io: { input, output }, asked: () => asked };
}

describe("confirm", () => {
  it.each([
    ["y\n", true],
    ["YES\n", true],
    [" yes \n", true],
    ["\n", false],
    ["n\n", false],
    ["yep\n", false],
  ])("answer %j on a terminal → %s, after asking the question with [y/N]", async (typed, expected) => {
    const { io, asked } = terminal(typed);
    expect(await confirm("Send 1500.00 PHP to ****6789?", { io })).toBe(expected);
    expect(asked()).toBe("Send 1500.00 PHP to ****6789? [y/N] ");
  });

  it("goes ahead with --yes without asking, and refuses without a terminal rather than wait", async () => {
    const piped = terminal(null, false);
    expect(await confirm("Send it?", { yes: true, io: piped.io })).toBe(true);
    expect(piped.asked()).toBe("");
    await expect(confirm("Send 1500.00 PHP to ****6789?", { io: piped.io })).rejects.toThrow(CliError);
    await expect(confirm("Send 1500.00 PHP to ****6789?", { io: piped.io })).rejects.toThrow("Send 1500.00 PHP to ****6789: not confirmed (no terminal to ask); add --yes to confirm");
  });
});
