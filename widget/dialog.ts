/**
 * The dialog file (dialog.<hash>.js): the checkout controller and its Preact components, loaded by
 * widget.js when a shopper shows intent or the page is idle. Built as an IIFE that sets
 * `OctopusCheckoutDialog` (vite.config.ts, DIALOG_BUILD); the npm entry imports it directly.
 */
import { createApi } from "./api.ts";
import { createCheckout } from "./checkout.ts";
import { reportSetup } from "./setup-check.ts";
import type { CheckoutOptions } from "./types.ts";

export { createCheckout };

/**
 * Checks the page's setup once it is idle: whether the server allows this page's origin, and the
 * triggers' options against the server's; what is wrong goes to the console, naming the fix.
 *
 * @example
 *   OctopusCheckoutDialog.checkSetup("https://pay.example.com", window, [{ product: "gem-pack" }]);
 */
export function checkSetup(server: string, win: Window, configured: CheckoutOptions[]): Promise<void> {
  return createApi(server)
    .catalog()
    .then((answer) => {
      if (answer.ok) reportSetup(answer.value, win.location.origin, server, configured);
      // No answer at all from the server (down, or a CORS refusal from an older server): the console already shows the request.
    });
}

export interface DialogModule {
  createCheckout: typeof createCheckout;
  checkSetup: typeof checkSetup;
}
