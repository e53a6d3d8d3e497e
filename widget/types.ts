/** The widget's public types: what a merchant passes in and gets back. */
// Type-only: erased from the bundle, so nothing of the server (or zod) ships to the browser.
import type { PublicOrder } from "../server/orders/public-view.ts";

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

/** An order as `GET /api/checkout/:id` answers: the server's own type, so the two cannot drift. */
export type Order = PublicOrder;

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
  methods: Method[];
  products: Product[];
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}
