/** The dialog's text: the shopper's translation over the bundled English. */
import { en, type MessageKey, type Messages } from "./en.ts";
import { fetchMessages, type Locale } from "./locale.ts";

export { LOCALES, localeOf, pickLocale, type Locale } from "./locale.ts";

export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

export const translator =
  (messages: Partial<Messages>): Translate =>
  (key, values) =>
    (messages[key] ?? en[key]).replace(/\{(\w+)\}/g, (_, name: string) => values?.[name] ?? "");

/** The shopper's translation; `translator` fills in English where it has no message. */
export const loadMessages: (server: string, locale: Locale) => Promise<Partial<Messages>> = fetchMessages;
