/**
 * widget.js's way to the dialog: a <script> for dialog.<hash>.js from the same server (so a page's
 * CSP needs no new source), checked against the integrity built into widget.js and fetched with
 * CORS (`crossorigin`), which integrity requires cross-origin. The file sets `OctopusCheckoutDialog`.
 */
import type { DialogModule } from "./dialog.ts";
import type { LoadDialog } from "./embed.ts";

declare global {
  interface Window {
    OctopusCheckoutDialog?: DialogModule;
  }
}

/** Rejects with the file's URL when it does not load (network, 404, integrity, CSP: a browser tells them apart to nobody). */
export function dialogScript(win: Window, server: string, dialog: { file: string; integrity: string }): LoadDialog {
  let loading: Promise<DialogModule> | undefined;
  return () =>
    (loading ??= new Promise<DialogModule>((resolve, reject) => {
      const script = win.document.createElement("script");
      script.src = `${server}/widget/${dialog.file}`;
      script.integrity = dialog.integrity;
      script.crossOrigin = "";
      script.onload = () => resolve(win.OctopusCheckoutDialog!);
      script.onerror = () => {
        // The next click tries again.
        loading = undefined;
        script.remove();
        reject(Error(script.src));
      };
      win.document.head.append(script);
    }));
}
