import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  // Classic h() calls: the widget's JSX and its controller then share Preact's own h(), where the
  // automatic runtime would bundle preact/jsx-runtime's jsx() beside it (72 B gzip more).
  oxc: { jsx: { runtime: "classic", pragma: "h", pragmaFrag: "Fragment" } },
  build: {
    outDir: "dist/widget",
    emptyOutDir: true,
    target: "es2022",
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
});
