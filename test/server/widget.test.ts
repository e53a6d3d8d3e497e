import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, brotliDecompressSync, constants, crc32, deflateRawSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { pickEncoding } from "../../server/http/encoded-asset.ts";
import { readWidgetBuild, widgetBundle, type WidgetBundle } from "../../server/http/widget-assets.ts";
import { precompress } from "../../vite.config.ts";
import { MESSAGE_NAMES, MESSAGE_NAMES_VERSION } from "../../widget/i18n/message-names.ts";
import { testServer } from "../support/test-server.ts";

// The widget routes never touch the store or the gateway.
const server = (widget: WidgetBundle | null) => testServer({ widget }).app;

const CODE = "console.log(1)";
const BIG_CODE = Array.from({ length: 300 }, (_, i) => `console.log(${i});`).join("\n");

/** A gzip member's trailer: CRC-32 and length of the text. */
function gzipTrailer(text: string): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(text), 0);
  trailer.writeUInt32LE(Buffer.byteLength(text), 4);
  return trailer;
}

describe("widget assets", () => {
  it("serves /widget.js with a short cache, for pages that always want the current version", async () => {
    const app = server(await widgetBundle(CODE));
    const response = await app.request("/widget.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    const cache = response.headers.get("cache-control") ?? "";
    expect(cache).toMatch(/max-age=\d+/);
    expect(Number(/max-age=(\d+)/.exec(cache)![1])).toBeLessThanOrEqual(3600);
    expect(cache).not.toContain("immutable");
    // Loaded by merchant pages on other origins, with crossorigin for SRI.
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await response.text()).toBe(CODE);
  });

  it("serves /widget.<hash>.js as immutable, with the integrity the manifest gives matching its bytes", async () => {
    const bundle = await widgetBundle(CODE);
    const app = server(bundle);
    const manifestResponse = await app.request("/widget.manifest.json");
    expect(manifestResponse.status).toBe(200);
    const manifest = (await manifestResponse.json()) as { url: string; integrity: string };
    expect(manifest.url).toMatch(/^\/widget\.[0-9a-f]{12}\.js$/);
    expect(manifest.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);

    const response = await app.request(manifest.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/max-age=31536000/);
    expect(response.headers.get("cache-control")).toContain("immutable");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(manifest.integrity).toBe(`sha384-${createHash("sha384").update(bytes).digest("base64")}`);
    expect(manifest.url).toBe(`/widget.${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.js`);
  });

  it("gives another build another hashed name", async () => {
    const one = await widgetBundle(CODE);
    const two = await widgetBundle(`${CODE};`);
    expect(two.hash).not.toBe(one.hash);
    expect(two.integrity).not.toBe(one.integrity);
  });

  it.each([["/widget.000000000000.js"], ["/widget.abcdefabcdef.js"], ["/widget.abc.js"], ["/widget.JS"], ["/widget.js.map"]])("answers %s, not this build, with 404", async (path) => {
    const app = server(await widgetBundle(CODE));
    const response = await app.request(path);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(CODE);
  });

  it.each([
    ["dialog", "var OctopusCheckoutDialog={}"],
    ["dialog-setup", "var OctopusCheckoutSetup={}"],
  ])("serves the %s file the widget asks for, immutable and readable cross-origin (the widget checks its integrity)", async (prefix, dialog) => {
    const file = `${prefix}.${createHash("sha256").update(dialog).digest("hex").slice(0, 12)}.js`;
    const app = server(await widgetBundle(CODE, [{ file, code: dialog }]));
    const response = await app.request(`/widget/${file}`, { headers: { Origin: "https://any-shop.example" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await response.text()).toBe(dialog);
    // Another build's dialog, or anything else under /widget/, is not there.
    for (const path of ["/widget/dialog.000000000000.js", "/widget/dialog-setup.000000000000.js", "/widget/dialog.js", "/widget/dialog-other.0123456789ab.js", `/widget/${file}.map`]) expect((await app.request(path)).status, path).toBe(404);
  });

  it("reads what vite build wrote: widget.js and its dialog files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "widget-build-"));
    expect(await readWidgetBuild(pathToFileURL(`${dir}/`))).toBeNull();
    writeFileSync(join(dir, "widget.js"), CODE);
    writeFileSync(join(dir, "dialog.0123456789ab.js"), "var OctopusCheckoutDialog={}");
    writeFileSync(join(dir, "dialog-setup.0123456789ab.js"), "var OctopusCheckoutSetup={}");
    writeFileSync(join(dir, "notes.txt"), "not served");
    const bundle = (await readWidgetBuild(pathToFileURL(`${dir}/`)))!;
    expect(bundle.code).toBe(CODE);
    expect([...bundle.dialogs.keys()].sort()).toEqual(["dialog-setup.0123456789ab.js", "dialog.0123456789ab.js"]);
  });

  it("sends as brotli the .br, and as gzip the .gz, the build wrote beside a file (what the size budget counts), never a stale one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "widget-build-"));
    const dialog = Array.from({ length: 200 }, (_, i) => `console.log(${i} * ${i});`).join("\n");
    // Made another way than the server's own (gzip with a mark in its header, brotli at quality 1), so that sending them shows.
    const gz = (text: string) => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]), deflateRawSync(text, { level: 1 }), gzipTrailer(text)]);
    const br = (text: string) => brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    writeFileSync(join(dir, "widget.js"), BIG_CODE);
    writeFileSync(join(dir, "widget.js.gz"), gz(BIG_CODE));
    writeFileSync(join(dir, "widget.js.br"), br(BIG_CODE));
    writeFileSync(join(dir, "dialog.0123456789ab.js"), dialog);
    writeFileSync(join(dir, "dialog.0123456789ab.js.gz"), gz("an older build's dialog"));
    writeFileSync(join(dir, "dialog.0123456789ab.js.br"), Buffer.from("not brotli at all"));
    const app = server((await readWidgetBuild(pathToFileURL(`${dir}/`)))!);
    const body = async (path: string, encoding: string) => {
      const response = await app.request(path, { headers: { "Accept-Encoding": encoding } });
      expect(response.headers.get("content-encoding")).toBe(encoding);
      return Buffer.from(await response.arrayBuffer());
    };
    expect(await body("/widget.js", "gzip")).toEqual(gz(BIG_CODE));
    expect(await body("/widget.js", "br")).toEqual(br(BIG_CODE));
    // The .gz and .br do not decode to the file: the server makes its own of the file instead.
    const gzipSent = await body("/widget/dialog.0123456789ab.js", "gzip");
    expect(gzipSent[9]).not.toBe(0xff);
    expect(gunzipSync(gzipSent).toString()).toBe(dialog);
    expect(brotliDecompressSync(await body("/widget/dialog.0123456789ab.js", "br")).toString()).toBe(dialog);
  });

  it.each([
    ["gzip, deflate, br, zstd", "br"],
    ["br;q=1, gzip;q=0.5", "br"],
    ["gzip, deflate", "gzip"],
    ["gzip;q=1, br;q=0.5", "gzip"],
    ["identity", "identity"],
    ["br;q=0, gzip;q=0", "identity"],
  ])("answers Accept-Encoding %j with %s: the bytes the build wrote, which decode to the file", async (accept, encoding) => {
    // The build's own plugin writes the files, as vite build does.
    const dir = mkdtempSync(join(tmpdir(), "widget-build-"));
    const files = { "widget.js": BIG_CODE, "dialog.0123456789ab.js": Array.from({ length: 200 }, (_, i) => `console.log(${i} * ${i});`).join("\n") };
    const hook = precompress().generateBundle as unknown as (this: unknown, options: unknown, bundle: Record<string, unknown>) => Promise<void>;
    const bundle = Object.fromEntries(Object.entries(files).map(([fileName, code]) => [fileName, { type: "chunk", fileName, code }]));
    await hook.call({ emitFile: (file: { fileName: string; source: Uint8Array }) => writeFileSync(join(dir, file.fileName), file.source) }, {}, bundle);
    for (const [file, code] of Object.entries(files)) writeFileSync(join(dir, file), code);
    const app = server((await readWidgetBuild(pathToFileURL(`${dir}/`)))!);
    for (const [file, code] of Object.entries(files)) {
      const response = await app.request(file === "widget.js" ? "/widget.js" : `/widget/${file}`, { headers: { "Accept-Encoding": accept } });
      expect(response.headers.get("content-encoding"), file).toBe(encoding === "identity" ? null : encoding);
      expect(response.headers.get("vary"), file).toBe("Accept-Encoding");
      const bytes = Buffer.from(await response.arrayBuffer());
      const decode = { br: brotliDecompressSync, gzip: gunzipSync, identity: (body: Buffer) => body }[encoding]!;
      expect(decode(bytes).toString(), file).toBe(code);
      if (encoding !== "identity") expect(bytes, file).toEqual(readFileSync(join(dir, `${file}.${encoding === "br" ? "br" : "gz"}`)));
    }
  });

  it("answers 404 with a hint when no bundle was built", async () => {
    const app = server(null);
    for (const path of ["/widget.js", "/widget.manifest.json", "/widget.0123456789ab.js", "/widget/dialog.0123456789ab.js"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_found");
      expect(body.error.message).toContain("npm run build");
    }
  });
});

describe("widget assets, compressed", () => {
  // Big enough that compression is worth it, and varied enough that each encoding differs.
  const BIG = Array.from({ length: 400 }, (_, i) => `console.log(${i} * ${i});`).join("\n");

  async function get(path: string, headers: Record<string, string>, widget?: WidgetBundle) {
    const app = server(widget ?? (await widgetBundle(BIG)));
    return app.request(path, { headers });
  }

  it("sends brotli to a browser that takes it, and the bytes decode to the bundle", async () => {
    const response = await get("/widget.js", { "Accept-Encoding": "gzip, deflate, br, zstd" });
    expect(response.headers.get("content-encoding")).toBe("br");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBeLessThan(BIG.length / 4);
    expect(brotliDecompressSync(bytes).toString()).toBe(BIG);
  });

  it("sends gzip where brotli is not taken, and the bytes decode to the bundle", async () => {
    const response = await get("/widget.js", { "Accept-Encoding": "gzip, deflate" });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await response.arrayBuffer())).toString()).toBe(BIG);
  });

  it("sends the plain bytes without Accept-Encoding, and when every encoding is refused", async () => {
    for (const accept of [undefined, "identity", "br;q=0, gzip;q=0", "*;q=0", "compress"]) {
      const response = await get("/widget.js", accept ? { "Accept-Encoding": accept } : {});
      expect(response.headers.get("content-encoding"), accept).toBeNull();
      expect(await response.text(), accept).toBe(BIG);
    }
  });

  it("keeps the integrity for the decoded bytes, which is what a browser checks, whatever the encoding", async () => {
    const bundle = await widgetBundle(BIG);
    const response = await get(`/widget.${bundle.hash}.js`, { "Accept-Encoding": "br" }, bundle);
    const bytes = brotliDecompressSync(Buffer.from(await response.arrayBuffer()));
    expect(bundle.integrity).toBe(`sha384-${createHash("sha384").update(bytes).digest("base64")}`);
  });

  it("gives each encoding its own ETag, and answers 304 to the one the browser holds", async () => {
    const bundle = await widgetBundle(BIG);
    const tags = new Set<string>();
    for (const accept of ["br", "gzip", "identity"]) {
      const first = await get("/widget.js", { "Accept-Encoding": accept }, bundle);
      const etag = first.headers.get("etag")!;
      tags.add(etag);
      const again = await get("/widget.js", { "Accept-Encoding": accept, "If-None-Match": etag }, bundle);
      expect(again.status, accept).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("cache-control")).toMatch(/max-age=300/);
    }
    expect(tags.size).toBe(3);
    // A tag held for another encoding, or for an older build, gets the whole file.
    const other = await get("/widget.js", { "Accept-Encoding": "gzip", "If-None-Match": `"${bundle.hash}-br"` }, bundle);
    expect(other.status).toBe(200);
  });

  /** A server with no widget bundle and these translations. */
  const withTranslations = (translations: Record<string, string>) => testServer({ widget: null, translations }).app;

  it("sends a translation compressed, with an ETag that changes with its text", async () => {
    const make = (json: string) => withTranslations({ th: json });
    const json = JSON.stringify({ pay: "ชำระเงิน", payAmount: "ชำระ {amount}" });
    const response = await make(json).request("/widget/i18n/th.json", { headers: { "Accept-Encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(JSON.parse(gunzipSync(Buffer.from(await response.arrayBuffer())).toString())).toEqual(JSON.parse(json));
    const changed = await make(JSON.stringify({ pay: "จ่าย" })).request("/widget/i18n/th.json", { headers: { "Accept-Encoding": "gzip" } });
    expect(changed.headers.get("etag")).not.toBe(response.headers.get("etag"));
  });

  it("sends the dialog file its translation with the short message keys of its build, under their version, and nothing for another version", async () => {
    const json = JSON.stringify({ pay: "ชำระเงิน", payAmount: "ชำระ {amount}", close: "ปิด" });
    const app = withTranslations({ th: json, bad: "not json" });
    const response = await app.request(`/widget/i18n/th.${MESSAGE_NAMES_VERSION}.json`, { headers: { "Accept-Encoding": "br" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(JSON.parse(brotliDecompressSync(Buffer.from(await response.arrayBuffer())).toString())).toEqual({ [MESSAGE_NAMES.get("pay")!]: "ชำระเงิน", [MESSAGE_NAMES.get("payAmount")!]: "ชำระ {amount}", close: "ปิด" });
    // The full keys stay where they were, for everything else that reads them.
    expect(await (await app.request("/widget/i18n/th.json")).json()).toEqual(JSON.parse(json));
    // Another build's names, or a translation that is no JSON object: 404, and the dialog shows English.
    for (const path of ["/widget/i18n/th.00000000.json", `/widget/i18n/bad.${MESSAGE_NAMES_VERSION}.json`, `/widget/i18n/fr.${MESSAGE_NAMES_VERSION}.json`]) expect((await app.request(path)).status, path).toBe(404);
  });

  // Regression: both lookups went through a plain object, so Object.prototype's names were "found".
  it("knows only its own languages: constructor, toString and __proto__ are not one", async () => {
    const app = withTranslations({ th: "{}" });
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const translation = await app.request(`/widget/i18n/${name}.json`);
      expect(translation.status, name).toBe(404);
      expect(((await translation.json()) as { error: { code: string } }).error.code).toBe("not_found");
      const wait = await app.request(`/checkout/wait?lang=${name}`);
      expect(wait.status, name).toBe(200);
      const page = await wait.text();
      expect(page).toContain('<html lang="en">');
      expect(page).toContain("Preparing your payment…");
    }
    expect(await (await app.request("/checkout/wait?lang=th")).text()).toContain("กำลังเตรียมการชำระเงิน…");
  });
});

describe("pickEncoding", () => {
  it.each([
    // What browsers send: Chromium over HTTPS and on loopback, Firefox, Safari; Chromium over plain HTTP to another host.
    ["gzip, deflate, br, zstd", "br"],
    ["gzip, deflate, br", "br"],
    ["gzip, deflate", "gzip"],
    ["GZIP", "gzip"],
    // q-values: the highest wins; brotli before gzip before none where they tie.
    ["br;q=0.5, gzip;q=1", "gzip"],
    ["br;q=0.9, gzip", "gzip"],
    ["gzip;q=0.5, br;q=0.5", "br"],
    ["br;q=0.2, gzip;q=0.1", "br"],
    ["gzip;q=0.3, identity;q=0.8", "identity"],
    ["gzip;q=0.3", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["*", "br"],
    ["gzip;q=0.8, *;q=0.9", "br"],
    ["*;q=0.1, br;q=0", "gzip"],
    // Nothing acceptable, or nothing asked for: the plain bytes.
    ["deflate", "identity"],
    ["gzip;q=abc", "identity"],
    ["br;q=0, gzip;q=0", "identity"],
    ["*;q=0", "identity"],
    ["", "identity"],
  ])("%j → %s", (header, encoding) => {
    expect(pickEncoding(header)).toBe(encoding);
  });
  it("sends the plain bytes when there is no Accept-Encoding", () => {
    expect(pickEncoding(undefined)).toBe("identity");
  });
});
