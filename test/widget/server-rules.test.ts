/**
 * The widget keeps its own copies of a few of the server's rules (it must not bundle the server's
 * code, or zod): the currencies and their decimals, the checkout id's format, the statuses and which
 * of them are final. Here they are compared with the server's, so that they cannot drift apart.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { CURRENCIES, currencyDecimals } from "../../server/gateway/amount.ts";
import { PaymentStatus, isFinalStatus } from "../../server/gateway/schemas.ts";
import { CHECKOUT_ID as SERVER_CHECKOUT_ID, newCheckoutId } from "../../server/ids.ts";
import { CURRENCY_CODES, readAttributes } from "../../widget/attributes.ts";
import { CHECKOUT_ID } from "../../widget/embed.ts";
import { decimalsOf } from "../../widget/money.ts";
import { SCREEN_OF_STATUS, isFinal } from "../../widget/status-screens.ts";
import type { Status } from "../../widget/types.ts";

describe("the widget's copies of the server's rules", () => {
  it("takes the same currencies, with the same decimals", () => {
    expect([...CURRENCY_CODES].sort()).toEqual([...CURRENCIES].sort());
    for (const currency of CURRENCIES) expect(decimalsOf(currency), currency).toBe(currencyDecimals(currency));
    // And data-currency accepts exactly those.
    for (const currency of CURRENCIES) expect(readAttributes({ currency }, () => {}).currency).toBe(currency);
    expect(readAttributes({ currency: "eur" }, () => {}).currency).toBeUndefined();
  });

  it("reads a checkout id exactly as the server writes and checks it", () => {
    for (let i = 0; i < 200; i++) expect(CHECKOUT_ID.test(newCheckoutId())).toBe(true);
    // Every ASCII character, in every position the format has: both rules agree on each.
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      for (const id of [`ck_${char.repeat(22)}`, `ck_${"A".repeat(21)}${char}`, `${char}k_${"A".repeat(22)}`, `ck_${"A".repeat(21 + (code % 3))}`]) {
        expect(CHECKOUT_ID.test(id), JSON.stringify(id)).toBe(SERVER_CHECKOUT_ID.test(id));
      }
    }
  });

  it("knows the same statuses, and the same ones as final", () => {
    expect(Object.keys(SCREEN_OF_STATUS).sort()).toEqual([...PaymentStatus.options].sort());
    for (const status of PaymentStatus.options) expect(isFinal(status), status).toBe(isFinalStatus(status));
    expectTypeOf<Status>().toEqualTypeOf<PaymentStatus>();
  });
});
