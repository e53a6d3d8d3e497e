/**
 * The checkout controller: one session per opened dialog. It creates the order once, shows the
 * payment page the chosen way, follows the order's status from the server (the return page's
 * message is only a hint to look again) and tells the merchant's page through events, callbacks
 * and the promise.
 */
import { createApi, type Order } from "./api.ts";
import { openPopup, resolveMode } from "./display.ts";
import { loadMessages, localeOf, translator, type Locale, type Translate } from "./i18n/index.ts";
import { readCheckoutMessage } from "./protocol.ts";
import { forget, recall, remember } from "./resume.ts";
import type { Catalog, CheckoutDetail, CheckoutOptions, Status } from "./types.ts";
import { App } from "./ui/app.tsx";
import { h, render } from "./ui/dom.ts";
import { adoptStyles } from "./ui/styles.ts";

export type Screen = "loading" | "form" | "creating" | "waiting" | "paid" | "failed" | "expired" | "refunded" | "error" | "resume";
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
  error: string;
  mode: ShownMode;
  /** Iframe mode: false when the payment page refuses to be framed. */
  frameable: boolean | null;
  locale: Locale;
  t: Translate;
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

/** How the design maps the gateway's statuses to what the shopper sees; anything unknown is still open. */
const screenOf = (status: Status): Screen =>
  status === "completed" ? "paid" : status === "overdue" ? "expired" : status === "refund" ? "refunded" : /failed|reject/.test(status) ? "failed" : "waiting";

export const isFinal = (status: Status | undefined): boolean => !!status && screenOf(status) !== "waiting";

// 128 random bits: whoever guessed a key could replay its request and get that order back.
// (getRandomValues, not randomUUID: the shop's page may not be a secure context.)
const newKey = () => `ock_${Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join("_")}`;

/**
 * This page's URL without our own query parameter: what the address bar shows once a redirect is
 * back. The fragment stays there, but is not sent as the return URL: it may hold a token (an
 * OAuth implicit grant, a magic link) that is none of the checkout server's business.
 */
export function cleanUrl(href: string): string {
  const url = new URL(href);
  url.searchParams.delete("octopus_checkout");
  return url.href;
}

export function createCheckout(server: string, win: Window = window) {
  const api = createApi(server);
  const doc = win.document;
  let active: (() => void) | undefined;
  // Outlives a session: the shopper may close our dialog and keep paying in the popup.
  let popup: Window | null = null;

  function open(options: CheckoutOptions = {}, trigger: Element | null = null, returnedId?: string): Promise<CheckoutDetail> {
    active?.();
    return new Promise((resolve) => session(options, trigger, resolve, returnedId));
  }

  function session(options: CheckoutOptions, trigger: Element | null, resolve: (detail: CheckoutDetail) => void, returnedId: string | undefined) {
    const host = doc.createElement("octopus-checkout");
    const root = host.attachShadow({ mode: "open" });
    adoptStyles(root, options.color);
    const locale = localeOf(options, win);
    const target: EventTarget = trigger ?? host;
    const modeNow = () => resolveMode(options.mode, win.navigator.userAgent);
    let key = newKey();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let watch: ReturnType<typeof setInterval> | undefined;
    let delay = 1500;
    let polling = false;
    let following: AbortController | undefined;
    let ended = false;
    let toldPending = false;

    const detail = (o = view.order): CheckoutDetail => ({
      id: o?.id ?? null,
      status: o?.status ?? null,
      amount: o?.amount ?? null,
      finalAmount: o?.final_amount ?? null,
      floatingAmount: o?.floating_amount ?? null,
      currency: o?.currency ?? null,
    });
    /** An event from the trigger (else the host), then the matching callback; false when the page cancelled it. */
    const emit = (name: string, cancelable = false, callback?: (detail: CheckoutDetail) => void) => {
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
      Object.assign(view, patch);
      if (!ended) render(h(App, view), root);
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
      error: "",
      mode: modeNow(),
      frameable: null,
      locale,
      t: translator({}),
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
        retry: () => (view.catalog ? set({ screen: "form" }) : start()),
        again() {
          forget(server);
          unfollow();
          set({ screen: "form", order: null, frameable: null });
        },
        openPage,
      },
    };

    function unfollow() {
      following?.abort();
      following = undefined;
      clearTimeout(timer);
      clearInterval(watch);
    }

    /** Looks at the order now, then again with backoff while it is not final. */
    function poll(fresh?: unknown) {
      if (fresh) delay = 1500;
      clearTimeout(timer);
      const id = view.order?.id;
      if (!id || polling || ended) return;
      polling = true;
      void api.status(id).then((answer) => {
        polling = false;
        // Closed, or started over meanwhile: an answer about the old order is stale.
        if (ended || view.order?.id !== id) return;
        if (answer.ok) update(answer.value);
        if (following) {
          timer = setTimeout(poll, delay);
          delay = Math.min(delay * 1.6, 15_000);
        }
      });
    }
    const nudge = () => poll(true);

    function follow() {
      if (following) return;
      following = new AbortController();
      const listen = { signal: following.signal };
      win.addEventListener(
        "message",
        (event) => {
          const message = readCheckoutMessage(event, { origin: server, source: view.mode === "iframe" ? root.querySelector("iframe")?.contentWindow : popup });
          if (message && message.id === view.order?.id) nudge();
        },
        listen,
      );
      // A return from a banking app, or a closed popup, is the moment to look again.
      win.addEventListener("focus", nudge, listen);
      doc.addEventListener("visibilitychange", () => doc.hidden || nudge(), listen);
      watch = setInterval(() => popup?.closed && (popup = null, nudge()), 1000);
      nudge();
    }

    function update(order: Order) {
      const was = view.order?.status;
      const screen = screenOf(order.status);
      set({ order, screen: view.screen === "resume" && screen === "waiting" ? "resume" : screen });
      if (!isFinal(order.status) || was === order.status) return;
      // Settled: nothing left to follow (no more polls, listeners or popup watching).
      unfollow();
      forget(server);
      closePopup();
      if (order.status === "completed") emit("success", false, options.onSuccess);
      else emit("failure", false, options.onFailure);
    }

    function finish() {
      ended = true;
      unfollow();
      render(null, root);
      host.remove();
      if (active === close) active = undefined;
      resolve(detail());
    }

    function close() {
      if (ended) return;
      const d = detail();
      // While the host is still in the page, so that the event reaches document listeners.
      emit("close");
      finish();
      options.onClose?.(d.id ? d : null);
      // Our own button lives in the trigger's shadow root; a merchant's element is focused itself.
      ((trigger?.shadowRoot?.querySelector("button") ?? trigger) as HTMLElement | null)?.focus?.();
    }

    // Runs inside the shopper's click: the popup must open before anything is awaited.
    function submit(selection: Selection) {
      if (view.screen === "creating") return;
      let mode = modeNow();
      if (mode === "popup" && !(popup = openPopup(win, `${server}/checkout/wait?lang=${locale}`))) mode = "iframe";
      set({ screen: "creating", mode });
      const body = { ...selection, customer: options.customer, description: options.description, locale, return_url: options.returnUrl ?? cleanUrl(win.location.href).split("#")[0] };
      void api.create(body, key).then((answer) => {
        if (ended) return;
        if (!answer.ok) {
          closePopup();
          // A lost answer may still have made the order: retry with the same key to get it back.
          if (answer.status) key = newKey();
          const error = answer.error;
          // An error about something the shopper sent goes back to the form, said where they can fix it.
          set(answer.status === 400 && error.field ? { screen: "form", picks: { ...view.picks, error: error.message, field: error.field } } : { screen: "error", error: error.message || view.t("errorNetwork") });
          emit("error");
          return;
        }
        key = newKey();
        const order = answer.value;
        const url = order.payment_url;
        if (!url) {
          closePopup();
          // A replayed create found the order already over (expired, failed): say so, go nowhere.
          if (isFinal(order.status)) return update(order);
          // Open with nowhere to pay: our server never answers that, but the shopper must not wait for nothing.
          set({ screen: "error", error: view.t("errorNetwork") });
          emit("error");
          return;
        }
        remember(server, order.id, order.expires_at!);
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
          if (!ended) win.location.assign(url);
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
        if (mode === "iframe") void api.framing(order.id).then((answer) => answer.ok && set({ frameable: answer.value.frameable }));
        follow();
        pending();
      });
    }

    // From a click: "Open the payment page", "Open in a new window", "Continue payment".
    function openPage() {
      const url = view.order!.payment_url!;
      if (!(popup = openPopup(win, url))) return win.location.assign(url);
      set({ mode: "popup", screen: "waiting" });
      nudge();
    }

    function start() {
      set({ screen: "loading", error: "" });
      const id = returnedId ?? recall(server);
      void Promise.all([api.catalog(), loadMessages(server, locale), id && api.status(id)]).then(([catalog, messages, resumed]) => {
        if (ended) return;
        view.t = translator(messages);
        if (!catalog.ok) return set({ screen: "error", error: catalog.error.message || view.t("errorNetwork") });
        view.catalog = catalog.value;
        const order = resumed && resumed.ok ? resumed.value : null;
        // Back from a redirect: show where the order stands. Reopened mid-way: offer to go on paying.
        if (order && (returnedId || (!isFinal(order.status) && order.payment_url))) {
          if (!returnedId) view.screen = "resume";
          update(order);
          if (!isFinal(order.status)) follow();
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

  return { open, close: () => active?.() };
}

export type Checkout = ReturnType<typeof createCheckout>;
