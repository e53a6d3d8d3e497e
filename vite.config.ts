import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The widget's size budget: gzip at level 9, the bytes the server sends (it compresses once, at
 * start), in KiB (1,024 bytes), as the bench and the README count them.
 */
export const WIDGET_BUDGET = { file: "widget.js", target: 10 * 1024, limit: 12 * 1024 };

/**
 * Fails the build when widget.js, gzipped, is over its limit, and says so when it is over its
 * target: a size budget that only a benchmark reports is a budget nobody notices breaking.
 */
export function sizeBudget(budget = WIDGET_BUDGET): Plugin {
  const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  return {
    name: "octopus-size-budget",
    apply: "build",
    generateBundle(_, bundle) {
      const chunk = bundle[budget.file];
      if (chunk?.type !== "chunk") return;
      const size = gzipSync(chunk.code, { level: 9 }).length;
      const figure = `${budget.file} is ${size} B gzipped (${kB(size)})`;
      if (size > budget.limit) this.error(`${figure}, over its ${kB(budget.limit)} limit. npm run bench shows what it is made of.`);
      this.info(`${figure}: limit ${kB(budget.limit)}, target ${kB(budget.target)}${size > budget.target ? `, over the target by ${size - budget.target} B` : ""}.`);
    },
  };
}

const NPM_BUILD = {
  outDir: "dist/npm",
  emptyOutDir: true,
  target: "es2022",
  lib: { entry: "widget/index.ts", formats: ["es" as const], fileName: () => "index.js" },
};

/**
 * `vite build`: widget.js, the script-tag bundle (an IIFE, held to its size budget).
 * `vite build --mode npm`: the npm entry, widget/index.ts as one ES module in dist/npm/ (Preact
 * included, so an app needs nothing else); its declarations come from widget/tsconfig.npm.json.
 */
export default defineConfig(({ mode }) => ({
  plugins: mode === "npm" ? [] : [sizeBudget()],
  // Classic h() calls: the widget's JSX and its controller then share Preact's own h(), where the
  // automatic runtime would bundle preact/jsx-runtime's jsx() beside it (72 B gzip more).
  oxc: { jsx: { runtime: "classic", pragma: "h", pragmaFrag: "Fragment" } },
  build: mode === "npm" ? NPM_BUILD : {
    outDir: "dist/widget",
    emptyOutDir: true,
    target: "es2022",
    // Vite's own figure is gzip at another level, in kB of 1,000 B: sizeBudget() prints the one that counts.
    reportCompressedSize: false,
    lib: {
      entry: "widget/main.ts",
      name: "OctopusCheckout",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The reliability suite is long and has its own run: npm run test:reliability.
    exclude: [...configDefaults.exclude, "test/reliability/**"],
    environment: "node",
    testTimeout: 15_000,
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/vitest.json" },
    hookTimeout: 15_000,
  },
}));
