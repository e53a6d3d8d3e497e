/**
 * Text the server sends unchanged to every browser (the widget bundle, its translations), compressed
 * once when the server starts, at the highest levels: too slow per request, free once. The build's
 * own files come with their gzip made by the build (zopfli's, `<file>.gz`, smaller than zlib's and
 * too slow for a start), used when it decodes to the very text. Each request
 * gets the best encoding its Accept-Encoding allows, with `Vary` for caches, an ETag per encoding
 * (they are different bytes), and 304 when the browser already has it.
 */
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

export type Encoding = "br" | "gzip" | "identity";

export interface EncodedAsset {
  /** Names this content (a hash of it, so that new content gets a new ETag); the ETag adds the encoding. */
  tag: string;
  bodies: Record<Encoding, Uint8Array<ArrayBuffer>>;
}

/** `gzip`: the text's gzip made ahead (the build's `<file>.gz`); ignored unless it decodes to the text, so a stale one is never sent. */
export function encodeAsset(text: string, tag = createHash("sha256").update(text).digest("hex").slice(0, 12), gzip?: Uint8Array): EncodedAsset {
  const identity = new TextEncoder().encode(text);
  return {
    tag,
    bodies: {
      identity,
      gzip: new Uint8Array(gzip && decodesTo(gzip, identity) ? gzip : gzipSync(identity, { level: 9 })),
      br: new Uint8Array(brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } })),
    },
  };
}

function decodesTo(gzip: Uint8Array, identity: Uint8Array): boolean {
  try {
    return gunzipSync(gzip).equals(identity);
  } catch {
    return false;
  }
}

/** Brotli, else gzip, else none, as Accept-Encoding allows: `q=0` refuses, `*` stands for any encoding not named. */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const q: Record<string, number> = {};
  for (const part of (acceptEncoding ?? "").toLowerCase().split(",")) {
    const [name = "", ...params] = part.split(";").map((s) => s.trim());
    const weight = params.find((p) => p.startsWith("q="));
    if (name) q[name] = weight ? Number(weight.slice(2)) : 1;
  }
  const allows = (encoding: string) => (q[encoding] ?? q["*"] ?? 0) > 0;
  return allows("br") ? "br" : allows("gzip") ? "gzip" : "identity";
}

export function sendAsset(c: Context, asset: EncodedAsset, headers: Record<string, string>): Response {
  const encoding = pickEncoding(c.req.header("accept-encoding"));
  const etag = `"${asset.tag}${encoding === "identity" ? "" : `-${encoding}`}"`;
  const common = { ...headers, Vary: "Accept-Encoding", ETag: etag };
  const known = c.req.header("if-none-match")?.split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (known?.includes(etag) || known?.includes("*")) return c.body(null, 304, common);
  return c.body(asset.bodies[encoding], 200, encoding === "identity" ? common : { ...common, "Content-Encoding": encoding });
}
