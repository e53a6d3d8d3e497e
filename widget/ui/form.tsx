/**
 * The order form: only what the server's options allow, narrowed by the merchant's attributes, and
 * every step with a single choice skipped. Errors are shown inline and say what is allowed.
 */
import { h } from "preact";
import { decimalsOf, parseTyped } from "../money.ts";
import { inLimits, methodsFor, productOf, withSession } from "../setup-check.ts";
import type { Method } from "../types.ts";
import type { View } from "../view-model.ts";

type Step = "country" | "currency" | "payment";
const STEPS = ["country", "currency", "payment"] as const;

export function Form({ view }: { view: View }) {
  const { t, locale, picks } = view;
  // A checkout session fixes the amount and currency: the form only asks how to pay.
  const options = withSession(view.options, view.session);
  const pick = view.act.pick;
  const product = productOf(view.catalog, options);
  let methods = methodsFor(view.catalog!, options);
  // Country, then currency, then method: each narrows the next, and keeps the shopper's pick while it fits.
  const steps = STEPS.map((step) => {
    const values = [...new Set(methods.map((method) => method[step]))];
    const value = values.includes(picks[step]!) ? picks[step]! : values[0]!;
    const shown = methods;
    methods = methods.filter((method) => method[step] === value);
    return { step, values, value, shown };
  });
  const method: Method | undefined = methods[0];
  // The controller does not show the form for options nothing matches (setup-check.ts): this is a safety net.
  if (!method || (options.product && !product))
    return (
      <main>
        <p class="error" role="alert">
          {t("errorNotAvailable")}
        </p>
      </main>
    );

  const currency = method.currency;
  const money = (value: string) => view.formatMoney(value, currency, locale);
  // Codes come from the server's validated config; a code Intl has no name for names itself.
  const name = (step: Step, code: string) =>
    step === "payment" ? steps[2]!.shown.find((item) => item.payment === code)!.label : new Intl.DisplayNames(locale, { type: step === "country" ? "region" : "currency" }).of(code)!;
  const presets = options.amount ? [] : (options.amounts ?? method.presets ?? []);
  const picked = picks.preset ?? presets[0] ?? "";
  const other = !presets.includes(picked);
  const fixed = product?.price ?? options.amount;
  const decimals = decimalsOf(currency);
  const range = { min: money(method.min), max: money(method.max) };
  const inRange = (value: string) => inLimits(method, value);
  const error = picks.error;
  // A typed amount shows on the Pay button as soon as it reads as one this method can take.
  const typed = parseTyped(picks.typed ?? "", currency, locale);
  const shown = fixed ?? (!other ? picked : "value" in typed && inRange(typed.value) ? typed.value : "");
  const description = product?.description ?? options.description;

  /** The amount to order, or null after saying what is wrong with it. */
  function amountNow(): string | null {
    if (fixed || !other) return shown;
    if ("error" in typed) {
      pick({ error: t(typed.error, { example: money(decimals ? "100.00" : "50000") }), field: "amount" });
      return null;
    }
    if (!inRange(typed.value)) {
      pick({ error: t("errorRange", range), field: "amount" });
      return null;
    }
    return typed.value;
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const amount = amountNow();
        if (amount === null) return;
        pick({ error: "" });
        view.act.submit({ country: method.country, currency, payment: method.payment, ...(product ? { product: product.id } : { amount }) });
      }}
    >
      <main>
        {product && <p class="label">{product.name}</p>}
        {description && <p class="hint">{description}</p>}
        {fixed && <p class="big">{money(fixed)}</p>}
        {steps.map(
          ({ step, values, value }) =>
            values.length > 1 && (
              <fieldset key={step}>
                <legend>{t(step)}</legend>
                <div class="choices">
                  {values.map((item) => (
                    <label key={item}>
                      <input type="radio" name={step} checked={item === value} onChange={() => pick({ [step]: item, error: "" })} />
                      <span>{name(step, item)}</span>
                    </label>
                  ))}
                </div>
              </fieldset>
            ),
        )}
        {/* One method on offer: say which, since no step names it. */}
        {steps[2]!.values.length === 1 && <p class="hint">{t("payWith", { method: method.label })}</p>}
        {!fixed && (
          <fieldset>
            <legend>{t("amount")}</legend>
            {presets[0] && (
              <div class="choices">
                {[...presets, ""].map((item) => (
                  <label key={item}>
                    <input type="radio" name="amount" checked={item ? item === picked : other} onChange={() => pick({ preset: item, error: "" })} />
                    <span>{item ? money(item) : t("otherAmount")}</span>
                  </label>
                ))}
              </div>
            )}
            {other && (
              <label>
                <span class="label">{t("otherAmount")}</span>
                <input
                  inputMode={decimals ? "decimal" : "numeric"}
                  autoComplete="off"
                  value={picks.typed ?? ""}
                  aria-invalid={!!error && picks.field === "amount"}
                  aria-describedby="hint error"
                  onInput={(event) => {
                    const value = event.currentTarget.value;
                    const read = parseTyped(value, currency, locale);
                    // An amount error goes as soon as what is typed can be paid; a new one waits for Pay.
                    pick({ typed: value, ...(picks.field === "amount" && "value" in read && inRange(read.value) ? { error: "" } : {}) });
                  }}
                />
              </label>
            )}
            <p class="hint" id="hint">
              {t("rangeHint", range)}
            </p>
          </fieldset>
        )}
        {/* The Thai transfer: the gateway may adjust the amount to send (its floating amount), said before the waiting screen. */}
        {method.payment === "thailand" && <p class="hint">{t("transferNote")}</p>}
        {error && (
          <p class="error" id="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{shown ? t("payAmount", { amount: money(shown) }) : t("pay")}</button>
      </main>
    </form>
  );
}
