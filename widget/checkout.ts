/**
 * The checkout controller: one session per opened dialog. It creates the order once, shows the
 * payment page the chosen way, follows the order's status from the server (the return page's
 * message is only a hint to look again) and tells the merchant's page through events, callbacks
 * and the promise.
 */
import { h, render } from "preact";
import { createApi } from "./api.ts";
import { openPopup, resolveMode } from "./display.ts";
import { loadMessages, pickLocale, translator, type Locale, type Translate } from "./i18n/index.ts";
import { readCheckoutMessage } from "./protocol.ts";
import { forget, recall, remember } from "./resume.ts";
import type { ApiError, Catalog, CheckoutDetail, CheckoutOptions, Order, Status } from "./types.ts";
import { App } from "./ui/app.tsx";
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
}

export interface View {
  screen: Screen;
  picks: Picks;
  copied: boolean;
  options: CheckoutOptions;
  catalog: Catalog | null;
  order: Order | null;
  error: string;
  fieldError: ApiError | null;
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
    resume(): void;
  };
}

const SCREENS: Record<Status, Screen> = {
  none: "waiting",
  pending: "waiting",
  preparing: "waiting",
  processing: "waiting",
  completed: "paid",
  failed: "failed",
  reject: "failed",
  overdue: "expired",
  refund: "refunded",
};

export const isFinal = (status: Status | undefined): boolean => !!status && SCREENS[status] !== "waiting";

// 128 random bits: whoever guessed a key could replay its request and get that order back.
const newKey = () => `ock_${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/** This page's URL without our own query parameter: where a redirect comes back to. */
export function cleanUrl(href: string): string {
  const url = new URL(href);
  url.searchParams.delete("octopus_checkout");
  url.hash = "";
  return url.href;
}

export function createCheckout(server: string, win: Window = window) {
  const api = createApi(server);
  const doc = win.document;
  let active: { close(): void } | null = null;
  // Outlives a session: the shopper may close our dialog and keep paying in the popup.
  let popup: Window | null = null;

  function open(options: CheckoutOptions = {}, trigger: Element | null = null, returnedId?: string): Promise<CheckoutDetail> {
    active?.close();
    return new Promise((resolve) => {
      active = session(options, trigger, resolve, returnedId);
    });
  }

  function session(options: CheckoutOptions, trigger: Element | null, resolve: (detail: CheckoutDetail) => void, returnedId: string | undefined) {
    const host = doc.createElement("octopus-checkout");
    const root = host.attachShadow({ mode: "open" });
    adoptStyles(root, options.color);
    const locale = pickLocale(options.locale ? [options.locale] : [...(win.navigator.languages ?? [])]);
    const target: EventTarget = trigger ?? host;
    let key = newKey();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let watch: ReturnType<typeof setInterval> | undefined;
    let delay = 1500;
    let polling = false;
    let following = false;
    let ended = false;
    let pendingTold = false;
    const view: View = {
      screen: "loading",
      picks: {},
      copied: false,
      options,
      catalog: null,
      order: null,
      error: "",
      fieldError: null,
      mode: resolveMode(options.mode, win.navigator.userAgent),
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
              setTimeout(() => set({ copied: false }), 2000);
            })
            // Clipboard refused (permissions, insecure page): the amount stays on screen to type.
            .catch(() => undefined),
        submit,
        close,
        retry,
        again,
        openPage,
        resume: openPage,
      },
    };

    const detail = (): CheckoutDetail => {
      const o = view.order;
      return { id: o?.id ?? null, status: o?.status ?? null, amount: o?.amount ?? null, finalAmount: o?.final_amount ?? null, floatingAmount: o?.floating_amount ?? null, currency: o?.currency ?? null };
    };
    const emit = (name: string, cancelable = false) =>
      target.dispatchEvent(new CustomEvent(`octopus-checkout:${name}`, { bubbles: true, composed: true, cancelable, detail: detail() }));
    const paint = () => {
      if (!ended) render(h(App, { ...view }), root);
    };
    const set = (patch: Partial<View>) => {
      Object.assign(view, patch);
      paint();
    };

    function unfollow() {
      following = false;
      clearTimeout(timer);
      clearInterval(watch);
      win.removeEventListener("message", onMessage);
      win.removeEventListener("focus", nudge);
      doc.removeEventListener("visibilitychange", onVisible);
    }

    function finish() {
      if (ended) return;
      ended = true;
      unfollow();
      render(null, root);
      host.remove();
      if (active === handle) active = null;
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

    function update(order: Order) {
      const was = view.order?.status;
      const screen = SCREENS[order.status];
      set({ order, screen: view.screen === "resume" && screen === "waiting" ? "resume" : screen });
      if (!isFinal(order.status) || was === order.status) return;
      // Settled: nothing left to follow (no more polls, listeners or popup watching).
      unfollow();
      forget(server);
      if (popup && !popup.closed) popup.close();
      if (order.status === "completed") {
        emit("success");
        options.onSuccess?.(detail());
      } else {
        emit("failure");
        options.onFailure?.(detail());
      }
    }

    async function poll() {
      clearTimeout(timer);
      const id = view.order?.id;
      if (!id || polling || ended) return;
      polling = true;
      const answer = await api.status(id);
      polling = false;
      // The shopper may have started over meanwhile: an answer about the old order is stale.
      if (view.order?.id !== id) return;
      if (answer.ok) update(answer.value);
      if (!isFinal(view.order?.status) && !ended) {
        timer = setTimeout(poll, delay);
        delay = Math.min(delay * 1.6, 15_000);
      }
    }
    function nudge() {
      delay = 1500;
      void poll();
    }
    function onVisible() {
      if (doc.visibilityState === "visible") nudge();
    }
    function onMessage(event: MessageEvent) {
      const frame = root.querySelector("iframe")?.contentWindow ?? null;
      const message = readCheckoutMessage(event, { origin: server, source: view.mode === "iframe" ? frame : popup });
      if (message && message.id === view.order?.id) nudge();
    }

    function follow() {
      if (following) return;
      following = true;
      win.addEventListener("message", onMessage);
      win.addEventListener("focus", nudge);
      doc.addEventListener("visibilitychange", onVisible);
      // A closed popup or a return from a banking app is the moment to look again.
      watch = setInterval(() => {
        if (popup?.closed) {
          popup = null;
          nudge();
        }
      }, 1000);
      nudge();
    }

    function show(order: Order) {
      const url = order.payment_url;
      if (!url) return;
      if (view.mode === "redirect") {
        win.location.assign(url);
        return;
      }
      if (view.mode === "popup" && popup && !popup.closed) {
        try {
          popup.location.href = url;
        } catch {
          // The popup was cut off from us (COOP, an in-app browser): the waiting screen's
          // "Open the payment page" button opens it from a fresh click instead.
          popup = null;
        }
      }
      set({ screen: "waiting" });
      if (view.mode === "iframe") {
        void fetch(`${server}/api/checkout/${encodeURIComponent(order.id)}/framing`)
          .then((r) => r.json())
          .then((r: { frameable?: boolean | null }) => set({ frameable: r.frameable ?? null }))
          .catch(() => undefined);
      }
    }

    // Runs inside the shopper's click: the popup must open before anything is awaited.
    function submit(selection: Selection) {
      if (view.screen === "creating") return;
      let mode = resolveMode(options.mode, win.navigator.userAgent);
      if (mode === "popup") {
        popup = openPopup(win, `${server}/checkout/wait?lang=${locale}`);
        if (!popup) mode = "iframe";
      }
      set({ screen: "creating", mode, fieldError: null });
      const body = {
        ...selection,
        customer: options.customer,
        description: options.description,
        locale,
        return_url: options.returnUrl ?? cleanUrl(win.location.href),
      };
      void api.create(body, key).then((answer) => {
        if (ended) return;
        if (!answer.ok) {
          if (popup && !popup.closed) popup.close();
          popup = null;
          // A lost answer may still have made the order: retry with the same key to get it back.
          if (answer.status !== 0) key = newKey();
          const field = answer.status === 400 ? answer.error.field : undefined;
          if (field) set({ screen: "form", fieldError: answer.error });
          else set({ screen: "error", error: answer.error.message || view.t("errorNetwork") });
          emit("error");
          return;
        }
        key = newKey();
        const order = answer.value;
        remember(server, order.id, order.expires_at);
        set({ order });
        if (!emit("created", true)) {
          // The page takes it from here (it has the order in the event's detail).
          if (popup && !popup.closed) popup.close();
          finish();
          return;
        }
        show(order);
        if (!pendingTold) {
          pendingTold = true;
          emit("pending");
          options.onPending?.(detail());
        }
        follow();
      });
    }

    // From a click: "Open the payment page", "Open in a new window", "Continue payment".
    function openPage() {
      const url = view.order?.payment_url;
      if (!url) return;
      popup = openPopup(win, url);
      if (!popup) {
        win.location.assign(url);
        return;
      }
      set({ mode: "popup", screen: "waiting" });
      nudge();
    }

    function retry() {
      set({ screen: view.catalog ? "form" : "loading", error: "" });
      if (!view.catalog) start();
    }
    function again() {
      forget(server);
      unfollow();
      set({ screen: "form", order: null, fieldError: null, frameable: null });
    }

    function start() {
      const resumeId = returnedId ?? recall(server);
      void Promise.all([api.catalog(), loadMessages(server, locale), resumeId ? api.status(resumeId) : null]).then(([catalog, messages, resumed]) => {
        if (ended) return;
        view.t = translator(messages);
        if (!catalog.ok) return set({ screen: "error", error: catalog.error.message || view.t("errorNetwork") });
        view.catalog = catalog.value;
        if (resumed?.ok) {
          const order = resumed.value;
          const live = !isFinal(order.status) && !!order.payment_url;
          if (returnedId) {
            // Back from a redirect: show where the order stands, and keep following it if unsettled.
            update(order);
            if (!isFinal(order.status)) follow();
            return;
          }
          if (live) {
            set({ order, screen: "resume" });
            follow();
            return;
          }
          forget(server);
        }
        set({ screen: "form" });
      });
    }

    const handle = { close };
    // Attached first, so that the open event reaches document listeners even with no trigger.
    doc.body.append(host);
    if (!emit("open", true)) {
      ended = true;
      host.remove();
      resolve(detail());
      return handle;
    }
    paint();
    start();
    return handle;
  }

  return {
    open,
    close: () => active?.close(),
  };
}

export type Checkout = ReturnType<typeof createCheckout>;
