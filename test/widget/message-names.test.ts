/**
 * The dialog file's short message keys (widget/i18n/message-names.ts, applied by vite.config.ts's
 * shortMessageKeys): every key either keeps its name or gets one no other key or message has, the
 * build renames them in the code and in en.ts alike, and a translation renamed the same way (what
 * the server sends the dialog) reads the same texts as before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { shortMessageKeys } from "../../vite.config.ts";
import { en } from "../../widget/i18n/en.ts";
import { KEPT_KEYS, MESSAGE_NAMES, MESSAGE_NAMES_VERSION, withShortNames } from "../../widget/i18n/message-names.ts";
import th from "../../widget/i18n/th.json";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const transform = shortMessageKeys().transform as (code: string, id: string) => { code: string } | null;
/** A source file of the widget as the dialog's build reads it. */
const built = (file: string) => transform(readFileSync(join(ROOT, file), "utf8"), join(ROOT, file))?.code ?? readFileSync(join(ROOT, file), "utf8");

describe("the dialog's short message keys", () => {
  it("name every message key but the kept ones, each with a name of its own that is no other key", () => {
    const keys = Object.keys(en);
    expect([...KEPT_KEYS].filter((key) => !keys.includes(key))).toEqual([]);
    expect([...MESSAGE_NAMES.keys()]).toEqual(keys.filter((key) => !KEPT_KEYS.has(key as keyof typeof en)));
    const names = [...MESSAGE_NAMES.values()];
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => keys.includes(name))).toEqual([]);
    expect(MESSAGE_NAMES_VERSION).toMatch(/^[0-9a-f]{8}$/);
  });

  it("keep the keys whose text also names a step, a screen, an action or a class, and the ending screens' titles and texts", () => {
    for (const key of ["country", "currency", "payment", "amount", "close", "creating", "resume", "sandbox", "paidTitle", "paidText", "errorTitle", "sessionExpiredText"]) expect(KEPT_KEYS.has(key as keyof typeof en), key).toBe(true);
    // Renaming them would rename `t(step)`'s steps, `screen === "creating"`, view.act's "close", class="sandbox"…
    expect(built("widget/ui/form.tsx")).toContain('const STEPS = ["country", "currency", "payment"]');
    expect(built("widget/ui/app.tsx")).toContain('<p class="sandbox">');
  });

  it("are what the build writes in en.ts and in every string of the code that is a key, and nowhere else", () => {
    const english = built("widget/i18n/en.ts");
    for (const [key, name] of MESSAGE_NAMES) {
      expect(english, key).toContain(`  ${name}: ${JSON.stringify(en[key as keyof typeof en])},`);
      expect(english, key).not.toMatch(RegExp(`^\\s+${key}:`, "m"));
    }
    const app = built("widget/ui/app.tsx");
    expect(app).toContain(`t("${MESSAGE_NAMES.get("waitingTitle")}")`);
    expect(app).toContain(`label: "${MESSAGE_NAMES.get("tryAgain")}"`);
    expect(app).not.toContain('"waitingPopupClosed"');
    // A string that only looks like a key's start is left alone.
    expect(transform('const a = "payAmountX", b = "pay";', join(ROOT, "widget/x.ts"))?.code).toBe(`const a = "payAmountX", b = "${MESSAGE_NAMES.get("pay")}";`);
    // Only the widget's own code: not Preact's, nor the server's.
    expect(transform('t("pay")', join(ROOT, "node_modules/preact/dist/preact.module.js"))).toBeNull();
  });

  it("fail the build when a key is left in full in the dialog file, which would look up a name its translation lacks", () => {
    const check = shortMessageKeys().renderChunk as unknown as (this: { error(message: string): never }, code: string) => null;
    const context = {
      error(message: string): never {
        throw new Error(message);
      },
    };
    expect(() => check.call(context, 'var e={waitingPopupClosed:"The payment window was closed."};t("a")')).toThrow(/still names these message keys in full: waitingPopupClosed/);
    expect(() => check.call(context, 'x=n("errorSlow")')).toThrow(/errorSlow/);
    expect(check.call(context, `var e={${MESSAGE_NAMES.get("waitingPopupClosed")}:"The payment window was closed."},n="close"`)).toBeNull();
  });

  it("read a translation renamed the same way as the texts of its full keys", () => {
    const short = withShortNames(th);
    expect(Object.keys(short)).toHaveLength(Object.keys(th).length);
    for (const [key, text] of Object.entries(th)) expect(short[MESSAGE_NAMES.get(key) ?? key], key).toBe(text);
  });
});
