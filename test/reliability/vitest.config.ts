/**
 * `npm run test:reliability`: the reliability suite (test/reliability/), apart from `npm test`
 * because it is long (thousands of checkouts against a misbehaving sandbox, servers killed mid-delivery). Everything runs on
 * 127.0.0.1; each test prints its figures so that a CI log shows them.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/reliability/**/*.test.ts"],
    environment: "node",
    // One file at a time: the load tests measure latency, and two of them at once on a 2-core
    // machine would measure each other.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // The figures are the point: show every console.log, even of passing tests.
    silent: false,
    // In CI a JSON report as well, which .ci/run adds to npm test's in its "N passed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/reliability.json" },
  },
});
