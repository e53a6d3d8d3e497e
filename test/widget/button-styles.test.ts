// @vitest-environment happy-dom
/** The pay button's stylesheets: adopted where the browser can, quietly left out where it cannot. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { adoptStyles } from "../../widget/ui/button-styles.ts";

const shadowRoot = () => document.createElement("div").attachShadow({ mode: "open" });

describe("adoptStyles", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("adopts the button's sheet, the dialog's, then the merchant's accent", () => {
    const root = shadowRoot();
    adoptStyles(root, "#123456", { css: "p{margin:0}" });
    expect(root.adoptedStyleSheets).toHaveLength(3);
  });

  it("ignores an accent that is not #rgb or #rrggbb, which would otherwise be CSS injected into the sheet", () => {
    const root = shadowRoot();
    adoptStyles(root, "red;}:host{display:none", { css: "p{margin:0}" });
    expect(root.adoptedStyleSheets).toHaveLength(2);
  });

  it("leaves the button unstyled, without throwing, in a browser without constructable stylesheets", () => {
    vi.stubGlobal("CSSStyleSheet", undefined);
    const root = shadowRoot();
    expect(() => adoptStyles(root, "#123456")).not.toThrow();
    expect(root.adoptedStyleSheets ?? []).toHaveLength(0);
  });
});
