import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { en } from "../../widget/i18n/en.ts";

const dir = new URL("../../widget/i18n/", import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
const english: Record<string, string> = en;
const keys = Object.keys(en).sort();

/** At most this many values may equal the English (brand-like or identical-by-design words). */
const MAX_IDENTICAL = 3;
const MAX_GZIP_BYTES = 3 * 1024;

function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{[^{}]*\}/g) ?? [])].sort();
}

describe("widget translations", () => {
  it("has translation files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)("%s", (file) => {
    const raw = readFileSync(new URL(file, dir));
    const parse = () => JSON.parse(raw.toString("utf8")) as unknown;

    it("parses as a JSON object of strings", () => {
      const data = parse();
      expect(data).toBeTypeOf("object");
      expect(data).not.toBeNull();
      expect(Array.isArray(data)).toBe(false);
      for (const [key, value] of Object.entries(data as object)) {
        expect(typeof value, key).toBe("string");
      }
    });

    it("has exactly the keys of en", () => {
      expect(Object.keys(parse() as object).sort()).toEqual(keys);
    });

    it("keeps the placeholders of each English string, and adds none", () => {
      const data = parse() as Record<string, string>;
      for (const key of keys) {
        expect(placeholders(data[key] ?? ""), key).toEqual(placeholders(english[key] ?? ""));
      }
    });

    it("has no empty value", () => {
      const data = parse() as Record<string, string>;
      const empty = Object.keys(data).filter((key) => (data[key] ?? "").trim() === "");
      expect(empty, `empty values in ${file}`).toEqual([]);
    });

    it(`leaves at most ${MAX_IDENTICAL} values identical to the English`, () => {
      const data = parse() as Record<string, string>;
      const same = keys.filter((key) => data[key] === english[key]);
      expect(same.length, `${file}: values equal to English: ${same.join(", ")}`).toBeLessThanOrEqual(MAX_IDENTICAL);
    });

    it("is under 3 KB gzipped", () => {
      expect(gzipSync(raw).length).toBeLessThan(MAX_GZIP_BYTES);
    });
  });
});
