/**
 * The widget's CSS, adopted into its shadow roots as constructable stylesheets: no <style> element
 * and no style attribute, so it works under `style-src 'self'`, and the page's CSS stays out.
 *
 * Colours: the dialog takes the system's Canvas/CanvasText under `color-scheme`, so dark mode costs
 * no second palette (Canvas is every browser's own background for <dialog>; its CanvasText is set
 * here because `*` makes colour inherit). A button's text is black or white by the merchant's accent's lightness (CSS
 * relative colour: (62 - L) * 100 clamps to 0 or 100); browsers without it keep white.
 *
 * Every line ends in `\`, a line continuation: one rule a line to read, and no newlines in the
 * string the browser gets (24 B less gzipped).
 *
 * The host's reset (`all:initial`, the default accent, the font), the buttons' look and the focus
 * ring are the pay button's rules (ui/button-styles.ts), adopted before these: widget.js has them
 * anyway, so the dialog file does not repeat them.
 */
import type { Style } from "./button-styles.ts";

const CSS = `:host{accent-color:var(--accent)}\
*{box-sizing:border-box;font:inherit;color:inherit;margin:0}\
dialog{color-scheme:light dark;color:CanvasText;margin:auto;border:0;border-radius:16px;padding:0;width:min(440px,100vw - 16px);max-width:none;max-height:calc(100dvh - 16px);box-shadow:0 20px 60px #0006}\
.light{color-scheme:light}.dark{color-scheme:dark}\
::backdrop{background:#0009}\
input,.choices span,iframe{border-radius:10px;min-height:44px}\
input,.choices span,.secondary,iframe{border:1px solid #8888}\
.choices :focus-visible+span{outline:3px solid var(--accent);outline-offset:2px}\
h2:focus{outline:0}\
.secondary,.close{background:0;color:inherit}\
.framed{width:min(560px,100vw - 16px)}\
header{display:flex;align-items:center;padding:14px 16px 6px}\
h2{flex:1}\
h2,.big{font-size:1.1em;font-weight:700}\
.big{font-size:1.8em;font-variant-numeric:tabular-nums}\
legend,.label,.choices span,.sandbox{font-weight:600}\
.close{font-size:1.5em;padding:0 10px}\
.close,.hint{opacity:.75}\
.hint,.error,.label,legend,.sandbox{font-size:.9em}\
main{padding:6px 16px 18px}\
main,label,fieldset{display:grid;gap:14px;border:0;min-width:0}\
label,fieldset{gap:6px;padding:0}\
legend,.label{margin-bottom:6px}\
input{width:100%;padding:0 .75em}\
.choices{display:flex;flex-wrap:wrap;gap:8px}\
.choices label{display:block;flex:auto}\
.choices input{position:absolute;opacity:0;width:1px}\
.choices span{display:block;text-align:center;padding:.6em .4em;white-space:nowrap}\
.choices :checked+span{border:2px solid var(--accent);background:color-mix(in srgb,var(--accent) 15%,Canvas)}\
.error{color:color-mix(in srgb,red 70%,CanvasText)}\
.centered{text-align:center;justify-items:center}\
.centered button{width:100%}\
.icon{width:56px;height:56px;border-radius:50%;display:grid;place-items:center;font-size:28px;color:#fff;background:#64748b}\
.good{background:#15803d}.bad{background:#dc2626}\
.sandbox{margin:0 16px 10px;padding:4px;background:#fde68a;color:#78350f;text-align:center}\
iframe{width:100%;height:min(600px,100dvh - 270px);background:#fff}\
progress{width:100%}\
.new-window{display:none}\
@media (max-width:600px){\
.framed .new-window{display:block}\
.framed .note,.framed .open-page{display:none}\
dialog[open].framed{width:100vw;height:100dvh;max-height:none;margin:0;border-radius:0;display:flex;flex-direction:column}\
.framed .screen{flex:1;display:flex;min-height:0}\
.framed-main{flex:1;display:flex;flex-direction:column;gap:10px;padding:0 8px 8px}\
.framed header{padding:8px 8px 6px 16px}\
.framed iframe{flex:1;height:auto;min-height:0}\
.framed-main p{font-size:.9em}}`;

/** The dialog's own rules, adopted after the pay button's (ui/button-styles.ts). */
export const DIALOG_STYLE: Style = { css: CSS };
