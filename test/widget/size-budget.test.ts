import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { gunzipSync, gzipSync } from "node:zlib";
import { WIDGET_BUDGET, precompress, sizeBudget } from "../../vite.config.ts";

/** Runs the plugin's generateBundle on one chunk, as the build would; `languages`: a folder of translations. */
async function run(code: string, languages = mkdtempSync(join(tmpdir(), "no-languages-")), budget = { file: "widget.js", target: 300, limit: 600, shopper: 1_000, shopperLimit: 2_000 }, others: Record<string, unknown> = {}) {
  const plugin = sizeBudget(budget, languages);
  const context = {
    error: (message: string) => {
      throw new Error(message);
    },
    info: vi.fn<(message: string) => void>(),
  };
  const hook = plugin.generateBundle as unknown as (this: typeof context, options: unknown, bundle: Record<string, unknown>) => Promise<void>;
  await hook.call(context, {}, { [budget.file]: { type: "chunk", code }, ...others });
  return context.info.mock.calls.map(([message]) => message);
}

// Random bytes as hex barely compress, so their gzip size is close to half their length.
const incompressible = (gzipBytes: number) => randomBytes(gzipBytes).toString("hex");

describe("the widget's size budget in the build", () => {
  it("holds the loader to 2.5 kB (the build fails above 3 kB), and what a shopper who opens the checkout downloads to 14 kB (the build fails above 15.3 kB), gzip as served", () => {
    expect(WIDGET_BUDGET).toEqual({ file: "widget.js", target: 2_500, limit: 3_000, shopper: 14_000, shopperLimit: 15_300 });
  });

  it("fails the build when loader + dialog + English is over its limit, saying by how much", async () => {
    const dialog = (gzipBytes: number) => ({ "dialog.0123456789ab.js": { type: "asset", fileName: "dialog.0123456789ab.js", source: incompressible(gzipBytes) } });
    await expect(run("console.log(1)", undefined, undefined, dialog(2_100))).rejects.toThrow(/^loader \+ dialog\.0123456789ab\.js \+ English is \d+ B gzipped \(2\.\d\d kB\), over its 2\.00 kB limit \(target 1\.00 kB\)/);
    await expect(run("console.log(1)", undefined, undefined, dialog(1_500))).resolves.toBeDefined();
  });

  it("fails the build above the limit, saying by how much", async () => {
    await expect(run(incompressible(700))).rejects.toThrow(/^widget\.js is \d+ B gzipped \(\d+\.\d\d kB\), over its 0\.60 kB limit/);
  });

  it("passes under the limit and says when it is over the target", async () => {
    expect((await run(incompressible(450)))[0]).toMatch(/^widget\.js is \d+ B gzipped .*limit 0\.60 kB, target 0\.30 kB, over the target by \d+ B\.$/);
    expect((await run("console.log(1)"))[0]).toMatch(/target 0\.30 kB\.$/);
  });

  it("counts the dialog file, and the largest translation, in what a shopper downloads", async () => {
    const languages = mkdtempSync(join(tmpdir(), "languages-"));
    writeFileSync(join(languages, "th.json"), JSON.stringify({ pay: incompressible(400) }));
    writeFileSync(join(languages, "id.json"), JSON.stringify({ pay: "Bayar" }));
    writeFileSync(join(languages, "README.md"), incompressible(2000));
    const [line] = await run("console.log(1)", languages, undefined, { "dialog.0123456789ab.js": { type: "asset", fileName: "dialog.0123456789ab.js", source: incompressible(1_100) } });
    expect(line).toMatch(/^widget\.js is (\d+) B gzipped \(0\.\d\d kB\): .*; dialog\.0123456789ab\.js is (\d+) B .*; loader \+ dialog \+ English (\d+) B .*target 1\.00 kB, OVER by \d+ B; with th\.json, the largest translation, (\d+) B\.$/);
    const [, loader, dialog, english, most] = /is (\d+) B.*is (\d+) B.*English (\d+) B.*translation, (\d+) B/.exec(line!)!.map(Number);
    expect(english).toBe(loader! + dialog!);
    expect(most! - english!).toBeGreaterThan(400);
  });

  it("counts the very bytes the build writes as <file>.gz for the server to send: zopfli's gzip, smaller than zlib's level 9", async () => {
    const code = Array.from({ length: 60 }, (_, i) => `function f${i}(a){return a*${i}+"${i.toString(36)}"}`).join(";");
    const emitted: Array<{ fileName: string; source: Uint8Array }> = [];
    const hook = precompress().generateBundle as unknown as (this: unknown, options: unknown, bundle: Record<string, unknown>) => Promise<void>;
    const bundle = { "widget.js": { type: "chunk", fileName: "widget.js", code }, "notes.txt": { type: "asset", fileName: "notes.txt", source: "x" } };
    await hook.call({ emitFile: (file: { fileName: string; source: Uint8Array }) => emitted.push(file) }, {}, bundle);
    expect(emitted.map((file) => file.fileName)).toEqual(["widget.js.gz"]);
    const gz = emitted[0]!.source;
    expect(gunzipSync(gz).toString()).toBe(code);
    expect(gz.length).toBeLessThan(gzipSync(code, { level: 9 }).length);
    const [line] = await run(code);
    expect(line).toMatch(new RegExp(`^widget\\.js is ${gz.length} B gzipped`));
  });
});
