/**
 * A merchant's mistakes: setup-check.ts finds them (in the dialog file, for the shopper's short
 * message), setup-report.ts says them in the console (in its own file, fetched only then). The two
 * must agree: a problem found and never said, or said and never found, is a merchant left guessing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { hasProblem, unknownOptions } from "../../widget/setup-check.ts";
import { optionProblems, reportSetup } from "../../widget/setup-report.ts";
import type { CheckoutOptions } from "../../widget/types.ts";
import { catalog } from "./support.tsx";

const CASES: Array<[CheckoutOptions, string | null]> = [
  [{ product: "starter-pack" }, null],
  [{ amount: "100.00", currency: "php" }, null],
  [{ amounts: ["100.00", "500.00"], country: "PH" }, null],
  [{ product: "gem-pack" }, 'data-product="gem-pack" is not a product of this checkout; its products: starter-pack, thai-pack.'],
  [{ currency: "eur" }, 'no payment method here matches data-currency="eur"'],
  [{ country: "PH", currencies: ["thb"] }, 'data-country="PH" data-currencies="thb"'],
  [{ amount: "5.00", currency: "php" }, 'data-amount="5.00" is outside what GCash takes (20.00 to 50000.00 php) and Maya takes (20.00 to 50000.00 php).'],
  [{ amounts: ["100.00", "1.00"], country: "PH" }, 'data-amounts="1.00" is outside'],
];

afterEach(() => vi.restoreAllMocks());

describe("setup check and setup report", () => {
  it.each(CASES)("agree on %j", (options, problem) => {
    const problems = optionProblems(catalog, options);
    expect(hasProblem(catalog, options)).toBe(problems.length > 0);
    if (problem) expect(problems.join(" ")).toContain(problem);
    else expect(problems).toEqual([]);
  });

  it("says which keys given to the JS API are not options, with the option meant, and the dialog fetches the report for them", () => {
    // Nothing else is wrong with these options: the unknown keys alone must be said.
    const options = { amount: "100.00", ammount: "100.00", curency: "php", country: "PH", toString: "x", onsuccess: () => {} } as CheckoutOptions;
    const problems = optionProblems(catalog, options, true);
    expect(problems).toEqual([
      expect.stringMatching(/^ammount is not an option of OctopusCheckout\.open\(\) or mount\(\), so it is ignored\. Did you mean amount\? The options: amount, amounts, product, .*onClose\.$/),
      expect.stringMatching(/^curency is not an option .* Did you mean currency\?/),
      expect.stringMatching(/^toString is not an option .*ignored\. The options:/),
      expect.stringMatching(/^onsuccess is not an option .* Did you mean onSuccess\?/),
    ]);
    expect(unknownOptions(options)).toEqual(["ammount", "curency", "toString", "onsuccess"]);
    // From attributes (readAttributes reads them by name) there is nothing of the kind to say.
    expect(optionProblems(catalog, options)).toEqual([]);
    expect(unknownOptions({ amount: "1.00", onClose: () => {} })).toEqual([]);
  });

  it("reports the page's origin first, naming both settings, then each problem once", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    reportSetup({ ...catalog, origin_allowed: false }, "https://shop.example", "https://pay.example", [{ product: "gem-pack" }, { product: "gem-pack" }]);
    expect(error).toHaveBeenCalledOnce();
    expect(error.mock.calls[0]![0]).toMatch(/https:\/\/shop\.example.*allowedOrigins.*CHECKOUT_ALLOWED_ORIGINS/);
    expect(warn).toHaveBeenCalledOnce();
  });
});
