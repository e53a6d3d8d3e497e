/** widget.js: the loader. Sets `window.OctopusCheckout` and wires up the page. */
import { dialogScript } from "./dialog-script.ts";
import { boot, type OctopusCheckoutApi } from "./embed.ts";

/** The dialog file's name and integrity, put here by the build (vite.config.ts, dialogBuild). */
declare const __OCTOPUS_DIALOG__: { file: string; integrity: string };

declare global {
  interface Window {
    OctopusCheckout?: OctopusCheckoutApi;
  }
}

// Loaded twice by mistake, the second copy leaves the first in charge.
if (!window.OctopusCheckout) window.OctopusCheckout = boot(window, (server) => dialogScript(window, server, __OCTOPUS_DIALOG__));
