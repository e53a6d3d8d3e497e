/**
 * The dialog file (dialog.<hash>.js): the checkout controller and its Preact components, loaded by
 * widget.js when a shopper shows intent or the page is idle. Built as an IIFE that sets
 * `OctopusCheckoutDialog` (vite.config.ts, dialogConfig); the npm entry imports it directly.
 */
import { createApi } from "./api.ts";
import { createCheckout } from "./checkout.ts";
import type { BuiltFile, LoadScript } from "./dialog-script.ts";
import { hasProblem, unknownOptions } from "./setup-check.ts";
// Its declaration of window.OctopusCheckoutSetup, which the setup report sets.
import type {} from "./setup-report.ts";
import type { CheckoutOptions } from "./types.ts";

export { createCheckout };

/**
 * The setup report's file name and integrity, put here by the build (vite.config.ts, dialogBuild);
 * null where there is no such file (the npm entry and unit tests: they call no checkSetup).
 */
declare const __OCTOPUS_SETUP__: BuiltFile | null;

/**
 * Checks the page's setup once it is idle: whether the server allows this page's origin, and the
 * triggers' options against the server's. When something is wrong, the merchant's words for it
 * come from dialog-setup.<hash>.js (setup-report.ts), fetched only then with `loadScript`, the
 * loader's own (from the same server and with its integrity, like the dialog), and go to the
 * console, naming the fix. `api`: the options came from the JS API (open, mount), not from attributes.
 *
 * @example
 *   OctopusCheckoutDialog.checkSetup("https://pay.example.com", window, [{ product: "gem-pack" }], scriptLoader(window, "https://pay.example.com"));
 */
export function checkSetup(server: string, win: Window, configured: CheckoutOptions[], loadScript: LoadScript, api?: boolean, setup = __OCTOPUS_SETUP__): Promise<void> {
  return createApi(server)
    .catalog()
    .then((answer) => {
      // No answer at all from the server (down, or a CORS refusal from an older server): the console already shows the request.
      if (!answer.ok || !setup || (answer.value.origin_allowed !== false && !configured.some((options) => hasProblem(answer.value, options) || (api && unknownOptions(options).length > 0)))) return;
      return loadScript(setup).then(
        () => win.OctopusCheckoutSetup!.reportSetup(answer.value, win.location.origin, server, configured, api),
        (error: Error) => console.error(`octopus-checkout: this page's setup has a problem; ${error.message}, which says what it is, did not load`),
      );
    });
}

export interface DialogModule {
  createCheckout: typeof createCheckout;
  checkSetup: typeof checkSetup;
}
