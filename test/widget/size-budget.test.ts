import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { WIDGET_BUDGET, sizeBudget } from "../../vite.config.ts";

/** Runs the plugin's generateBundle on one chunk, as the build would; `languages`: a folder of translations. */
function run(code: string, languages = mkdtempSync(join(tmpdir(), "no-languages-")), budget = { file: "widget.js", target: 300, limit: 600 }) {
  const plugin = sizeBudget(budget, languages);
  const context = {
    error: (message: string) => {
      throw new Error(message);
    },
    info: vi.fn<(message: string) => void>(),
  };
  const hook = plugin.generateBundle as unknown as (this: typeof context, options: unknown, bundle: Record<string, unknown>) => void;
  hook.call(context, {}, { [budget.file]: { type: "chunk", code } });
  return context.info.mock.calls.map(([message]) => message);
}

// Random bytes as hex barely compress, so their gzip size is close to half their length.
const incompressible = (gzipBytes: number) => randomBytes(gzipBytes).toString("hex");

describe("the widget's size budget in the build", () => {
  it("is 10 kB to aim for and 12 kB to fail at (1,000 B each), gzip level 9", () => {
    expect(WIDGET_BUDGET).toEqual({ file: "widget.js", target: 10_000, limit: 12_000 });
  });

  it("fails the build above the limit, saying by how much", () => {
    expect(() => run(incompressible(700))).toThrow(/^widget\.js is \d+ B gzipped \(\d+\.\d\d kB\), over its 0\.60 kB limit/);
  });

  it("passes under the limit and says when it is over the target", () => {
    expect(run(incompressible(450))[0]).toMatch(/^widget\.js is \d+ B gzipped .*limit 0\.60 kB, target 0\.30 kB, over the target by \d+ B\.$/);
    expect(run("console.log(1)")[0]).toMatch(/target 0\.30 kB\.$/);
  });

  it("counts the largest translation in what a shopper downloads, against the target", () => {
    const languages = mkdtempSync(join(tmpdir(), "languages-"));
    writeFileSync(join(languages, "th.json"), JSON.stringify({ pay: incompressible(400) }));
    writeFileSync(join(languages, "id.json"), JSON.stringify({ pay: "Bayar" }));
    writeFileSync(join(languages, "README.md"), incompressible(2000));
    const [line] = run("console.log(1)", languages);
    expect(line).toMatch(/^widget\.js is (\d+) B gzipped \(0\.\d\d kB\); with th\.json, the largest translation, (\d+) B .*target 0\.30 kB, over the target by \d+ B\.$/);
    const [, alone, total] = /is (\d+) B.* (\d+) B \(/.exec(line!)!;
    expect(Number(total) - Number(alone)).toBeGreaterThan(400);
  });
});
