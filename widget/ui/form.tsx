/**
 * The order form: only what the server's options allow, narrowed by the merchant's attributes, and
 * every step with a single choice skipped. Errors are shown inline and say what is allowed.
 */
import { h } from "preact";
import type { View } from "../checkout.ts";
import { decimalsOf, formatMoney, parseTyped, toMinor } from "../money.ts";
import type { Method } from "../types.ts";

type Step = "country" | "currency" | "payment";

export function Form({ v }: { v: View }) {
  const { options: o, t, locale, picks: p } = v;
  const pick = v.act.pick;
  const { methods: all, products } = v.catalog!;
  const product = o.product ? products.find((item) => item.id === o.product) : undefined;
  const STEPS = ["country", "currency", "payment"] as const;
  let methods = all.filter(
    (m) => STEPS.every((step) => !o[step] || m[step] === o[step]) && (!o.currencies || o.currencies.includes(m.currency)) && (!product || m.currency === product.currency),
  );
  // Country, then currency, then method: each narrows the next, and keeps the shopper's pick while it fits.
  const steps = STEPS.map((step) => {
    const values = [...new Set(methods.map((m) => m[step]))];
    const value = values.includes(p[step]!) ? p[step]! : values[0]!;
    const shown = methods;
    methods = methods.filter((m) => m[step] === value);
    return { step, values, value, shown };
  });
  const method: Method | undefined = methods[0];
  if (!method || (o.product && !product))
    return (
      <main>
        <p class="e" role="alert">
          {t("errorTitle")}
        </p>
      </main>
    );

  const currency = method.currency;
  const money = (value: string) => formatMoney(value, currency, locale);
  // Codes come from the server's validated config; a code Intl has no name for names itself.
  const name = (step: Step, code: string) =>
    step === "payment" ? steps[2]!.shown.find((m) => m.payment === code)!.label : new Intl.DisplayNames(locale, { type: step === "country" ? "region" : "currency" }).of(code)!;
  const presets = o.amount ? [] : (o.amounts ?? method.presets ?? []);
  const picked = p.preset ?? presets[0] ?? "";
  const other = !presets.includes(picked);
  const fixed = product?.price ?? o.amount;
  const decimals = decimalsOf(currency);
  const range = { min: money(method.min), max: money(method.max) };
  const error = p.error;
  // A typed amount shows on the Pay button as soon as it reads as one.
  const typed = parseTyped(p.typed ?? "", currency, locale);
  const shown = fixed ?? (!other ? picked : "value" in typed ? typed.value : "");

  /** The amount to order, or null after saying what is wrong with it. */
  function amountNow(): string | null {
    if (fixed || !other) return shown;
    if ("error" in typed) {
      pick({ error: t(typed.error, { example: money(decimals ? "100.00" : "50000") }), field: "amount" });
      return null;
    }
    const minor = toMinor(typed.value, decimals)!;
    if (minor < toMinor(method!.min, decimals)! || minor > toMinor(method!.max, decimals)!) {
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
        v.act.submit({ country: method.country, currency, payment: method.payment, ...(product ? { product: product.id } : { amount }) });
      }}
    >
      <main>
        {product && <p class="l">{product.name}</p>}
        {fixed && <p class="big">{money(fixed)}</p>}
        {steps.map(
          ({ step, values, value }) =>
            values.length > 1 && (
              <fieldset key={step}>
                <legend>{t(step)}</legend>
                <div class="r">
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
        {!fixed && (
          <fieldset>
            <legend>{t("amount")}</legend>
            {presets[0] && (
              <div class="r">
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
                <span class="l">{t("otherAmount")}</span>
                <input
                  inputMode={decimals ? "decimal" : "numeric"}
                  autoComplete="off"
                  value={p.typed ?? ""}
                  aria-invalid={!!error && p.field === "amount"}
                  aria-describedby="octopus-hint octopus-error"
                  onInput={(event) => pick({ typed: event.currentTarget.value })}
                />
              </label>
            )}
            <p class="h" id="octopus-hint">
              {t("rangeHint", range)}
            </p>
          </fieldset>
        )}
        {error && (
          <p class="e" id="octopus-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{shown ? t("payAmount", { amount: money(shown) }) : t("pay")}</button>
      </main>
    </form>
  );
}
