/**
 * The checkout controller: one session per opened dialog. It creates the order once, shows the
 * payment page the chosen way, follows the order's status from the server (the return page's
 * message is only a hint to look again) and tells the merchant's page through events, callbacks
 * and the promise. What is on screen is the view model (view-model.ts), rendered with Preact.
 */
import { h, render } from "preact";
import { createApi, type Order } from "./api.ts";
import { openPopup, resolveMode } from "./display.ts";
import { loadMessages, localeOf, translator } from "./i18n/index.ts";
import type { FormatMoney } from "./money.ts";
import { returnUrlOf } from "./page-url.ts";
import { createPoller } from "./poller.ts";
import { readCheckoutMessage } from "./protocol.ts";
import { forget, markStarted, purchaseOf, recall, remember, wasStarted } from "./resume.ts";
import { hasProblem, withSession } from "./setup-check.ts";
import { isFinal, nextScreen, screenOf } from "./status-screens.ts";
import type { CheckoutDetail, CheckoutOptions } from "./types.ts";
import { App, focusScreen } from "./ui/app.tsx";
import type { AdoptStyles } from "./ui/button-styles.ts";
import { DIALOG_STYLE } from "./ui/styles.ts";
import type { Selection, View } from "./view-model.ts";

export { cleanUrl } from "./page-url.ts";
export { isFinal } from "./status-screens.ts";
export type { Picks, Screen, Selection, ShownMode, View } from "./view-model.ts";

/**
 * A gateway that does not answer: after SLOW_MS "Creating your order…" says it is taking longer,
 * after GIVE_UP_MS the widget stops waiting and offers to try again (with the same idempotency
 * key, so an order the server made meanwhile comes back instead of a second one).
 */
export const SLOW_MS = 4_000;
export const GIVE_UP_MS = 15_000;
/** How long an order is still followed after its dialog closed and then its payment window. */
const AFTER_POPUP_MS = 5_000;

// 128 random bits: whoever guessed a key could replay its request and get that order back.
// (getRandomValues, not randomUUID: the shop's page may not be a secure context.)
const newKey = () => `ock_${Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join("_")}`;

/**
 * `adoptStyles` (ui/button-styles.ts: the pay button's rules, which the dialog's CSS builds on, then
 * the dialog's) and `formatMoney` (money.ts) are the loader's, lent: widget.js has them anyway, so
 * the dialog file ships no second copy (the view passes formatMoney on to the components).
 *
 * @example
 *   const checkout = createCheckout("https://pay.example.com", window, adoptStyles, formatMoney);
 *   const result = await checkout.open({ amount: "100.00", currency: "php", country: "PH" });
 */
export function createCheckout(server: string, win: Window, adoptStyles: AdoptStyles, formatMoney: FormatMoney) {
  const api = createApi(server);
  const doc = win.document;
  let active: (() => void) | undefined;
  // Outlives a session: the shopper may close our dialog and keep paying in the popup.
  let popup: Window | null = null;
  /** Stops following an order whose dialog is closed (its payment window was still open). */
  let following: (() => void) | undefined;

  /**
   * `trigger`: the element whose events the page listens to; `returnedId`: back from a redirect
   * with this order; `opener`: where focus goes back when the dialog closes.
   */
  function open(options: CheckoutOptions = {}, trigger: Element | null = null, returnedId?: string, opener: Element | null = trigger ?? doc.activeElement): Promise<CheckoutDetail> {
    active?.();
    following?.();
    return new Promise((resolve) => session(options, trigger, resolve, returnedId, opener));
  }

  function session(options: CheckoutOptions, trigger: Element | null, resolve: (detail: CheckoutDetail) => void, returnedId: string | undefined, opener: Element | null) {
    const host = doc.createElement("octopus-checkout");
    const root = host.attachShadow({ mode: "open" });
    adoptStyles(root, options.color, DIALOG_STYLE);
    const locale = localeOf(options, win);
    const purchase = purchaseOf(options);
    const modeNow = () => resolveMode(options.mode, win.navigator.userAgent);
    let key = newKey();
    /** The dialog is on screen (it may still follow its order after it closed). */
    let shown = true;
    let listening: AbortController | undefined;
    let watch: ReturnType<typeof setInterval> | undefined;
    let toldPending = false;
    /** Back from a redirect with an id this browser did not start: show its status, announce nothing. */
    const announce = !returnedId || wasStarted(server, returnedId);
    /** Creating: each submit is an attempt; an answer to one given up on is dropped. */
    let attempt = 0;
    /** The page's setup stops payments here (origin not allowed, options nothing matches). */
    let blocked = false;

    const detail = (order = view.order): CheckoutDetail => ({
      id: order?.id ?? null,
      status: order?.status ?? null,
      amount: order?.amount ?? null,
      finalAmount: order?.final_amount ?? null,
      floatingAmount: order?.floating_amount ?? null,
      currency: order?.currency ?? null,
    });
    /**
     * An event from the trigger (else our host, else, once the dialog is gone, the document), then
     * the matching callback; false when the page cancelled it.
     */
    const emit = (name: string, cancelable = false, callback?: (detail: CheckoutDetail) => void) => {
      const target: EventTarget = trigger?.isConnected ? trigger : host.isConnected ? host : doc;
      const go = target.dispatchEvent(new CustomEvent(`octopus-checkout:${name}`, { bubbles: true, composed: true, cancelable, detail: detail() }));
      try {
        callback?.(detail());
      } catch (error) {
        // A page's callback that throws must not strand the shopper mid-payment; the page still
        // sees its error, as an uncaught one (a listener's error from dispatchEvent goes the same way).
        setTimeout(() => {
          throw error;
        });
      }
      return go;
    };
    /** Once per order, whichever way it is shown, and after we are following it: onPending may close us. */
    const pending = () => {
      if (!toldPending) emit("pending", false, options.onPending);
      toldPending = true;
    };
    const set = (patch: Partial<View>) => {
      const before = view.screen;
      if (patch.screen) patch.screen = nextScreen(before, patch.screen);
      Object.assign(view, patch);
      if (!shown) return;
      // Preact renders synchronously: the new screen is in place to take focus.
      render(h(App, view), root);
      if (view.screen !== before && view.screen !== "loading") focusScreen(root);
    };
    const closePopup = () => {
      popup?.close();
      popup = null;
    };

    const view: View = {
      screen: "loading",
      picks: {},
      copied: false,
      options,
      catalog: null,
      order: null,
      session: null,
      error: "",
      mode: modeNow(),
      frameable: null,
      slow: false,
      popupClosed: false,
      closeOnly: false,
      locale,
      t: translator({}),
      formatMoney,
      act: {
        pick: (picks) => set({ picks: { ...view.picks, ...picks } }),
        copy: (value) =>
          void win.navigator.clipboard
            ?.writeText(value)
            .then(() => {
              set({ copied: true });
              setTimeout(set, 2000, { copied: false });
            })
            // Clipboard refused (permissions, insecure page): the amount stays on screen to type.
            .catch(() => {}),
        submit,
        close,
        // After a failed create the form is still good; after a setup problem, ask the server again.
        retry: () => (view.catalog && !blocked ? set({ screen: "form", error: "" }) : start()),
        again() {
          forget(server);
          unfollow();
          set({ screen: "form", order: null, frameable: null, popupClosed: false });
        },
        openPage,
      },
    };

    const poller = createPoller(
      () => (view.order ? api.status(view.order.id) : null),
      (order) => {
        // Started over meanwhile: an answer about the old order is stale.
        if (order.id === view.order?.id) update(order);
      },
    );

    function unfollow() {
      listening?.abort();
      listening = undefined;
      poller.stop();
      clearInterval(watch);
      if (following === unfollow) following = undefined;
    }

    function follow() {
      if (listening) return;
      listening = new AbortController();
      const listen = { signal: listening.signal };
      win.addEventListener(
        "message",
        (event) => {
          const message = readCheckoutMessage(event, { origin: server, source: view.mode === "iframe" ? root.querySelector("iframe")?.contentWindow : popup });
          if (message && message.id === view.order?.id) poller.nudge();
        },
        listen,
      );
      // A return from a banking app, or a closed popup, is the moment to look again.
      win.addEventListener("focus", poller.nudge, listen);
      doc.addEventListener("visibilitychange", () => doc.hidden || poller.nudge(), listen);
      watch = setInterval(() => {
        if (!popup?.closed) return;
        popup = null;
        set({ popupClosed: true });
        poller.nudge();
        // Nobody is looking any more: one last look, then the order waits for the shopper to reopen.
        if (!shown) setTimeout(() => !shown && unfollow(), AFTER_POPUP_MS);
      }, 1000);
      poller.start();
    }

    function update(order: Order) {
      const was = view.order?.status;
      const screen = screenOf(order.status);
      set({ order, screen: view.screen === "resume" && screen === "waiting" ? "resume" : screen });
      if (!isFinal(order.status) || was === order.status) return;
      // Settled: nothing left to follow (no more polls, listeners or popup watching).
      unfollow();
      closePopup();
      // Settled while the dialog was closed: reopening the same purchase shows this result once.
      if (!shown) remember(server, { id: order.id, exp: Date.parse(order.expires_at), purchase, settled: true });
      else forget(server);
      if (!announce) return;
      if (order.status === "completed") emit("success", false, options.onSuccess);
      else emit("failure", false, options.onFailure);
    }

    /** Takes the dialog off the page and resolves open()'s promise; the order may still be followed. */
    function hide() {
      shown = false;
      render(null, root);
      host.remove();
      if (active === close) active = undefined;
      resolve(detail());
    }

    function finish() {
      unfollow();
      hide();
    }

    function close() {
      if (!shown) return;
      const closing = detail();
      // While the host is still in the page, so that the event reaches document listeners.
      emit("close");
      // Paying in the popup goes on after our dialog has gone: keep following it, to tell the page.
      const paying = view.order && !isFinal(view.order.status) && popup && !popup.closed;
      if (paying) {
        hide();
        following = unfollow;
      } else finish();
      options.onClose?.(closing.id ? closing : null);
      // Focus back where it was when the dialog opened: our own button lives in the trigger's shadow root.
      const back = (opener?.shadowRoot?.querySelector("button") ?? opener) as HTMLElement | null;
      if (back?.isConnected) back.focus?.();
    }

    // Runs inside the shopper's click: the popup must open before anything is awaited.
    function submit(selection: Selection) {
      if (view.screen === "creating") return;
      let mode = modeNow();
      if (mode === "popup" && !(popup = openPopup(win, `${server}/checkout/wait?lang=${locale}`))) mode = "iframe";
      const thisAttempt = ++attempt;
      const giveUp = new AbortController();
      const slowTimer = setTimeout(() => thisAttempt === attempt && set({ slow: true }), SLOW_MS);
      const giveUpTimer = setTimeout(() => giveUp.abort(), GIVE_UP_MS);
      set({ screen: "creating", mode, slow: false, popupClosed: false });
      // A session sets the amount, currency, customer and description itself: naming them is refused.
      // Its own return URL, when it has one, wins over this page's.
      const returnUrl = options.returnUrl ?? returnUrlOf(win.location.href);
      const body = options.session
        ? { session: options.session, country: selection.country, payment: selection.payment, locale, return_url: returnUrl }
        : { ...selection, customer: options.customer, description: options.description, locale, return_url: returnUrl };
      void api.create(body, key, giveUp.signal).then((answer) => {
        clearTimeout(slowTimer);
        clearTimeout(giveUpTimer);
        if (!shown || thisAttempt !== attempt) return;
        if (!answer.ok) {
          closePopup();
          // A lost answer may still have made the order: retry with the same key to get it back.
          if (answer.status) key = newKey();
          const error = answer.error;
          // The session was paid or expired meanwhile (another tab, the merchant): say so, nothing to retry.
          if (error.code === "session_completed" || error.code === "session_expired") {
            set({ screen: error.code === "session_completed" ? "sessionPaid" : "sessionExpired" });
            emit("error");
            return;
          }
          // An error about something the shopper sent goes back to the form, said where they can fix it.
          set(
            answer.status === 400 && error.field
              ? { screen: "form", picks: { ...view.picks, error: error.message, field: error.field } }
              : { screen: "error", error: giveUp.signal.aborted ? view.t("errorSlow") : error.message || view.t("errorNetwork") },
          );
          emit("error");
          return;
        }
        key = newKey();
        const order = answer.value;
        const url = order.payment_url;
        markStarted(server, order.id);
        if (!url) {
          closePopup();
          // A replayed create found the order already over (expired, failed): say so, go nowhere.
          if (isFinal(order.status)) return update(order);
          // Open with nowhere to pay: our server never answers that, but the shopper must not wait for nothing.
          set({ screen: "error", error: view.t("errorNetwork") });
          emit("error");
          return;
        }
        remember(server, { id: order.id, exp: Date.parse(order.expires_at), purchase });
        set({ order });
        if (!emit("created", true)) {
          // The page takes it from here (it has the order in the event's detail).
          closePopup();
          finish();
          return;
        }
        if (mode === "redirect") {
          // Told before the page goes: nothing of ours runs after.
          pending();
          if (shown) win.location.assign(url);
          return;
        }
        try {
          if (mode === "popup") popup!.location.href = url;
        } catch {
          // The popup was cut off from us (COOP, an in-app browser): the waiting screen's
          // "Open the payment page" button opens it from a fresh click instead.
          popup = null;
        }
        set({ screen: "waiting" });
        if (mode === "iframe") void api.framing(order.id).then((framing) => framing.ok && set({ frameable: framing.value.frameable }));
        follow();
        pending();
      });
    }

    // From a click: "Open the payment page", "Open in a new window", "Continue payment".
    function openPage() {
      const url = view.order!.payment_url!;
      if (!(popup = openPopup(win, url))) return win.location.assign(url);
      set({ mode: "popup", screen: "waiting", popupClosed: false });
      poller.nudge();
    }

    function start() {
      set({ screen: "loading", error: "", closeOnly: false });
      const saved = returnedId ? null : recall(server, purchase);
      const id = returnedId ?? saved?.id;
      void Promise.all([api.catalog(), loadMessages(server, locale), id && api.status(id), options.session && api.session(options.session)]).then(([catalog, messages, resumed, session]) => {
        if (!shown) return;
        view.t = translator(messages);
        if (!catalog.ok) return set({ screen: "error", error: catalog.error.message || view.t("errorNetwork") });
        view.catalog = catalog.value;
        blocked = false;
        if (session) {
          blocked = !session.ok;
          if (!session.ok) return set({ screen: "error", error: view.t(session.status === 404 ? "errorSessionNotFound" : "errorNetwork"), closeOnly: session.status === 404 });
          view.session = session.value;
          if (session.value.status !== "open") return set({ screen: session.value.status === "completed" ? "sessionPaid" : "sessionExpired" });
        }
        blocked ||= catalog.value.origin_allowed === false || (!returnedId && hasProblem(catalog.value, withSession(options, view.session)));
        // The server does not take orders from this page: the merchant's setup, not the shopper's connection.
        // Only the merchant can fix these: the shopper is offered Close, not a "Try again" that cannot help.
        if (catalog.value.origin_allowed === false) return set({ screen: "error", error: view.t("errorNotSetUp"), closeOnly: true });
        if (!returnedId && hasProblem(catalog.value, options)) return set({ screen: "error", error: view.t("errorNotAvailable"), closeOnly: true });
        const order = resumed && resumed.ok ? resumed.value : null;
        // Back from a redirect, or settled after the dialog closed: show where the order stands.
        if (order && (returnedId || saved?.settled)) {
          if (saved?.settled) {
            forget(server);
            set({ order, screen: screenOf(order.status) });
            return;
          }
          update(order);
          if (!isFinal(order.status)) follow();
          return;
        }
        // Reopened mid-way on the same purchase: offer to go on paying.
        if (order && !isFinal(order.status) && order.payment_url) {
          view.screen = "resume";
          update(order);
          follow();
          return;
        }
        if (order) forget(server);
        set({ screen: "form" });
      });
    }

    // Attached first, so that the open event reaches document listeners even with no trigger.
    doc.body.append(host);
    if (emit("open", true)) {
      active = close;
      start();
    } else finish();
  }

  /** A pay button's label in the shopper's language: "Pay ฿350.00", or "Pay" without an amount. */
  const buttonLabel = (options: CheckoutOptions): Promise<string> => {
    const locale = localeOf(options, win);
    return loadMessages(server, locale).then((messages) => {
      const t = translator(messages);
      return options.amount && options.currency ? t("payAmount", { amount: formatMoney(options.amount, options.currency, locale) }) : t("pay");
    });
  };

  return { open, close: () => active?.(), buttonLabel };
}

export type Checkout = ReturnType<typeof createCheckout>;
