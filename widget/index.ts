/**
 * The npm entry: the same API as `window.OctopusCheckout`, with types, for bundled merchant apps.
 * package.json exports it as "octopus-checkout/widget"; `npm run build` puts it in dist/npm, as one
 * module (the dialog comes with it: an app's bundler splits it as the app wants).
 *
 * @example
 *   import { createOctopusCheckout } from "octopus-checkout/widget";
 *   const checkout = createOctopusCheckout("https://pay.example.com");
 *   const result = await checkout.open({ amount: "100.00", currency: "php", country: "PH" });
 */
import * as dialog from "./dialog.ts";
import { createEmbed } from "./embed.ts";
import type { OctopusCheckoutApi } from "./types.ts";

export type { CheckoutDetail, CheckoutEventMap, CheckoutOptions, Mode, OctopusCheckoutApi, Status, Theme } from "./types.ts";
export type { CheckoutMessage, CloseMessage, ReadyMessage, ReturnMessage } from "./protocol.ts";
export { readCheckoutMessage, PROTOCOL_VERSION } from "./protocol.ts";

/**
 * `server`: the checkout server's origin, e.g. "https://pay.example.com".
 *
 * @example
 *   const checkout = createOctopusCheckout("https://pay.example.com");
 *   checkout.mount(document.querySelector("#pay")!, { product: "starter-pack" });
 */
export function createOctopusCheckout(server: string): OctopusCheckoutApi {
  const { open, mount, close } = createEmbed(new URL(server).origin, window, () => Promise.resolve(dialog));
  return { open, mount, close };
}
