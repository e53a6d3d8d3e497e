/**
 * What the widget needs from its server besides the API: the waiting page a popup shows while the
 * order is being created, the translations (fetched only when a shopper's language is not English),
 * and whether the gateway's payment page may be framed (iframe mode).
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { checkoutError } from "../errors.ts";
import { encodeAsset, sendAsset } from "./encoded-asset.ts";
import { CHECKOUT_ID } from "../ids.ts";
import { MESSAGE_NAMES_VERSION, withShortNames } from "../../widget/i18n/message-names.ts";
import type { OrderStore } from "../store/types.ts";

const WAIT_TEXT: Record<string, string> = {
  en: "Preparing your payment…",
  "zh-Hans": "正在准备付款…",
  "zh-Hant": "正在準備付款…",
  th: "กำลังเตรียมการชำระเงิน…",
  vi: "Đang chuẩn bị thanh toán…",
  id: "Menyiapkan pembayaran…",
  fil: "Inihahanda ang iyong payment…",
  bn: "পেমেন্ট প্রস্তুত হচ্ছে…",
};

const WAIT_STYLE = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText}
.s{width:36px;height:36px;margin:0 auto 16px;border:4px solid #cbd5e1;border-top-color:#0f766e;border-radius:50%;animation:r 1s linear infinite}
@keyframes r{to{transform:rotate(360deg)}}@media (prefers-reduced-motion:reduce){.s{animation:none}}
p{text-align:center;font-size:1.05rem}`;

/** A translation with the dialog file's short message keys; none when it is no JSON object (the dialog then shows English). */
function shortNamed(json: string): string[] {
  try {
    const messages: unknown = JSON.parse(json);
    return messages && typeof messages === "object" && !Array.isArray(messages) ? [JSON.stringify(withShortNames(messages as Record<string, string>))] : [];
  } catch {
    return [];
  }
}

/** Reads whether a page may be framed from its headers: X-Frame-Options, then CSP frame-ancestors. */
function frameableBy(headers: Headers, embedder: string | null): boolean {
  const xfo = headers.get("x-frame-options")?.toLowerCase() ?? "";
  if (xfo.includes("deny") || xfo.includes("sameorigin")) return false;
  const ancestors = /frame-ancestors([^;]*)/i.exec(headers.get("content-security-policy") ?? "")?.[1]?.trim();
  if (ancestors === undefined) return true;
  const sources = ancestors.split(/\s+/);
  if (sources.includes("*")) return true;
  return embedder !== null && sources.includes(embedder);
}

export function widgetSupport(options: { store: OrderStore; translations: Record<string, string>; fetch?: typeof fetch }) {
  const fetchImpl = options.fetch ?? fetch;
  const probes = new Map<string, Promise<boolean | null>>();
  // A Map, not an object: /widget/i18n/constructor.json must be a 404, not Object's constructor.
  // Each translation twice: as written (`th`), and with the dialog file's short message keys under
  // their version (`th.<version>`, what the dialog asks for: widget/i18n/message-names.ts).
  const translations = new Map(
    Object.entries(options.translations).flatMap(([locale, json]) => [
      [locale, encodeAsset(json)] as const,
      ...shortNamed(json).map((short) => [`${locale}.${MESSAGE_NAMES_VERSION}`, encodeAsset(short)] as const),
    ]),
  );

  return new Hono()
    .get("/checkout/wait", (c) => {
      const asked = c.req.query("lang") ?? "";
      // Own keys only: ?lang=constructor must not find Object's.
      const lang = Object.hasOwn(WAIT_TEXT, asked) ? asked : "en";
      const text = WAIT_TEXT[lang]!;
      c.header("Cache-Control", "public, max-age=300");
      c.header("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      return c.html(
        html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${text}</title><link rel="stylesheet" href="/checkout/assets/wait.css"></head><body><main role="status"><div class="s" aria-hidden="true"></div><p>${text}</p></main></body></html>`,
      );
    })
    .get("/checkout/assets/wait.css", (c) => c.body(WAIT_STYLE, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300" }))
    .get("/widget/i18n/:file{[A-Za-z-]+(\\.[0-9a-f]{8})?\\.json}", (c) => {
      const asset = translations.get(c.req.param("file").replace(/\.json$/, ""));
      if (!asset) throw checkoutError("not_found", "No such translation.");
      return sendAsset(c, asset, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*" });
    })
    .get("/api/checkout/:id/framing", async (c) => {
      const id = c.req.param("id");
      const order = CHECKOUT_ID.test(id) ? await options.store.get(id) : null;
      if (!order) throw checkoutError("not_found", "No checkout with this id.");
      if (!order.paymentUrl) return c.json({ frameable: null });
      let probe = probes.get(order.id);
      if (!probe) {
        // HEAD, so that looking at the page's headers does not count as the shopper opening it.
        probe = fetchImpl(order.paymentUrl, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(3_000) })
          .then((response) => frameableBy(response.headers, order.origin))
          .catch(() => null);
        probes.set(order.id, probe);
        if (probes.size > 1_000) probes.delete(probes.keys().next().value!);
      }
      c.header("Cache-Control", "no-store");
      return c.json({ frameable: await probe });
    });
}
