/**
 * The pay button's CSS, adopted into its shadow root as a constructable stylesheet (no <style>
 * element, no style attribute: it works under `style-src 'self'`). Only the button, the host's
 * reset and focus: the dialog's CSS comes with the dialog file and builds on these rules, which the
 * dialog adopts too (through `adoptStyles`, lent to it by the loader: a shopper downloads them once).
 */
const CSS = `:host{all:initial;--accent:#0f766e;font:16px/1.45 system-ui,sans-serif}\
button{cursor:pointer;border:0;border-radius:10px;min-height:44px;padding:.6em 1em;font:inherit;font-weight:600;background:var(--accent);color:#fff;color:lch(from var(--accent) calc((62 - l) * 100) 0 0)}\
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}`;

/** A stylesheet, made once per page when it is first adopted. */
export interface Style {
  css: string;
  sheet?: CSSStyleSheet;
}

const BUTTON: Style = { css: CSS };

const sheetOf = (css: string) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  return sheet;
};

/**
 * Adopts the button's CSS, then `more` (the dialog's), then, for a valid `#rgb`/`#rrggbb`, the
 * merchant's accent; quietly nothing where the browser has no constructable stylesheets.
 */
export function adoptStyles(root: ShadowRoot, color: string | undefined, ...more: Style[]): void {
  if (typeof CSSStyleSheet === "undefined" || !("adoptedStyleSheets" in root)) return;
  try {
    const sheets = [BUTTON, ...more].map((style) => (style.sheet ??= sheetOf(style.css)));
    if (color && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) sheets.push(sheetOf(`:host{--accent:${color}}`));
    root.adoptedStyleSheets = sheets;
  } catch {
    // A browser that refuses them shows the unstyled button and dialog, as one without them does.
  }
}

export type AdoptStyles = typeof adoptStyles;
