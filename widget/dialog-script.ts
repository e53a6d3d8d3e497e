/**
 * widget.js's way to its other files: a <script> for dialog.<hash>.js (and, when a page's setup is
 * wrong, dialog-setup.<hash>.js) from the same server (so a page's CSP needs no new source), checked
 * against the integrity built into the file that names it and fetched with CORS (`crossorigin`),
 * which integrity requires cross-origin. The dialog file sets `OctopusCheckoutDialog`.
 */
import type { DialogModule } from "./dialog.ts";
import type { LoadDialog } from "./embed.ts";

declare global {
  interface Window {
    OctopusCheckoutDialog?: DialogModule;
  }
}

/** A built file's name and the integrity of its exact bytes (vite.config.ts, builtFile). */
export interface BuiltFile {
  file: string;
  integrity: string;
}

/** Loads one of the server's built files. */
export type LoadScript = (built: BuiltFile) => Promise<void>;

/**
 * Resolves once the file has run; rejects with its URL when it does not load (network, 404,
 * integrity, CSP: a browser tells them apart to nobody). The dialog borrows it for the setup
 * report (dialog.ts, checkSetup) rather than shipping a second copy.
 */
export const scriptLoader =
  (win: Window, server: string): LoadScript =>
  (built) =>
    new Promise((resolve, reject) => {
      const script = win.document.createElement("script");
      script.src = `${server}/widget/${built.file}`;
      script.integrity = built.integrity;
      script.crossOrigin = "";
      script.onload = () => resolve();
      script.onerror = () => {
        script.remove();
        reject(Error(script.src));
      };
      win.document.head.append(script);
    });

export function dialogScript(win: Window, server: string, dialog: BuiltFile): LoadDialog {
  let loading: Promise<DialogModule> | undefined;
  return () =>
    (loading ??= scriptLoader(win, server)(dialog).then(
      () => win.OctopusCheckoutDialog!,
      (error: Error) => {
        // The next click tries again.
        loading = undefined;
        throw error;
      },
    ));
}
