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
    const base = lower.split("-")[0]!;
    // An explicit script wins over the region: zh-Hans-HK is Simplified.
    const found = base === "zh" ? (/hans/.test(lower) || !/hant|tw|hk|mo/.test(lower) ? "zh-Hans" : "zh-Hant") : ({ tl: "fil", in: "id" } as Record<string, string>)[base] ?? base;
    if ((LOCALES as readonly string[]).includes(found)) return found as Locale;
  }
  return "en";
}

/** data-locale when the merchant set one, else the browser's languages in the shopper's order. */
export const localeOf = (options: { locale?: string }, win: Window): Locale => pickLocale(options.locale ? [options.locale] : win.navigator.languages ?? []);

export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

export const translator =
  (messages: Partial<Messages>): Translate =>
  (key, values) =>
    (messages[key] ?? en[key]).replace(/\{(\w+)\}/g, (_, name: string) => values?.[name] ?? "");

const cache: Record<string, Promise<Partial<Messages>>> = {};

export function loadMessages(server: string, locale: Locale): Promise<Partial<Messages>> {
  return (cache[locale] ??=
    locale === "en"
      ? Promise.resolve(en)
      : fetch(`${server}/widget/i18n/${locale}.json`)
          .then((response) => (response.ok ? response.json() : en))
          // A missing translation must not stop a payment: English it is.
          .catch(() => en));
}
