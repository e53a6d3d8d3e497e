/**
 * The loader's half of the widget (after giscus's client): what every visitor of a merchant's page
 * downloads. It reads its own <script> once, takes the server origin from its `src`, renders a pay
 * button where it stands (or into data-target), turns every [data-octopus-checkout] element into
 * a trigger, finishes a redirect that came back here, and exposes the whole API at once. The
 * dialog (widget/dialog.ts) is another file, fetched when a shopper shows intent or the page is
 * idle; calls made before it is here wait for it and resolve as usual.
 */
import { readAttributes } from "./attributes.ts";
import type { DialogModule } from "./dialog.ts";
import { scriptLoader } from "./dialog-script.ts";
import { formatMoney } from "./money.ts";
import { cleanUrl } from "./page-url.ts";
import type { CheckoutDetail, CheckoutOptions, OctopusCheckoutApi } from "./types.ts";
import { adoptStyles } from "./ui/button-styles.ts";

export type { OctopusCheckoutApi };

/** Gets the dialog's code: the same promise on every call once it has started, a new try after a failure. */
export type LoadDialog = () => Promise<DialogModule>;

const NOTHING: CheckoutDetail = { id: null, status: null, amount: null, finalAmount: null, floatingAmount: null, currency: null };

/** A checkout id, as the server makes them (server/ids.ts; kept equal by test/widget/server-rules.test.ts). */
export const CHECKOUT_ID = /^ck_[\w-]{22}$/;

/** Runs `task` once the page is idle (or soon, where the browser cannot tell). */
const whenIdle = (win: Window, task: () => void) => ((win as { requestIdleCallback?: (run: () => void) => void }).requestIdleCallback ?? ((run: () => void) => setTimeout(run, 200)))(task);

export function createEmbed(server: string, win: Window, loadDialog: LoadDialog) {
  const doc = win.document;
  let checkout: ReturnType<DialogModule["createCheckout"]> | undefined;
  // close() before the dialog is here cancels the opens waiting for it.
  let generation = 0;
  const load = () => loadDialog().then((dialog) => (checkout ??= dialog.createCheckout(server, win, adoptStyles, formatMoney)));
  /** Fetches the dialog ahead of a click; failures are for the click to report. */
  const prefetch = () => void load().catch(() => {});

  /**
   * Opens the dialog as soon as it is here. `opener`: where focus goes back when it closes, taken
   * now, because by the time the dialog has loaded the page's focus may be elsewhere.
   */
  function open(options: CheckoutOptions = {}, trigger: Element | null = null, returnedId?: string): Promise<CheckoutDetail> {
    const ticket = ++generation;
    const opener = trigger ?? doc.activeElement;
    return load().then(
      (loaded) => (ticket === generation ? loaded.open(options, trigger, returnedId, opener) : NOTHING),
      (error: Error) => {
        // Nothing to show the shopper without the dialog: the merchant's page hears it, and the console says why.
        console.error(`octopus-checkout: ${error.message} did not load (network, integrity or CSP)`);
        (trigger ?? doc).dispatchEvent(new CustomEvent("octopus-checkout:error", { bubbles: true, composed: true, detail: NOTHING }));
        return NOTHING;
      },
    );
  }

  /** Intent (pointer over, focus, touch) on a trigger is the moment to fetch the dialog. */
  const watchIntent = (element: Element) => {
    for (const type of ["pointerover", "focusin", "touchstart"]) element.addEventListener(type, prefetch, { once: true, passive: true });
  };

  /** Renders our pay button into `element` (in its own shadow root), opening the checkout on click. */
  function mount(element: Element, options: CheckoutOptions = {}) {
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    adoptStyles(root, options.color);
    const button = doc.createElement("button");
    button.setAttribute("part", "button");
    // English at once (the loader knows these two words); the shopper's language once the page is
    // idle, from the dialog, which comes then anyway and knows the languages.
    button.textContent = options.label ?? (options.amount && options.currency ? `Pay ${formatMoney(options.amount, options.currency, "en")}` : "Pay");
    if (!options.label) whenIdle(win, () => void load().then((loaded) => loaded.buttonLabel(options)).then((text) => (button.textContent = text), () => {}));
    button.onclick = () => void open(options, element);
    watchIntent(element);
    root.replaceChildren(button);
  }

  return {
    open: (options?: CheckoutOptions) => open(options),
    mount,
    close() {
      generation++;
      checkout?.close();
    },
    /** `returnedId`: back from a redirect, shows where that order stands (the dialog decides whether this browser started it). */
    openFrom: open,
    /** An element of the merchant's own becomes a trigger: its look stays theirs. */
    bind(element: HTMLElement) {
      watchIntent(element);
      element.addEventListener("click", (event) => {
        event.preventDefault();
        void open(readAttributes(element.dataset), element);
      });
    },
  };
}

/**
 * Runs once when widget.js loads. `dialogFrom(server)`: how this build gets its dialog (widget.js:
 * a <script> with integrity; tests: the module itself).
 */
export function boot(win: Window, dialogFrom: (server: string) => LoadDialog): OctopusCheckoutApi {
  const doc = win.document;
  const script = doc.currentScript as HTMLScriptElement | null;
  const server = script?.src ? new URL(script.src).origin : win.location.origin;
  const loadDialog = dialogFrom(server);
  const embed = createEmbed(server, win, loadDialog);
  const options = script ? readAttributes(script.dataset) : {};
  /** Checks options against the server's once the dialog is here; a mistake goes to the console, naming it. */
  const check = (configured: CheckoutOptions[], api?: boolean) => void loadDialog().then((dialog) => dialog.checkSetup(server, win, configured, scriptLoader(win, server), api), () => {});

  const start = () => {
    let host: Element | null = null;
    const configured: CheckoutOptions[] = [];
    if (Object.keys(script?.dataset ?? {})[0]) {
      const { target, ...rest } = options;
      // readAttributes has dropped a selector the browser cannot parse: then the button goes after the script.
      host = target ? doc.querySelector(target) : null;
      if (!host) script!.after((host = doc.createElement("octopus-checkout-button")));
      embed.mount(host, rest);
      configured.push(rest);
    }
    doc.querySelectorAll<HTMLElement>("[data-octopus-checkout]").forEach((element) => {
      embed.bind(element);
      // Read now as well, so that a bad attribute is warned about at load, not at the first click.
      configured.push(readAttributes(element.dataset));
    });
    // Back from a redirect: the order id is in our query parameter. Show its result, then tidy the URL.
    const id = new URL(win.location.href).searchParams.get("octopus_checkout");
    if (id && CHECKOUT_ID.test(id)) {
      win.history.replaceState(win.history.state, "", cleanUrl(win.location.href));
      // From the same host as before the redirect, so the page's listeners on the button hear the result.
      void embed.openFrom(options, host, id);
    }
    // Once the page is idle, the dialog comes, and checks the page's setup (its origin, the
    // attributes against the server's options) so that a merchant's mistake shows in the console at once.
    whenIdle(win, () => check(configured));
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
  // The JS API's options are checked as the attributes are: a page's mistake is said, not just shown to the shopper.
  return {
    open: (given) => (check([given ?? {}], true), embed.open(given)),
    mount: (element, given) => (check([given ?? {}], true), embed.mount(element, given)),
    close: embed.close,
  };
}
