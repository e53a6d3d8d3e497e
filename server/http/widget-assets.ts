/**
 * The widget bundle: `/widget.js` (short cache, always the current version) and
 * `/widget.<hash>.js` (immutable, for pinning with Subresource Integrity).
 */
import { Hono } from "hono";

export interface WidgetBundle {
  code: string;
  hash: string;
  /** `sha384-…`, for the `integrity` attribute. */
  integrity: string;
}

export async function widgetBundle(code: string): Promise<WidgetBundle> {
  const bytes = new TextEncoder().encode(code);
  const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha384 = new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
  const hash = Array.from(sha256.slice(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
  let binary = "";
  for (const byte of sha384) binary += String.fromCharCode(byte);
  return { code, hash, integrity: `sha384-${btoa(binary)}` };
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
    return c.body(bundle.code, 200, { ...javascript, "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=300", ETag: `"${bundle.hash}"` });
  });
  return app;
}
