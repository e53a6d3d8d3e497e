/**
 * The npm entry: the same API as `window.OctopusCheckout`, with types, for bundled merchant apps.
 *
 *   import { createOctopusCheckout } from "octopus-checkout/widget";
 *   const checkout = createOctopusCheckout("https://pay.example.com");
 *   const result = await checkout.open({ amount: "100.00", currency: "php", country: "PH" });
 */
import { createEmbed, type OctopusCheckoutApi } from "./embed.ts";

export type { CheckoutDetail, CheckoutOptions, Mode, Status, Theme } from "./types.ts";
export type { OctopusCheckoutApi };
export { readCheckoutMessage, PROTOCOL_VERSION } from "./protocol.ts";

/** `server`: the checkout server's origin, e.g. "https://pay.example.com". */
export function createOctopusCheckout(server: string): OctopusCheckoutApi {
  const { open, mount, close } = createEmbed(new URL(server).origin);
  return { open, mount, close };
}
