import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { en } from "../../widget/i18n/en.ts";
import { WIDGET_BUDGET, precompress, servedBrotli, sizeBudget } from "../../vite.config.ts";

/** Runs the plugin's generateBundle on one chunk, as the build would; `languages`: a folder of translations. */
async function run(code: string, languages = mkdtempSync(join(tmpdir(), "no-languages-")), budget = { file: "widget.js", target: 300, limit: 600, shopper: 1_000, shopperGzipLimit: 2_000 }, others: Record<string, unknown> = {}) {
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
  it("holds the loader to 2.5 kB gzip (the build fails above 3 kB), and what a shopper who opens the checkout downloads to 14 kB in brotli (the build fails above it, and above 14 kB gzip for a gzip-only client)", () => {
    expect(WIDGET_BUDGET).toEqual({ file: "widget.js", target: 2_500, limit: 3_000, shopper: 14_000, shopperGzipLimit: 14_000 });
  });

  // Random bytes as hex: their brotli and gzip sizes are both close to half their length.
  const dialog = (compressedBytes: number) => ({ "dialog.0123456789ab.js": { type: "asset", fileName: "dialog.0123456789ab.js", source: incompressible(compressedBytes) } });

  it("fails the build when loader + dialog + English is over its limit in brotli, what a browser downloads, saying by how much", async () => {
    await expect(run("console.log(1)", undefined, { file: "widget.js", target: 300, limit: 600, shopper: 1_000, shopperGzipLimit: 5_000 }, dialog(1_100))).rejects.toThrow(
      /^loader \+ dialog\.0123456789ab\.js \+ English is \d+ B in brotli \(1\.\d\d kB\), over its 1\.00 kB limit/,
    );
    await expect(run("console.log(1)", undefined, { file: "widget.js", target: 300, limit: 600, shopper: 1_000, shopperGzipLimit: 5_000 }, dialog(900))).resolves.toBeDefined();
  });

  it("fails the build when loader + dialog + English is over its gzip limit, what a gzip-only client downloads, saying by how much", async () => {
    await expect(run("console.log(1)", undefined, { file: "widget.js", target: 300, limit: 600, shopper: 5_000, shopperGzipLimit: 2_000 }, dialog(2_100))).rejects.toThrow(
      /^loader \+ dialog\.0123456789ab\.js \+ English is \d+ B gzipped \(2\.\d\d kB\), over its 2\.00 kB limit \(target 5\.00 kB\)/,
    );
    await expect(run("console.log(1)", undefined, { file: "widget.js", target: 300, limit: 600, shopper: 5_000, shopperGzipLimit: 2_000 }, dialog(1_500))).resolves.toBeDefined();
  });

  it("fails the build above the limit, saying by how much", async () => {
    await expect(run(incompressible(700))).rejects.toThrow(/^widget\.js is \d+ B gzipped \(\d+\.\d\d kB\), over its 0\.60 kB limit/);
  });

  it("passes under the limit and says when it is over the target", async () => {
    expect((await run(incompressible(450)))[0]).toMatch(/^widget\.js is \d+ B gzipped .*limit 0\.60 kB, target 0\.30 kB, over the target by \d+ B\.$/);
    expect((await run("console.log(1)"))[0]).toMatch(/target 0\.30 kB\.$/);
  });

  it("counts the dialog file, and the largest translation, in what a shopper downloads, in brotli and gzipped", async () => {
    const languages = mkdtempSync(join(tmpdir(), "languages-"));
    writeFileSync(join(languages, "th.json"), JSON.stringify({ pay: incompressible(400) }));
    writeFileSync(join(languages, "id.json"), JSON.stringify({ pay: "Bayar" }));
    writeFileSync(join(languages, "README.md"), incompressible(2000));
    const [line] = await run("console.log(1)", languages, { file: "widget.js", target: 300, limit: 600, shopper: 1_500, shopperGzipLimit: 2_000 }, dialog(1_100));
    expect(line).toMatch(
      /^widget\.js is (\d+) B gzipped \(0\.\d\d kB\): .*; dialog\.0123456789ab\.js is (\d+) B .*; loader \+ dialog \+ English (\d+) B in brotli .*what a browser downloads.*; (\d+) B gzipped .*what a gzip-only client downloads, limit 2\.00 kB; with th\.json, the largest translation, (\d+) B in brotli, (\d+) B gzipped\.$/,
    );
    const [, loader, dialogSize, brotli, english, mostBrotli, most] = /is (\d+) B.*is (\d+) B.*English (\d+) B in brotli.*; (\d+) B gzipped.*translation, (\d+) B in brotli, (\d+) B gzipped/.exec(line!)!.map(Number);
    expect(english).toBe(loader! + dialogSize!);
    expect(brotli).toBeLessThan(english!);
    expect(most! - english!).toBeGreaterThan(400);
    expect(mostBrotli! - brotli!).toBeGreaterThan(400);
    // Under the target in brotli, over it gzipped (English prose, where brotli's built-in dictionary helps): said, with by how much.
    const prose = { "dialog.0123456789ab.js": { type: "asset", fileName: "dialog.0123456789ab.js", source: Object.values(en).join(" ") } };
    const [over] = await run("console.log(1)", languages, { file: "widget.js", target: 300, limit: 600, shopper: 750, shopperGzipLimit: 2_000 }, prose);
    expect(over).toMatch(/English \d+ B in brotli \(0\.\d\d kB\), what a browser downloads, target and limit 0\.75 kB; \d+ B gzipped \(0\.\d\d kB\), what a gzip-only client downloads, limit 2\.00 kB, over the 0\.75 kB target by \d+ B;/);
  });

  it("counts the very bytes the build writes as <file>.br and <file>.gz for the server to send: brotli at quality 11, and zopfli's gzip, smaller than zlib's level 9", async () => {
    const code = Array.from({ length: 60 }, (_, i) => `function f${i}(a){return a*${i}+"${i.toString(36)}"}`).join(";");
    const emitted: Array<{ fileName: string; source: Uint8Array }> = [];
    const hook = precompress().generateBundle as unknown as (this: unknown, options: unknown, bundle: Record<string, unknown>) => Promise<void>;
    const bundle = { "widget.js": { type: "chunk", fileName: "widget.js", code }, "notes.txt": { type: "asset", fileName: "notes.txt", source: "x" } };
    await hook.call({ emitFile: (file: { fileName: string; source: Uint8Array }) => emitted.push(file) }, {}, bundle);
    expect(emitted.map((file) => file.fileName)).toEqual(["widget.js.br", "widget.js.gz"]);
    const [br, gz] = emitted.map((file) => file.source) as [Uint8Array, Uint8Array];
    expect(brotliDecompressSync(br).toString()).toBe(code);
    expect(br.length).toBe(brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
    expect(gunzipSync(gz).toString()).toBe(code);
    expect(gz.length).toBeLessThan(gzipSync(code, { level: 9 }).length);
    const [line] = await run(code);
    expect(line).toMatch(new RegExp(`^widget\\.js is ${gz.length} B gzipped`));
  });

  it("counts in brotli the loader and the dialog file as the build writes them", async () => {
    const code = Array.from({ length: 60 }, (_, i) => `function f${i}(a){return a*${i}+"${i.toString(36)}"}`).join(";");
    const source = Array.from({ length: 80 }, (_, i) => `function g${i}(b){return b-${i}+"${(i * 7).toString(36)}"}`).join(";");
    const [line] = await run(code, undefined, { file: "widget.js", target: 300, limit: 2_000, shopper: 5_000, shopperGzipLimit: 9_000 }, { "dialog.0123456789ab.js": { type: "asset", fileName: "dialog.0123456789ab.js", source } });
    expect(line).toContain(`English ${servedBrotli(code).length + servedBrotli(source).length} B in brotli`);
  });
});
