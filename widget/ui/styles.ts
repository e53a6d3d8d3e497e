/**
 * The widget's CSS, adopted into its shadow roots as constructable stylesheets: no <style> element
 * and no style attribute, so it works under `style-src 'self'`, and the page's CSS stays out.
 */
const CSS = `:host{all:initial;--a:#0f766e;--bg:#fff;--fg:#0f172a;--mu:#64748b;--bd:#cbd5e1;--er:#b91c1c;--ok:#15803d;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Bengali",sans-serif}
.dark{--bg:#0f172a;--fg:#f1f5f9;--mu:#94a3b8;--bd:#334155;--er:#f87171;--ok:#4ade80}
@media (prefers-color-scheme:dark){.auto{--bg:#0f172a;--fg:#f1f5f9;--mu:#94a3b8;--bd:#334155;--er:#f87171;--ok:#4ade80}}
*{box-sizing:border-box;font:inherit;color:inherit}
button{cursor:pointer;border:0;border-radius:10px;padding:.7em 1.1em;font-weight:600;background:var(--a);color:#fff;min-height:44px}
button:disabled{opacity:.6;cursor:progress}
button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid color-mix(in srgb,var(--a) 55%,transparent);outline-offset:2px}
.g{background:transparent;color:var(--fg);border:1px solid var(--bd)}
dialog{background:var(--bg);color:var(--fg);border:0;border-radius:16px;padding:0;width:min(440px,calc(100vw - 16px));max-height:calc(100dvh - 16px);box-shadow:0 20px 60px #0006}
dialog::backdrop{background:#0f172a99}
.w{width:min(560px,calc(100vw - 16px))}
header{display:flex;align-items:center;gap:8px;padding:14px 16px 6px}
h2{flex:1;margin:0;font-size:1.1em;font-weight:700}
.x{background:transparent;color:var(--mu);font-size:1.5em;line-height:1;padding:0 10px;min-height:40px}
main{padding:6px 16px 18px;display:grid;gap:14px}
label,fieldset{display:grid;gap:6px;margin:0;border:0;padding:0;min-width:0}
legend,.l{font-weight:600;font-size:.9em;padding:0;margin-bottom:6px}
select,input{width:100%;padding:.65em .75em;border:1px solid var(--bd);border-radius:10px;background:var(--bg);min-height:44px}
.r{display:flex;flex-wrap:wrap;gap:8px}
.r label{display:block;flex:1 1 30%}
.r input{position:absolute;opacity:0;width:1px;height:1px}
.r span{display:block;text-align:center;padding:.6em .5em;border:1px solid var(--bd);border-radius:10px;font-weight:600;white-space:nowrap}
.r input:checked+span{border:2px solid var(--a);background:color-mix(in srgb,var(--a) 12%,var(--bg))}
.r input:focus-visible+span{outline:3px solid color-mix(in srgb,var(--a) 55%,transparent)}
.h{font-size:.85em;color:var(--mu);margin:0}
.e{font-size:.9em;color:var(--er);margin:0}
.p{width:100%}
.c{text-align:center;justify-items:center}
.big{font-size:1.9em;font-weight:750;letter-spacing:.01em;font-variant-numeric:tabular-nums}
.i{width:56px;height:56px;border-radius:50%;display:grid;place-items:center;font-size:28px;font-weight:700;color:#fff;background:var(--mu)}
.ok{background:var(--ok)}.no{background:var(--er)}
.sb{margin:0 16px;padding:4px 8px;border-radius:6px;background:#fde68a;color:#78350f;font-size:.8em;font-weight:600;text-align:center}
iframe{width:100%;height:min(600px,calc(100dvh - 190px));border:1px solid var(--bd);border-radius:10px;background:#fff}
.sp{width:28px;height:28px;border:3px solid var(--bd);border-top-color:var(--a);border-radius:50%;animation:s 1s linear infinite}
@keyframes s{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.sp{animation:none}}
p{margin:0}`;

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
