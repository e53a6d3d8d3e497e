/**
 * The npm entry: the same API as `window.OctopusCheckout`, with types, for bundled merchant apps.
 * package.json exports it as "octopus-checkout/widget"; `npm run build` puts it in dist/npm.
 *
 *   import { createOctopusCheckout } from "octopus-checkout/widget";
 *   const checkout = createOctopusCheckout("https://pay.example.com");
 *   const result = await checkout.open({ amount: "100.00", currency: "php", country: "PH" });
 */
import { createEmbed } from "./embed.ts";
import type { OctopusCheckoutApi } from "./types.ts";

export type { CheckoutDetail, CheckoutOptions, Mode, OctopusCheckoutApi, Status, Theme } from "./types.ts";
export { readCheckoutMessage, PROTOCOL_VERSION } from "./protocol.ts";

/** `server`: the checkout server's origin, e.g. "https://pay.example.com". */
export function createOctopusCheckout(server: string): OctopusCheckoutApi {
  const { open, mount, close } = createEmbed(new URL(server).origin);
  return { open, mount, close };
}
