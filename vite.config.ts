import { defineConfig } from "vitest/config";

export default defineConfig({
  build: {
    outDir: "dist/widget",
    emptyOutDir: true,
    target: "es2020",
    lib: {
      entry: "widget/main.ts",
      name: "OctopusCheckout",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
