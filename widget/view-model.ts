/**
 * The dialog's view model: everything the components show, and the actions they may take. The
 * controller (checkout.ts) keeps one and renders `App` with it on every change; the components
 * hold no state of their own about the payment, so what is on screen is this object, nothing else.
 */
import type { Order, Session } from "./api.ts";
import type { Locale, Translate } from "./i18n/index.ts";
import type { FormatMoney } from "./money.ts";
import type { Catalog, CheckoutOptions } from "./types.ts";

export type Screen = "loading" | "form" | "creating" | "waiting" | "paid" | "failed" | "expired" | "refunded" | "error" | "resume" | "sessionPaid" | "sessionExpired";
export type ShownMode = "popup" | "iframe" | "redirect";

export interface Selection {
  country: string;
  currency: string;
  payment: string;
  amount?: string;
  product?: string;
}

/** What the shopper has picked in the form; kept here so the UI needs no state of its own. */
export interface Picks {
  country?: string;
  currency?: string;
  payment?: string;
  /** A preset amount, or "" for "other amount". */
  preset?: string;
  typed?: string;
  error?: string;
  /** The field the error is about (the server names one): only the amount input is marked invalid. */
  field?: string;
}

export interface View {
  screen: Screen;
  picks: Picks;
  copied: boolean;
  options: CheckoutOptions;
  catalog: Catalog | null;
  order: Order | null;
  /** data-session: the merchant's checkout session, whose amount and description the form shows. */
  session: Session | null;
  error: string;
  mode: ShownMode;
  /** Iframe mode: false when the payment page refuses to be framed. */
  frameable: boolean | null;
  /** Creating: the server has not answered for a few seconds (a slow gateway). */
  slow: boolean;
  /** Waiting in popup mode: the shopper closed the payment window. */
  popupClosed: boolean;
  /** Error: the shop's setup stops payments here (origin not allowed, options nothing matches, unknown session); Close is the only way on. */
  closeOnly: boolean;
  locale: Locale;
  t: Translate;
  /** money.ts's, lent by the loader (which has it for its pay button's label): the dialog file ships no copy. */
  formatMoney: FormatMoney;
  act: {
    pick(picks: Picks): void;
    copy(value: string): void;
    submit(selection: Selection): void;
    close(): void;
    retry(): void;
    again(): void;
    openPage(): void;
  };
}
