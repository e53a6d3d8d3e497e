/**
 * The dialog and its screens. A native <dialog> opened with showModal(): focus stays inside, Escape
 * closes. At every screen change the controller moves focus to the new screen's main action (the
 * element marked `data-main`), else its heading (focusScreen).
 */
import { Fragment, h } from "preact";
import type { MessageKey } from "../i18n/en.ts";
import { productOf } from "../setup-check.ts";
import type { Screen, View } from "../view-model.ts";
import { Form } from "./form.tsx";

interface Ending {
  icon: string;
  tone: "" | "good" | "bad";
  action: "close" | "again" | "retry" | "openPage";
  label: MessageKey;
}

/**
 * The screens that say one thing and offer one way on. Their title and text are the messages
 * `<screen>Title` and `<screen>Text`.
 */
const ENDINGS: Partial<Record<Screen, Ending>> = {
  paid: { icon: "✓", tone: "good", action: "close", label: "done" },
  failed: { icon: "!", tone: "bad", action: "again", label: "tryAgain" },
  expired: { icon: "!", tone: "", action: "again", label: "startAgain" },
  refunded: { icon: "↺", tone: "", action: "close", label: "done" },
  error: { icon: "!", tone: "bad", action: "retry", label: "tryAgain" },
  resume: { icon: "", tone: "", action: "openPage", label: "resume" },
  sessionPaid: { icon: "✓", tone: "good", action: "close", label: "done" },
  sessionExpired: { icon: "!", tone: "", action: "close", label: "done" },
};

/** What is being bought, in the merchant's words: the product's name, else the description. */
export function purchaseName(view: View): string | undefined {
  if (view.session) return view.session.description ?? undefined;
  return productOf(view.catalog, view.options)?.name ?? view.options.description;
}

function Waiting({ view, amount }: { view: View; amount: string }) {
  const { t, order, mode } = view;
  const url = order!.payment_url;
  const floating = order!.floating_amount;
  const framed = mode === "iframe" && view.frameable !== false && url;
  const text: MessageKey = mode !== "iframe" ? (view.popupClosed ? "waitingPopupClosed" : "waitingPopup") : framed ? "waitingFrame" : "framingBlocked";
  return (
    <main class={`centered${framed ? " framed-main" : ""}`}>
      {/* A framed payment page shows the amount itself; repeating it would push the page out of view. */}
      {(!framed || floating) && (
        <>
          <p class="hint">{t("toPay")}</p>
          <p class="big">{amount}</p>
        </>
      )}
      {floating && (
        <>
          <p class="hint">{t("transferExactly")}</p>
          <button type="button" class="secondary" onClick={() => view.act.copy(floating)}>
            {t(view.copied ? "copied" : "copy")}
          </button>
        </>
      )}
      {framed ? <iframe src={url} title={t("dialogTitle")} allow="payment; clipboard-write" /> : <progress aria-label={t("waitingTitle")} />}
      <p class="note">{t(text)}</p>
      {url && (
        <button type="button" class={framed ? "secondary open-page" : ""} data-main={framed ? undefined : ""} onClick={view.act.openPage}>
          {t(mode === "iframe" ? "openNewWindow" : "openPayment")}
        </button>
      )}
    </main>
  );
}

function Body({ view }: { view: View }) {
  const { t, order, screen } = view;
  // What the shopper pays: the Thai transfer amount with its satang, where there is one.
  const amount = order ? view.formatMoney(order.floating_amount ?? order.final_amount ?? order.amount, order.currency, view.locale) : "";
  const ending = ENDINGS[screen];
  if (screen === "form") return <Form view={view} />;
  if (screen === "waiting") return <Waiting view={view} amount={amount} />;
  if (!ending)
    return (
      <main class="centered">
        <progress aria-label={t("creating")} />
        {screen === "creating" && <p>{t("creating")}</p>}
        {screen === "creating" && view.slow && <p>{t("creatingSlow")}</p>}
      </main>
    );
  const what = screen === "resume" ? purchaseName(view) : undefined;
  // The shop's setup stops payments here: trying again cannot help the shopper, closing can.
  const closeOnly = screen === "error" && view.closeOnly;
  return (
    <main class="centered">
      {ending.icon && (
        <div class={`icon ${ending.tone}`} aria-hidden="true">
          {ending.icon}
        </div>
      )}
      <p class="big">{t(`${screen}Title` as MessageKey)}</p>
      {what && <p class="label">{what}</p>}
      <p>{screen === "error" ? view.error : t(`${screen}Text` as MessageKey, { amount })}</p>
      <button type="button" data-main="" onClick={view.act[closeOnly ? "close" : ending.action]}>
        {t(closeOnly ? "close" : ending.label)}
      </button>
      {screen === "resume" && (
        <button type="button" class="secondary" onClick={view.act.again}>
          {t("newPayment")}
        </button>
      )}
    </main>
  );
}

/** Focus for a new screen: its main action, else the dialog's heading (the shopper hears where they are). */
export function focusScreen(root: ParentNode): void {
  (root.querySelector<HTMLElement>("[data-main]") ?? root.querySelector<HTMLElement>("h2"))?.focus();
}

export function App(view: View) {
  const { t, screen } = view;
  const framed = screen === "waiting" && view.mode === "iframe";
  return (
    <dialog
      ref={(element: HTMLDialogElement | null) => {
        if (element && !element.open) element.showModal();
      }}
      class={`${view.options.theme ?? "auto"}${framed ? " framed" : ""}`}
      aria-labelledby="title"
      onCancel={(event) => {
        event.preventDefault();
        view.act.close();
      }}
    >
      <header>
        <h2 id="title" tabIndex={-1}>
          {screen === "waiting" ? t("waitingTitle") : (view.catalog?.merchant_name ?? t("dialogTitle"))}
        </h2>
        {/* The full-screen sheet on a phone gives the payment page all the height: "Open in a new window" moves up here. */}
        {framed && view.frameable !== false && view.order?.payment_url && (
          <button type="button" class="close new-window" aria-label={t("openNewWindow")} title={t("openNewWindow")} onClick={view.act.openPage}>
            ↗
          </button>
        )}
        <button type="button" class="close" aria-label={t("close")} onClick={view.act.close}>
          ×
        </button>
      </header>
      {view.catalog?.sandbox && <p class="sandbox">{t("sandbox")}</p>}
      <div class="screen" aria-live="polite" aria-busy={screen === "loading" || screen === "creating"}>
        <Body view={view} />
      </div>
    </dialog>
  );
}
