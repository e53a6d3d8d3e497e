import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCheckoutServer } from "../../server/app.ts";
import { parseCheckoutConfig } from "../../server/checkout-config.ts";
import { widgetBundle, type WidgetBundle } from "../../server/http/widget-assets.ts";
import { silentLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import { TEST_CONFIG } from "./stack.ts";

function server(widget: WidgetBundle | null) {
  const parsed = parseCheckoutConfig(TEST_CONFIG, "test");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  // The widget routes never touch the store or the gateway.
  return createCheckoutServer({ config: parsed.config, store: createSqliteStore({ filename: ":memory:" }), gateway: {} as never, publicUrl: "http://127.0.0.1:9", logger: silentLogger, sweep: false, widget });
}

const CODE = "console.log(1)";

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

  it("answers 404 with a hint when no bundle was built", async () => {
    const app = server(null);
    for (const path of ["/widget.js", "/widget.manifest.json", "/widget.0123456789ab.js"]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_found");
      expect(body.error.message).toContain("npm run build");
    }
  });
});
