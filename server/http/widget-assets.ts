/**
 * The widget: `/widget.js`, the loader (short cache, always the current version), `/widget.<hash>.js`
 * (the same loader, immutable, for pinning with Subresource Integrity), and
 * `/widget/dialog.<hash>.js`, the dialog the loader fetches (and `dialog-setup.<hash>.js`, which the
 * dialog fetches when a page's setup is wrong) (immutable: its name is its content's
 * hash, and the loader checks its integrity). Brotli or gzip as the browser accepts: the size budget
 * is for what a shopper downloads, so it is sent compressed, as the build made it (each file's
 * `<file>.br` and `<file>.gz`, zopfli's gzip: the bytes the budget counts, vite.config.ts
 * servedBrotli and servedGzip).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { Hono } from "hono";
import { encodeAsset, sendAsset, type EncodedAsset, type MadeEncodings } from "./encoded-asset.ts";

export interface WidgetBundle {
  code: string;
  hash: string;
  /** `sha384-…`, for the `integrity` attribute (of the decoded bytes, which is what browsers check). */
  integrity: string;
  encoded: EncodedAsset;
  /** The files the loader and the dialog may ask for, by file name (`dialog.<hash>.js`, `dialog-setup.<hash>.js`). */
  dialogs: Map<string, EncodedAsset>;
}

/**
 * A dialog file's name, as `vite build` writes it: its content's hash, so that it can be cached for
 * good. `dialog.<hash>.js`, the dialog; `dialog-setup.<hash>.js`, the merchant's console report on
 * a page's setup, which the dialog fetches only when the setup is wrong.
 */
const DIALOG_FILE = /^dialog(-setup)?\.[0-9a-f]{12}\.js$/;

/** A built file and the brotli and gzip the build made of it, where there are. */
export interface BuiltFile {
  file: string;
  code: string;
  made?: MadeEncodings;
}

/**
 * What `vite build` wrote into `dir` (dist/widget/): widget.js and its dialog files, each with its
 * `.br` and `.gz`; null when the widget is not built.
 */
export async function readWidgetBuild(dir: URL): Promise<WidgetBundle | null> {
  const beside = (file: string) => (existsSync(new URL(file, dir)) ? new Uint8Array(readFileSync(new URL(file, dir))) : undefined);
  const read = (file: string): BuiltFile => ({ file, code: readFileSync(new URL(file, dir), "utf8"), made: { br: beside(`${file}.br`), gzip: beside(`${file}.gz`) } });
  if (!existsSync(new URL("widget.js", dir))) return null;
  const loader = read("widget.js");
  return widgetBundle(loader.code, readdirSync(dir).filter((file) => DIALOG_FILE.test(file)).map(read), loader.made);
}

/** `loaderMade` and each dialog file's `made`: the brotli and gzip the build made (see encodeAsset). */
export async function widgetBundle(code: string, dialogFiles: readonly BuiltFile[] = [], loaderMade?: MadeEncodings): Promise<WidgetBundle> {
  const bytes = new TextEncoder().encode(code);
  const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha384 = new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
  const hash = Array.from(sha256.slice(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
  let binary = "";
  for (const byte of sha384) binary += String.fromCharCode(byte);
  const dialogs = new Map(dialogFiles.filter(({ file }) => DIALOG_FILE.test(file)).map(({ file, code: dialog, made }) => [file, encodeAsset(dialog, undefined, made)]));
  return { code, hash, integrity: `sha384-${btoa(binary)}`, encoded: encodeAsset(code, hash, loaderMade), dialogs };
}

export function widgetAssets(bundle: WidgetBundle | null) {
  const app = new Hono();
  const javascript = { "Content-Type": "text/javascript; charset=utf-8", "Cross-Origin-Resource-Policy": "cross-origin", "Access-Control-Allow-Origin": "*" };
  app.get("/widget.manifest.json", (c) => {
    if (!bundle) return c.json({ error: { code: "not_found", message: "The widget is not built: run npm run build." } }, 404);
    c.header("Cache-Control", "public, max-age=60");
    return c.json({ url: `/widget.${bundle.hash}.js`, integrity: bundle.integrity });
  });
  app.get("/:file{widget(\\.[0-9a-f]{12})?\\.js}", (c) => {
    if (!bundle) return c.json({ error: { code: "not_found", message: "The widget is not built: run npm run build." } }, 404);
    const file = c.req.param("file");
    if (file !== "widget.js" && file !== `widget.${bundle.hash}.js`) return c.json({ error: { code: "not_found", message: "No such widget version." } }, 404);
    const immutable = file !== "widget.js";
    return sendAsset(c, bundle.encoded, { ...javascript, "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=300" });
  });
  // CORS for everyone: the loader asks for it with `crossorigin`, which integrity needs cross-origin.
  app.get("/widget/:file{dialog(-setup)?\\.[0-9a-f]{12}\\.js}", (c) => {
    const dialog = bundle?.dialogs.get(c.req.param("file"));
    if (!dialog) return c.json({ error: { code: "not_found", message: bundle ? "No such dialog file in this build." : "The widget is not built: run npm run build." } }, 404);
    return sendAsset(c, dialog, { ...javascript, "Cache-Control": "public, max-age=31536000, immutable" });
  });
  return app;
}
