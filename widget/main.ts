/** widget.js: the script-tag bundle. Sets `window.OctopusCheckout` and wires up the page. */
import { boot, type OctopusCheckoutApi } from "./embed.ts";

declare global {
  interface Window {
    OctopusCheckout?: OctopusCheckoutApi;
  }
}

// Loaded twice by mistake, the second copy leaves the first in charge.
if (!window.OctopusCheckout) window.OctopusCheckout = boot(window);
