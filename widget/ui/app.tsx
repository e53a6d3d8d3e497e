/** The dialog and its screens. A native <dialog> opened with showModal(): focus stays inside, Escape closes. */
import type { View } from "../checkout.ts";
import { formatMoney } from "../money.ts";
import { Form } from "./form.tsx";

function Result({ v, icon, ok, title, text, action, label }: { v: View; icon: string; ok?: boolean; title: string; text: string; action: () => void; label: string }) {
  return (
    <main class="c">
      <div class={`i ${ok ? "ok" : ok === false ? "no" : ""}`} aria-hidden="true">
        {icon}
      </div>
      <p class="big">{title}</p>
      <p>{text}</p>
      <button type="button" onClick={action}>
        {label}
      </button>
    </main>
  );
}

function Waiting({ v }: { v: View }) {
  const o = v.order!;
  const due = o.floating_amount ?? o.final_amount ?? o.amount;
  const money = formatMoney(due, o.currency, v.locale);
  const framed = v.mode === "iframe" && v.frameable !== false && o.payment_url;
  return (
    <main class="c">
      {/* A framed payment page shows the amount itself; repeating it would push the page out of view. */}
      {(!framed || o.floating_amount) && (
        <>
          <p class="h">{v.t("toPay")}</p>
          <p class="big">{money}</p>
        </>
      )}
      {o.floating_amount && (
        <>
          <p class="h">{v.t("transferExactly")}</p>
          <button type="button" class="g" onClick={() => v.act.copy(due)}>
            {v.copied ? v.t("copied") : v.t("copy")}
          </button>
        </>
      )}
      {framed ? <iframe src={o.payment_url} title={v.t("dialogTitle")} allow="payment; clipboard-write" /> : <div class="sp" role="progressbar" aria-label={v.t("waitingTitle")} />}
      <p>{v.mode === "iframe" ? (v.frameable === false ? v.t("framingBlocked") : v.t("waitingFrame")) : v.t("waitingPopup")}</p>
      {o.payment_url && (
        <button type="button" class={framed ? "g" : ""} onClick={v.act.openPage}>
          {v.mode === "iframe" ? v.t("openNewWindow") : v.t("openPayment")}
        </button>
      )}
    </main>
  );
}

function Body({ v }: { v: View }) {
  const t = v.t;
  const o = v.order;
  // What the shopper actually paid: the Thai transfer amount with its satang, where there is one.
  const amount = o ? formatMoney(o.floating_amount ?? o.final_amount ?? o.amount, o.currency, v.locale) : "";
  switch (v.screen) {
    case "form":
      return <Form v={v} />;
    case "waiting":
      return <Waiting v={v} />;
    case "paid":
      return <Result v={v} icon="✓" ok title={t("paidTitle")} text={t("paidText", { amount })} action={v.act.close} label={t("done")} />;
    case "failed":
      return <Result v={v} icon="!" ok={false} title={t("failedTitle")} text={t("failedText")} action={v.act.again} label={t("tryAgain")} />;
    case "expired":
      return <Result v={v} icon="!" title={t("expiredTitle")} text={t("expiredText")} action={v.act.again} label={t("startAgain")} />;
    case "refunded":
      return <Result v={v} icon="↺" title={t("refundedTitle")} text={t("refundedText", { amount })} action={v.act.close} label={t("done")} />;
    case "error":
      return <Result v={v} icon="!" ok={false} title={t("errorTitle")} text={v.error} action={v.act.retry} label={t("tryAgain")} />;
    case "resume":
      return (
        <main class="c">
          <p class="big">{t("resumeTitle")}</p>
          <p>{t("resumeText", { amount: o ? formatMoney(o.floating_amount ?? o.amount, o.currency, v.locale) : "" })}</p>
          <button type="button" onClick={v.act.resume}>
            {t("resume")}
          </button>
          <button type="button" class="g" onClick={v.act.again}>
            {t("newPayment")}
          </button>
        </main>
      );
    default:
      return (
        <main class="c">
          <div class="sp" role="progressbar" aria-label={t("creating")} />
          {v.screen === "creating" && <p>{t("creating")}</p>}
        </main>
      );
  }
}

export function App(v: View) {
  const theme = v.options.theme ?? "auto";
  const title = v.screen === "waiting" ? v.t("waitingTitle") : v.catalog?.merchant_name ?? v.t("dialogTitle");
  return (
    <dialog
      ref={(dialog: HTMLDialogElement | null) => {
        if (dialog && !dialog.open) dialog.showModal ? dialog.showModal() : dialog.setAttribute("open", "");
      }}
      class={`${theme}${v.screen === "waiting" && v.mode === "iframe" ? " w" : ""}`}
      aria-labelledby="octopus-title"
      onCancel={(event) => {
        event.preventDefault();
        v.act.close();
      }}
    >
      <header>
        <h2 id="octopus-title">{title}</h2>
        <button type="button" class="x" aria-label={v.t("close")} onClick={v.act.close}>
          ×
        </button>
      </header>
      {v.catalog?.sandbox && <p class="sb">{v.t("sandbox")}</p>}
      <div aria-live="polite" aria-busy={v.screen === "loading" || v.screen === "creating"}>
        <Body v={v} />
      </div>
    </dialog>
  );
}
