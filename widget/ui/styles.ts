/**
 * The widget's CSS, adopted into its shadow roots as constructable stylesheets: no <style> element
 * and no style attribute, so it works under `style-src 'self'`, and the page's CSS stays out.
 *
 * Colours: the dialog takes the system's Canvas/CanvasText under `color-scheme`, so dark mode costs
 * no second palette. A button's text is black or white by the merchant's accent's lightness (CSS
 * relative colour: (62 - L) * 100 clamps to 0 or 100); browsers without it keep white.
 *
 * Every line ends in `\`, a line continuation: one rule a line to read, and no newlines in the
 * string the browser gets (24 B less gzipped).
 */
const CSS = `:host{all:initial;--a:#0f766e;accent-color:var(--a);font:16px/1.45 system-ui,sans-serif}\
*{box-sizing:border-box;font:inherit;color:inherit;margin:0}\
dialog{color-scheme:light dark;background:Canvas;color:CanvasText;margin:auto;border:0;border-radius:16px;padding:0;width:min(440px,100vw - 16px);max-width:none;max-height:calc(100dvh - 16px);box-shadow:0 20px 60px #0006}\
.light{color-scheme:light}.dark{color-scheme:dark}\
::backdrop{background:#0009}\
button{cursor:pointer;border:0;padding:.6em 1em;background:var(--a);color:#fff;color:lch(from var(--a) calc((62 - l) * 100) 0 0)}\
button,input,.r span,iframe{border-radius:10px;min-height:44px}\
input,.r span,.g,iframe{border:1px solid #8888}\
:focus-visible,.r :focus-visible+span{outline:3px solid var(--a);outline-offset:2px}\
.g,.x{background:0;color:inherit}\
.w{width:min(560px,100vw - 16px)}\
header{display:flex;align-items:center;padding:14px 16px 6px}\
h2{flex:1}\
h2,.big{font-size:1.1em;font-weight:700}\
.big{font-size:1.8em;font-variant-numeric:tabular-nums}\
button,legend,.l,.r span,.sb{font-weight:600}\
.x{font-size:1.5em;padding:0 10px}\
.x,.h{opacity:.7}\
.h,.e,.l,legend,.sb{font-size:.9em}\
main{padding:6px 16px 18px}\
main,label,fieldset{display:grid;gap:14px;border:0;min-width:0}\
label,fieldset{gap:6px;padding:0}\
legend,.l{margin-bottom:6px}\
input{width:100%;padding:0 .75em}\
.r{display:flex;flex-wrap:wrap;gap:8px}\
.r label{display:block;flex:1 1 auto}\
.r input{position:absolute;opacity:0;width:1px}\
.r span{display:block;text-align:center;padding:.6em .4em;white-space:nowrap}\
.r :checked+span{border:2px solid var(--a);background:color-mix(in srgb,var(--a) 15%,Canvas)}\
.e{color:color-mix(in srgb,red 70%,CanvasText)}\
.c{text-align:center;justify-items:center}\
.c button{width:100%}\
.i{width:56px;height:56px;border-radius:50%;display:grid;place-items:center;font-size:28px;color:#fff;background:#64748b}\
.ok{background:#15803d}.no{background:#dc2626}\
.sb{margin:0 16px;padding:4px;background:#fde68a;color:#78350f;text-align:center}\
iframe{width:100%;height:min(600px,100dvh - 270px);background:#fff}\
progress{width:100%}`;

let base: CSSStyleSheet | null | undefined;

export function adoptStyles(root: ShadowRoot, color: string | undefined): void {
  // Browsers without constructable stylesheets (and jsdom) render unstyled rather than break.
  if (typeof CSSStyleSheet === "undefined" || !("adoptedStyleSheets" in root)) return;
  try {
    if (base === undefined) {
      base = new CSSStyleSheet();
      base.replaceSync(CSS);
    }
    const sheets = [base!];
    if (color && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
      const accent = new CSSStyleSheet();
      accent.replaceSync(`:host{--a:${color}}`);
      sheets.push(accent);
    }
    root.adoptedStyleSheets = sheets;
  } catch {
    base = null;
  }
}
