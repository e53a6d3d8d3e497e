/**
 * axe-core (the engine of most accessibility checkers) on every screen of the dialog: form,
 * creating, waiting, resume, error, failed, expired, paid; in light and dark, at 320 px and at
 * laptop width, in Latin (English, pesos) and Thai (Thai, baht, a bank transfer with its floating
 * amount). The rule set is WCAG 2.0, 2.1 and 2.2 at levels A and AA: every run must find nothing.
 * docs/accessibility.md says what this covers and what it does not.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Page, Route } from "playwright-core";
import { en } from "../../widget/i18n/en.ts";
import { PHP_100, SUITE_TIMEOUT, THB_500, createdId, dialogOf, dialogShows, payButton, readMessages, warnIfNoChromium, useBrowserStack } from "./harness.ts";

const AXE = readFileSync(fileURLToPath(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url)), "utf8");
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** axe on the widget's dialog only (the test shop's own page is not ours to judge), its shadow root included. */
async function violations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    // Frames are the payment page's, on the gateway's origin: not ours.
    const result = await axe.run({ include: [["octopus-checkout"]] }, { runOnly: { type: "tag", values: tags }, iframes: false, resultTypes: ["violations"] });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })) }));
  }, WCAG);
}

const SCRIPTS = {
  latin: { attributes: PHP_100, locale: "en-US", text: en as Record<string, string> },
  thai: { attributes: THB_500, locale: "th-TH", text: readMessages("th") },
} as const;

describe.skipIf(warnIfNoChromium("browser accessibility"))("accessibility of every screen, axe-core in Chromium", { timeout: SUITE_TIMEOUT * 3 }, () => {
  const suite = useBrowserStack();

  const combinations = (["light", "dark"] as const).flatMap((scheme) =>
    ([320, 1280] as const).flatMap((width) => (["latin", "thai"] as const).map((script) => [scheme, width, script] as const)),
  );

  it.each(combinations)("%s, %i px, %s: no WCAG 2.2 AA violation on any screen", async (scheme, width, script) => {
    const { attributes, locale, text } = SCRIPTS[script];
    await suite.withShopper({ viewport: { width, height: width < 400 ? 640 : 800 }, colorScheme: scheme, locale }, async ({ stack, page }) => {
      const found: Record<string, Violation[]> = {};
      const check = async (screen: string) => {
        found[screen] = await violations(page);
      };
      const t = (key: string) => (text as Record<string, string>)[key] ?? key;
      const pay = () => dialogOf(page).locator("button[type=submit]");
      /** Holds POST /api/checkout until released: the creating screen stays up. */
      let held: Route | undefined;
      const createUrl = `${stack.url}/api/checkout`;
      const nudge = () => page.evaluate(() => window.dispatchEvent(new Event("focus")));
      await page.goto(stack.embedUrl("iframe", attributes));
      await payButton(page, /./).click();
      await pay().waitFor();
      // axe does look inside the dialog's shadow root: a nameless button put there is found.
      await page.evaluate(() => document.querySelector("octopus-checkout")!.shadowRoot!.querySelector("main")!.append(Object.assign(document.createElement("button"), { id: "axe-probe" })));
      expect((await violations(page)).map((violation) => violation.id)).toContain("button-name");
      await page.evaluate(() => document.querySelector("octopus-checkout")!.shadowRoot!.getElementById("axe-probe")!.remove());
      await check("form");

      await page.route(createUrl, (route) => void (held = route));
      await pay().click();
      await dialogShows(page, t("creating"));
      await check("creating");
      await expect.poll(() => !!held).toBe(true);
      await held!.continue();
      await page.unroute(createUrl);
      const first = await createdId(page);
      await dialogOf(page).locator("iframe").waitFor();
      await check("waiting");

      await dialogOf(page).getByRole("button", { name: t("close"), exact: true }).click();
      await payButton(page, /./).click();
      await dialogShows(page, t("resumeTitle"));
      await check("resume");
      await dialogOf(page).getByRole("button", { name: t("newPayment") }).click();

      await page.route(createUrl, (route) => route.fulfill({ status: 502, contentType: "application/json", body: JSON.stringify({ error: { code: "gateway_error", message: "The payment gateway did not answer." } }) }));
      await pay().click();
      await dialogShows(page, t("errorTitle"));
      await check("error");
      await page.unroute(createUrl);
      await dialogOf(page).getByRole("button", { name: t("tryAgain") }).click();

      for (const [screen, act] of [
        ["failed", "fail"],
        ["expired", "expire"],
        ["paid", "complete"],
      ] as const) {
        const before = await page.evaluate(() => (window as unknown as { __events: unknown[] }).__events.length);
        await pay().click();
        await page.waitForFunction((count) => (window as unknown as { __events: Array<{ type: string }> }).__events.slice(count).some((event) => event.type === "octopus-checkout:created"), before);
        const id = (await page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: { id: string } }> }).__events.filter((event) => event.type === "octopus-checkout:created").pop()!.detail.id));
        expect(id).not.toBe(first);
        stack.sandbox.controls[act]((await stack.gatewayOrder(id)).merchant_order_id);
        await nudge();
        await dialogShows(page, t(`${screen}Title`));
        await check(screen);
        if (screen !== "paid") await dialogOf(page).getByRole("button", { name: t(screen === "failed" ? "tryAgain" : "startAgain") }).click();
      }

      expect(Object.keys(found)).toEqual(["form", "creating", "waiting", "resume", "error", "failed", "expired", "paid"]);
      expect(found).toEqual(Object.fromEntries(Object.keys(found).map((screen) => [screen, []])));
    });
  });
});
