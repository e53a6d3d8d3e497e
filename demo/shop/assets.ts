/**
 * The demo's scripts and stylesheet, served from /demo/assets/. Files rather than inline code so
 * that every page runs under `script-src 'self'; style-src 'self'`. Read once at start: a fixed
 * list, so no request can name any other file.
 */
import { Hono } from "hono";
import { readFileSync } from "node:fs";

const FILES = ["demo.css", "copy.js", "event-log.js", "js-api.js", "csp-report.js", "panel.js", "backend.js"] as const;

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

export function demoAssets(): Hono {
  const app = new Hono();
  for (const name of FILES) {
    const body = readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
    const type = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
    // no-cache: a demo edited and restarted must never run yesterday's script.
    app.get(`/demo/assets/${name}`, (c) => c.body(body, 200, { "Content-Type": type, "Cache-Control": "no-cache" }));
  }
  // Browsers ask every page without an icon link for one (the sandbox's payment page, say): an
  // empty answer rather than a 404 in every console.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "Cache-Control": "public, max-age=86400" }));
  return app;
}
