/**
 * Sizes: the loader (widget.js) and the dialog file against their budgets, what a shopper who opens
 * the checkout downloads in all, Preact's share of it, the single widget.js of before the split,
 * and Polar's published embed script, all measured the same way.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin, type Rolldown } from "vite";
import { encodeAsset } from "../../server/http/encoded-asset.ts";
import { servedBrotli, servedGzip, trimPreact, WIDGET_BUDGET } from "../../vite.config.ts";
import { withShortNames } from "../../widget/i18n/message-names.ts";
import { viteBuild } from "../support/vite-build.ts";
import { moduleShares, type ModuleShare } from "./size-modules.ts";
import { fmt, kB, type Row } from "./table.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Sizes {
  minified: number;
  gzip: number;
  brotli: number;
}

/**
 * Bytes as stored, and brotli and gzip as the server sends a built file (vite.config.ts servedBrotli,
 * brotli at quality 11, and servedGzip, zopfli's: the loader and the dialog are measured by the very
 * .br and .gz the build wrote, a script of comparison the same way).
 */
export async function measure(code: Buffer | string): Promise<Sizes> {
  const bytes = typeof code === "string" ? Buffer.from(code) : code;
  return { minified: bytes.length, gzip: (await servedGzip(bytes.toString())).length, brotli: servedBrotli(bytes.toString()).length };
}

/** A built file in dist/widget/ as served: the .br and .gz the build wrote beside it, the bytes the server sends. */
function measureBuilt(path: string): Sizes {
  return { minified: readFileSync(path).length, gzip: readFileSync(`${path}.gz`).length, brotli: readFileSync(`${path}.br`).length };
}

/**
 * A translation as the dialog downloads it: with its short message keys (widget/i18n/message-names.ts),
 * compressed by the server when it starts (zlib's gzip at level 9, brotli at quality 11).
 */
function measureTranslation(path: string): Sizes {
  const text = JSON.stringify(withShortNames(JSON.parse(readFileSync(path, "utf8")) as Record<string, string>));
  const { bodies } = encodeAsset(text);
  return { minified: bodies.identity.length, gzip: bodies.gzip.length, brotli: bodies.br.length };
}

const triple = (s: Sizes) => `${kB(s.minified)} / ${kB(s.gzip)} / ${kB(s.brotli)}`;

/**
 * `source` bundled with the widget's own build settings (vite.config.ts: lib, iife, es2022, vite's
 * default minifier), in memory. The entry is virtual so that nothing is written into the project.
 */
async function bundleLikeTheWidget(source: string, plugins: Plugin[] = []): Promise<string> {
  const ENTRY = "\0bench-entry";
  const result = await build({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    mode: "production",
    plugins: [{ name: "bench-entry", resolveId: (id) => (id.endsWith("bench-entry.js") ? ENTRY : null), load: (id) => (id === ENTRY ? source : null) }, ...plugins],
    build: { write: false, target: "es2022", lib: { entry: "bench-entry.js", name: "BenchEntry", formats: ["iife"], fileName: () => "entry.js" } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((file) => file.type === "chunk");
  if (!chunk || chunk.type !== "chunk") throw new Error("the bench's Preact build produced no chunk");
  return chunk.code;
}

/**
 * widget.js as it was before the split (one file, the dialog rendered by a home-made renderer,
 * widget/ui/dom.ts): measured by this bench at commit 2379887 (docs/benchmarks.md then), gzip by
 * zlib at level 9 (zopfli would take some 3% off it). The renderer is gone, so the figure is
 * recorded here rather than rebuilt.
 */
const SINGLE_FILE_BEFORE = { gzip: 8_832, brotli: 7_930, withBengali: 9_941 };

/** The built loader and dialog file (dist/widget/, built before), Polar's script and the single file of before. */
export async function measuredSizes() {
  const dist = `${ROOT}dist/widget/`;
  const loader = measureBuilt(`${dist}widget.js`);
  const dialogFile = readdirSync(dist).find((file) => /^dialog\.[0-9a-f]{12}\.js$/.test(file));
  if (!dialogFile) throw new Error("vite build wrote no dialog file into dist/widget/");
  const dialog = measureBuilt(dist + dialogFile);
  const polar = await measure(readFileSync(`${ROOT}node_modules/@polar-sh/checkout/dist/embed.global.js`));
  return { loader, dialog, dialogFile, polar, singleFileBefore: SINGLE_FILE_BEFORE.gzip };
}

export async function sizeRows(): Promise<Row[]> {
  await viteBuild();
  const { loader, dialog, dialogFile } = await measuredSizes();
  // What the dialog imports from Preact (h, render, Fragment), alone in the same build.
  const floor = await measure(await bundleLikeTheWidget('export { Fragment, h, render } from "preact";'));
  // The same, less what the dialog never uses, as the dialog file has them.
  const trimmed = await measure(await bundleLikeTheWidget('export { Fragment, h, render } from "preact";', [trimPreact()]));
  const polarDir = `${ROOT}node_modules/@polar-sh/checkout/`;
  const polarVersion = (JSON.parse(readFileSync(`${polarDir}package.json`, "utf8")) as { version: string }).version;
  const polar = await measure(readFileSync(`${polarDir}dist/embed.global.js`));
  const polarEsm = await measure(readFileSync(`${polarDir}dist/embed.js`));
  const i18nDir = `${ROOT}widget/i18n/`;
  const languages = readdirSync(i18nDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => ({ file, ...measureTranslation(i18nDir + file) }))
    .sort((a, b) => b.gzip - a.gzip);
  const largest = languages[0]!;
  const name = (file: string) => file.replace(".json", "");
  const against = (size: number, budget: number) => (size <= budget ? `${kB(budget - size)} under` : `OVER by ${kB(size - budget)}`);
  const english = loader.gzip + dialog.gzip;
  const englishBrotli = loader.brotli + dialog.brotli;
  const most = english + largest.gzip;
  const made = await moduleShares();
  const byModule = (modules: ModuleShare[]) => modules.map((share) => `${share.module.replace(/^widget\//, "")} ${share.gzip}`).join(", ");

  return [
    {
      what: "widget.js, the loader every visitor downloads (minified / gzip / brotli)",
      figure: triple(loader),
      note: `${loader.gzip} B gzip. Target ${kB(WIDGET_BUDGET.target)}: ${against(loader.gzip, WIDGET_BUDGET.target)}; the build fails above ${kB(WIDGET_BUDGET.limit)}. Polar's embed script: ${polar.gzip} B gzip; ours is ${fmt(loader.gzip / polar.gzip, 2)}× theirs. Before the split every visitor downloaded ${SINGLE_FILE_BEFORE.gzip} B (${fmt(SINGLE_FILE_BEFORE.gzip / loader.gzip, 1)}× this)`,
    },
    {
      what: `${dialogFile}, the dialog on Preact (minified / gzip / brotli)`,
      figure: triple(dialog),
      note: `fetched with integrity when a shopper shows intent or the page is idle; its CSS and English included. Of it, Preact ${preactVersion()}'s h, render and Fragment alone are ${triple(floor)}, and ${triple(trimmed)} as the dialog has them, less the features it never uses (vite.config.ts, PREACT_TRIMS)`,
    },
    {
      what: "widget.js by source module: what each adds to its gzip, zlib at level 9 (B)",
      figure: `${made.loader.gzip} B`,
      note: `${byModule(made.loader.modules)} (test/bench/size-modules.ts: each module's minified bytes, by the build's source map, taken out and the file gzipped again; gzip shares matches across modules, so the shares add up to less than the file; zlib's gzip here, quick to repeat, where the files are served as zopfli's, some 3% smaller)`,
    },
    {
      what: `${dialogFile} by source module: what each adds to its gzip, zlib at level 9, before terser's pass (B)`,
      figure: `${made.dialog.gzip} B`,
      note: byModule(made.dialog.modules),
    },
    {
      what: "what a shopper who opens the checkout downloads: loader + dialog, English, in a browser (brotli)",
      figure: kB(englishBrotli),
      note: `${englishBrotli} B brotli, the bytes the server sends a browser that takes it (the build's .br; every current browser over HTTPS, as production runs, and headless Chromium on http://127.0.0.1, which sends "gzip, deflate, br, zstd"). Target ${kB(WIDGET_BUDGET.shopper)}: ${against(englishBrotli, WIDGET_BUDGET.shopper)}; the build fails above it. Before the split: ${SINGLE_FILE_BEFORE.brotli} B brotli (one file, a home-made renderer instead of Preact)`,
    },
    {
      what: "what a gzip-only client downloads: loader + dialog, English (gzip)",
      figure: kB(english),
      note: `${english} B gzip, the bytes the server sends a client that does not take brotli (the build's .gz, zopfli's; Chromium over plain HTTP to a host other than loopback sends "gzip, deflate"). Target ${kB(WIDGET_BUDGET.shopper)}: ${against(english, WIDGET_BUDGET.shopper)}; the build fails above ${kB(WIDGET_BUDGET.shopperGzipLimit)}. Before the split: ${SINGLE_FILE_BEFORE.gzip} B gzip`,
    },
    {
      what: `Polar's embed script, @polar-sh/checkout ${polarVersion} dist/embed.global.js`,
      figure: triple(polar),
      note: `the script-tag (IIFE) build a page loads with \`<script>\`, as published (tsup + terser); it holds both the checkout and the payment-method embeds. The package's other builds are for bundlers: dist/embed.js (ESM, checkout only) is ${triple(polarEsm)}; the React/Stripe chunks serve the payment-method component and are left out. Its embed only opens an iframe on polar.sh, whose form is not counted here; ours draws the dialog and form itself`,
    },
    {
      what: `largest translation, widget/i18n/${largest.file}, as the dialog asks for it (with its short message keys: as served / gzip / brotli)`,
      figure: triple(largest),
      note: `fetched once, only for a shopper whose language is not English (English is in the dialog file); ${languages.length} files, ${languages.map((l) => `${name(l.file)} ${fmt(l.gzip / 1000, 2)}`).join(", ")} kB gzip`,
    },
    {
      what: `the most a shopper downloads: loader + dialog + ${largest.file} (brotli / gzip)`,
      figure: `${kB(englishBrotli + largest.brotli)} / ${kB(most)}`,
      note: `${englishBrotli + largest.brotli} B brotli, ${most} B gzip (the language with the largest file). Before the split: ${SINGLE_FILE_BEFORE.withBengali} B gzip`,
    },
  ];
}

function preactVersion(): string {
  return (JSON.parse(readFileSync(`${ROOT}node_modules/preact/package.json`, "utf8")) as { version: string }).version;
}
