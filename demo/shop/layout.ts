/**
 * The frame every demo page shares: head, top bar, SANDBOX banner, and the code block with its Copy
 * button. Scripts and styles are files under /demo/assets/, never inline, so each page runs under a
 * CSP without 'unsafe-inline'. Every value goes through hono/html's escaping; `raw` is only ever
 * given markup from this module or snippets.ts.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { VIEWPORT_META } from "./snippets.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every page knows about the shop it belongs to. */
export interface Shell {
  merchantName: string;
  sandbox: boolean;
}

export interface PageParts {
  title: string;
  body: Html;
  /** Run in <head>, before the body: listeners that must hear the widget's first events. */
  headScripts?: readonly { src: string; data?: Record<string, string> }[];
  /** Run at the end of <body>. */
  scripts?: readonly string[];
  /** "dark" for the dark page, "bare" for the framed phone shop (no top bar). */
  variant?: "dark" | "bare";
}

const scriptData = (data: Record<string, string> = {}) => Object.entries(data).map(([name, value]) => html` data-${raw(name)}="${value}"`);

/** Short on the framed phone shop, whose 360 px should go to the shop, not to the banner. */
function sandboxBanner(shell: Shell, short = false): Html {
  if (!shell.sandbox) return html``;
  return html`<div class="sandbox" role="note"><strong>SANDBOX</strong> <span>No real money moves.${short
    ? ""
    : html` Pay, fail or reject on the sandbox's payment page, or drive orders from the <a href="/demo/sandbox">sandbox panel</a>.`}</span></div>`;
}

export function page(shell: Shell, parts: PageParts): Html {
  const bare = parts.variant === "bare";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${raw(VIEWPORT_META)}
<title>${parts.title} · ${shell.merchantName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo/assets/demo.css">
${(parts.headScripts ?? []).map((script) => html`<script src="${script.src}"${scriptData(script.data)}></script>\n`)}
</head>
<body class="${parts.variant ?? "light"}">
${bare
  ? sandboxBanner(shell, true)
  : html`<header class="top">
<a class="brand" href="/">${shell.merchantName}</a>
<span class="tag">checkout demo</span>
<nav aria-label="Demo"><a href="/">All ways in</a>${shell.sandbox ? html`<a href="/demo/sandbox">Sandbox panel</a>` : ""}</nav>
</header>
${sandboxBanner(shell)}`}
<main class="${bare ? "bare" : "wrap"}">
${parts.body}
</main>
${(parts.scripts ?? []).map((src) => html`<script src="${src}"></script>\n`)}
</body>
</html>`;
}

/**
 * A snippet to copy: its text escaped in <pre><code>, and a Copy button that copies the code's
 * text (copy.js), so the clipboard gets exactly what is shown.
 */
export function codeBlock(id: string, label: string, text: string): Html {
  return html`<figure class="code">
<figcaption><span>${label}</span><button type="button" class="copy" data-copy="${id}">Copy</button></figcaption>
<pre><code id="${id}">${text}</code></pre>
</figure>`;
}
