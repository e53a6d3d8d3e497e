/**
 * The dialog file's Preact leaves out the features the dialog never uses (PREACT_TRIMS in
 * vite.config.ts). Two things hold that safe: the widget's source uses none of them, and the
 * trimmed Preact renders every screen, and every change between screens, to the same DOM as the
 * whole Preact, with the same handlers. The component tests render with the trimmed one too
 * (vite.config.ts, trimPreactInTests), as the dialog ships it. (A node test with a happy-dom Window of its own, lent to
 * Preact as `document`: vite.config.ts does not load inside a happy-dom environment.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Window } from "happy-dom";
import { Component, h, type render as Render } from "preact";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PREACT_TRIMS, trimmedPreact } from "../../vite.config.ts";
import { App } from "../../widget/ui/app.tsx";
import type { View } from "../../widget/view-model.ts";
import { catalog, order, view } from "./support.tsx";

const PREACT = readFileSync(new URL("../../node_modules/preact/dist/preact.module.js", import.meta.url), "utf8");

const widgetSource = () => {
  const dir = new URL("../../widget/", import.meta.url);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => readFileSync(new URL(file, dir), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""))
    .join("\n");
};

describe("the dialog's trimmed Preact", () => {
  it("cuts only features the widget's source does not use", () => {
    const code = widgetSource();
    // From Preact: h, render and Fragment, nothing else (no hooks, options, hydrate, Component, createContext).
    const imported = [...code.matchAll(/import\s*{([^}]*)}\s*from\s*"preact(\/[\w-]+)?"/g)];
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.every((match) => match[2] === undefined)).toBe(true);
    expect([...new Set(imported.flatMap((match) => match[1]!.split(",").map((name) => name.trim())))].sort()).toEqual(["Fragment", "h", "render"]);
    expect(code).not.toMatch(/extends\s+Component\b|setState|forceUpdate|componentDid|contextType|getChildContext|dangerouslySetInnerHTML|<svg|<math|\bstyle=|\bhydrate\(|Suspense|\blazy\(/);
    // The check itself sees what it looks for.
    expect(code).toMatch(/render\(h\(App, view\), root\)/);
  });

  it("is the Preact the component tests render with, as it is the one the dialog ships", () => {
    // The trims take setState and forceUpdate off Component: the whole Preact has them.
    expect(PREACT).toContain("C.prototype.setState=");
    expect((Component.prototype as unknown as Record<string, unknown>).setState).toBeUndefined();
    expect((Component.prototype as unknown as Record<string, unknown>).forceUpdate).toBeUndefined();
  });

  it("applies to the installed Preact, each cut where it was read, and removes what it names", () => {
    const trimmed = trimmedPreact(PREACT);
    expect(trimmed.length).toBeLessThan(PREACT.length);
    for (const gone of ["MathML", "__html", "getDerivedStateFromError", "forceUpdate", "l.diffed", "cssText", "n.then"]) {
      expect(PREACT).toContain(gone);
      expect(trimmed).not.toContain(gone);
    }
  });

  it("fails, naming the feature, when Preact's code is not what a cut expects", () => {
    const changed = PREACT.replace("M=F.prototype&&F.prototype.render", "M=F.prototype?.render");
    expect(() => trimmedPreact(changed)).toThrow(/class components/);
    expect(PREACT_TRIMS.map((trim) => trim.feature)).toContain("hydration");
  });

  describe("renders like the whole Preact", () => {
    const window = new Window();
    const dir = mkdtempSync(join(tmpdir(), "preact-trimmed-"));
    let wholeRender: typeof Render;
    let trimmedRender: typeof Render;
    // Each runtime from a copy of its own, outside node_modules: the tests' "preact" is trimmed
    // (vite.config.ts, trimPreactInTests), so the whole one cannot come from there.
    const load = async (name: string, code: string) => {
      const file = join(dir, name);
      writeFileSync(file, code.replace(/\/\/# sourceMappingURL=.*$/m, ""));
      return ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { render: typeof Render }).render;
    };

    beforeAll(async () => {
      // Preact creates elements with the global `document`.
      vi.stubGlobal("document", window.document);
      wholeRender = await load("whole.mjs", PREACT);
      trimmedRender = await load("trimmed.mjs", trimmedPreact(PREACT));
    });
    afterAll(() => {
      vi.unstubAllGlobals();
      rmSync(dir, { recursive: true, force: true });
    });

    const pending = order();
    const thai = order({ currency: "thb", amount: "350.00", floating_amount: "350.37" });
    /** One dialog's life in views: every screen, the form's variants, and changes that keep, add and drop elements. */
    const steps: Partial<View>[] = [
      { screen: "loading", catalog: null },
      { screen: "form" },
      { screen: "form", picks: { country: "TH" } },
      { screen: "form", picks: { country: "SG", preset: "", typed: "12", error: "Enter an amount from $1.00 to $20,000.00.", field: "amount" } },
      { screen: "form", options: { product: "starter-pack" } },
      { screen: "form", catalog: { ...catalog, sandbox: true }, options: { amounts: ["150.00", "250.00"], theme: "dark" } },
      { screen: "creating", slow: false },
      { screen: "creating", slow: true },
      { screen: "waiting", order: pending },
      { screen: "waiting", order: pending, popupClosed: true },
      { screen: "waiting", order: thai, mode: "iframe", frameable: true, copied: true },
      { screen: "waiting", order: thai, mode: "iframe", frameable: false },
      { screen: "paid", order: order({ status: "completed" }) },
      { screen: "refunded", order: order({ status: "refund" }) },
      { screen: "failed", order: order({ status: "failed" }) },
      { screen: "expired", order: order({ status: "overdue" }) },
      { screen: "error", error: "The payment server said no." },
      { screen: "error", error: "This shop's checkout isn't set up for this page yet.", closeOnly: true },
      { screen: "resume", order: pending, options: { product: "starter-pack" } },
      { screen: "sessionPaid" },
      { screen: "sessionExpired" },
      { screen: "loading", catalog: null },
    ];

    it("every screen and every change between screens, to the same DOM, with the same handlers", () => {
      // happy-dom's elements, typed as the DOM's for Preact.
      const whole = window.document.createElement("div") as unknown as HTMLElement;
      const trimmed = window.document.createElement("div") as unknown as HTMLElement;
      let current = view();
      for (const step of steps) {
        current = view({ ...step, act: current.act });
        wholeRender(h(App, current), whole);
        trimmedRender(h(App, current), trimmed);
        expect(trimmed.innerHTML, `screen ${step.screen}`).toBe(whole.innerHTML);
        expect(trimmed.innerHTML.length).toBeGreaterThan(100);
        // Preact sets an input's value and checked as properties, not attributes: compare those too.
        const fields = (root: Element) => [...root.querySelectorAll("input")].map((input) => [input.name, input.value, input.checked]);
        expect(fields(trimmed)).toEqual(fields(whole));
        // The same buttons do the same: each click reaches the same action, once per renderer.
        const clicks = (root: Element) =>
          [...root.querySelectorAll("button")].map((button) => {
            vi.clearAllMocks();
            button.click();
            return Object.entries(current.act)
              .filter(([, spy]) => (spy as ReturnType<typeof vi.fn>).mock.calls.length)
              .map(([name]) => name)
              .join();
          });
        expect(clicks(trimmed)).toEqual(clicks(whole));
      }
      wholeRender(null, whole);
      trimmedRender(null, trimmed);
      expect(trimmed.innerHTML).toBe(whole.innerHTML);
    });
  });
});
