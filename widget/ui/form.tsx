/**
 * The order form: only what the server's options allow, narrowed by the merchant's attributes, and
 * every step with a single choice skipped. Errors are shown inline and say what is allowed.
 */
import type { View } from "../checkout.ts";
import { decimalsOf, formatMoney, parseTyped, toMinor } from "../money.ts";

const unique = (values: string[]) => [...new Set(values)];

function displayName(locale: string, type: "region" | "currency", code: string): string {
  try {
    return new Intl.DisplayNames([locale], { type }).of(type === "currency" ? code.toUpperCase() : code) ?? code;
  } catch {
    return code.toUpperCase();
  }
}

function Choice({ name, legend, values, value, label, set }: { name: string; legend: string; values: string[]; value: string; label: (v: string) => string; set: (v: string) => void }) {
  if (values.length < 2) return null;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div class="r">
        {values.map((item) => (
          <label key={item}>
            <input type="radio" name={name} value={item} checked={item === value} onChange={() => set(item)} />
            <span>{label(item)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Form({ v }: { v: View }) {
  const { options: o, t, locale } = v;
  const catalog = v.catalog!;
  const product = o.product ? catalog.products.find((p) => p.id === o.product) : undefined;
  const methods = catalog.methods.filter(
    (m) =>
      (!o.country || m.country === o.country) &&
      (!o.currency || m.currency === o.currency) &&
      (!o.currencies || o.currencies.includes(m.currency)) &&
      (!o.payment || m.payment === o.payment) &&
      (!product || m.currency === product.currency),
  );
  const p = v.picks;
  const pick = v.act.pick;
  const countries = unique(methods.map((m) => m.country));
  const country = p.country && countries.includes(p.country) ? p.country : (countries[0] ?? "");
  const inCountry = methods.filter((m) => m.country === country);
  const currencies = unique(inCountry.map((m) => m.currency));
  const currency = p.currency && currencies.includes(p.currency) ? p.currency : (currencies[0] ?? "");
  const inCurrency = inCountry.filter((m) => m.currency === currency);
  const method = inCurrency.find((m) => m.payment === p.payment) ?? inCurrency[0];
  const presets = o.amount ? [] : (o.amounts ?? method?.presets ?? []);
  const picked = p.preset ?? presets[0] ?? "";
  const typed = p.typed ?? "";
  const error = p.error ?? "";

  if (!method || (o.product && !product)) return <main><p class="e" role="alert">{t("errorTitle")}</p></main>;

  const money = (value: string) => formatMoney(value, currency, locale);
  const other = !product && !o.amount && (picked === "" || !presets.includes(picked));
  const decimals = decimalsOf(currency);
  const range = { min: money(method.min), max: money(method.max) };
  const fixed = product?.price ?? o.amount;
  const serverError = v.fieldError?.message ?? "";

  function amountNow(): string | null {
    if (fixed) return fixed;
    if (!other) return picked;
    const parsed = parseTyped(typed, currency, locale);
    if ("error" in parsed) {
      pick({ error: t(parsed.error, { example: money(decimals ? "100.00" : "50000") }) });
      return null;
    }
    const minor = toMinor(parsed.value, decimals)!;
    if (minor < toMinor(method!.min, decimals)! || minor > toMinor(method!.max, decimals)!) {
      pick({ error: t("errorRange", range) });
      return null;
    }
    return parsed.value;
  }

  const shown = fixed ?? (other ? null : picked);
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const amount = amountNow();
        if (amount === null) return;
        pick({ error: "" });
        v.act.submit({ country, currency, payment: method.payment, ...(product ? { product: product.id } : { amount }) });
      }}
    >
      <main>
        {product && (
          <div>
            <p class="l">{t("product")}</p>
            <p>{product.name}</p>
            <p class="big">{money(product.price)}</p>
          </div>
        )}
        <Choice name="country" legend={t("country")} values={countries} value={country} label={(c) => displayName(locale, "region", c)} set={(c) => pick({ country: c, error: "" })} />
        <Choice name="currency" legend={t("currency")} values={currencies} value={currency} label={(c) => displayName(locale, "currency", c)} set={(c) => pick({ currency: c, error: "" })} />
        <Choice
          name="method"
          legend={t("method")}
          values={inCurrency.map((m) => m.payment)}
          value={method.payment}
          label={(p) => inCurrency.find((m) => m.payment === p)!.label}
          set={(m) => pick({ payment: m, error: "" })}
        />
        {!product && o.amount && <p class="big">{money(o.amount)}</p>}
        {!fixed && (
          <fieldset>
            <legend>{t("amount")}</legend>
            {presets.length > 0 && (
              <div class="r">
                {[...presets, ""].map((item) => (
                  <label key={item}>
                    <input type="radio" name="amount" checked={item === "" ? other : item === picked} onChange={() => pick({ preset: item, error: "" })} />
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
                  value={typed}
                  aria-invalid={!!error}
                  aria-describedby="octopus-hint octopus-error"
                  onInput={(event) => pick({ typed: (event.target as HTMLInputElement).value })}
                />
              </label>
            )}
            <p class="h" id="octopus-hint">
              {t("rangeHint", range)}
            </p>
          </fieldset>
        )}
        {(error || serverError) && (
          <p class="e" id="octopus-error" role="alert">
            {error || serverError}
          </p>
        )}
        <button type="submit">
          {shown ? t("payAmount", { amount: money(shown) }) : t("pay")}
        </button>
      </main>
    </form>
  );
}
