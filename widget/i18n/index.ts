/**
 * Picks the shopper's language (data-locale, else the browser's) among the eight we have, and
 * loads it: English is bundled; the others are fetched from the server once, when first used.
 */
import { en, type MessageKey, type Messages } from "./en.ts";

export const LOCALES = ["en", "zh-Hans", "zh-Hant", "th", "vi", "id", "fil", "bn"] as const;
export type Locale = (typeof LOCALES)[number];

/** "zh-TW" → zh-Hant, "zh" → zh-Hans, "tl" → fil, "in" → id, "th-TH" → th; unknown → en. */
export function pickLocale(wanted: readonly string[]): Locale {
  for (const tag of wanted) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return /hans/.test(lower) ? "zh-Hans" : /hant|tw|hk|mo/.test(lower) ? "zh-Hant" : "zh-Hans";
    const base = lower.split("-")[0]!;
    const alias = base === "tl" ? "fil" : base === "in" ? "id" : base;
    const found = LOCALES.find((locale) => locale === alias);
    if (found) return found;
  }
  return "en";
}

export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

export function translator(messages: Partial<Messages>): Translate {
  return (key, values) => (messages[key] ?? en[key]).replace(/\{(\w+)\}/g, (_, name: string) => values?.[name] ?? "");
}

const cache = new Map<string, Promise<Partial<Messages>>>();

export function loadMessages(server: string, locale: Locale): Promise<Partial<Messages>> {
  if (locale === "en") return Promise.resolve(en);
  let pending = cache.get(locale);
  if (!pending) {
    pending = fetch(`${server}/widget/i18n/${locale}.json`)
      .then((response) => (response.ok ? (response.json() as Promise<Partial<Messages>>) : en))
      // A missing translation must not stop a payment: English it is.
      .catch(() => en);
    cache.set(locale, pending);
  }
  return pending;
}
