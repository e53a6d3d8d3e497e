/**
 * Text the server sends unchanged to every browser (the widget bundle, its translations), compressed
 * once when the server starts, at the highest levels: too slow per request, free once. The build's
 * own files come with their brotli and gzip made by the build (`<file>.br`, `<file>.gz`: zopfli's
 * gzip, smaller than zlib's and too slow for a start; the bytes the size budget counts), each used
 * only when it decodes to the very text. Each request gets the encoding its Accept-Encoding
 * prefers, with `Vary` for caches, an ETag per encoding (they are different bytes), and 304 when
 * the browser already has it.
 */
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

export type Encoding = "br" | "gzip" | "identity";

export interface EncodedAsset {
  /** Names this content (a hash of it, so that new content gets a new ETag); the ETag adds the encoding. */
  tag: string;
  bodies: Record<Encoding, Uint8Array<ArrayBuffer>>;
}

/** Compressed bodies made ahead (the build's `<file>.br` and `<file>.gz`). */
export interface MadeEncodings {
  br?: Uint8Array;
  gzip?: Uint8Array;
}

const DECODE: Record<keyof MadeEncodings, (bytes: Uint8Array) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync };

/**
 * `made`: the text's brotli and gzip made ahead; each is ignored unless it decodes to the text (the
 * server makes its own then), so a stale or broken file is never sent.
 */
export function encodeAsset(text: string, tag = createHash("sha256").update(text).digest("hex").slice(0, 12), made: MadeEncodings = {}): EncodedAsset {
  const identity = new TextEncoder().encode(text);
  const ahead = (encoding: keyof MadeEncodings) => {
    const bytes = made[encoding];
    return bytes && decodesTo(bytes, identity, DECODE[encoding]) ? new Uint8Array(bytes) : undefined;
  };
  return {
    tag,
    bodies: {
      identity,
      gzip: ahead("gzip") ?? new Uint8Array(gzipSync(identity, { level: 9 })),
      br: ahead("br") ?? new Uint8Array(brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } })),
    },
  };
}

function decodesTo(encoded: Uint8Array, identity: Uint8Array, decode: (bytes: Uint8Array) => Buffer): boolean {
  try {
    return decode(encoded).equals(identity);
  } catch {
    return false;
  }
}

/** In the order we prefer them where the browser's q-values tie: the smallest first. */
const PREFERENCE: readonly Encoding[] = ["br", "gzip", "identity"];

/**
 * The encoding Accept-Encoding prefers (RFC 9110, 12.5.3): the highest q-value wins, brotli before
 * gzip before none where they tie; `q=0` refuses an encoding, `*` stands for any encoding not named.
 * The plain bytes are acceptable unless refused (`identity;q=0`, or `*;q=0` without naming
 * identity), but below any encoding the browser names; when everything is refused, or nothing is
 * asked for, they are what is sent.
 */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const q: Record<string, number> = {};
  for (const part of (acceptEncoding ?? "").toLowerCase().split(",")) {
    const [name = "", ...params] = part.split(";").map((s) => s.trim());
    const weight = params.find((p) => p.startsWith("q="));
    // A q-value that is not a number refuses, as a q=0 would: nothing says what it meant.
    if (name) q[name] = weight ? Number(weight.slice(2)) || 0 : 1;
  }
  const weightOf = (encoding: Encoding) => q[encoding] ?? q["*"] ?? (encoding === "identity" ? Number.MIN_VALUE : 0);
  let best: Encoding = "identity";
  let bestWeight = 0;
  for (const encoding of PREFERENCE) {
    const weight = weightOf(encoding);
    if (weight > bestWeight) [best, bestWeight] = [encoding, weight];
  }
  return best;
}

export function sendAsset(c: Context, asset: EncodedAsset, headers: Record<string, string>): Response {
  const encoding = pickEncoding(c.req.header("accept-encoding"));
  const etag = `"${asset.tag}${encoding === "identity" ? "" : `-${encoding}`}"`;
  const common = { ...headers, Vary: "Accept-Encoding", ETag: etag };
  const known = c.req.header("if-none-match")?.split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (known?.includes(etag) || known?.includes("*")) return c.body(null, 304, common);
  return c.body(asset.bodies[encoding], 200, encoding === "identity" ? common : { ...common, "Content-Encoding": encoding });
}
