/**
 * Sizes: the widget's bundle against its budget, against the same widget on Preact's runtime, its
 * renderer against Preact's, and against Polar's published embed script, all measured the same way.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { build, type Rolldown } from "vite";
import { WIDGET_BUDGET } from "../../vite.config.ts";
import { viteBuild } from "../helpers/vite-build.ts";
import { fmt, kB, type Row } from "./table.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUDGET_GZIP = WIDGET_BUDGET.limit;
const TARGET_GZIP = WIDGET_BUDGET.target;

export interface Sizes {
  minified: number;
  gzip: number;
  brotli: number;
}

/** Bytes as stored, gzip at level 9, brotli at its default (quality 11). */
export function measure(code: Buffer | string): Sizes {
  const bytes = typeof code === "string" ? Buffer.from(code) : code;
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length };
}

const triple = (s: Sizes) => `${kB(s.minified)} / ${kB(s.gzip)} / ${kB(s.brotli)}`;

/**
 * `source` bundled with the widget's own build settings (vite.config.ts: lib, iife, es2022, vite's
 * default minifier), in memory. The entry is virtual so that nothing is written into the project.
 */
async function bundleLikeTheWidget(source: string): Promise<string> {
  const ENTRY = "\0bench-entry";
  const result = await build({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    mode: "production",
    plugins: [{ name: "bench-entry", resolveId: (id) => (id.endsWith("bench-entry.js") ? ENTRY : null), load: (id) => (id === ENTRY ? source : null) }],
    build: { write: false, target: "es2022", lib: { entry: "bench-entry.js", name: "BenchEntry", formats: ["iife"], fileName: () => "entry.js" } },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((file) => file.type === "chunk");
  if (!chunk || chunk.type !== "chunk") throw new Error("the bench's Preact build produced no chunk");
  return chunk.code;
}

/** widget.js as `vite build --mode preact` makes it: the same widget on Preact's own runtime. */
async function widgetOnPreact(): Promise<string> {
  const result = await build({ configFile: `${ROOT}vite.config.ts`, mode: "preact", logLevel: "warn", build: { write: false } });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((file) => file.type === "chunk" && file.fileName === "widget.js");
  if (!chunk || chunk.type !== "chunk") throw new Error("the bench's Preact build of the widget produced no widget.js");
  return chunk.code;
}

export async function sizeRows(): Promise<Row[]> {
  await viteBuild();
  const widget = measure(readFileSync(`${ROOT}dist/widget/widget.js`));
  const onPreact = measure(await widgetOnPreact());
  // The renderers alone: ours, what the widget would import from Preact (h, render, Fragment), and Preact's whole core.
  const renderer = measure(await bundleLikeTheWidget(`export { Fragment, h, render } from ${JSON.stringify(`${ROOT}widget/ui/dom.ts`)};`));
  const floor = measure(await bundleLikeTheWidget('export { Fragment, h, render } from "preact";'));
  const core = measure(await bundleLikeTheWidget('export * from "preact";'));
  const polarDir = `${ROOT}node_modules/@polar-sh/checkout/`;
  const polarVersion = (JSON.parse(readFileSync(`${polarDir}package.json`, "utf8")) as { version: string }).version;
  const polar = measure(readFileSync(`${polarDir}dist/embed.global.js`));
  const polarEsm = measure(readFileSync(`${polarDir}dist/embed.js`));
  const i18nDir = `${ROOT}widget/i18n/`;
  const languages = readdirSync(i18nDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => ({ file, ...measure(readFileSync(i18nDir + file)) }))
    .sort((a, b) => b.gzip - a.gzip);
  const largest = languages[0]!;
  const name = (file: string) => file.replace(".json", "");
  const against = (size: number, budget: number) => (size <= budget ? `${kB(budget - size)} under` : `OVER by ${kB(size - budget)}`);
  const total = widget.gzip + largest.gzip;

  return [
    {
      what: "widget.js (minified / gzip / brotli)",
      figure: triple(widget),
      note: `${widget.gzip} B gzip. Limit ${kB(BUDGET_GZIP)} (the build fails above it): ${against(widget.gzip, BUDGET_GZIP)}; target ${kB(TARGET_GZIP)}: ${against(widget.gzip, TARGET_GZIP)}. The same widget on Preact's runtime (vite build --mode preact): ${triple(onPreact)}, ${fmt(onPreact.gzip / widget.gzip, 2)}× this. ${fmt(widget.gzip / polar.gzip, 1)}× Polar's script (gzip). The server sends brotli to browsers that take it`,
    },
    {
      what: "its renderer, widget/ui/dom.ts (h, render, Fragment; same build)",
      figure: triple(renderer),
      note: `Preact ${preactVersion()}'s h, render and Fragment in the same build: ${triple(floor)}; all of Preact's core: ${triple(core)}; the widget's own code beside its renderer: ${kB(widget.gzip - renderer.gzip)} gzip`,
    },
    {
      what: `Polar's embed script, @polar-sh/checkout ${polarVersion} dist/embed.global.js`,
      figure: triple(polar),
      note: `the script-tag (IIFE) build a page loads with \`<script>\`, as published (tsup + terser); it holds both the checkout and the payment-method embeds. The package's other builds are for bundlers: dist/embed.js (ESM, checkout only) is ${triple(polarEsm)}; the React/Stripe chunks serve the payment-method component and are left out. Its embed only opens an iframe on polar.sh, whose form is not counted here; ours draws the dialog and form itself`,
    },
    {
      what: `largest translation, widget/i18n/${largest.file} (as served / gzip / brotli)`,
      figure: triple(largest),
      note: `fetched once, only for a shopper whose language is not English (English is in widget.js); ${languages.length} files, ${languages.map((l) => `${name(l.file)} ${fmt(l.gzip / 1000, 2)}`).join(", ")} kB gzip`,
    },
    {
      what: `what a ${name(largest.file)} shopper downloads: widget.js + ${largest.file} (gzip / brotli)`,
      figure: `${kB(total)} / ${kB(widget.brotli + largest.brotli)}`,
      note: `${total} B gzip, the most any shopper downloads (CSS included; the language with the largest file). Target ${kB(TARGET_GZIP)}: ${against(total, TARGET_GZIP)}. An English-speaking shopper downloads widget.js alone`,
    },
  ];
}

function preactVersion(): string {
  return (JSON.parse(readFileSync(`${ROOT}node_modules/preact/package.json`, "utf8")) as { version: string }).version;
}
