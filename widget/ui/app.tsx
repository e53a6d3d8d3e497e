/** The dialog and its screens. A native <dialog> opened with showModal(): focus stays inside, Escape closes. */
import { Fragment, h } from "preact";
import type { View } from "../checkout.ts";
import type { MessageKey } from "../i18n/en.ts";
import { formatMoney } from "../money.ts";
import { Form } from "./form.tsx";

/**
 * The screens that say one thing and offer one way on: icon, its tone, the action and its label.
 * Their title and text are the messages `<screen>Title` and `<screen>Text`.
 */
const ENDS: Record<string, [icon: string, tone: string, action: "close" | "again" | "retry" | "openPage", label: MessageKey]> = {
  paid: ["✓", "ok", "close", "done"],
  failed: ["!", "no", "again", "tryAgain"],
  expired: ["!", "", "again", "startAgain"],
  refunded: ["↺", "", "close", "done"],
  error: ["!", "no", "retry", "tryAgain"],
  resume: ["", "", "openPage", "resume"],
};

function Waiting({ v, amount }: { v: View; amount: string }) {
  const { t, order: o, mode } = v;
  const url = o!.payment_url;
  const floating = o!.floating_amount;
  const framed = mode === "iframe" && v.frameable !== false && url;
  return (
    <main class="c">
      {/* A framed payment page shows the amount itself; repeating it would push the page out of view. */}
      {(!framed || floating) && (
        <>
          <p class="h">{t("toPay")}</p>
          <p class="big">{amount}</p>
        </>
      )}
      {floating && (
        <>
          <p class="h">{t("transferExactly")}</p>
          <button type="button" class="g" onClick={() => v.act.copy(floating)}>
            {t(v.copied ? "copied" : "copy")}
          </button>
        </>
      )}
      {framed ? <iframe src={url} title={t("dialogTitle")} allow="payment; clipboard-write" /> : <progress aria-label={t("waitingTitle")} />}
      <p>{t(mode !== "iframe" ? "waitingPopup" : framed ? "waitingFrame" : "framingBlocked")}</p>
      {url && (
        <button type="button" class={framed ? "g" : ""} onClick={v.act.openPage}>
          {t(mode === "iframe" ? "openNewWindow" : "openPayment")}
        </button>
      )}
    </main>
  );
}

function Body({ v }: { v: View }) {
  const { t, order: o, screen } = v;
  // What the shopper pays: the Thai transfer amount with its satang, where there is one.
  const amount = o ? formatMoney(o.floating_amount ?? o.final_amount ?? o.amount, o.currency, v.locale) : "";
  const end = ENDS[screen];
  if (screen === "form") return <Form v={v} />;
  if (screen === "waiting") return <Waiting v={v} amount={amount} />;
  if (!end)
    return (
      <main class="c">
        <progress aria-label={t("creating")} />
        {screen === "creating" && <p>{t("creating")}</p>}
      </main>
    );
  return (
    <main class="c">
      {end[0] && (
        <div class={`i ${end[1]}`} aria-hidden="true">
          {end[0]}
        </div>
      )}
      <p class="big">{t(`${screen}Title` as MessageKey)}</p>
      <p>{screen === "error" ? v.error : t(`${screen}Text` as MessageKey, { amount })}</p>
      <button type="button" onClick={v.act[end[2]]}>
        {t(end[3])}
      </button>
      {screen === "resume" && (
        <button type="button" class="g" onClick={v.act.again}>
          {t("newPayment")}
        </button>
      )}
    </main>
  );
}

export function App(v: View) {
  const { t, screen } = v;
  return (
    <dialog
      ref={(dialog: HTMLDialogElement | null) => {
        if (dialog && !dialog.open) dialog.showModal();
      }}
      class={`${v.options.theme ?? "auto"}${screen === "waiting" && v.mode === "iframe" ? " w" : ""}`}
      aria-labelledby="octopus-title"
      onCancel={(event) => {
        event.preventDefault();
        v.act.close();
      }}
    >
      <header>
        <h2 id="octopus-title">{screen === "waiting" ? t("waitingTitle") : (v.catalog?.merchant_name ?? t("dialogTitle"))}</h2>
        <button type="button" class="x" aria-label={t("close")} onClick={v.act.close}>
          ×
        </button>
      </header>
      {v.catalog?.sandbox && <p class="sb">{t("sandbox")}</p>}
      <div aria-live="polite" aria-busy={screen === "loading" || screen === "creating"}>
        <Body v={v} />
      </div>
    </dialog>
  );
}
