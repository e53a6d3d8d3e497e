/**
 * The log's writer (server/log.ts, stdoutLines): lines written together once per turn of the event
 * loop, in the order they were logged, parent and children alike, and none lost when the process
 * exits before that turn ends. Run in a child process of its own: it is the real stdout that counts.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const LOG = fileURLToPath(new URL("../../server/log.ts", import.meta.url));

/** `body` run as a module of its own, after `logger` is made with the default writer. */
const spawnLogging = (body: string) =>
  spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `import { createLogger } from ${JSON.stringify(LOG)};\nconst logger = createLogger();\n${body}`], { encoding: "utf8", timeout: 20_000 });

function run(body: string): string[] {
  const child = spawnLogging(body);
  expect(child.stderr).toBe("");
  return child.stdout
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe("log lines to stdout", () => {
  it("keeps the order of a parent's and its children's lines, across turns", () => {
    const lines = run(`
const child = logger.child({ request_id: "r1" });
logger.info("one"); child.info("two"); logger.info("three");
setTimeout(() => { child.warn("four"); logger.error("five"); }, 5);`);
    expect(lines).toEqual(["one", "two", "three", "four", "five"]);
  });

  it("writes the lines still waiting when the process exits in the same turn", () => {
    expect(run(`logger.info("stopping"); logger.info("stopped"); process.exit(0);`)).toEqual(["stopping", "stopped"]);
  });

  it("writes them when the process dies of an uncaught error", () => {
    const child = spawnLogging(`logger.error("last words"); throw new Error("boom");`);
    expect(child.status).not.toBe(0);
    expect(child.stdout).toContain('"msg":"last words"');
  });
});
