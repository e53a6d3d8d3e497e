/**
 * Picks the shopper's language (data-locale, else the browser's) among the eight we have, and
 * fetches its translation from the server. What both halves of the widget need: the loader labels
 * its pay buttons with it, the dialog everything else. English is never fetched: the dialog bundles
 * it, and the loader knows its two words.
 */
import type { Messages } from "./en.ts";

export const LOCALES = ["en", "zh-Hans", "zh-Hant", "th", "vi", "id", "fil", "bn"] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * "zh-TW" → zh-Hant, "zh" → zh-Hans, "tl" → fil, "in" → id, "th-TH" → th; unknown → en. Intl reads
 * the tag: canonical (tl is fil, in is id) and with its likely script (zh-TW is written in Hant,
 * zh-SG in Hans; an explicit script wins: zh-Hans-HK is Simplified).
 */
export function pickLocale(wanted: readonly string[]): Locale {
  for (const tag of wanted) {
    try {
      const { language, script } = new Intl.Locale(tag).maximize();
      const found = language === "zh" ? `zh-${script}` : language;
      if ((LOCALES as readonly string[]).includes(found)) return found as Locale;
    } catch {
      // Not a language tag: the next one.
    }
  }
  return "en";
}

/** data-locale when the merchant set one, else the browser's languages in the shopper's order. */
export const localeOf = (options: { locale?: string }, win: Window): Locale => pickLocale(options.locale ? [options.locale] : win.navigator.languages ?? []);

/**
 * In the dialog file, the version of the short names its build gave the message keys
 * (widget/i18n/message-names.ts), which it asks its translations with; null elsewhere (the npm
 * entry, the unit tests), which keep the full keys.
 */
declare const __OCTOPUS_MESSAGES__: string | null;

const cache: Record<string, Promise<Partial<Messages>>> = {};

/** A translation, fetched once per page; `{}` for English and when it cannot be had (a missing translation must not stop a payment). */
export function fetchMessages(server: string, locale: Locale): Promise<Partial<Messages>> {
  const names = typeof __OCTOPUS_MESSAGES__ === "string" ? `.${__OCTOPUS_MESSAGES__}` : "";
  return (cache[locale] ??=
    locale === "en"
      ? Promise.resolve({})
      : fetch(`${server}/widget/i18n/${locale}${names}.json`)
          .then((response) => (response.ok ? response.json() : {}))
          .catch(() => ({})));
}
