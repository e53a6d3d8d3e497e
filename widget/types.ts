/**
 * The widget's public types: what a merchant passes in and gets back. Self-contained (no import), so
 * that the npm entry's declarations are this file and nothing of the server comes with them.
 */

export type Mode = "auto" | "popup" | "iframe" | "redirect";
export type Theme = "light" | "dark" | "auto";
export type Status = "none" | "pending" | "preparing" | "processing" | "completed" | "failed" | "reject" | "refund" | "overdue";

/** Options, as `data-*` attributes (kebab-case) or as the JS API's object (camelCase). */
export interface CheckoutOptions {
  /** A fixed amount, as a decimal string ("100.00"). */
  amount?: string;
  /** Preset amounts; the shopper may still type another within the method's limits. */
  amounts?: string[];
  /** A product priced by the server; the only way to fix a price a shopper cannot change. */
  product?: string;
  /**
   * A checkout session made by the merchant's server (`cs_…`, POST /api/v1/checkout/sessions): its
   * amount, currency and description are the session's, and the shopper only picks how to pay.
   */
  session?: string;
  currency?: string;
  currencies?: string[];
  country?: string;
  payment?: string;
  mode?: Mode;
  locale?: string;
  theme?: Theme;
  /** Accent colour, e.g. "#0f766e". */
  color?: string;
  label?: string;
  /** A stable member id for the gateway's blacklist. */
  customer?: string;
  description?: string;
  /** Redirect mode: where to come back to (must be on an allowed origin). Default: this page. */
  returnUrl?: string;
  onSuccess?: (detail: CheckoutDetail) => void;
  onPending?: (detail: CheckoutDetail) => void;
  onFailure?: (detail: CheckoutDetail) => void;
  onClose?: (detail: CheckoutDetail | null) => void;
}

/** `detail` of every `octopus-checkout:*` event, and what `open()` resolves with. */
export interface CheckoutDetail {
  id: string | null;
  status: Status | null;
  amount: string | null;
  finalAmount: string | null;
  floatingAmount: string | null;
  currency: string | null;
}

/** `window.OctopusCheckout`, and what the npm entry's `createOctopusCheckout(server)` returns. */
export interface OctopusCheckoutApi {
  /**
   * Opens the checkout; resolves when it closes, with the order as it stands then (ids null if none was made).
   *
   * @example
   *   const result = await OctopusCheckout.open({ amount: "250.00", currency: "php", country: "PH", onSuccess: (d) => grant(d.id) });
   */
  open(options?: CheckoutOptions): Promise<CheckoutDetail>;
  /**
   * Renders a pay button into `element` (in its own shadow root) that opens the checkout with `options`.
   *
   * @example
   *   OctopusCheckout.mount(document.getElementById("slot")!, { product: "season-pass", label: "Buy the season pass" });
   */
  mount(element: Element, options?: CheckoutOptions): void;
  /**
   * Closes the checkout if one is open; focus goes back to the element that opened it.
   *
   * @example
   *   OctopusCheckout.close();
   */
  close(): void;
}

/** The `octopus-checkout:*` events, each a bubbling, composed `CustomEvent` with the order's detail. */
export interface CheckoutEventMap {
  /** A checkout starts, before anything is shown or fetched. Cancelable: nothing is shown. */
  "octopus-checkout:open": CustomEvent<CheckoutDetail>;
  /** The server made the order. Cancelable: the page takes over the order. */
  "octopus-checkout:created": CustomEvent<CheckoutDetail>;
  /** Once per dialog, as the payment page is shown. */
  "octopus-checkout:pending": CustomEvent<CheckoutDetail>;
  /** The status the widget follows became `completed`. */
  "octopus-checkout:success": CustomEvent<CheckoutDetail>;
  /** It became `failed`, `reject`, `overdue` or `refund`. */
  "octopus-checkout:failure": CustomEvent<CheckoutDetail>;
  /** The dialog closed. */
  "octopus-checkout:close": CustomEvent<CheckoutDetail>;
  /** Creating the order failed, or the dialog file could not load. */
  "octopus-checkout:error": CustomEvent<CheckoutDetail>;
}

declare global {
  // Listened to on document (they bubble there) or on the trigger element itself.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends CheckoutEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends CheckoutEventMap {}
}

export interface Method {
  country: string;
  currency: string;
  payment: string;
  label: string;
  min: string;
  max: string;
  presets?: string[];
}

export interface Product {
  id: string;
  name: string;
  price: string;
  currency: string;
  description?: string;
}

/** `GET /api/checkout/options`. */
export interface Catalog {
  merchant_name: string;
  sandbox: boolean;
  /** Whether the server allows the page asking (its Origin): absent from servers older than this widget. */
  origin_allowed?: boolean;
  methods: Method[];
  products: Product[];
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}
