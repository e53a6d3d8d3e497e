/**
 * The widget bundle: `/widget.js` (short cache, always the current version) and
 * `/widget.<hash>.js` (immutable, for pinning with Subresource Integrity), brotli or gzip as the
 * browser accepts: the size budget is for what a shopper downloads, so it is sent compressed.
 */
import { Hono } from "hono";
import { encodeAsset, sendAsset, type EncodedAsset } from "./encoded-asset.ts";

export interface WidgetBundle {
  code: string;
  hash: string;
  /** `sha384-…`, for the `integrity` attribute (of the decoded bytes, which is what browsers check). */
  integrity: string;
  encoded: EncodedAsset;
}

export async function widgetBundle(code: string): Promise<WidgetBundle> {
  const bytes = new TextEncoder().encode(code);
  const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha384 = new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
  const hash = Array.from(sha256.slice(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
  let binary = "";
  for (const byte of sha384) binary += String.fromCharCode(byte);
  return { code, hash, integrity: `sha384-${btoa(binary)}`, encoded: encodeAsset(code, hash) };
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
  return app;
}
