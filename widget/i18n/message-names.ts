/**
 * The short names the dialog file gives its message keys. The source says `t("waitingPopupClosed")`
 * and en.ts names every message in full; the dialog's build (vite.config.ts, shortMessageKeys)
 * writes `t("D")` and `{D: "The payment window was closed…"}` instead, because a minifier shortens
 * no string, and the keys were some 160 B of the shopper's download. The dialog then asks for its
 * translation as `/widget/i18n/<locale>.<MESSAGE_NAMES_VERSION>.json`, which the server writes with
 * the same short names (server/http/widget-support.ts); `/widget/i18n/<locale>.json` keeps the
 * full names for everything else (the npm entry, the unit tests, anyone reading it). No browser
 * code imports this file: the build and the server do.
 */
import { en, type MessageKey } from "./en.ts";

/**
 * Keys whose text is also something else in the dialog's code, so that renaming every string equal
 * to them would rename that too: a form step and the field the server names (`t(step)` reads
 * country, currency and payment as keys), an action (close), a screen (creating, resume), a CSS
 * class (sandbox); and the titles and texts of the ending screens, looked up as `${screen}Title`
 * and `${screen}Text` (ui/app.tsx).
 */
const KEPT: MessageKey[] = [
  ...(["amount", "country", "currency", "payment", "close", "creating", "resume", "sandbox"] as const),
  ...(["paidTitle", "paidText", "failedTitle", "failedText", "expiredTitle", "expiredText", "refundedTitle", "refundedText"] as const),
  ...(["errorTitle", "resumeTitle", "resumeText", "sessionPaidTitle", "sessionPaidText", "sessionExpiredTitle", "sessionExpiredText"] as const),
];
export const KEPT_KEYS: ReadonlySet<MessageKey> = new Set(KEPT);

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A key's short name: letters in en's order, a, b … Z, then two letters. */
const shortName = (index: number) => (index < LETTERS.length ? LETTERS[index]! : LETTERS[index % LETTERS.length]! + LETTERS[Math.floor(index / LETTERS.length) - 1]!);

/** Every message key that has a short name, and that name, in en's order. */
export const MESSAGE_NAMES: ReadonlyMap<string, string> = new Map(
  Object.keys(en)
    .filter((key) => !KEPT_KEYS.has(key as MessageKey))
    .map((key, index) => [key, shortName(index)]),
);

/**
 * Names this set of short names (FNV-1a over them, 8 hex digits): a dialog file asks for its
 * translation by it, so a dialog built with other names (an older one, cached in a page open across
 * a deploy) gets a 404, and English, rather than a translation whose names mean other messages.
 */
export const MESSAGE_NAMES_VERSION: string = (() => {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify([...MESSAGE_NAMES])) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
})();

/** A translation (full keys, as in widget/i18n/<locale>.json) with the dialog file's short names. */
export function withShortNames(messages: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(messages).map(([key, text]) => [MESSAGE_NAMES.get(key) ?? key, text]));
}
