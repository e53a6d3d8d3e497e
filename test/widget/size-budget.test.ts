import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { WIDGET_BUDGET, sizeBudget } from "../../vite.config.ts";

/** Runs the plugin's generateBundle on one chunk, as the build would. */
function run(code: string, budget = { file: "widget.js", target: 300, limit: 600 }) {
  const plugin = sizeBudget(budget);
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
  it("is 10 KiB to aim for and 12 KiB to fail at, gzip level 9", () => {
    expect(WIDGET_BUDGET).toEqual({ file: "widget.js", target: 10 * 1024, limit: 12 * 1024 });
  });

  it("fails the build above the limit, saying by how much", () => {
    expect(() => run(incompressible(700))).toThrow(/^widget\.js is \d+ B gzipped \(\d+\.\d\d KiB\), over its 0\.59 KiB limit/);
  });

  it("passes under the limit and says when it is over the target", () => {
    expect(run(incompressible(450))[0]).toMatch(/^widget\.js is \d+ B gzipped .*limit 0\.59 KiB, target 0\.29 KiB, over the target by \d+ B\.$/);
    expect(run("console.log(1)")[0]).toMatch(/target 0\.29 KiB\.$/);
  });
});
