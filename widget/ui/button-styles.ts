/**
 * The pay button's CSS, adopted into its shadow root as a constructable stylesheet (no <style>
 * element, no style attribute: it works under `style-src 'self'`). Only the button: the dialog's
 * CSS comes with the dialog file. The same rules as the dialog's buttons, so the two look alike.
 */
const CSS = `:host{all:initial;--accent:#0f766e;font:16px/1.45 system-ui,sans-serif}\
button{cursor:pointer;border:0;border-radius:10px;min-height:44px;padding:.6em 1em;font:inherit;font-weight:600;background:var(--accent);color:#fff;color:lch(from var(--accent) calc((62 - l) * 100) 0 0)}\
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}`;

/** Adopts `css` and, for a valid `#rgb`/`#rrggbb`, the merchant's accent; quietly nothing where the browser has no constructable stylesheets. */
export function adoptSheets(root: ShadowRoot, css: string, color: string | undefined, cached: { sheet?: CSSStyleSheet | null }): void {
  if (typeof CSSStyleSheet === "undefined" || !("adoptedStyleSheets" in root)) return;
  try {
    if (cached.sheet === undefined) {
      cached.sheet = new CSSStyleSheet();
      cached.sheet.replaceSync(css);
    }
    const sheets = [cached.sheet!];
    if (color && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
      const accent = new CSSStyleSheet();
      accent.replaceSync(`:host{--accent:${color}}`);
      sheets.push(accent);
    }
    root.adoptedStyleSheets = sheets;
  } catch {
    cached.sheet = null;
  }
}

const buttonSheet: { sheet?: CSSStyleSheet | null } = {};

export const adoptButtonStyles = (root: ShadowRoot, color: string | undefined): void => adoptSheets(root, CSS, color, buttonSheet);
