// @vitest-environment happy-dom
/**
 * The npm entry as an app gets it: package.json's "./widget" export, built by `npm run build` into
 * dist/npm (an ES module and its declarations). Built here into a directory of its own, then
 * type-checked from an app's point of view and run.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const run = promisify(execFile);
// Not in the test worker's environment: under NODE_ENV=test vite would not build for production.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "NODE_ENV" && !name.startsWith("VITEST")));

let out: string;
beforeAll(async () => {
  // Inside the project: vitest's module runner imports only from under its root.
  mkdirSync(join(ROOT, "node_modules/.cache"), { recursive: true });
  out = mkdtempSync(join(ROOT, "node_modules/.cache/npm-entry-"));
  await Promise.all([
    run("npx", ["vite", "build", "--mode", "npm", "--logLevel", "error", "--outDir", join(out, "dist")], { cwd: ROOT, env }),
    run("npx", ["tsc", "-p", "widget/tsconfig.npm.json", "--outDir", join(out, "types")], { cwd: ROOT, env }),
  ]);
}, 90_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the npm entry", () => {
  it("is declared in package.json where npm run build puts it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string; import: string }>; scripts: { build: string } };
    expect(pkg.exports["./widget"]).toEqual({ types: "./dist/npm/types/widget/index.d.ts", import: "./dist/npm/index.js" });
    expect(pkg.scripts.build).toContain("vite build --mode npm");
    expect(pkg.scripts.build).toContain("tsc -p widget/tsconfig.npm.json");
  });

  it("type-checks an app that uses it, and refuses one that misuses it", async () => {
    const types = join(out, "types/widget/index.d.ts");
    const tsconfig = (file: string) =>
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, lib: ["ES2023", "DOM"], types: [], paths: { "octopus-checkout/widget": [types] } },
        files: [file],
      });
    const app = (mode: string) => `import { createOctopusCheckout, type CheckoutDetail, type CheckoutOptions } from "octopus-checkout/widget";
const options: CheckoutOptions = { amount: "100.00", currency: "php", country: "PH", mode: "${mode}", onSuccess: (d: CheckoutDetail) => console.log(d.id) };
export const paid: Promise<CheckoutDetail> = createOctopusCheckout("https://pay.example.com").open(options);
// The events are typed: DocumentEventMap knows every octopus-checkout:* event and its detail.
document.addEventListener("octopus-checkout:success", (event) => { const id: string | null = event.detail.id; console.log(id); });\n`;
    writeFileSync(join(out, "good.ts"), app("popup"));
    writeFileSync(join(out, "bad.ts"), app("modal"));
    writeFileSync(join(out, "good.json"), tsconfig("good.ts"));
    writeFileSync(join(out, "bad.json"), tsconfig("bad.ts"));
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    await expect(run(tsc, ["-p", join(out, "good.json")], { cwd: out })).resolves.toBeDefined();
    const refused = await run(tsc, ["-p", join(out, "bad.json")], { cwd: out }).then(() => "", (error: { stdout: string }) => error.stdout);
    expect(refused).toContain(`Type '"modal"' is not assignable to type 'Mode | undefined'`);
    // Without the event map, event.detail would not exist on Event: the good app's compiling shows it is there.
    // Nothing of the server comes with the public declarations.
    expect(readFileSync(types, "utf8") + readFileSync(join(out, "types/widget/types.d.ts"), "utf8")).not.toMatch(/server\/|zod/);
  }, 60_000);

  it("runs: its pay button opens the same checkout as the script tag's", async () => {
    const entry = (await import(/* @vite-ignore */ pathToFileURL(join(out, "dist/index.js")).href)) as typeof import("../../widget/index.ts");
    expect(entry.PROTOCOL_VERSION).toBe(1);
    const checkout = entry.createOctopusCheckout("https://pay.example.com/some/path");
    const place = document.createElement("div");
    document.body.append(place);
    checkout.mount(place, { amount: "250.00", currency: "php", locale: "en" });
    expect(place.shadowRoot!.querySelector("button")!.textContent).toBe("Pay ₱250.00");
    checkout.close();
    place.remove();
  });
});
