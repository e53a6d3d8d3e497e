/**
 * The dialog file's minifier shortens the property names in DIALOG_PRIVATE_PROPERTIES everywhere in
 * the file (vite.config.ts). A name shared with anything outside the file would then silently stop
 * matching: the English text (looked up by string, like the translations), what the server answers
 * and is sent, what localStorage keeps across versions, or the DOM's own properties; and a name the
 * code reaches through a string (`view.act[ending.action]`) would be looked up unshortened. (A node test
 * with a happy-dom Window of its own: vite.config.ts does not load inside a happy-dom environment.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { Window } from "happy-dom";
import { describe, expect, it, vi } from "vitest";
import { DIALOG_PRIVATE_PROPERTIES } from "../../vite.config.ts";
import { en } from "../../widget/i18n/en.ts";
import th from "../../widget/i18n/th.json";
import { remember } from "../../widget/resume.ts";
import { catalog, order } from "./support.tsx";

const SERVER = "https://pay.example.com";
const window = new Window();
const document = window.document;

describe("the dialog's shortened property names", () => {
  it("are no message key, English or translated", () => {
    const keys = new Set([...Object.keys(en), ...Object.keys(th)]);
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => keys.has(name))).toEqual([]);
  });

  it("are no field of the server's options, orders or errors", () => {
    const answered = [catalog, ...catalog.methods, ...catalog.products, order({ final_amount: "100.00", floating_amount: "100.37" }), { code: "", message: "", field: "" }, { frameable: null }];
    const fields = new Set(answered.flatMap((object) => Object.keys(object)));
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => fields.has(name))).toEqual([]);
  });

  it("are nothing localStorage keeps", () => {
    vi.stubGlobal("localStorage", window.localStorage);
    remember(SERVER, { id: "ck_AAAAbbbbCCCCddddEEEE12", exp: Date.now() + 60_000, purchase: "[]", settled: true });
    const kept = new Set(Object.keys(JSON.parse(window.localStorage.getItem(`octopus-checkout:${SERVER}`)!) as object));
    vi.unstubAllGlobals();
    expect(kept.size).toBeGreaterThan(0);
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => kept.has(name))).toEqual([]);
  });

  it("are no property of the window or of the elements the dialog renders", () => {
    const hosts: object[] = [window, document, ...["dialog", "input", "button", "iframe", "progress", "form", "fieldset", "label", "p", "div"].map((tag) => document.createElement(tag))];
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => hosts.some((host) => name in host))).toEqual([]);
    // The check itself sees the DOM's names, "screen" and "step" for one.
    expect(["screen", "step", "value"].every((name) => hosts.some((host) => name in host))).toBe(true);
  });

  it("are no string in the widget's code, which could be a property looked up by name", () => {
    const dir = new URL("../../widget/", import.meta.url);
    const sources = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => /\.tsx?$/.test(file));
    // Comments out (a name quoted in a comment is no lookup), then every quoted string.
    const code = sources.map((file) => readFileSync(new URL(file, dir), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")).join("\n");
    const strings = new Set([...code.matchAll(/(["'`])([\w$]+)\1/g)].map((match) => match[2]));
    expect(strings.has("retry")).toBe(true);
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => strings.has(name))).toEqual([]);
  });

  it("are no string in Preact's own code in the file either, which compares prop names as strings", () => {
    const preact = readFileSync(new URL("../../node_modules/preact/dist/preact.module.js", import.meta.url), "utf8");
    // Not a string that is a prefix ("__d" + a random number names the event clock's own property, never __d).
    const strings = new Set([...preact.matchAll(/(["'`])([\w$]+)\1(?!\s*\+)/g)].map((match) => match[2]));
    expect(["key", "ref", "children", "style"].every((name) => strings.has(name))).toBe(true);
    expect(DIALOG_PRIVATE_PROPERTIES.filter((name) => strings.has(name))).toEqual([]);
  });

  it("are no name the dialog's own code gives a class component or a Preact option: its components are functions", () => {
    const dir = new URL("../../widget/", import.meta.url);
    const code = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => /\.tsx?$/.test(file))
      .map((file) => readFileSync(new URL(file, dir), "utf8"))
      .join("\n");
    // A class extending Component, or options.vnode set from here, would reach Preact's renamed names from outside the renaming only if it came from another file; from this one it is renamed alike. This holds the claim that there is none today.
    expect(code).not.toMatch(/extends\s+Component\b|\boptions\.(vnode|diffed|unmount|debounceRendering)\b/);
  });
});
